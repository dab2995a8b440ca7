from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ventanilla.ledger"
    label = "ledger"
    verbose_name = _("Registro público")
    default_auto_field = "django.db.models.BigAutoField"
