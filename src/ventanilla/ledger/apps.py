from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ventanilla.ledger"
    label = "ledger"
    verbose_name = _("Registro público")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        post_create_historical_record.connect(_history_written, dispatch_uid="ledger-history")


def _history_written(sender, instance, history_instance, **kwargs):
    """A role change or catalogue change saved: its entry, in the same transaction."""
    from ventanilla.ledger import record

    if record.recorded_history(sender):
        record.history([history_instance])
