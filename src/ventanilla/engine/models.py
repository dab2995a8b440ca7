from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProcessVersion(models.Model):
    """One published version of a procedure's definition. The parsed diagram is stored once
    here; each case stores only its own state and keeps the version it started with."""

    slug = models.SlugField(_("procedimiento"), max_length=80)
    version = models.PositiveIntegerField(_("versión"))
    process_id = models.CharField(_("proceso BPMN"), max_length=120)
    bpmn = models.TextField(_("diagrama BPMN"))
    decisions = models.JSONField(_("tablas de decisión (DMN)"), default=dict)
    forms = models.JSONField(_("formularios"), default=dict)
    spec = models.JSONField(_("diagrama interpretado"))
    sha256 = models.CharField(_("huella de los archivos"), max_length=64)
    published_at = models.DateTimeField(_("publicada el"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publicada por"),
    )

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="process_version_unique")
        ]
        verbose_name = _("versión de un procedimiento")
        verbose_name_plural = _("versiones de procedimientos")

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"
