"""The back office's changes to a case that are not steps of its process: who works it
(assign, release, reassign, absences with substitutes) and internal notes. Like
``cases.actions``, each locks the case's row and writes a CaseEvent in the same transaction;
the bulk helpers give each case its own transaction."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.cases import actions, clock, queries
from ventanilla.cases.actions import CaseError, _event
from ventanilla.cases.models import Absence, Case, CaseNote, Status
from ventanilla.identity.models import Membership
from ventanilla.identity.permissions import LANE_ACTIONS, Action, can, can_work_lane

NOTE_MAX_LENGTH = 2000


class NotAllowed(CaseError):
    """The person may not do this to this case."""


class NotPending(CaseError):
    """The case is no longer waiting for an official (decided, or with the citizen)."""


class CannotWorkLane(CaseError):
    """The chosen person (or their substitute) may not work the case's current step."""


class NothingToDo(CaseError):
    """The case already is as asked."""


@dataclass(frozen=True)
class Assignment:
    case: Case
    requested: object  # the official the actor chose
    assignee: object  # who got the case: the same, or their substitute if away
    absence: Absence | None

    @property
    def went_to_substitute(self) -> bool:
        return self.absence is not None


def _locked(case_id) -> Case:
    return Case.objects.select_for_update().select_related("unit").get(pk=case_id)


def supervises(user, case: Case) -> bool:
    return can(user, Action.SUPERVISE_CASES, org_unit=case.unit_id)


def _in_an_officials_lane(case: Case) -> None:
    if case.status != Status.IN_REVIEW or case.current_lane not in LANE_ACTIONS:
        raise NotPending(_("Este expediente ya no espera a un funcionario."))


def standing_in(official, today: datetime.date | None = None) -> tuple[object, Absence | None]:
    """Who works for this official today: themselves, or their substitute when they are
    away (and the substitute's substitute if away too; a loop stops at the first repeat)."""
    today = today or clock.today()
    person, first_absence, seen = official, None, {official.pk}
    for _hop in range(5):
        absence = queries.absences_today([person.pk], today).get(person.pk)
        if absence is None or absence.substitute_id in seen:
            break
        first_absence = first_absence or absence
        person = absence.substitute
        seen.add(person.pk)
    return person, first_absence


@transaction.atomic
def assign(case_id, official, *, actor, today=None) -> Assignment:
    """Give a case to an official who can work its current step in its unit. The unit's
    supervisor may assign any case of the unit; whoever has the case may pass it to a
    colleague. When the chosen official is away today, the case goes to their substitute."""
    case = _locked(case_id)
    _in_an_officials_lane(case)
    mine = case.assignee_id == actor.pk and can_work_lane(
        actor, case.current_lane, org_unit=case.unit_id
    )
    if not (mine or supervises(actor, case)):
        raise NotAllowed(
            _("Solo el jefe de la unidad o quien tiene el expediente puede asignarlo.")
        )
    person, absence = standing_in(official, today)
    if not can_work_lane(person, case.current_lane, org_unit=case.unit_id):
        if absence is not None:
            raise CannotWorkLane(
                _(
                    "%(absent)s está ausente y su suplente, %(person)s, no puede trabajar "
                    "este paso del expediente: elija a otra persona."
                )
                % {"absent": official, "person": person}
            )
        raise CannotWorkLane(
            _("%(person)s no puede trabajar este paso del expediente: elija a otra persona.")
            % {"person": person}
        )
    if case.assignee_id == person.pk:
        raise NothingToDo(_("%(person)s ya tiene este expediente.") % {"person": person})
    _give(case, person, actor=actor, substitute_for=official if absence else None)
    return Assignment(case, official, person, absence)


def _give(case: Case, person, *, actor, substitute_for=None, absence=None) -> None:
    before = case.assignee_id
    case.assignee = person
    case.save(update_fields=["assignee"])
    after = {"assignee": person.pk}
    if substitute_for is not None:
        after["substitute_for"] = substitute_for.pk
    if absence is not None:
        after["absence"] = absence.pk
    _event(
        case,
        "reassigned" if before else "assigned",
        actor=actor,
        task=case.current_task,
        before={"assignee": before},
        after=after,
    )


@transaction.atomic
def release(case_id, *, actor) -> Case:
    """Put a case back in its queue, for anyone who works the lane to take. Whoever has it
    may, and so may the unit's supervisor."""
    case = _locked(case_id)
    if case.status not in queries.OPEN:
        raise NotPending(_("Este expediente ya está resuelto."))
    if case.assignee_id is None:
        raise NothingToDo(_("El expediente ya estaba en la cola."))
    if case.assignee_id != actor.pk and not supervises(actor, case):
        raise NotAllowed(_("Solo quien tiene el expediente o el jefe de la unidad lo devuelve."))
    _back_to_queue(case, actor=actor)
    return case


