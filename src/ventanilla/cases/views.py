"""The citizen's side of a case: start, answer, follow."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ventanilla.cases import actions, queries
from ventanilla.cases.answers import answer_errors, file_fields, with_defaults
from ventanilla.cases.form_builder import answers_from, pages, shown_answer, task_form
from ventanilla.cases.models import CaseFile, Status
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


def _applicants_turn(case) -> bool:
    return case.current_lane == APPLICANT_LANE and case.status not in {
        Status.DECIDED,
        Status.FLAGGED,
    }


def _step(case):
    """The current step's definition, its pages, and what the draft holds for it."""
    definition = case.process_version.forms.get(case.current_task, {})
    draft = case.draft if case.draft.get("task") == case.current_task else {}
    return definition, pages(definition), draft


def _uses_pages(case, steps) -> bool:
    """A new application goes page by page and ends on "check your answers"; a correction
    of one page is answered and sent at once."""
    return case.status == Status.DRAFT or len(steps) > 1


def _has_task_list(case, steps) -> bool:
    definition = case.process_version.forms.get(case.current_task, {})
    return bool(definition.get("ui", {}).get("task_list")) and len(steps) > 1


def _first_open_page(steps, draft) -> int | None:
    done = set(draft.get("pages_done", []))
    return next((n for n in range(1, len(steps) + 1) if n not in done), None)


@login_required
@require_safe
def task(request, pk):
    """Where the applicant's current step starts: its task list, its next unanswered page,
    or the check-your-answers page."""
    case = queries.case_for_applicant(request, pk)
    if not _applicants_turn(case):
        return redirect("cases:detail", pk=case.pk)
    definition, steps, draft = _step(case)
    if _has_task_list(case, steps):
        done = set(draft.get("pages_done", []))
        sections = [
            {"number": n, "title": step["title"], "done": n in done}
            for n, step in enumerate(steps, start=1)
        ]
        return render(
            request,
            "cases/task_list.html",
            {
                "case": case,
                "title": definition.get("title", ""),
                "sections": sections,
                "all_done": all(section["done"] for section in sections),
                "done_count": len(done & {section["number"] for section in sections}),
            },
        )
    number = _first_open_page(steps, draft)
    if number is None and _uses_pages(case, steps):
        return redirect("application:check_answers", pk=case.pk)
    return redirect("application:page", pk=case.pk, number=number or 1)


def _keep_uploads(request, case, form, fields, draft) -> tuple[dict, dict]:
    """Attach the files sent with this page before anything else is checked, so that a file
    is never lost to a mistake in another answer. Returns ({field: file id}, {field: error})."""
    kept, errors = {}, {}
    for name in fields:
        upload = request.FILES.get(name)
        if upload is None:
            if draft.get("answers", {}).get(name):
                kept[name] = draft["answers"][name]
            continue
        try:
            attached = actions.attach_file(
                case.pk,
                task=case.current_task,
                field=name,
                upload=upload,
                actor=request.user,
                on_behalf_of=acting_for(request),
            )
        except actions.CaseError as refused:  # the file, or a step that moved on meanwhile
            errors[name] = str(refused)
        else:
            kept[name] = str(attached.pk)
    return kept, errors


def _show_kept_files(form, answers) -> None:
    for name, field in form.fields.items():
        if name in answers and getattr(field.widget, "input_type", "") == "file":
            field.kept_file = CaseFile.objects.filter(pk=int(answers[name])).first()


@login_required
@require_http_methods(["GET", "POST"])
def page(request, pk, number):
    """One page of the current step. Each answered page is kept as a draft."""
    case = queries.case_for_applicant(request, pk)
    if not _applicants_turn(case):
        return redirect("cases:detail", pk=case.pk)
    definition, steps, draft = _step(case)
    if not 1 <= number <= len(steps):
        return redirect("cases:task", pk=case.pk)
    fields = steps[number - 1]["fields"]
    answered = draft.get("answers", {})
    posted = request.method == "POST"  # an empty POST is still a POST: its errors show
    form = task_form(
        definition,
        data=request.POST if posted else None,
        files=request.FILES if posted else None,
        initial=answered,
        only=fields,
    )
    returning = request.GET.get("volver") == "revisar"
    if request.method == "POST":
        files = [name for name in fields if name in file_fields(definition)]
        kept, upload_errors = _keep_uploads(request, case, form, files, draft)
        answers = {**(answers_from(form) if form.is_valid() else {}), **kept}
        if form.is_valid() and not upload_errors:
            whole = with_defaults(definition, {**answered, **answers})
            errors = {
                field: message
                for field, message in answer_errors(definition, whole).items()
                if field in fields
            }
            for field, message in errors.items():
                if field in file_fields(definition) and field not in answers:
                    message = _("Elija el archivo que quiere subir.")
                form.add_error(field if field in form.fields else None, message)
            if not errors:
                try:
                    return _after_page(request, case, steps, number, fields, answers, returning)
                except actions.InvalidAnswers as invalid:
                    for field, message in invalid.errors.items():
                        form.add_error(field if field in form.fields else None, message)
        for field, message in upload_errors.items():
            form.add_error(field, message)
        if kept:  # something else is wrong: the accepted files are kept in the draft now
            _keep_in_draft(request, case, number, kept)
        answered = {**answered, **kept}
    _show_kept_files(form, answered)
    step = steps[number - 1]
    back = (
        reverse("application:check_answers", args=[case.pk])
        if returning
        else reverse("cases:task", args=[case.pk])
        if _has_task_list(case, steps)
        else reverse("application:page", args=[case.pk, number - 1])
        if number > 1
        else reverse("cases:detail", args=[case.pk])
    )
    return render(
        request,
        "cases/task.html",
        {
            "case": case,
            "form": form,
            "title": step["title"] or definition.get("title", case.current_task),
            "number": number,
            "total": len(steps),
            "by_pages": _uses_pages(case, steps),
            "has_files": any(name in file_fields(definition) for name in fields),
            "back": back,
        },
    )


