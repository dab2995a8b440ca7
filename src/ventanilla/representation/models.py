"""A parent or legal guardian acting for a minor, and the record of who acted for whom.

A ``Representation`` links an adult's account (the representative) to a minor's account (the
represented person). It starts ``pendiente``; the registry (RENAP) confirms a mother or a
father in the background, and an official confirms a legal guardian — or a parent the registry
could not confirm — at a counter. It can be used only while ``confirmada`` and while the minor
is under 18; it ends when the minor turns 18 or when the representative ends it.

Every action done for someone else is a ``DelegatedAction``: who acted, for whom, what, on
which object, when.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ventanilla.identity.models import User

ADULT_AGE = 18


def adult_cutoff(today: datetime.date) -> datetime.date:
    """The latest date of birth of a person who is 18 or older on ``today``. (A person born on
    29 February comes of age on 1 March in years without one.)"""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # today is 29 February; 18 years ago had none
        return today.replace(year=today.year - ADULT_AGE, day=28)


def is_adult(birth_date: datetime.date | None, today: datetime.date | None = None) -> bool:
    """18 or older on ``today`` (default: today in Guatemala). Unknown dates are not adult."""
    if birth_date is None:
        return False
    return birth_date <= adult_cutoff(today or timezone.localdate())


def coming_of_age(birth_date: datetime.date) -> datetime.date:
    """The day a person turns 18."""
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:  # born on 29 February
        return datetime.date(birth_date.year + ADULT_AGE, 3, 1)


class Relationship(models.TextChoices):
    MOTHER = "madre", _("Madre")
    FATHER = "padre", _("Padre")
    GUARDIAN = "tutor_legal", _("Tutor legal")


# The registry knows mothers and fathers (the birth record); a guardian is named by a court,
# so only an official who saw the court's document can confirm one.
PARENTS = frozenset({Relationship.MOTHER, Relationship.FATHER})


class Status(models.TextChoices):
    PENDING = "pendiente", _("Pendiente de confirmar")
    CONFIRMED = "confirmada", _("Confirmada")
    REJECTED = "rechazada", _("Rechazada")
    ENDED = "terminada", _("Terminada")


ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED)


class ConfirmationMethod(models.TextChoices):
    REGISTRY = "registro", _("Con el Registro Nacional de las Personas (RENAP)")
    IN_PERSON = "en_persona", _("En persona, por un funcionario")


class RegistryCheck(models.TextChoices):
    """Where the registry check of a mother or father stands. Like the account's check, it
    says only whether the registry agreed, never what it holds."""

    NOT_APPLICABLE = "no_aplica", _("No se consulta (tutor legal)")
    PENDING = "en_curso", _("Consulta en curso")
    MATCH = "coincide", _("El RENAP confirmó los datos")
    MISMATCH = "no_coincide", _("El RENAP no confirmó los datos")
    NOT_FOUND = "no_encontrado", _("El RENAP no encontró el CUI")
    UNAVAILABLE = "sin_respuesta", _("El RENAP no respondió; se reintentará")


class EndReason(models.TextChoices):
    ADULTHOOD = "mayoria_de_edad", _("La persona representada cumplió 18 años")
    BY_REPRESENTATIVE = "por_representante", _("Quien representaba la terminó")
    WITHDRAWN = "retirada", _("Quien la pidió la retiró antes de que se confirmara")


class Event(StrEnum):
    """The representation's own actions, as recorded in ``DelegatedAction.action``. Later
    apps record theirs under their own prefix ("cases.submitted", …)."""

    REQUESTED = "representation.requested"
    CONFIRMED_BY_REGISTRY = "representation.confirmed_by_registry"
    CONFIRMED_IN_PERSON = "representation.confirmed_in_person"
    REJECTED = "representation.rejected"
    ACTING_STARTED = "representation.acting_started"
    ACTING_STOPPED = "representation.acting_stopped"
    ENDED = "representation.ended"


class Representation(models.Model):
    """An adult (``representative``) may act for a minor (``represented``) once confirmed.

    The minor's names and date of birth are kept here as the representative declared them:
    they are what the registry or the official confirms, what the representative is shown
    (never the data of an account that existed before the request) and the date of birth
    that ends the representation at 18.
    """

    representative = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="representations",
        verbose_name=_("representante"),
    )
    represented = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="representatives",
        verbose_name=_("persona representada"),
    )
    relationship = models.CharField(_("relación"), max_length=12, choices=Relationship.choices)
    minor_first_names = models.CharField(_("nombres de la persona representada"), max_length=120)
    minor_last_names = models.CharField(_("apellidos de la persona representada"), max_length=120)
    minor_birth_date = models.DateField(_("fecha de nacimiento de la persona representada"))
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    registry_check = models.CharField(
        _("consulta al registro nacional"),
        max_length=16,
        choices=RegistryCheck.choices,
        default=RegistryCheck.NOT_APPLICABLE,
    )
    registry_checked_at = models.DateTimeField(
        _("última consulta al registro"), null=True, blank=True
    )
    confirmation_method = models.CharField(
        _("cómo se confirmó"), max_length=12, choices=ConfirmationMethod.choices, blank=True
    )
    confirmed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmada por"),
    )
    rejected_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rechazada por"),
    )
    decided_at_unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oficina donde se decidió"),
    )
    evidence = models.CharField(_("documento revisado"), max_length=200, blank=True)
    rejection_reason = models.CharField(_("motivo del rechazo"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("pedida el"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmada el"), null=True, blank=True)
    ended_at = models.DateTimeField(_("terminada el"), null=True, blank=True)
    end_reason = models.CharField(
        _("motivo del fin"), max_length=20, choices=EndReason.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["representative", "represented"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="representation_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(representative=F("represented")),
                name="representation_not_oneself",
            ),
        ]
        verbose_name = _("representación")
        verbose_name_plural = _("representaciones")

    def __str__(self) -> str:
        return f"{self.representative} → {self.minor_full_name} ({self.get_status_display()})"

    @property
    def minor_full_name(self) -> str:
        return f"{self.minor_first_names} {self.minor_last_names}".strip()

    @property
    def is_parent(self) -> bool:
        return self.relationship in PARENTS

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def comes_of_age_on(self) -> datetime.date:
        return coming_of_age(self.minor_birth_date)

    @property
    def can_act(self) -> bool:
        """Whether the representative may act for the minor now."""
        return self.status == Status.CONFIRMED and not is_adult(self.minor_birth_date)

    @property
    def stage(self) -> str:
        """What the representative is told about it (``includes/status.html``)."""
        if self.status == Status.PENDING:
            if not self.is_parent:
                return "in_person"
            return {
                RegistryCheck.PENDING: "checking",
                RegistryCheck.UNAVAILABLE: "registry_down",
                RegistryCheck.MISMATCH: "not_confirmed",
                RegistryCheck.NOT_FOUND: "not_confirmed",
            }.get(self.registry_check, "checking")
        return {
            Status.CONFIRMED: "confirmed",
            Status.REJECTED: "rejected",
            Status.ENDED: "ended",
        }[self.status]


class DelegatedAction(models.Model):
    """Someone did something for another person: who (``actor``; empty when the platform
    did it on its own, such as a registry confirmation), for whom, what, on which object and
    when. Written by ``actions.record_delegated_action`` only."""

    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quién actuó"),
    )
    on_behalf_of = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="delegated_actions",
        verbose_name=_("por quién"),
    )
    representation = models.ForeignKey(
        Representation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegated_actions",
        verbose_name=_("representación"),
    )
    action = models.CharField(_("acción"), max_length=80)
    reference = models.CharField(_("sobre qué"), max_length=200, blank=True)
    at = models.DateTimeField(_("cuándo"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("acción hecha por otra persona")
        verbose_name_plural = _("acciones hechas por otras personas")

    def __str__(self) -> str:
        return f"{self.actor or '—'} → {self.on_behalf_of} · {self.action}"
