"""The officials' side: the queue with its filters, saved searches and bulk actions; a case
with its answers, files, history and notes; claiming, assigning, and working its current
step; absences with substitutes. Views authorise and validate, then call one action."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ventanilla.cases import actions, clock, deadlines, office_actions, queries
from ventanilla.cases.models import CaseFile, SavedSearch, Status
from ventanilla.cases.office_forms import (
    AbsenceForm,
    AssignForm,
    BulkForm,
    NoteForm,
    OfficialTaskForm,
    QueueFilterForm,
    SaveSearchForm,
)
from ventanilla.identity.actions import record_personal_data_view
from ventanilla.identity.permissions import can_work_lane, is_official

PAGE_SIZE = 50
BULK_LIMIT = 200


def _official(request):
    if not is_official(request.user):
        raise PermissionDenied
    return request.user


# --- The queue ----------------------------------------------------------------------------


# How the queue tags a status other than "in review" (as cases/includes/status_tag.html) and
# a deadline.
STATUS_TAGS = {
    Status.DECIDED: "govuk-tag govuk-tag--green",
    Status.CORRECTIONS: "govuk-tag govuk-tag--yellow",
    Status.DRAFT: "govuk-tag govuk-tag--grey",
    Status.FLAGGED: "govuk-tag govuk-tag--red",
}
DEADLINE_TAGS = {
    deadlines.DeadlineState.OVERDUE: ("govuk-tag govuk-tag--red", gettext_lazy("Vencido")),
    deadlines.DeadlineState.AT_RISK: ("govuk-tag govuk-tag--orange", gettext_lazy("Vence pronto")),
    deadlines.DeadlineState.PAUSED: ("govuk-tag govuk-tag--grey", gettext_lazy("Detenido")),
}


class _Dates:
    """Dates as the queue writes them (``|date:"j M Y"``, times in the current time zone),
    each different day written once: a page of 50 rows holds few different days."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.written: dict[datetime.date, str] = {}

    def __call__(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            value = (value.astimezone(self.zone) if timezone.is_aware(value) else value).date()
        if (text := self.written.get(value)) is None:
            text = self.written[value] = formats.date_format(value, "j M Y")
        return text


def _table_rows(cases, official, step_titles: dict[str, str]) -> list[dict]:
    """What each row of the queue shows, as plain values worked out once per page here
    rather than row by row in the template (whose every lookup, tag and translation costs):
    the case's address, its tags, the dates as written, who has it and whether they are
    away or stand in for someone (``queries.mark_assignments``)."""
    if not cases:
        return []
    queries.mark_assignments(cases)
    head, tail = reverse("cases:office_case", args=[0]).rsplit("0", 1)
    mark = _("Marcar %(number)s")
    statuses = {status: str(label) for status, label in Status.choices}
    deadline_tags = {state: (css, str(words)) for state, (css, words) in DEADLINE_TAGS.items()}
    dates, today, rows = _Dates(), clock.today(), []
    for case in cases:
        pk = str(case.pk)
        tag, deadline = deadline_tags.get(deadlines.state_of(case, today), ("", ""))
        rows.append(
            {
                "pk": pk,
                "link": f"{head}{pk}{tail}",
                "number": case.tracking_number,
                "mark_label": mark % {"number": case.tracking_number},
                "status_tag": ""
                if case.status == Status.IN_REVIEW
                else STATUS_TAGS.get(case.status, "govuk-tag"),
                "status": statuses.get(case.status, case.status),
                "procedure": case.procedure.name,
                "step": step_titles.get(f"{case.procedure.slug}:{case.current_task}", ""),
                "received": dates(case.submitted_at),
                "due": dates(case.due_date) or "—",
                "deadline_tag": tag,
                "deadline": deadline,
                "assignee": str(case.assignee) if case.assignee_id else "",
                "mine": case.assignee_id == official.pk,
                "substitute_for": case.substitute_for,
                "away": case.away,
            }
        )
    return rows


def _queue_page(request, official, params: QueryDict, **extra):
    scope = queries.office_scope(official)
    filters = QueueFilterForm(params or None, scope=scope)
    cases = queries.filter_office_cases(
        queries.office_cases(official, scope), official, **filters.filters()
    )
    paginator = queries.QueuePaginator(cases, PAGE_SIZE)
    page = paginator.get_page(params.get("pagina"))
    cases = list(page.object_list)
    query = filters.query_string()
    here = f"{query}&pagina={page.number}" if query else f"pagina={page.number}"
    context = {
        "filters": filters,
        "page": page,
        "cases": cases,
        "rows": _table_rows(cases, official, filters.step_titles),
        "query_without_page": query,
        "here": here,
        "saved_searches": queries.saved_searches_of(official),
        "save_form": SaveSearchForm(initial={"query": query}, owner=official),
        "bulk_form": BulkForm(supervised_units=scope.supervised),
        "supervisor": bool(scope.supervised),
        **extra,
    }
    return render(request, "cases/office_queue.html", context)


@login_required
@require_safe
def queue(request):
    official = _official(request)
    return _queue_page(request, official, request.GET)


def _back_to_queue(query: str = ""):
    """The queue with these filters; only what the filter form knows goes into the
    address."""
    params = QueryDict(query)
    kept = {key: params[key] for key in (*QueueFilterForm.base_fields, "pagina") if params.get(key)}
    clean = QueryDict(mutable=True)
    clean.update(kept)
    url = reverse("cases:queue")
    return redirect(f"{url}?{clean.urlencode()}" if kept else url)


@login_required
@require_POST
def save_search(request):
    official = _official(request)
    params = QueryDict(request.POST.get("query", ""))
    filters = QueueFilterForm(params, scope=queries.office_scope(official))
    data = request.POST.copy()
    data["query"] = filters.query_string()  # only the filters the page knows, checked
    form = SaveSearchForm(data, owner=official)
    if not form.is_valid():
        return _queue_page(request, official, params, save_form=form, save_open=True)
    search, created = SavedSearch.objects.update_or_create(
        owner=official,
        name=form.cleaned_data["name"],
        defaults={"query": form.cleaned_data["query"]},
    )
    if created:
        messages.success(request, _("Guardamos la búsqueda «%(name)s».") % {"name": search.name})
    else:
        messages.success(
            request, _("Cambiamos los filtros de la búsqueda «%(name)s».") % {"name": search.name}
        )
    return _back_to_queue(search.query)


@login_required
@require_POST
def delete_search(request, pk):
    official = _official(request)
    search = get_object_or_404(SavedSearch, pk=pk, owner=official)
    search.delete()
    messages.success(request, _("Borramos la búsqueda «%(name)s».") % {"name": search.name})
    return _back_to_queue()


BULK_OUTCOMES = {
    "claimed": lambda n: ngettext("%(n)d tomado", "%(n)d tomados", n),
    "already_yours": lambda n: ngettext("%(n)d ya era suyo", "%(n)d ya eran suyos", n),
    "taken": lambda n: ngettext(
        "%(n)d ya lo tenía otra persona", "%(n)d ya los tenían otras personas", n
    ),
    "not_in_your_queue": lambda n: ngettext(
        "%(n)d no está en su cola", "%(n)d no están en su cola", n
    ),
    "released": lambda n: ngettext("%(n)d devuelto a la cola", "%(n)d devueltos a la cola", n),
    "already_in_queue": lambda n: ngettext(
        "%(n)d ya estaba en la cola", "%(n)d ya estaban en la cola", n
    ),
    "not_yours": lambda n: ngettext("%(n)d no lo tenía usted", "%(n)d no los tenía usted", n),
    "assigned": lambda n: ngettext("%(n)d asignado", "%(n)d asignados", n),
    "to_substitute": lambda n: ngettext(
        "%(n)d pasó al suplente porque la persona está ausente",
        "%(n)d pasaron al suplente porque la persona está ausente",
        n,
    ),
    "already_theirs": lambda n: ngettext(
        "%(n)d ya lo tenía esa persona", "%(n)d ya los tenía esa persona", n
    ),
    "cannot_work_lane": lambda n: ngettext(
        "%(n)d no se asignó: esa persona no trabaja ese paso",
        "%(n)d no se asignaron: esa persona no trabaja ese paso",
        n,
    ),
    "not_pending": lambda n: ngettext(
        "%(n)d ya no espera a un funcionario", "%(n)d ya no esperan a un funcionario", n
    ),
    "not_allowed": lambda n: ngettext(
        "%(n)d no le corresponde asignarlo", "%(n)d no le corresponde asignarlos", n
    ),
    "not_found": lambda n: ngettext(
        "%(n)d no está entre sus expedientes", "%(n)d no están entre sus expedientes", n
    ),
}
DONE = {"claimed", "released", "assigned", "to_substitute"}


def bulk_summary(outcomes) -> str:
    """ "3 tomados; 1 ya lo tenía otra persona", in a fixed order."""
    parts = [
        say(outcomes[key]) % {"n": outcomes[key]}
        for key, say in BULK_OUTCOMES.items()
        if outcomes.get(key)
    ]
    return "; ".join(parts) + "."


@login_required
@require_POST
def bulk(request):
    """One action on the cases ticked in the queue; each case changes in its own
    transaction, and the message says what happened to how many."""
    official = _official(request)
    scope = queries.office_scope(official)
    form = BulkForm(request.POST, supervised_units=scope.supervised)
    back = request.POST.get("volver", "")
    ids = [int(pk) for pk in request.POST.getlist("expedientes") if pk.isdigit()][:BULK_LIMIT]
    if not ids:
        messages.error(request, _("Marque al menos un expediente de la lista."))
        return _back_to_queue(back)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back_to_queue(back)
    visible = set(
        queries.office_cases(official, scope).filter(pk__in=ids).values_list("pk", flat=True)
    )
    mine = [pk for pk in ids if pk in visible]
    action = form.cleaned_data["accion"]
    if action == "tomar":
        outcomes = office_actions.bulk_claim(mine, actor=official)
    elif action == "devolver":
        outcomes = office_actions.bulk_release(mine, actor=official)
    else:
        outcomes = office_actions.bulk_assign(mine, form.cleaned_data["persona"], actor=official)
    if missing := len(ids) - len(mine):
        outcomes["not_found"] += missing
    done = sum(outcomes[key] for key in DONE)
    (messages.success if done else messages.warning)(request, bulk_summary(outcomes))
    return _back_to_queue(back)


# --- One case -----------------------------------------------------------------------------


def _case_page(request, official, case, *, form=None, note_form=None):
    mine = case.assignee_id == official.pk and can_work_lane(
        official, case.current_lane, org_unit=case.unit_id
    )
    if form is None and mine and case.status == Status.IN_REVIEW:
        definition = case.process_version.forms.get(case.current_task, {})
        form = OfficialTaskForm(definition, case.procedure)
    supervisor = office_actions.supervises(official, case)
    may_assign = case.status == Status.IN_REVIEW and (mine or supervisor)
    away = queries.absences_today([case.assignee_id]) if case.assignee_id else {}
    step = case.process_version.forms.get(case.current_task, {})
    return render(
        request,
        "cases/office_case.html",
        {
            "case": case,
            "form": form,
            "title": step.get("title", case.current_task),
            "step_title": step.get("title", ""),
            "answers": queries.answer_sets(case),
            "files": case.files.all(),
            "history": queries.official_history(case),
            "notes": case.notes.select_related("author"),
            "note_form": note_form or NoteForm(),
            "assign_form": AssignForm(case=case) if may_assign else None,
            "may_release": case.assignee_id is not None
            and case.status in queries.OPEN
            and (case.assignee_id == official.pk or supervisor),
            "assignee_away": away.get(case.assignee_id),
            "lane": queries.lane_label(case.current_lane) if case.current_lane else "",
            "can_claim": case.assignee_id is None
            and can_work_lane(official, case.current_lane, org_unit=case.unit_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_case(request, pk):
    official = _official(request)
    case = queries.case_for_official(official, pk)
    if request.method == "GET":
        record_personal_data_view(
            official, case.applicant, _("Expediente %(number)s") % {"number": case}, request.path
        )
        return _case_page(request, official, case)
    mine = case.assignee_id == official.pk and can_work_lane(
        official, case.current_lane, org_unit=case.unit_id
    )
    if not mine:
        raise PermissionDenied
    definition = case.process_version.forms.get(case.current_task, {})
    form = OfficialTaskForm(definition, case.procedure, data=request.POST)
    if form.is_valid():
        try:
            actions.complete_task(case.pk, case.current_task, form.answers(), actor=official)
        except actions.InvalidAnswers as invalid:
            for field, message in invalid.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except actions.CaseError as error:
            messages.error(request, str(error))
            return redirect("cases:office_case", pk=case.pk)
        else:
            messages.success(request, _("Listo: el expediente siguió su curso."))
            return redirect("cases:queue")
    return _case_page(request, official, case, form=form)


@login_required
@require_POST
def claim(request, pk):
    official = _official(request)
    case = queries.case_for_official(official, pk)
    try:
        actions.claim(case.pk, official)
    except actions.CaseError as error:
        messages.error(request, str(error))
        return redirect("cases:queue")
    return redirect("cases:office_case", pk=case.pk)


@login_required
@require_POST
def release(request, pk):
    official = _official(request)
    case = queries.case_for_official(official, pk)
    try:
        office_actions.release(case.pk, actor=official)
    except actions.CaseError as error:
        messages.error(request, str(error))
        return redirect("cases:office_case", pk=case.pk)
    messages.success(request, _("El expediente volvió a la cola."))
    return redirect("cases:queue")


@login_required
@require_POST
def assign(request, pk):
    official = _official(request)
    case = queries.case_for_official(official, pk)
    form = AssignForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, form.errors["persona"][0])
        return redirect("cases:office_case", pk=case.pk)
    try:
        done = office_actions.assign(case.pk, form.cleaned_data["persona"], actor=official)
    except actions.CaseError as error:
        messages.error(request, str(error))
        return redirect("cases:office_case", pk=case.pk)
    if done.went_to_substitute:
        messages.info(
            request,
            _("%(absent)s está ausente hoy: el expediente pasó a su suplente, %(person)s.")
            % {"absent": done.requested, "person": done.assignee},
        )
    else:
        messages.success(
            request, _("Asignamos el expediente a %(person)s.") % {"person": done.assignee}
        )
    return redirect("cases:office_case", pk=case.pk)


@login_required
@require_POST
def add_note(request, pk):
    official = _official(request)
    case = queries.case_for_official(official, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            office_actions.add_note(case.pk, form.cleaned_data["text"], actor=official)
        except actions.CaseError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Guardamos la nota."))
            return redirect(f"{reverse('cases:office_case', args=[case.pk])}#notas")
    return _case_page(request, official, case, note_form=form)


@login_required
@require_safe
def case_file(request, pk, file_pk):
    """A file of the case, as a download (never shown inline), logged as a view of the
    applicant's personal data."""
    official = _official(request)
    case = queries.case_for_official(official, pk)
    attachment = get_object_or_404(CaseFile, pk=file_pk, case=case)
    try:
        stream = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    record_personal_data_view(
        official,
        case.applicant,
        _("Archivo «%(name)s» del expediente %(number)s")
        % {"name": attachment.name, "number": case},
        request.path,
    )
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Absences -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def absences(request):
    """A unit's supervisor records who is away and who stands in for them."""
    official = _official(request)
    units = queries.supervised_units(official)
    if not units:
        raise PermissionDenied
    form = AbsenceForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = office_actions.record_absence(
                data["official"], data["substitute"], data["starts"], data["ends"], actor=official
            )
        except actions.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _absence_summary(outcome))
            return redirect("cases:absences")
    return render(
        request,
        "cases/office/absences.html",
        {"form": form, "absences": queries.absences_in(units), "units": units},
    )


def _absence_summary(outcome) -> str:
    absence = outcome.absence
    parts = [
        _("Registramos la ausencia de %(person)s; la suple %(substitute)s.")
        % {"person": absence.official, "substitute": absence.substitute}
    ]
    if outcome.moved:
        parts.append(
            ngettext(
                "%(n)d expediente pasó a su suplente.",
                "%(n)d expedientes pasaron a su suplente.",
                len(outcome.moved),
            )
            % {"n": len(outcome.moved)}
        )
    if outcome.released:
        parts.append(
            ngettext(
                "%(n)d volvió a la cola porque el suplente no trabaja ese paso.",
                "%(n)d volvieron a la cola porque el suplente no trabaja ese paso.",
                len(outcome.released),
            )
            % {"n": len(outcome.released)}
        )
    return " ".join(parts)
