"""What the case pages read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import DateTimeField, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ventanilla.cases import clock
from ventanilla.cases.deadlines import AT_RISK_SHARE, DeadlineState
from ventanilla.cases.models import (
    Absence,
    Case,
    CaseEvent,
    DecisionReason,
    SavedSearch,
    Status,
)
from ventanilla.core.page_cache import content_version
from ventanilla.engine.business_days import is_business_day
from ventanilla.engine.check import APPLICANT_LANE
from ventanilla.identity.models import Membership, Role, User
from ventanilla.identity.permissions import (
    LANE_ACTIONS,
    Action,
    can,
    can_work_lane,
    roles_allowed_to,
    units_where,
)
from ventanilla.ledger import proofs as ledger_proofs
from ventanilla.representation.acting import acting_for


def cases_of(request):
    """The cases of the person the signed-in user acts for (themselves by default)."""
    return Case.objects.filter(applicant=acting_for(request)).select_related("procedure")


def case_for_applicant(request, pk) -> Case:
    case = cases_of(request).select_related("process_version").filter(pk=pk).first()
    if case is None:
        raise Http404  # someone else's case looks like no case at all
    return case


def _in_lanes(lanes) -> Q:
    """Cases in these (unit id, lane) pairs, as a filter."""
    found = Q(pk__in=[])
    for unit, lane in lanes:
        found |= Q(unit=unit, current_lane=lane)
    return found


def _lanes_of(official) -> Q:
    """The (unit, lane) pairs this official works, as a filter."""
    memberships = Membership.objects.filter(user=official, role__in=list(LANE_ACTIONS))
    return _in_lanes(memberships.values_list("org_unit_id", "role"))


def queue_for(official):
    """Cases waiting in the lanes this official works, in the units where they work them."""
    return (
        Case.objects.filter(_lanes_of(official), status=Status.IN_REVIEW)
        .select_related("procedure", "assignee", "unit")
        .order_by("submitted_at")
    )


def case_for_official(official, pk) -> Case:
    case = (
        Case.objects.select_related("process_version", "procedure", "applicant")
        .filter(pk=pk)
        .first()
    )
    if case is None or not may_see_case(official, case):
        raise Http404  # officials see the cases of their own work, not every case
    return case


def may_see_case(official, case: Case) -> bool:
    """Whoever has the case, works its lane, reviews, signs or audits in its unit, or heads
    the unit (the supervisor)."""
    return (
        case.assignee_id == official.pk
        or can_work_lane(official, case.current_lane, org_unit=case.unit_id)
        or any(
            can(official, action, org_unit=case.unit_id)
            for action in (
                Action.REVIEW_CASES,
                Action.SIGN_DOCUMENTS,
                Action.READ_AUDIT_TRAIL,
                Action.SUPERVISE_CASES,
            )
        )
    )


TIMELINE = {
    "submitted": _("Solicitud recibida"),
    "claimed": _("En revisión"),
    "decided": _("Resuelto"),
    "document_issued": _("Documento listo para descargar"),
    "flagged": _("Detenido: lo revisa un administrador"),
}


def timeline(case: Case) -> list[dict]:
    """The case's events in words the citizen reads (internal ones left out), each with the
    link to its proof in the public log."""
    entries = []
    events = list(case.events.select_related("actor").order_by("at", "id"))
    proofs = ledger_proofs.links("case_event", [event.pk for event in events])
    for event in events:
        if event.kind == "task":
            if event.after.get("status") == Status.CORRECTIONS:
                label = _("Le pidieron una corrección")
                detail = event.after.get("answers", {}).get("observaciones", "")
            else:
                label, detail = _("Corrección enviada"), ""
        elif event.kind in TIMELINE:
            label, detail = TIMELINE[event.kind], ""
        else:
            continue
        entries.append(
            {"label": label, "detail": detail, "at": event.at, "proof": proofs.get(event.pk)}
        )
    return entries


# --- The back office ----------------------------------------------------------------------

OPEN = (Status.IN_REVIEW, Status.CORRECTIONS, Status.FLAGGED)


def supervised_units(official) -> list:
    """The units this official heads (Action.SUPERVISE_CASES), by name."""
    return units_where(official, Action.SUPERVISE_CASES)


@dataclass(frozen=True)
class OfficeScope:
    """Where an official works, as the back office's pages ask on every request."""

    lanes: tuple[tuple[int, str], ...]  # the (unit id, lane) pairs of the lanes they work
    supervised: list  # the units they head, by name (as ``supervised_units``)

    @property
    def lane_names(self) -> list[str]:
        """The lanes they work in some unit."""
        return sorted({lane for _unit, lane in self.lanes})


