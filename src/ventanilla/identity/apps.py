from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "ventanilla.identity"
    label = "identity"
    verbose_name = _("Identidad y cuentas")

    def ready(self):
        from ventanilla.identity import browser_sessions  # noqa: F401 - connects signals
