"""Every change to a representation goes through these functions, and each records who acted
for whom (``record_delegated_action``)."""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core.models import OrgUnit
from ventanilla.identity.models import AssuranceLevel, RegistryStatus, User
from ventanilla.identity.permissions import Action, can, units_where
from ventanilla.identity.registry import IdentityClaim, RegistryAnswer, RegistryClient
from ventanilla.representation import acting
from ventanilla.representation.models import (
    ACTIVE_STATUSES,
    PARENTS,
    ConfirmationMethod,
    DelegatedAction,
    EndReason,
    Event,
    RegistryCheck,
    Relationship,
    Representation,
    Status,
    adult_cutoff,
    is_adult,
)

# A representative may have this many requests waiting at once: each request may create an
# account for the CUI it names, so an unbounded number would let one person fill the
# platform with accounts of children who are not theirs.
MAX_PENDING = 5


class Refusal(StrEnum):
    """Why an account cannot ask to represent anyone (shown instead of the form)."""

    NO_BIRTH_DATE = "no_birth_date"
    MINOR = "minor"
    IDENTITY_NOT_CONFIRMED = "identity_not_confirmed"
    TOO_MANY_PENDING = "too_many_pending"


class RepresentationRefused(Exception):
    """A request or decision that the rules do not allow; ``message`` says why, in Spanish."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


DUPLICATE_MESSAGES = {
    Status.PENDING: gettext_lazy(
        "Ya pidió representar a esta persona y la solicitud está pendiente. Vea su estado en "
        "la lista de personas que representa."
    ),
    Status.CONFIRMED: gettext_lazy("Usted ya representa a esta persona."),
}


def refusal_for_representative(user: User) -> Refusal | None:
    """None when the account may ask to represent a minor; otherwise why not. Only adults
    whose own identity is confirmed (level 2 or more) may: the registry's answer about
    parenthood is only worth something if the CUI of the account is really theirs."""
    if user.birth_date is None:
        return Refusal.NO_BIRTH_DATE
    if not is_adult(user.birth_date):
        return Refusal.MINOR
    if user.assurance_level < AssuranceLevel.REGISTRY:
        return Refusal.IDENTITY_NOT_CONFIRMED
    pending = Representation.objects.filter(representative=user, status=Status.PENDING).count()
    if pending >= MAX_PENDING:
        return Refusal.TOO_MANY_PENDING
    return None


# --- Who acted for whom ---------------------------------------------------------------------


def object_reference(obj: models.Model) -> str:
    """How a delegated action names its object: ``app_label.model:pk``."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def record_delegated_action(
    request_or_actor,
    action: str,
    obj: models.Model | None = None,
    *,
    on_behalf_of: User | None = None,
    reference: str = "",
    representation: Representation | None = None,
) -> DelegatedAction | None:
    """Record that someone did ``action`` for another person.

    Given the request (what views should pass), the actor is the signed-in user and the
    person is the one they are acting for (``acting.acting_for``), under the representation
    chosen in the session. Given an account (or None: the platform itself, e.g. a background
    job), ``on_behalf_of`` says for whom. ``obj`` (or ``reference``) names what was acted on.

    Nothing is recorded when people act for themselves: the function can be called after
    every action, and returns the new row or None.
    """
    if isinstance(request_or_actor, HttpRequest):
        request = request_or_actor
        actor = request.user if request.user.is_authenticated else None
        if on_behalf_of is None:
            current = acting.current_representation(request)
            if current is not None:
                on_behalf_of = current.represented
                representation = representation or current
    else:
        actor = request_or_actor
    if on_behalf_of is None or (actor is not None and actor.pk == on_behalf_of.pk):
        return None
    if obj is not None and not reference:
        reference = object_reference(obj)
    return DelegatedAction.objects.create(
        actor=actor,
        on_behalf_of=on_behalf_of,
        representation=representation,
        action=str(action)[:80],
        reference=reference[:200],
    )


# --- Asking to represent a minor ------------------------------------------------------------