def office_scope(official) -> OfficeScope:
    """The lanes an official works and the units they head, from one read of their
    memberships (instead of one query for each)."""
    heads = roles_allowed_to(Action.SUPERVISE_CASES)
    lanes, supervised = set(), set()
    for membership in Membership.objects.filter(user=official).select_related("org_unit"):
        if membership.role in LANE_ACTIONS:
            lanes.add((membership.org_unit_id, membership.role))
        if membership.role in heads and official.is_active:  # as ``units_where``
            supervised.add(membership.org_unit)
    return OfficeScope(tuple(sorted(lanes)), sorted(supervised, key=lambda unit: unit.name))


def office_cases(official, scope: OfficeScope | None = None):
    """Every case this official finds in the back office: the cases waiting in the lanes
    they work (as ``queue_for``), the open cases assigned to them, and every open case of
    the units they head (``scope``: ``office_scope(official)``, when the caller has it
    already). Oldest submission first; ``queue_rows`` reads a page's rows."""
    scope = scope or office_scope(official)
    visible = Q(_in_lanes(scope.lanes), status=Status.IN_REVIEW) | Q(
        assignee=official, status__in=OPEN
    )
    if units := scope.supervised:
        visible |= Q(unit__in=[unit.pk for unit in units], status__in=OPEN)
    return Case.objects.filter(visible).order_by("submitted_at", "pk")


# A case with more business days left than this is treated as never at risk: it would need
# a legal deadline longer than five years (at risk means 20 % of the time or less is left).
AT_RISK_HORIZON = 260
# deadlines.state_of counts from ``submitted_at.date()``: the stored (UTC) date.
_SUBMISSION_DAY_TZ = datetime.UTC


def _business_days(today: datetime.date, count: int, step: int) -> list[datetime.date]:
    """The ``count`` business days after today (step 1) or up to and including today
    (step -1), nearest first."""
    days, day = [], today if step < 0 else today + datetime.timedelta(days=1)
    while len(days) < count:
        if is_business_day(day):
            days.append(day)
        day += datetime.timedelta(days=step)
    return days


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=_SUBMISSION_DAY_TZ)


def deadline_filter(state: DeadlineState, today: datetime.date | None = None) -> Q:
    """The cases whose ``deadlines.state_of`` is ``state`` today, as SQL.

    With L business days left and E gone since submission, a case is at risk when
    L <= 20 % of (E + L), that is when L == 0 or E >= 4 L: "submitted before the 4L-th
    business day back". L comes from the due date by a search among the business days ahead
    (``_latest_submission``), so each row costs a few comparisons. Overdue means a
    business day has passed since the due date."""
    today = today or clock.today()
    running = Q(due_date__isnull=False, decided_at__isnull=True)
    if state == DeadlineState.PAUSED:
        return running & Q(paused_since__isnull=False)
    running &= Q(paused_since__isnull=True)
    last_business_day = _business_days(today, 1, -1)[0]
    if state == DeadlineState.OVERDUE:
        return running & Q(due_date__lt=last_business_day)
    tomorrow, horizon, (sql, params) = _at_risk_terms(today, connection.vendor)
    latest_submission = RawSQL(sql, list(params), output_field=DateTimeField())  # noqa: S611
    at_risk = Q(due_date__lt=tomorrow) | Q(due_date__lt=horizon, submitted_at__lt=latest_submission)
    running &= Q(due_date__gte=last_business_day)
    return running & (at_risk if state == DeadlineState.AT_RISK else ~at_risk)