def _keep_in_draft(request, case, number, kept) -> None:
    with contextlib.suppress(actions.CaseError):  # the step moved on: sending will say so
        actions.save_draft(
            case.pk,
            task=case.current_task,
            page=number,
            fields=list(kept),
            answers=kept,
            done=False,
            actor=request.user,
            on_behalf_of=acting_for(request),
        )


def _after_page(request, case, steps, number, fields, answers, returning):
    if not _uses_pages(case, steps):
        return _send(request, case, answers)
    try:
        actions.save_draft(
            case.pk,
            task=case.current_task,
            page=number,
            fields=fields,
            answers=answers,
            actor=request.user,
            on_behalf_of=acting_for(request),
        )
    except actions.CaseError as error:
        messages.error(request, str(error))
        return redirect("cases:detail", pk=case.pk)
    if returning or (number == len(steps) and not _has_task_list(case, steps)):
        return redirect("application:check_answers", pk=case.pk)
    return redirect("cases:task", pk=case.pk)  # the task list, or the next open page


def _send(request, case, answers):
    """Send the step and go where the person should be next. Wrong answers raise
    ``InvalidAnswers`` for the page to show."""
    was_draft = case.status == Status.DRAFT
    try:
        actions.complete_task(
            case.pk,
            case.current_task,
            answers,
            actor=request.user,
            on_behalf_of=acting_for(request),
        )
    except actions.InvalidAnswers:
        raise  # the page shows them next to the questions
    except actions.CaseError as error:
        messages.error(request, str(error))
        return redirect("cases:detail", pk=case.pk)
    if was_draft:
        return redirect("cases:submitted", pk=case.pk)
    messages.success(request, _("Enviamos su respuesta."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def check_answers(request, pk):
    """Every answer of the step, each with a link to change it, and the button that sends."""
    case = queries.case_for_applicant(request, pk)
    if not _applicants_turn(case):
        return redirect("cases:detail", pk=case.pk)
    definition, steps, draft = _step(case)
    if not _uses_pages(case, steps) or _first_open_page(steps, draft) is not None:
        return redirect("cases:task", pk=case.pk)
    answers = draft.get("answers", {})
    errors = {}
    if request.method == "POST":
        try:
            return _send(request, case, answers)
        except actions.InvalidAnswers as invalid:
            errors = invalid.errors
    return render(
        request,
        "cases/check_answers.html",
        {
            "case": case,
            "title": definition.get("title", ""),
            "rows": _answer_rows(case, definition, steps, answers, errors),
            "errors": errors,
        },
    )


def _answer_rows(case, definition, steps, answers, errors) -> list[dict]:
    properties = definition.get("schema", {}).get("properties", {})
    files = {
        str(f.pk): f for f in CaseFile.objects.filter(case=case, field__in=file_fields(definition))
    }
    rows = []
    for number, step in enumerate(steps, start=1):
        change = reverse("application:page", args=[case.pk, number]) + "?volver=revisar"
        for name in step["fields"]:
            value = answers.get(name)
            shown = (
                files[str(value)].name
                if name in file_fields(definition) and str(value) in files
                else shown_answer(definition, name, value)
            )
            rows.append(
                {
                    "name": name,
                    "label": properties.get(name, {}).get("title", name),
                    "value": shown,
                    "change": change,
                    "error": errors.get(name, ""),
                }
            )
    return rows


@login_required
@require_safe
def case_file(request, pk, file_pk):
    """A file of the applicant's own case, downloaded, never shown inline."""
    case = queries.case_for_applicant(request, pk)
    attached = get_object_or_404(CaseFile, pk=file_pk, case=case)
    response = FileResponse(attached.file.open("rb"), as_attachment=True, filename=attached.name)
    response["Content-Type"] = attached.content_type
    return response


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
            "files": case.files.all(),
            "your_turn": case.current_lane == APPLICANT_LANE
            and case.status in {Status.DRAFT, Status.CORRECTIONS},
        },
    )
