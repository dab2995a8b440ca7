from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.CharField(_("código"), max_length=2, primary_key=True)
    name = models.CharField(_("nombre"), max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("departamento")
        verbose_name_plural = _("departamentos")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("departamento"),
    )
    code = models.CharField(_("código"), max_length=2)
    name = models.CharField(_("nombre"), max_length=80)

    class Meta:
        ordering = ["department_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="municipality_code_unique")
        ]
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")

    def __str__(self) -> str:
        return f"{self.name} ({self.department.name})"


class OrgUnit(models.Model):
    """A unit of the institution that answers for procedures: a central directorate or
    one of the departmental directorates (DIDEDUC in MINEDUC's case)."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Dirección central")
        DEPARTMENTAL = "departmental", _("Dirección departamental")

    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    short_name = models.CharField(_("siglas"), max_length=40, blank=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="org_units",
        verbose_name=_("departamento"),
    )
    is_active = models.BooleanField(_("activa"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unidad responsable")
        verbose_name_plural = _("unidades responsables")

    def __str__(self) -> str:
        return self.name


class ContentVersion(models.Model):
    """One counter that every change to public content (catalogue, units, goals)
    increments; cached public pages are keyed by it (see core/page_cache.py)."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("versión del contenido público")

    def __str__(self) -> str:
        return str(self.number)