@lru_cache(maxsize=8)
def _at_risk_terms(today: datetime.date, vendor: str) -> tuple:
    """What the "at risk" filter compares with today (the same all day, so worked out once
    per process and day): the first business day ahead, the first one past the horizon,
    and the latest submission time at risk for the due date, as SQL for ``vendor``."""
    ratio = round((1 - AT_RISK_SHARE) / AT_RISK_SHARE)  # 4
    ahead = _business_days(today, AT_RISK_HORIZON + 1, 1)
    back = _business_days(today, ratio * AT_RISK_HORIZON, -1)
    latest = {left: _midnight(back[ratio * left - 1]) for left in range(1, AT_RISK_HORIZON + 1)}
    sql = _latest_submission(ahead, latest, 1, AT_RISK_HORIZON)
    return ahead[0], ahead[AT_RISK_HORIZON], sql


def _latest_submission(ahead, latest, low: int, high: int) -> tuple[str, list]:
    """For a case due with between ``low`` and ``high`` business days left, the submission
    time before which it is at risk: ``latest[L]``, L being the number of business days
    ahead up to the due date (the (L+1)-th business day ahead, ``ahead[L]``, is the first
    date with more than L left). Written as SQL text (and its parameters) once: the ORM
    would take longer to compile it than the database to run it.

    PostgreSQL finds L with ``width_bucket`` over an array of the days ahead and reads
    ``latest`` from another array: two parameters. Elsewhere, nested CASEs halve the range:
    a parameter a term, ~500 of them, which PostgreSQL's driver would take milliseconds to
    write into the query."""
    ops = connection.ops
    due = f"{ops.quote_name(Case._meta.db_table)}.{ops.quote_name('due_date')}"
    if connection.vendor == "postgresql":
        thresholds = [ops.adapt_datefield_value(ahead[n]) for n in range(low, high)]
        answers = [ops.adapt_datetimefield_value(latest[n]) for n in range(low, high + 1)]
        # width_bucket: how many thresholds are <= the due date; arrays count from 1.
        return f"(%s::timestamptz[])[width_bucket({due}, %s::date[]) + 1]", [answers, thresholds]

    def halve(low, high):
        if low == high:
            return "%s", [ops.adapt_datetimefield_value(latest[low])]
        middle = (low + high) // 2
        first, first_params = halve(low, middle)
        rest, rest_params = halve(middle + 1, high)
        params = [ops.adapt_datefield_value(ahead[middle]), *first_params, *rest_params]
        return f"CASE WHEN {due} < %s THEN {first} ELSE {rest} END", params

    return halve(low, high)  # only a quoted column name and parameters


def filter_office_cases(
    cases,
    official,
    *,
    procedure=None,
    step: tuple[str, str] | None = None,
    lane: str = "",
    deadline: DeadlineState | None = None,
    assignment: str = "",
    department=None,
    number: str = "",
):
    """Narrow ``office_cases`` by the queue page's filters (all optional). ``procedure``
    and ``department`` are instances or their keys (id, code); ``step`` is (procedure slug,
    task name); ``assignment`` is "mine" or "unassigned"."""
    if procedure is not None:
        cases = cases.filter(procedure=procedure)
    if step:
        cases = cases.filter(procedure__slug=step[0], current_task=step[1])
    if lane:
        cases = cases.filter(current_lane=lane)
    if deadline:
        cases = cases.filter(deadline_filter(deadline))
    if assignment == "mine":
        cases = cases.filter(assignee=official)
    elif assignment == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    if department is not None:
        cases = cases.filter(department=department)
    if number := number.strip().upper():
        if number.isdigit():  # the last digits are enough: "123" finds …-000123
            cases = cases.filter(tracking_number__endswith=f"-{number.zfill(6)}")
        else:
            cases = cases.filter(tracking_number=number)
    return cases