def _back_to_queue(case: Case, *, actor, **why) -> None:
    """Unassign a locked case, with its event (``why``: what else the event records)."""
    before = case.assignee_id
    case.assignee = None
    case.save(update_fields=["assignee"])
    _event(
        case,
        "released",
        actor=actor,
        task=case.current_task,
        before={"assignee": before},
        after={"assignee": None, **why},
    )


def _works_in(user, units) -> bool:
    return Membership.objects.filter(
        user=user, org_unit__in=units, role__in=list(LANE_ACTIONS)
    ).exists()


@dataclass(frozen=True)
class AbsenceOutcome:
    absence: Absence
    moved: list  # cases given to the substitute
    released: list  # cases put back in their queue: the substitute cannot work them


@transaction.atomic
def record_absence(official, substitute, starts, ends, *, actor, today=None) -> AbsenceOutcome:
    """A supervisor records that an official of their unit is away and who stands in. If
    the absence covers today, the official's open cases go to the substitute now (one
    "reassigned" event each); a case whose step the substitute cannot work goes back to its
    queue instead, so that it does not wait for someone who is away."""
    today = today or clock.today()
    units = [unit.pk for unit in queries.supervised_units(actor)]
    if not units or not _works_in(official, units):
        raise NotAllowed(_("Solo el jefe de la unidad registra las ausencias de su personal."))
    if substitute.pk == official.pk:
        raise CaseError(_("Elija como suplente a otra persona."))
    if not _works_in(substitute, units):
        raise CaseError(_("El suplente debe trabajar en una de sus unidades."))
    if ends < starts:
        raise CaseError(_("La fecha final debe ser igual o posterior a la inicial."))
    if ends < today:
        raise CaseError(_("Esa ausencia ya terminó: revise las fechas."))
    absence = Absence.objects.create(
        official=official, substitute=substitute, starts=starts, ends=ends, recorded_by=actor
    )
    moved, released = [], []
    if starts <= today:
        for case_id in queries.open_cases_assigned_to(official).values_list("pk", flat=True):
            case = _locked(case_id)
            if can_work_lane(substitute, case.current_lane, org_unit=case.unit_id):
                _give(case, substitute, actor=actor, substitute_for=official, absence=absence)
                moved.append(case)
            else:
                _back_to_queue(case, actor=actor, absence=absence.pk)
                released.append(case)
    return AbsenceOutcome(absence, moved, released)


@transaction.atomic
def add_note(case_id, text: str, *, actor) -> CaseNote:
    """An internal note on a case, for officials only; the event keeps the note's id, not
    its text, so that nothing written for colleagues travels with the case's events."""
    case = _locked(case_id)
    if not queries.may_see_case(actor, case):
        raise NotAllowed(_("No puede dejar notas en este expediente."))
    text = text.strip()
    if not text:
        raise CaseError(_("Escriba la nota."))
    if len(text) > NOTE_MAX_LENGTH:
        raise CaseError(_("La nota es demasiado larga: acórtela."))
    note = CaseNote.objects.create(case=case, author=actor, text=text)
    _event(case, "note_added", actor=actor, task=case.current_task, after={"note": note.pk})
    return note


# --- Bulk: one transaction per case, an outcome per case ----------------------------------


def bulk_claim(case_ids, *, actor) -> Counter:
    outcomes = Counter()
    for case_id in case_ids:
        holder = Case.objects.filter(pk=case_id).values_list("assignee_id", flat=True).first()
        if holder == actor.pk:
            outcomes["already_yours"] += 1
            continue
        try:
            actions.claim(case_id, actor)
        except actions.AlreadyClaimed:
            outcomes["taken"] += 1
        except CaseError:
            outcomes["not_in_your_queue"] += 1
        else:
            outcomes["claimed"] += 1
    return outcomes


def bulk_release(case_ids, *, actor) -> Counter:
    outcomes = Counter()
    for case_id in case_ids:
        try:
            release(case_id, actor=actor)
        except NothingToDo:
            outcomes["already_in_queue"] += 1
        except NotPending:
            outcomes["not_pending"] += 1
        except NotAllowed:
            outcomes["not_yours"] += 1
        else:
            outcomes["released"] += 1
    return outcomes


def bulk_assign(case_ids, official, *, actor, today=None) -> Counter:
    outcomes = Counter()
    for case_id in case_ids:
        try:
            assignment = assign(case_id, official, actor=actor, today=today)
        except NothingToDo:
            outcomes["already_theirs"] += 1
        except CannotWorkLane:
            outcomes["cannot_work_lane"] += 1
        except NotPending:
            outcomes["not_pending"] += 1
        except NotAllowed:
            outcomes["not_allowed"] += 1
        else:
            key = "to_substitute" if assignment.went_to_substitute else "assigned"
            outcomes[key] += 1
    return outcomes
