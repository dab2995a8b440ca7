"""Signed documents and their public registry: what was issued, to whom (masked), by whom,
the SHA-256 of the signed PDF, and whether it still stands. Diplomas come in batches, one
per cohort file, and each also carries a verifiable credential whose revocation is a bit in
a published status list."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolución")
    CERTIFICATION = "certification", _("Certificación")
    DIPLOMA = "diploma", _("Diploma")


class Status(models.TextChoices):
    # Rendered, waiting for the signer's approval with their second factor.
    AWAITING_SIGNATURE = "awaiting_signature", _("Pendiente de firma")
    VALID = "valid", _("Vigente")
    REVOKED = "revoked", _("Revocado")


def document_path(document, filename: str) -> str:
    return f"documentos/{document.issued_at or timezone.now():%Y/%m}/{document.code}.pdf"


class DiplomaBatch(models.Model):
    """One cohort file (CSV) of diplomas. Issuing is resumable: a row becomes at most one
    document (``Document.batch`` + ``batch_key`` are unique together)."""

    class State(models.TextChoices):
        VALIDATED = "validated", _("Revisado, listo para emitir")
        ISSUING = "issuing", _("Emitiendo")
        DONE = "done", _("Terminado")
        REJECTED = "rejected", _("Con errores: no se emite")

    source_name = models.CharField(_("archivo"), max_length=255)
    source_sha256 = models.CharField(_("huella SHA-256 del archivo"), max_length=64, unique=True)
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unidad")
    )
    rows = models.PositiveIntegerField(_("filas"), default=0)
    issued = models.PositiveIntegerField(_("emitidos"), default=0)
    state = models.CharField(_("estado"), max_length=20, choices=State, default=State.VALIDATED)
    report = models.JSONField(_("filas con errores"), default=list, blank=True)
    # What the file holds, for the page that asks the signer to approve it (schools, degrees,
    # dates, the first rows): the back office fills it when the file is loaded.
    summary = models.JSONField(_("resumen del archivo"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cargado por"),
    )
    created_at = models.DateTimeField(_("cargado el"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminado el"), null=True, blank=True)
    # Loaded from the back office: the file is kept (never served) for the background job,
    # and the signer approves the signing with their second factor.
    source = models.FileField(
        _("archivo cargado"), upload_to="diplomas/lotes/", max_length=200, blank=True
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("firmante"),
    )
    approved_at = models.DateTimeField(_("firma aprobada el"), null=True, blank=True)
    # Progress of the current run: when it started and how many were already issued then
    # (rate and time left on the progress page).
    started_at = models.DateTimeField(_("inicio de la emisión"), null=True, blank=True)
    issued_before_run = models.PositiveIntegerField(_("emitidos antes de esta emisión"), default=0)
    failure = models.TextField(_("por qué se detuvo"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lote de diplomas")
        verbose_name_plural = _("lotes de diplomas")

    def __str__(self) -> str:
        return self.source_name


class Document(models.Model):
    code = models.CharField(_("código de verificación"), max_length=32, unique=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind)
    title = models.CharField(_("título"), max_length=200)
    template = models.CharField(_("plantilla"), max_length=120)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("expediente"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("titular"),
    )
    holder_name = models.CharField(_("nombre del titular"), max_length=200)
    # What the public page may show about the holder, e.g. "M*** L*** (CUI ···· 0101)".
    holder_masked = models.CharField(_("titular, enmascarado"), max_length=120)
    data = models.JSONField(_("datos del documento"), default=dict)
    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("emisor")
    )
    status = models.CharField(
        _("estado"), max_length=20, choices=Status, default=Status.AWAITING_SIGNATURE
    )
    pdf = models.FileField(_("PDF firmado"), upload_to=document_path, max_length=200, blank=True)
    sha256 = models.CharField(_("huella SHA-256 del PDF"), max_length=64, blank=True, db_index=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("firmante"),
    )
    signer_certificate = models.TextField(_("certificado del firmante (sujeto)"), blank=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    issued_at = models.DateTimeField(_("emitido"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revocado"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revocado por"),
    )
    revocation_reason = models.TextField(_("motivo de la revocación"), blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("reemplaza a"),
    )
    batch = models.ForeignKey(
        DiplomaBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("lote"),
    )
    batch_key = models.CharField(_("fila del lote"), max_length=120, blank=True)
    # The diploma's verifiable credential: its bit in the published status list.
    status_list_index = models.PositiveIntegerField(
        _("posición en la lista de estado"), null=True, blank=True, unique=True
    )
    credential = models.TextField(_("credencial verificable (VC-JOSE)"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "batch_key"],
                condition=models.Q(batch__isnull=False),
                name="document_once_per_batch_row",
            )
        ]
        indexes = [
            models.Index(fields=["status", "unit"], name="document_signing_queue_idx"),
            # A cohort file's rows already issued by another batch (documents/batch.py).
            models.Index(fields=["batch_key"], name="document_batch_key_idx"),
        ]
        verbose_name = _("documento")
        verbose_name_plural = _("documentos")

    def __str__(self) -> str:
        return self.code


class StatusListCounter(models.Model):
    """The next free position in the credentials' status list, taken under a row lock."""

    name = models.CharField(max_length=40, unique=True)
    next_index = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("contador de la lista de estado")
        verbose_name_plural = _("contadores de la lista de estado")

    def __str__(self) -> str:
        return f"{self.name}: {self.next_index}"