class QueuePaginator(Paginator):
    """Pages of a queue in two queries whatever its size: the ids of the first ``cap``
    matching cases in order (narrow rows, no joins), then the page's rows with what the page
    shows. Beyond ``cap`` the page says "more than" and asks for a filter."""

    def __init__(self, object_list, per_page, cap=5000):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def ids(self) -> list[int]:
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return min(len(self.ids), self.cap)

    @property
    def more_than_cap(self) -> bool:
        return len(self.ids) > self.cap

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.ids[bottom : min(bottom + self.per_page, self.cap)]
        rows = {row.pk: row for row in queue_rows(ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


# What a queue page shows of each case (``office_views._table_rows``), its deadline included:
# the rest of the row (the process state above all) and of the procedure and the assignee
# would only cost reading and converting it.
QUEUE_ROW_FIELDS = (
    "tracking_number",
    "status",
    "current_task",
    "submitted_at",
    "due_date",
    "decided_at",
    "paused_since",
    "procedure__name",
    "procedure__slug",
    "assignee__first_names",
    "assignee__last_names",
    "assignee__cui",
)


def queue_rows(ids):
    """The cases a queue page lists, with what it shows (never the process state)."""
    return (
        Case.objects.filter(pk__in=ids)
        .select_related("procedure", "assignee")
        .only(*QUEUE_ROW_FIELDS)
        .order_by()  # the page puts them in the order of its ids
    )


def lanes_of_units(units) -> set[str]:
    """The lanes somebody works in these units."""
    roles = Membership.objects.filter(org_unit__in=units, role__in=list(LANE_ACTIONS))
    return set(roles.values_list("role", flat=True))


@dataclass(frozen=True)
class QueueChoices:
    """What the queue's filters offer that is the same for every official."""

    procedures: list[tuple[int, str]]  # the online procedures: (id, name), by name
    steps: list[tuple[str, list[tuple[str, str]]]]  # as ``step_choices``
    step_titles: dict[str, str]  # {"slug:task": title}
    departments: list[tuple[str, str]]  # (code, name), by name


QUEUE_CHOICES_SECONDS = 600


def queue_choices() -> QueueChoices:
    """The procedures, steps and departments the queue's filters offer. They change only
    with public content (publishing a version, editing a procedure or the reference data
    bumps its version, ``core.page_cache``), so they are read once per process and content
    version instead of on every request (five queries and every version's forms)."""
    key = f"cases:queue-choices:{content_version()}"
    if (choices := cache.get(key)) is not None:
        return choices
    from ventanilla.catalog.models import Procedure
    from ventanilla.core.models import Department
    from ventanilla.engine.models import ProcessVersion

    online = ProcessVersion.objects.values("slug")
    steps = step_choices()
    choices = QueueChoices(
        procedures=list(
            Procedure.objects.filter(slug__in=online).order_by("name").values_list("pk", "name")
        ),
        steps=steps,
        step_titles={value: title for _name, options in steps for value, title in options},
        departments=list(Department.objects.order_by("name").values_list("code", "name")),
    )
    cache.set(key, choices, QUEUE_CHOICES_SECONDS)
    return choices


def step_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Each online procedure's steps, for a filter: [(procedure name, [("slug:task",
    title)])], from the published versions' forms (latest title wins)."""
    from ventanilla.catalog.models import Procedure
    from ventanilla.engine.models import ProcessVersion

    steps: dict[str, dict[str, str]] = {}
    for slug, forms in ProcessVersion.objects.order_by("slug", "version").values_list(
        "slug", "forms"
    ):
        for task, form in forms.items():
            steps.setdefault(slug, {})[task] = form.get("title") or task
    names = dict(Procedure.objects.filter(slug__in=steps).values_list("slug", "name"))
    return [
        (names[slug], [(f"{slug}:{task}", title) for task, title in tasks.items()])
        for slug, tasks in sorted(steps.items(), key=lambda item: names.get(item[0], ""))
        if slug in names
    ]


