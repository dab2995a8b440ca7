"""The inventory of procedures (inventario de trámites) and its simplification pipeline."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ventanilla.core.models import OrgUnit


class Audience(models.Model):
    """Who a procedure is for, as people would describe themselves ('Docentes')."""

    slug = models.SlugField(_("código"), max_length=40, unique=True)
    name = models.CharField(_("nombre"), max_length=80)
    order = models.PositiveSmallIntegerField(_("orden"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("público")
        verbose_name_plural = _("públicos")

    def __str__(self) -> str:
        return self.name


class MaturityLevel(models.IntegerChoices):
    INFORMATION = 0, _("0 · Solo información")
    FORMS = 1, _("1 · Información y formularios para descargar")
    STARTED_ONLINE = 2, _("2 · Se inicia en línea y se termina en persona")
    ONLINE = 3, _("3 · Totalmente en línea")
    ONLINE_SIGNED = 4, _("4 · En línea con resultado firmado electrónicamente")


class Stage(models.TextChoices):
    """The programme's simplification pipeline, in order."""

    INVENTORIED = "inventoried", _("Inventariado")
    PRIORITISED = "prioritised", _("Priorizado")
    DIAGRAMMED = "diagrammed", _("Diagramado")
    ANALYSED = "analysed", _("Analizado")
    DIGITISED = "digitised", _("Digitalizado")
    PILOT = "pilot", _("En piloto")
    PRODUCTION = "production", _("En producción")
    EVALUATED = "evaluated", _("Evaluado")


