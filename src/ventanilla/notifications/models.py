"""Messages shown in a person's in-app inbox ("Mis avisos")."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboxMessage(models.Model):
    """One notice for one person: what happened, and where to look (``link``, a site path).
    ``about`` is set when the notice concerns someone the person represents (a minor): the
    link is then opened acting for them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inbox_messages",
        verbose_name=_("cuenta"),
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sobre la persona"),
        help_text=_(
            "Vacío cuando el aviso es sobre la misma cuenta; si no, la persona a quien "
            "representa (una persona menor de edad)."
        ),
    )
    subject = models.CharField(_("asunto"), max_length=200)
    body = models.TextField(_("mensaje"))
    link = models.CharField(_("enlace"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("enviado el"), default=timezone.now)
    read_at = models.DateTimeField(_("leído el"), null=True, blank=True)

    class Meta:
        verbose_name = _("aviso")
        verbose_name_plural = _("avisos")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_user_read")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
