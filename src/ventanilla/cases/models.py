import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.compressed_json import CompressedJSONField


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
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("departamento"),
    )
    due_date = models.DateField(_("fecha límite"), null=True, blank=True)
    paused_since = models.DateField(_("esperando a la persona desde"), null=True, blank=True)
    result = models.CharField(_("resultado"), max_length=40, blank=True)
    result_message = models.TextField(_("resolución para la persona"), blank=True)
    flag_reason = models.TextField(_("por qué se detuvo"), blank=True)
    # Deflated: a finished case's state is ~9 KB of JSON, ~2 KB stored (core/compressed_json.py).
    state = CompressedJSONField(_("estado del proceso"))
    # What the applicant has typed on the current step but not sent yet (one question per
    # page): {"task": name, "answers": {...}}. Kept so a closed browser loses nothing.
    draft = models.JSONField(_("respuestas sin enviar"), default=dict, blank=True)
    # When the timer job must look at this case next (escalation when overdue); indexed so
    # the job reads only the cases that are due.
    next_timer_at = models.DateTimeField(
        _("próxima revisión del plazo"), null=True, blank=True, db_index=True
    )
    escalated_at = models.DateTimeField(_("escalado al jefe el"), null=True, blank=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    submitted_at = models.DateTimeField(_("presentado"), null=True, blank=True)
    decided_at = models.DateTimeField(_("resuelto"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["unit", "status"], name="case_queue_idx"),
            # "Mine" in the queue, and the cases an absence moves.
            models.Index(fields=["assignee", "status"], name="case_assignee_status_idx"),
            # A lane's queue, oldest first (bench/results/queue_p99.md).
            models.Index(
                fields=["unit", "current_lane", "submitted_at"],
                condition=models.Q(status="in_review"),
                name="case_lane_queue_idx",
            ),
        ]
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
    before = CompressedJSONField(_("antes"), default=dict)
    after = CompressedJSONField(_("después"), default=dict)
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


def case_file_path(instance, filename: str) -> str:
    # Never the person's file name on disk: a random name under the case.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class CaseFile(models.Model):
    """A file the applicant (or an official) attached to an answer, checked by size, type
    and content before it was kept (``cases.uploads``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    task = models.CharField(_("paso"), max_length=120)
    field = models.CharField(_("pregunta"), max_length=120)
    name = models.CharField(_("nombre del archivo"), max_length=255)
    content_type = models.CharField(_("tipo"), max_length=100)
    size = models.PositiveBigIntegerField(_("tamaño en bytes"))
    sha256 = models.CharField(_("huella SHA-256"), max_length=64)
    file = models.FileField(_("archivo"), upload_to=case_file_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("subido por"),
    )
    uploaded_at = models.DateTimeField(_("subido el"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("archivo del expediente")
        verbose_name_plural = _("archivos del expediente")

    def __str__(self) -> str:
        return self.name


class CaseNote(models.Model):
    """A note officials leave on a case for each other; the applicant never sees it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("autor"),
    )
    text = models.TextField(_("nota"))
    at = models.DateTimeField(_("cuándo"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("nota interna")
        verbose_name_plural = _("notas internas")

    def __str__(self) -> str:
        return f"{self.case} · {self.at:%Y-%m-%d}"


class SavedSearch(models.Model):
    """A queue filter an official keeps under a name (the query string of the queue page)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("nombre"), max_length=80)
    query = models.CharField(_("filtros"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_search_unique_name")
        ]
        verbose_name = _("búsqueda guardada")
        verbose_name_plural = _("búsquedas guardadas")

    def __str__(self) -> str:
        return self.name


class DecisionReason(models.Model):
    """The list officials pick a reason from when they reject a case or ask for a correction
    (plus free text), so that decisions are comparable and can be counted."""

    class Kind(models.TextChoices):
        REJECT = "reject", _("Rechazo")
        CORRECTIONS = "corrections", _("Corrección")

    kind = models.CharField(_("para"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("motivo"), max_length=200)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decision_reasons",
        verbose_name=_("solo para el trámite"),
        help_text=_("Vacío: vale para todos los trámites."),
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    is_active = models.BooleanField(_("en uso"), default=True)

    class Meta:
        ordering = ["kind", "position", "text"]
        verbose_name = _("motivo de decisión")
        verbose_name_plural = _("motivos de decisión")

    def __str__(self) -> str:
        return self.text


class Absence(models.Model):
    """An official away (leave, sickness, training) and who works their cases meanwhile."""

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("funcionario ausente"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="substitutions",
        verbose_name=_("suplente"),
    )
    starts = models.DateField(_("desde"))
    ends = models.DateField(_("hasta"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrada por"),
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts"]
        verbose_name = _("ausencia")
        verbose_name_plural = _("ausencias")

    def __str__(self) -> str:
        return f"{self.official} {self.starts}–{self.ends}"
