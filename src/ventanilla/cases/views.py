"""The citizen's side of a case: start, answer, follow."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ventanilla.cases import actions, queries
from ventanilla.cases.form_builder import answers_from, task_form
from ventanilla.cases.models import Status
from ventanilla.catalog.models import Procedure
from ventanilla.engine.check import APPLICANT_LANE
from ventanilla.identity.assurance import identity_shortfall
from ventanilla.representation.acting import acting_for


@login_required
@require_POST
def start(request, slug):
    procedure = get_object_or_404(Procedure, slug=slug, is_published=True)
    applicant = acting_for(request)
    if identity_shortfall(request.user, procedure.minimum_assurance_level):
        return redirect("catalog:start", slug=slug)  # that page explains why
    try:
        case = actions.start_case(procedure, applicant=applicant, actor=request.user)
    except actions.CaseError as error:
        messages.error(request, str(error))
        return redirect("catalog:detail", slug=slug)
    return redirect("cases:task", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def task(request, pk):
    """The current step, when it is the applicant's to answer."""
    case = queries.case_for_applicant(request, pk)
    if case.current_lane != APPLICANT_LANE or case.status in {Status.DECIDED, Status.FLAGGED}:
        return redirect("cases:detail", pk=case.pk)
    definition = case.process_version.forms.get(case.current_task, {})
    form = task_form(definition, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        was_draft = case.status == Status.DRAFT
        try:
            case = actions.complete_task(
                case.pk,
                case.current_task,
                answers_from(form),
                actor=request.user,
                on_behalf_of=acting_for(request),
            )
        except actions.InvalidAnswers as invalid:
            for field, message in invalid.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except actions.CaseError as error:
            messages.error(request, str(error))
            return redirect("cases:detail", pk=case.pk)
        else:
            if was_draft:
                return redirect("cases:submitted", pk=case.pk)
            messages.success(request, _("Enviamos su respuesta."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/task.html",
        {"case": case, "form": form, "title": definition.get("title", case.current_task)},
    )


@login_required
@require_safe
def submitted(request, pk):
    case = queries.case_for_applicant(request, pk)
    return render(request, "cases/submitted.html", {"case": case})


@login_required
@require_safe
def my_cases(request):
    return render(request, "cases/my_cases.html", {"cases": queries.cases_of(request)})


@login_required
@require_safe
def detail(request, pk):
    case = queries.case_for_applicant(request, pk)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "timeline": queries.timeline(case),
            "your_turn": case.current_lane == APPLICANT_LANE
            and case.status in {Status.DRAFT, Status.CORRECTIONS},
        },
    )