class Procedure(models.Model):
    name = models.CharField(_("nombre"), max_length=250)
    slug = models.SlugField(_("dirección (slug)"), max_length=120, unique=True)
    summary = models.TextField(
        _("descripción en lenguaje claro"),
        help_text=_("Qué es y para qué sirve, en una o dos frases que cualquiera entienda."),
    )
    who_may_apply = models.TextField(_("quién puede solicitarlo"))
    audiences = models.ManyToManyField(
        Audience, blank=True, related_name="procedures", verbose_name=_("públicos")
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("unidad responsable"),
    )
    responsible_unit_note = models.CharField(
        _("detalle de la unidad responsable"),
        max_length=300,
        blank=True,
        help_text=_("Por ejemplo, cuando emite una dirección departamental y otra es rectora."),
    )
    legal_deadline_days = models.PositiveSmallIntegerField(
        _("plazo legal (días hábiles)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_(
            "Déjelo vacío si no hay plazo publicado; la página dirá «sin plazo publicado»."
        ),
    )
    cost_quetzales = models.DecimalField(
        _("costo (quetzales)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("0 si es gratuito; vacío si el costo no está publicado."),
    )
    cost_note = models.CharField(_("nota sobre el costo"), max_length=300, blank=True)
    available_online = models.BooleanField(_("se puede solicitar en línea"), default=False)
    available_in_person = models.BooleanField(_("se puede solicitar en persona"), default=True)
    minimum_assurance_level = models.PositiveSmallIntegerField(
        _("identidad que exige en línea"),
        choices=[
            (1, _("1 · Basta una cuenta")),
            (2, _("2 · Identidad confirmada con el RENAP")),
            (3, _("3 · Identidad confirmada en persona")),
        ],
        default=2,
        help_text=_(
            "Qué tan segura debe estar la plataforma de quién es la persona para dejarla "
            "iniciar el trámite en línea. Un trámite que entrega un documento oficial "
            "necesita al menos el nivel 2."
        ),
    )
    maturity_level = models.PositiveSmallIntegerField(
        _("nivel de madurez digital"),
        choices=MaturityLevel.choices,
        default=MaturityLevel.INFORMATION,
    )
    is_prioritised = models.BooleanField(_("priorizado"), default=False)
    stage = models.CharField(
        _("etapa de simplificación"),
        max_length=20,
        choices=Stage.choices,
        default=Stage.INVENTORIED,
    )
    legal_basis = models.TextField(_("base legal"), blank=True, help_text=_("Una norma por línea."))
    notes = models.TextField(_("notas internas del inventario"), blank=True)
    is_published = models.BooleanField(_("publicado"), default=True)
    # Derived text the search index is built from (name, description, requirements…);
    # kept by catalog.search.reindex_procedures, never edited by hand.
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["search_text", "updated_at"], m2m_fields=[audiences]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("trámite")
        verbose_name_plural = _("trámites")
        indexes = [
            models.Index(fields=["is_published", "available_online"], name="procedure_online_idx"),
            models.Index(fields=["is_prioritised"], name="procedure_prioritised_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def legal_basis_lines(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    @property
    def is_digital(self) -> bool:
        """Counts as 'available digitally' for the programme's strategic indicators."""
        return self.available_online


class Requirement(models.Model):
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("trámite"),
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    text = models.TextField(_("requisito"))
    is_required = models.BooleanField(
        _("se sigue pidiendo"),
        default=True,
        help_text=_("Desmárquelo si el requisito se eliminó en la simplificación."),
    )
    held_by_state = models.BooleanField(
        _("el Estado ya lo tiene"),
        default=False,
        help_text=_("El dato o documento ya está en manos del Estado; no se le pide a la persona."),
    )
    state_holder = models.CharField(
        _("institución que lo tiene"),
        max_length=120,
        blank=True,
        help_text=_("Por ejemplo, RENAP."),
    )
    legal_basis = models.CharField(_("base legal"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "order", "id"]
        verbose_name = _("requisito")
        verbose_name_plural = _("requisitos")

    def __str__(self) -> str:
        return self.text[:80]


class Step(models.Model):
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="steps", verbose_name=_("trámite")
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    title = models.CharField(_("paso"), max_length=200)
    description = models.TextField(_("descripción"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "order", "id"]
        verbose_name = _("paso")
        verbose_name_plural = _("pasos")

    def __str__(self) -> str:
        return self.title


class Source(models.Model):
    """Where the inventory's information about a procedure comes from."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="sources", verbose_name=_("trámite")
    )
    title = models.CharField(_("título"), max_length=300)
    url = models.URLField(_("dirección"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "id"]
        verbose_name = _("fuente")
        verbose_name_plural = _("fuentes")

    def __str__(self) -> str:
        return self.title


class Simplification(models.Model):
    """The simplification analysis of one procedure: what changed, before and after."""

    procedure = models.OneToOneField(
        Procedure,
        on_delete=models.CASCADE,
        related_name="simplification",
        verbose_name=_("trámite"),
    )
    summary = models.TextField(
        _("qué se eliminó o se acortó"),
        help_text=_("En lenguaje claro: requisitos eliminados, pasos unidos, plazos acortados."),
    )
    steps_before = models.PositiveSmallIntegerField(_("pasos antes"), null=True, blank=True)
    steps_after = models.PositiveSmallIntegerField(_("pasos después"), null=True, blank=True)
    days_before = models.PositiveSmallIntegerField(_("días antes"), null=True, blank=True)
    days_after = models.PositiveSmallIntegerField(_("días después"), null=True, blank=True)
    analysed_on = models.DateField(_("fecha del análisis"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("análisis de simplificación")
        verbose_name_plural = _("análisis de simplificación")

    def __str__(self) -> str:
        return str(self.procedure)


class StrategicGoal(models.Model):
    """A target of the institution's programme: a share of its services available
    digitally by a year (MINEDUC: 100 % of prioritised and 50 % of all by 2024; 100 %
    of all by 2026). Other institutions enter their own."""

    class Scope(models.TextChoices):
        PRIORITISED = "prioritised", _("Servicios priorizados")
        ALL = "all", _("Servicios generales (todos)")

    code = models.SlugField(_("código"), max_length=40, unique=True)
    title = models.CharField(_("indicador"), max_length=250)
    scope = models.CharField(_("servicios que cuenta"), max_length=20, choices=Scope.choices)
    target_percent = models.PositiveSmallIntegerField(
        _("meta (%)"), validators=[MaxValueValidator(100)]
    )
    target_year = models.PositiveSmallIntegerField(_("año meta"))
    baseline_percent = models.PositiveSmallIntegerField(
        _("línea base (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    baseline_year = models.PositiveSmallIntegerField(_("año de la línea base"))
    source = models.CharField(_("fuente"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("orden"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "target_year"]
        verbose_name = _("meta estratégica")
        verbose_name_plural = _("metas estratégicas")

    def __str__(self) -> str:
        return self.title