def ensure_minor_account(
    cui: str, *, first_names: str, last_names: str, birth_date: datetime.date
) -> tuple[User, bool]:
    """The account of the person to be represented, and whether it was created now. An
    existing account is left exactly as it is; a new one gets the names and date of birth as
    declared, assurance level 1 and an unusable password (nobody can sign in to it until the
    person claims it)."""
    account = User.objects.filter(cui=cui).first()
    if account is not None:
        return account, False
    try:
        with transaction.atomic():
            account = User.objects.create_user(
                cui, None, first_names=first_names, last_names=last_names, birth_date=birth_date
            )
    except IntegrityError:  # someone else created it just now
        return User.objects.get(cui=cui), False
    return account, True


@transaction.atomic
def request_representation(
    representative: User,
    *,
    cui: str,
    first_names: str,
    last_names: str,
    birth_date: datetime.date,
    relationship: str,
) -> Representation:
    """Ask to represent the minor of this CUI. A mother's or father's request is checked with
    the registry in the background once this transaction commits; a legal guardian's waits
    for an official at a counter. Raises ``RepresentationRefused`` when the rules say no
    (the form says so first; this is the last word, also under concurrent requests)."""
    if refusal_for_representative(representative) is not None:
        raise RepresentationRefused(_("Su cuenta no puede pedir representar a otra persona."))
    if cui == representative.cui:
        raise RepresentationRefused(
            _("Usted no puede ser su propio representante."), code="oneself"
        )
    if is_adult(birth_date):
        raise RepresentationRefused(_("Esta persona ya cumplió 18 años."), code="adult")
    relationship = Relationship(relationship)
    minor, _created = ensure_minor_account(
        cui, first_names=first_names, last_names=last_names, birth_date=birth_date
    )
    existing = Representation.objects.filter(
        representative=representative, represented=minor, status__in=ACTIVE_STATUSES
    ).first()
    if existing is not None:
        raise RepresentationRefused(str(DUPLICATE_MESSAGES[existing.status]), code="duplicate")
    representation = Representation(
        representative=representative,
        represented=minor,
        relationship=relationship,
        minor_first_names=first_names,
        minor_last_names=last_names,
        minor_birth_date=birth_date,
        registry_check=(
            RegistryCheck.PENDING if relationship in PARENTS else RegistryCheck.NOT_APPLICABLE
        ),
    )
    representation._history_user = representative
    try:
        with transaction.atomic():
            representation.save()
    except IntegrityError:  # the same request twice at once: the constraint keeps one
        raise RepresentationRefused(
            str(DUPLICATE_MESSAGES[Status.PENDING]), code="duplicate"
        ) from None
    record_delegated_action(
        representative,
        Event.REQUESTED,
        representation,
        on_behalf_of=minor,
        representation=representation,
    )
    if representation.is_parent:
        from ventanilla.representation.tasks import check_parenthood

        transaction.on_commit(lambda: check_parenthood.enqueue(representation.pk))
    return representation


# --- Confirmation ----------------------------------------------------------------------------


def _settle_minor_account(representation: Representation, *, by_registry: bool) -> None:
    """Once a representation is confirmed, its declared names and date of birth are known to
    be right. An account that nobody has used yet (made by a request: no usable password, never
    signed in, level 1) takes them — an earlier request may have made it with a typo — and,
    when the registry confirmed them, is at level 2 like any account the registry confirmed.
    Accounts people use are never touched."""
    minor = User.objects.select_for_update().get(pk=representation.represented_id)
    if (
        minor.has_usable_password()
        or minor.last_login is not None
        or minor.assurance_level >= AssuranceLevel.REGISTRY
    ):
        return
    minor.first_names = representation.minor_first_names
    minor.last_names = representation.minor_last_names
    minor.birth_date = representation.minor_birth_date
    fields = ["first_names", "last_names", "birth_date"]
    if by_registry:
        minor.assurance_level = AssuranceLevel.REGISTRY
        minor.registry_status = RegistryStatus.CONFIRMED
        minor.registry_checked_at = timezone.now()
        fields += ["assurance_level", "registry_status", "registry_checked_at"]
    minor.save(update_fields=fields)


