from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "ventanilla.documents"
    label = "documents"
    verbose_name = _("Documentos firmados")

    def ready(self):
        from ventanilla.documents import engine_services  # noqa: F401 (registers the service)
