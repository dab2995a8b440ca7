from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ventanilla.cases"
    label = "cases"
    verbose_name = _("Expedientes")

    def ready(self):
        from ventanilla.cases import engine_services  # noqa: F401 (registers the services)