def assignable_officials(unit, lane: str):
    """Who may work this lane in this unit (``permissions.can_work_lane``), by name."""
    action = LANE_ACTIONS.get(lane)
    if action is None:
        return User.objects.none()
    return (
        User.objects.filter(
            memberships__org_unit=unit,
            memberships__role__in=roles_allowed_to(action),
            is_active=True,
        )
        .distinct()
        .order_by("first_names", "last_names", "pk")
    )


def officials_of(units):
    """The officials who work a lane in any of these units (for absences and bulk
    assignment), by name."""
    return (
        User.objects.filter(
            memberships__org_unit__in=units,
            memberships__role__in=list(LANE_ACTIONS),
            is_active=True,
        )
        .distinct()
        .order_by("first_names", "last_names", "pk")
    )


def absences_today(user_ids, today: datetime.date | None = None) -> dict[int, Absence]:
    """{official's id: their absence covering today} for the given accounts."""
    today = today or clock.today()
    absences = Absence.objects.filter(
        official__in=list(user_ids), starts__lte=today, ends__gte=today
    ).select_related("substitute")
    return {absence.official_id: absence for absence in absences.order_by("recorded_at")}


ASSIGNMENT_KINDS = ("claimed", "assigned", "reassigned", "released")


def mark_assignments(cases, today: datetime.date | None = None) -> None:
    """Set ``away`` (the assignee's absence today, if any) and ``substitute_for`` (whom the
    assignee covers, when the case came to them as a substitute) on a page of cases: two
    queries whatever the page's size."""
    cases = list(cases)
    assignees = {case.assignee_id for case in cases if case.assignee_id}
    away = absences_today(assignees, today)
    covering = {}
    events = CaseEvent.objects.filter(
        case__in=[case.pk for case in cases if case.assignee_id], kind__in=ASSIGNMENT_KINDS
    ).order_by("case_id", "at", "id")
    for event in events.values("case_id", "after"):
        covering[event["case_id"]] = event["after"].get("substitute_for")
    names = {
        user.pk: user for user in User.objects.filter(pk__in={pk for pk in covering.values() if pk})
    }
    for case in cases:
        case.away = away.get(case.assignee_id)
        case.substitute_for = names.get(covering.get(case.pk))


def absences_in(units, today: datetime.date | None = None):
    """The absences of these units' officials that have not ended yet, soonest first."""
    today = today or clock.today()
    return (
        Absence.objects.filter(official__in=officials_of(units), ends__gte=today)
        .select_related("official", "substitute", "recorded_by")
        .order_by("starts", "pk")
    )


def saved_searches_of(owner):
    return SavedSearch.objects.filter(owner=owner)


def open_cases_assigned_to(official):
    return Case.objects.filter(assignee=official, status__in=OPEN).order_by("pk")


HISTORY = {
    "started": _("Solicitud empezada"),
    "submitted": _("Solicitud recibida"),
    "claimed": _("Tomado de la cola"),
    "assigned": _("Asignado"),
    "reassigned": _("Reasignado"),
    "released": _("Devuelto a la cola"),
    "note_added": _("Nota interna"),
    "file_attached": _("Archivo adjunto"),
    "escalated": _("Vencido: avisamos al jefe de la unidad"),
    "decided": _("Resuelto"),
    "document_issued": _("Documento firmado"),
    "flagged": _("Detenido: lo revisa un administrador"),
}


