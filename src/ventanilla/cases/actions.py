"""Every change to a case goes through these functions; each writes a CaseEvent in the same
transaction, and each locks the case's row so that two people cannot act on it at once."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases import deadlines, notifications, timers, uploads
from ventanilla.cases.answers import answer_errors, file_fields, with_defaults
from ventanilla.cases.models import Case, CaseEvent, CaseFile, Channel, Status, TrackingCounter
from ventanilla.core.models import Department, OrgUnit
from ventanilla.engine import runtime, services
from ventanilla.engine.check import APPLICANT_LANE
from ventanilla.engine.models import ProcessVersion
from ventanilla.identity.permissions import Action, can_work_lane, units_where
from ventanilla.ledger import record as ledger_record


class CaseError(Exception):
    """Something a person tried that cannot be done; the message says why, in Spanish."""


class InvalidAnswers(CaseError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Hay respuestas que revisar."))
        self.errors = errors


class AlreadyClaimed(CaseError):
    pass


class UploadRefused(CaseError):
    """The file was not kept: too big, not a document, or unsafe to open."""


def _event(case, kind, *, actor=None, on_behalf_of=None, task="", before=None, after=None):
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        on_behalf_of=on_behalf_of if on_behalf_of != actor else None,
        task=task,
        before=before or {},
        after=after or {},
    )
    ledger_record.case_events([event])  # in the public log, in this same transaction


def next_tracking_number(now=None) -> str:
    """``MINEDUC-2026-000123``: one counter row per prefix and year, locked while taken."""
    prefix = settings.VENTANILLA["INSTITUTION_SHORT_NAME"]
    year = (now or timezone.now()).year
    counters = TrackingCounter.objects.select_for_update()
    counter = counters.filter(prefix=prefix, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                TrackingCounter.objects.create(prefix=prefix, year=year)
        except IntegrityError:
            pass  # another submission created it first
        counter = counters.get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def _route(case: Case, data: dict) -> None:
    """A diagram routes a case by setting ``unidad_responsable`` (an org unit's code, usually
    from a DMN table: the DIDEDUC of the department concerned) and ``departamento`` (the
    department's two-digit code). Unknown codes leave the case where it is."""
    # The data keeps both codes for the rest of the case: look them up only when they change.
    if (code := data.get("departamento")) and str(code).zfill(2) != case.department_id:
        case.department = Department.objects.filter(code=str(code).zfill(2)).first() or (
            case.department
        )
    if (code := data.get("unidad_responsable")) and str(code) != case.unit.code:
        unit = OrgUnit.objects.filter(code=str(code), is_active=True).first()
        if unit is not None:
            case.unit = unit
            case.assignee = None  # another unit's queue


def _where_it_stands(case: Case, workflow) -> None:
    ready = runtime.ready_tasks(workflow)
    _route(case, ready[0].data if ready else workflow.data)
    if workflow.is_completed():
        case.status = Status.DECIDED
        case.current_task = case.current_lane = ""
        case.result = str(workflow.data.get("resultado", ""))
        case.result_message = str(workflow.data.get("mensaje_resultado", ""))
        case.decided_at = timezone.now()
    elif ready:
        if (ready[0].lane or "") != case.current_lane:
            case.assignee = None  # another lane: someone with that role takes it from the queue
        case.current_task, case.current_lane = ready[0].name, ready[0].lane or ""
        due = ready[0].data.get("fecha_limite")
        if due and case.due_date is None:  # set once; later moved only by pauses
            case.due_date = datetime.date.fromisoformat(str(due))
        waiting_for_citizen = ready[0].lane == APPLICANT_LANE
        if case.status != Status.DRAFT:
            if waiting_for_citizen:
                deadlines.pause(case)
            else:
                deadlines.resume(case)
        case.status = Status.CORRECTIONS if waiting_for_citizen else Status.IN_REVIEW
    timers.schedule(case)


@transaction.atomic
def start_case(procedure, *, applicant, actor, channel=Channel.ONLINE) -> Case:
    """A draft case on the procedure's latest published version."""
    version = ProcessVersion.objects.filter(slug=procedure.slug).order_by("-version").first()
    if version is None:
        raise CaseError(_("Este trámite todavía no se puede solicitar en línea."))
    case = Case(
        procedure=procedure,
        process_version=version,
        applicant=applicant,
        started_by=actor,
        channel=channel,
        unit=procedure.responsible_unit,
        state={},
    )
    with services.running_for(case):
        workflow = runtime.start(version)
    _where_it_stands(case, workflow)
    case.status = Status.DRAFT
    case.state = runtime.dump(workflow)
    case.save()
    _event(case, "started", actor=actor, on_behalf_of=applicant, after={"channel": channel})
    return case


def _represents(actor, person) -> bool:
    from ventanilla.representation.models import Representation

    links = Representation.objects.filter(representative=actor, represented=person)
    return any(link.can_act for link in links)


def _may_work(case: Case, actor, on_behalf_of) -> bool:
    """The applicant's steps: the applicant, or someone who represents them now. Officials'
    steps: whoever holds the lane's role in the case's unit."""
    if case.current_lane == APPLICANT_LANE:
        if actor.pk == case.applicant_id:
            return True
        if (  # an official registering the case at a counter, with the person there
            case.channel == Channel.COUNTER
            and case.status == Status.DRAFT
            and case.started_by_id == actor.pk
            and getattr(on_behalf_of, "pk", None) == case.applicant_id
            and units_where(actor, Action.REVIEW_CASES)
        ):
            return True
        return getattr(on_behalf_of, "pk", None) == case.applicant_id and _represents(
            actor, case.applicant
        )
    return can_work_lane(actor, case.current_lane, org_unit=case.unit)


@transaction.atomic
def complete_task(case_id, task_name: str, answers: dict, *, actor, on_behalf_of=None) -> Case:
    """Answer the case's current task. The first answer by the applicant submits the case
    and gives it its tracking number. Answering a task that is no longer pending (a second
    click, a stale page) changes nothing and says so."""
    case = (
        Case.objects.select_for_update(of=("self",))  # the case's row, not its unit's
        .select_related("process_version", "unit")
        .get(pk=case_id)
    )
    if case.status in {Status.DECIDED, Status.FLAGGED} or case.current_task != task_name:
        raise CaseError(_("Este paso ya no está pendiente: recargue la página para ver el estado."))
    if not _may_work(case, actor, on_behalf_of):
        raise CaseError(_("No le corresponde este paso del expediente."))
    form = case.process_version.forms.get(task_name, {})
    answers = with_defaults(form, answers)
    errors = answer_errors(form, answers) | _file_answer_errors(case, task_name, form, answers)
    if errors:
        raise InvalidAnswers(errors)
    before = {"status": case.status, "task": case.current_task}
    workflow = runtime.load(case.process_version, case.state)
    try:
        with services.running_for(case):
            runtime.complete(workflow, task_name, answers)
    except runtime.StepFailed as failure:
        case.status, case.flag_reason = Status.FLAGGED, str(failure)
        fields = ["status", "flag_reason"]
        if before["status"] == Status.DRAFT:  # the person still gets a number to follow it by
            case.tracking_number, case.submitted_at = next_tracking_number(), timezone.now()
            fields += ["tracking_number", "submitted_at"]
        case.save(update_fields=fields)
        _event(case, "flagged", actor=actor, task=task_name, after={"reason": str(failure)})
        return case
    was_draft = case.status == Status.DRAFT
    _where_it_stands(case, workflow)
    case.state = runtime.dump(workflow)
    if was_draft:
        case.tracking_number = next_tracking_number()
        case.submitted_at = timezone.now()
    case.draft = {}
    case.save()
    after = {"status": case.status, "task": case.current_task, "answers": answers}
    kind = "submitted" if was_draft else ("decided" if case.status == Status.DECIDED else "task")
    _tell_applicant_about(case, kind)
    _event(
        case,
        kind,
        actor=actor,
        on_behalf_of=on_behalf_of,
        task=task_name,
        before=before,
        after=after,
    )
    return case


def _file_answer_errors(case: Case, task_name: str, form: dict, answers: dict) -> dict:
    """A file question's answer must name a file attached to this case for this question."""
    errors = {}
    for name in file_fields(form):
        value = answers.get(name)
        if value in (None, ""):
            continue
        if not CaseFile.objects.filter(
            pk=int(value) if str(value).isdigit() else 0, case=case, field=name
        ).exists():
            errors[name] = _("No encontramos ese archivo: súbalo de nuevo.")
    return errors


@transaction.atomic
def attach_file(case_id, *, task: str, field: str, upload, actor, on_behalf_of=None) -> CaseFile:
    """Keep a file for a question of the case's current step, after checking what it really
    is (``cases.uploads``). The file is kept even if other answers on the page are wrong, so
    that nothing the person uploaded is lost; the answer names it by its id."""
    try:
        checked = uploads.check(upload)  # before the lock: reading a big file takes a while
    except uploads.FileRefused as refused:
        raise UploadRefused(str(refused)) from refused
    case = Case.objects.select_for_update().select_related("process_version").get(pk=case_id)
    if case.status in {Status.DECIDED, Status.FLAGGED} or case.current_task != task:
        raise CaseError(_("Este paso ya no está pendiente: recargue la página para ver el estado."))
    if not _may_work(case, actor, on_behalf_of):
        raise CaseError(_("No le corresponde este paso del expediente."))
    if field not in file_fields(case.process_version.forms.get(task, {})):
        raise CaseError(_("Esta pregunta no pide un archivo."))
    name = (upload.name or "archivo").replace("\\", "/").rsplit("/", 1)[-1][:200]
    attached = CaseFile(
        case=case,
        task=task,
        field=field,
        name=name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attached.file.save(name, upload, save=False)
    attached.save()
    _event(
        case,
        "file_attached",
        actor=actor,
        on_behalf_of=on_behalf_of,
        task=task,
        after={"field": field, "file": attached.pk, "sha256": checked.sha256, "size": checked.size},
    )
    return attached


@transaction.atomic
def save_draft(
    case_id,
    *,
    task: str,
    page: int,
    fields: list[str],
    answers: dict,
    done: bool = True,
    actor,
    on_behalf_of=None,
) -> Case:
    """Keep what the applicant answered on one page of a step (``fields`` are the page's
    questions: one left empty now loses its earlier answer), so that a closed browser or a
    lost connection loses nothing. ``done`` marks the page answered. Not an event: nothing
    about the case changes until the step is sent (``complete_task``), and that event carries
    the answers."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status in {Status.DECIDED, Status.FLAGGED} or case.current_task != task:
        raise CaseError(_("Este paso ya no está pendiente: recargue la página para ver el estado."))
    if not _may_work(case, actor, on_behalf_of):
        raise CaseError(_("No le corresponde este paso del expediente."))
    draft = case.draft if case.draft.get("task") == task else {"task": task}
    kept = {name: value for name, value in draft.get("answers", {}).items() if name not in fields}
    draft["answers"] = {**kept, **answers}
    if done:
        draft["pages_done"] = sorted({*draft.get("pages_done", []), page})
    case.draft = draft
    case.save(update_fields=["draft"])
    return case


def _tell_applicant_about(case: Case, kind: str) -> None:
    if kind == "submitted":
        subject = _("Recibimos su solicitud %(number)s") % {"number": case.tracking_number}
        notifications.tell_applicant(case, "submitted", subject)
    elif kind == "decided":
        subject = _("Su trámite %(number)s está resuelto") % {"number": case.tracking_number}
        notifications.tell_applicant(case, "decided", subject)
    elif case.status == Status.CORRECTIONS:
        subject = _("Su trámite %(number)s necesita una corrección") % {
            "number": case.tracking_number
        }
        notifications.tell_applicant(case, "corrections", subject)


@transaction.atomic
def claim(case_id, official) -> Case:
    """Take a case from the queue. Of two officials claiming at once, one gets it."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.assignee_id == official.pk:
        return case
    if case.assignee_id is not None:
        raise AlreadyClaimed(_("Otra persona ya tomó este expediente."))
    if not can_work_lane(official, case.current_lane, org_unit=case.unit):
        raise CaseError(_("Este expediente no está en su cola."))
    case.assignee = official
    case.save(update_fields=["assignee"])
    _event(case, "claimed", actor=official, after={"assignee": official.pk})
    return case
