from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ONLINE = "online", _("En línea")
    COUNTER = "counter", _("En ventanilla")


class Status(models.TextChoices):
    DRAFT = "draft", _("Borrador")
    IN_REVIEW = "in_review", _("En revisión")
    CORRECTIONS = "corrections", _("Correcciones pedidas")
    DECIDED = "decided", _("Resuelto")
    FLAGGED = "flagged", _("Detenido: lo revisa un administrador")


class Case(models.Model):
    """An expediente: one application for one procedure, for one person."""

    tracking_number = models.CharField(
        _("número de expediente"), max_length=40, unique=True, null=True, blank=True
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="cases"
    )
    process_version = models.ForeignKey(
        "engine.ProcessVersion", on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("solicitante"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("iniciado por"),
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    current_task = models.CharField(_("paso actual"), max_length=120, blank=True)
    current_lane = models.CharField(_("a cargo de"), max_length=40, blank=True)
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="cases", verbose_name=_("unidad")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("asignado a"),
    )
    due_date = models.DateField(_("fecha límite"), null=True, blank=True)
    paused_since = models.DateField(_("esperando a la persona desde"), null=True, blank=True)
    result = models.CharField(_("resultado"), max_length=40, blank=True)
    result_message = models.TextField(_("resolución para la persona"), blank=True)
    flag_reason = models.TextField(_("por qué se detuvo"), blank=True)
    state = models.JSONField(_("estado del proceso"))
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    submitted_at = models.DateTimeField(_("presentado"), null=True, blank=True)
    decided_at = models.DateTimeField(_("resuelto"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "status"], name="case_queue_idx")]
        verbose_name = _("expediente")
        verbose_name_plural = _("expedientes")

    def __str__(self) -> str:
        return self.tracking_number or f"borrador {self.pk}"


class CaseEvent(models.Model):
    """Everything that happens to a case, written in the same transaction as the change.
    The timeline, the public log and the indicators read this table."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("qué pasó"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quién"),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("por quién"),
    )
    task = models.CharField(_("paso"), max_length=120, blank=True)
    before = models.JSONField(_("antes"), default=dict)
    after = models.JSONField(_("después"), default=dict)
    at = models.DateTimeField(_("cuándo"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("evento del expediente")
        verbose_name_plural = _("eventos del expediente")

    def __str__(self) -> str:
        return f"{self.case} · {self.kind}"


class TrackingCounter(models.Model):
    """The last tracking number given, per prefix and year (one locked row each)."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="tracking_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