_CHECK_FOR_ANSWER = {
    RegistryAnswer.MATCH: RegistryCheck.MATCH,
    RegistryAnswer.MISMATCH: RegistryCheck.MISMATCH,
    RegistryAnswer.NOT_FOUND: RegistryCheck.NOT_FOUND,
    RegistryAnswer.UNAVAILABLE: RegistryCheck.UNAVAILABLE,
}


def confirm_parenthood_with_registry(
    representation: Representation, *, registry: RegistryClient
) -> RegistryAnswer:
    """Ask the registry two questions: do the minor's CUI, names and date of birth (as the
    representative declared them) belong together, and is the representative's CUI a parent
    of the minor's? Both must be yes to confirm the representation.

    The first question matters as much as the second: the date of birth decides when the
    representation ends, so a parent cannot keep acting for a grown-up child by declaring a
    younger one. The registry is called outside any transaction; only the answer is written,
    and only while the request is still pending. An unavailable registry leaves it pending,
    for a later retry (``tasks.check_parenthood``).
    """
    minor = representation.represented
    answer = registry.verify(
        IdentityClaim(
            minor.cui,
            representation.minor_first_names,
            representation.minor_last_names,
            representation.minor_birth_date,
        )
    )
    if answer is RegistryAnswer.MATCH:
        answer = registry.verify_parenthood(representation.representative.cui, minor.cui)
    with transaction.atomic():
        current = Representation.objects.select_for_update().get(pk=representation.pk)
        if current.status != Status.PENDING or not current.is_parent:
            return answer
        current.registry_check = _CHECK_FOR_ANSWER[answer]
        current.registry_checked_at = timezone.now()
        current._history_user = None
        if answer is RegistryAnswer.MATCH and is_adult(current.minor_birth_date):
            _end(current, EndReason.ADULTHOOD, actor=None)
        elif answer is RegistryAnswer.MATCH:
            current.status = Status.CONFIRMED
            current.confirmation_method = ConfirmationMethod.REGISTRY
            current.confirmed_at = timezone.now()
            current.save()
            _settle_minor_account(current, by_registry=True)
            record_delegated_action(
                None,
                Event.CONFIRMED_BY_REGISTRY,
                current,
                on_behalf_of=current.represented,
                representation=current,
            )
        else:
            current.save()
    representation.refresh_from_db()
    return answer


def counter_units(official) -> list[OrgUnit]:
    """The units at whose counter this official may confirm identities and representations
    (``Action.CONFIRM_IDENTITY_IN_PERSON``)."""
    return units_where(official, Action.CONFIRM_IDENTITY_IN_PERSON)


def _check_counter(representation: Representation, official: User, org_unit: OrgUnit) -> None:
    if not can(official, Action.CONFIRM_IDENTITY_IN_PERSON, org_unit=org_unit):
        raise PermissionDenied(
            _("No tiene permiso para confirmar representaciones en esta oficina.")
        )
    if official.pk in {representation.representative_id, representation.represented_id}:
        raise PermissionDenied(
            _("No puede decidir sobre una representación en la que usted es parte.")
        )


@transaction.atomic
def confirm_in_person(
    representation: Representation, *, official: User, org_unit: OrgUnit, evidence: str
) -> Representation:
    """An official at a counter saw the documents (the minor's birth certificate; for a legal
    guardian, the court's decision) and the representative's DPI, and confirms."""
    _check_counter(representation, official, org_unit)
    current = Representation.objects.select_for_update().get(pk=representation.pk)
    if current.status != Status.PENDING:
        raise RepresentationRefused(_("Esta solicitud ya no está pendiente."), code="not_pending")
    if is_adult(current.minor_birth_date):
        raise RepresentationRefused(
            _("La persona ya cumplió 18 años: no se puede confirmar la representación."),
            code="adult",
        )
    current.status = Status.CONFIRMED
    current.confirmation_method = ConfirmationMethod.IN_PERSON
    current.confirmed_by = official
    current.decided_at_unit = org_unit
    current.evidence = evidence.strip()[:200]
    current.confirmed_at = timezone.now()
    current._history_user = official
    current.save()
    _settle_minor_account(current, by_registry=False)
    record_delegated_action(
        official,
        Event.CONFIRMED_IN_PERSON,
        current,
        on_behalf_of=current.represented,
        representation=current,
    )
    return current