def official_history(case: Case) -> list[dict]:
    """Every event of the case, for officials: what, who, when, and a short detail."""
    events = list(case.events.select_related("actor", "on_behalf_of").order_by("at", "id"))
    people_ids = set()
    for event in events:
        for key in ("assignee", "substitute_for"):
            people_ids.update(
                value for value in (event.before.get(key), event.after.get(key)) if value
            )
    people = {user.pk: user for user in User.objects.filter(pk__in=people_ids)}
    titles = {task: form.get("title", task) for task, form in case.process_version.forms.items()}
    files = {attached.pk: attached.name for attached in case.files.all()}
    proofs = ledger_proofs.links("case_event", [event.pk for event in events])
    entries = []
    for event in events:
        label, detail = HISTORY.get(event.kind, event.kind), ""
        if event.kind == "task":
            if event.after.get("status") == Status.CORRECTIONS:
                label = _("Se pidió una corrección")
                detail = event.after.get("answers", {}).get("observaciones", "")
            else:
                label = _("Paso completado: %(step)s") % {
                    "step": titles.get(event.task, event.task)
                }
        elif event.kind in ("assigned", "reassigned", "claimed"):
            assignee = people.get(event.after.get("assignee"))
            covered = people.get(event.after.get("substitute_for"))
            if covered:
                detail = _("%(person)s, suplente de %(absent)s") % {
                    "person": assignee,
                    "absent": covered,
                }
            elif assignee and assignee.pk != event.actor_id:
                detail = str(assignee)
        elif event.kind == "released" and (before := people.get(event.before.get("assignee"))):
            detail = _("Lo tenía %(person)s") % {"person": before}
        elif event.kind == "flagged":
            detail = event.after.get("reason", "")
        elif event.kind == "file_attached":
            detail = files.get(event.after.get("file"), "")
        elif event.kind == "document_issued":
            detail = event.after.get("document", "")  # its verification code
        entries.append(
            {
                "kind": event.kind,
                "label": label,
                "detail": detail,
                "actor": event.actor,
                "on_behalf_of": event.on_behalf_of,
                "at": event.at,
                "proof": proofs.get(event.pk),
            }
        )
    return entries


def answer_sets(case: Case) -> list[dict]:
    """What was answered at each step, with the questions' titles and the options' labels:
    [{"title": step title, "rows": [(question, answer)]}], oldest first."""
    forms = case.process_version.forms
    sets = []
    events = case.events.filter(kind__in=["submitted", "task", "decided"]).order_by("at", "id")
    files = {attached.pk: attached.name for attached in case.files.all()}
    for event in events:
        answers = event.after.get("answers") or {}
        if not answers:
            continue
        form = forms.get(event.task, {})
        properties = form.get("schema", {}).get("properties", {})
        order = form.get("ui", {}).get("order") or list(properties)
        position = {name: index for index, name in enumerate(order)}
        decision = min(position.get(n, len(order)) for n in ("dictamen", "resolucion"))
        position["motivo"] = decision + 0.5  # the reason right after the decision
        rows = []
        for name, value in sorted(answers.items(), key=lambda a: position.get(a[0], len(order))):
            prop = properties.get(name, {})
            if name == "motivo" and isinstance(value, dict):
                rows.append((_("Motivo"), value.get("text", "")))
                continue
            if "enum" in prop and prop.get("enumTitles") and value in prop["enum"]:
                value = prop["enumTitles"][prop["enum"].index(value)]
            elif prop.get("format") == "file" and str(value).isdigit():
                value = files.get(int(value), value)  # the file's name (listed under Archivos)
            rows.append((prop.get("title", name), value))
        sets.append({"title": form.get("title", event.task), "at": event.at, "rows": rows})
    return sets


def decision_reasons(procedure, kind: str) -> list[DecisionReason]:
    """The active reasons of one kind: the procedure's own first, then the general ones."""
    reasons = DecisionReason.objects.filter(kind=kind, is_active=True).filter(
        Q(procedure=procedure) | Q(procedure__isnull=True)
    )
    return sorted(reasons, key=lambda r: (r.procedure_id is None, r.position, r.text))


def lane_label(lane: str) -> str:
    if lane == APPLICANT_LANE:
        return str(_("La persona (correcciones)"))
    return Role(lane).label if lane in Role.values else lane
