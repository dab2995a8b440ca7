"""The officials' side: the queue, claiming, and working a case's current step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ventanilla.cases import actions, deadlines, queries
from ventanilla.cases.form_builder import answers_from, task_form
from ventanilla.identity.actions import record_personal_data_view
from ventanilla.identity.permissions import can_work_lane, is_official


def _official(request):
    if not is_official(request.user):
        raise PermissionDenied
    return request.user


@login_required
@require_safe
def queue(request):
    official = _official(request)
    cases = list(queries.queue_for(official))
    for case in cases:
        case.deadline_state = deadlines.state_of(case)
    return render(request, "cases/office_queue.html", {"cases": cases})


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
@require_http_methods(["GET", "POST"])
def office_case(request, pk):
    official = _official(request)
    case = queries.case_for_official(official, pk)
    mine = case.assignee_id == official.pk and can_work_lane(
        official, case.current_lane, org_unit=case.unit
    )
    definition = case.process_version.forms.get(case.current_task, {}) if mine else {}
    form = task_form(definition, data=request.POST or None) if mine else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.complete_task(
                    case.pk, case.current_task, answers_from(form), actor=official
                )
            except actions.InvalidAnswers as invalid:
                for field, message in invalid.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except actions.CaseError as error:
                messages.error(request, str(error))
                return redirect("cases:office_case", pk=case.pk)
            else:
                messages.success(request, _("Listo: el expediente siguió su curso."))
                return redirect("cases:queue")
    else:
        record_personal_data_view(
            official, case.applicant, _("Expediente %(number)s") % {"number": case}, request.path
        )
    answers = [
        event.after.get("answers", {})
        for event in case.events.filter(kind__in=["submitted", "task"]).order_by("at", "id")
    ]
    return render(
        request,
        "cases/office_case.html",
        {
            "case": case,
            "form": form,
            "title": definition.get("title", ""),
            "answers": [a for a in answers if a],
            "timeline": queries.timeline(case),
            "can_claim": case.assignee_id is None
            and can_work_lane(official, case.current_lane, org_unit=case.unit),
        },
    )