@transaction.atomic
def reject_representation(
    representation: Representation, *, official: User, org_unit: OrgUnit, reason: str
) -> Representation:
    """An official at a counter does not confirm it; the representative sees the reason."""
    _check_counter(representation, official, org_unit)
    current = Representation.objects.select_for_update().get(pk=representation.pk)
    if current.status != Status.PENDING:
        raise RepresentationRefused(_("Esta solicitud ya no está pendiente."), code="not_pending")
    current.status = Status.REJECTED
    current.rejected_by = official
    current.decided_at_unit = org_unit
    current.rejection_reason = reason.strip()[:500]
    current.ended_at = timezone.now()
    current._history_user = official
    current.save()
    record_delegated_action(
        official, Event.REJECTED, current, on_behalf_of=current.represented, representation=current
    )
    return current


# --- Acting for someone ---------------------------------------------------------------------


def start_acting_for(request, representation_id) -> Representation:
    """From now on the signed-in person acts for the minor of this representation. Only the
    representative of a confirmed representation of a minor may (else PermissionDenied)."""
    representation = acting.confirmed_representation(request.user, representation_id)
    if representation is None:
        raise PermissionDenied(_("Usted no puede actuar por esta persona."))
    current = acting.current_representation(request)
    if current is not None and current.pk == representation.pk:
        return representation
    if current is not None:
        stop_acting(request)
    acting.remember_choice(request, representation)
    record_delegated_action(
        request.user,
        Event.ACTING_STARTED,
        representation,
        on_behalf_of=representation.represented,
        representation=representation,
    )
    return representation


def stop_acting(request) -> Representation | None:
    """The signed-in person acts for themselves again; returns the representation they were
    acting under, if any."""
    current = acting.current_representation(request)
    acting.remember_choice(request, None)
    if current is not None:
        record_delegated_action(
            request.user,
            Event.ACTING_STOPPED,
            current,
            on_behalf_of=current.represented,
            representation=current,
        )
    return current


# --- End --------------------------------------------------------------------------------------


def _end(representation: Representation, reason: EndReason, *, actor: User | None) -> None:
    """End a locked, active representation (inside the caller's transaction)."""
    representation.status = Status.ENDED
    representation.end_reason = reason
    representation.ended_at = timezone.now()
    representation._history_user = actor
    representation.save()
    record_delegated_action(
        actor,
        Event.ENDED,
        representation,
        on_behalf_of=representation.represented,
        reference=f"{object_reference(representation)} {reason.value}",
        representation=representation,
    )


@transaction.atomic
def end_representation(representation: Representation, *, actor: User) -> bool:
    """The representative ends it (a confirmed one) or withdraws it (a pending one). Returns
    False when it had already ended."""
    if actor.pk != representation.representative_id:
        raise PermissionDenied(_("Solo quien representa puede terminar la representación."))
    current = Representation.objects.select_for_update().get(pk=representation.pk)
    if current.status not in ACTIVE_STATUSES:
        return False
    reason = (
        EndReason.WITHDRAWN if current.status == Status.PENDING else EndReason.BY_REPRESENTATIVE
    )
    _end(current, reason, actor=actor)
    representation.refresh_from_db()
    return True


def end_representations_of_adults(
    today: datetime.date | None = None, *, representative: User | None = None
) -> int:
    """End every active representation whose minor is 18 or older on ``today``. The daily job
    calls it (`ventanilla end_adult_representations`, or the ``end_adult_representations``
    task); pages call it for one representative so they never show a stale state. Returns
    how many ended."""
    cutoff = adult_cutoff(today or timezone.localdate())
    due = Representation.objects.filter(status__in=ACTIVE_STATUSES, minor_birth_date__lte=cutoff)
    if representative is not None:
        due = due.filter(representative=representative)
    ended = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            current = Representation.objects.select_for_update().get(pk=pk)
            if current.status in ACTIVE_STATUSES and current.minor_birth_date <= cutoff:
                _end(current, EndReason.ADULTHOOD, actor=None)
                ended += 1
    return ended
