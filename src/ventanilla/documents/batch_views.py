"""Diplomas for a whole cohort from the back office (``/oficina/diplomas/``): a signer loads
the cohort's CSV file, sees every bad row or a summary of a good file, approves the signing
with a fresh code from their authenticator app, and follows the background job's progress.
Only officials who sign in a batch's unit see it or act on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from ventanilla.documents import batch as batches
from ventanilla.documents import batch_office
from ventanilla.documents.batch_forms import ApproveForm, CohortFileForm, CohortUploadHandler
from ventanilla.documents.models import DiplomaBatch
from ventanilla.identity.permissions import Action, can, units_where

MAX_PROBLEMS_SHOWN = 1000
MAX_BATCHES_LISTED = 100


def _signing_units(user) -> list:
    units = units_where(user, Action.SIGN_DOCUMENTS)
    if not units:
        raise PermissionDenied
    return units


def _batch_for(request, batch_id: int) -> DiplomaBatch:
    _signing_units(request.user)
    batch = get_object_or_404(
        DiplomaBatch.objects.select_related("unit", "signer", "created_by"), pk=batch_id
    )
    if not can(request.user, Action.SIGN_DOCUMENTS, org_unit=batch.unit):
        raise PermissionDenied
    return batch


def _problems_context(problems: list, data_lines: int) -> dict:
    ordered = sorted(problems, key=lambda problem: problem["line"])
    return {
        "problems": ordered[:MAX_PROBLEMS_SHOWN],
        "problems_hidden": max(0, len(ordered) - MAX_PROBLEMS_SHOWN),
        "bad_lines": len({problem["line"] for problem in ordered}),
        "data_lines": data_lines,
    }


@csrf_exempt  # the upload handler must be set before the body is read; CSRF is checked below
@login_required
@require_http_methods(["GET", "POST"])
def batches_page(request):
    units = _signing_units(request.user)
    request.upload_handlers = [CohortUploadHandler(request)]
    return _batches_page(request, units)


@csrf_protect
def _batches_page(request, units):
    posted = request.method == "POST"
    form = CohortFileForm(
        request.POST if posted else None, request.FILES if posted else None, units=units
    )
    context = {}
    if posted and form.is_valid():
        upload = form.cleaned_data["archivo"]
        try:
            received = batch_office.receive_file(
                data=upload.read(),
                name=upload.name,
                unit=form.cleaned_data["unidad"],
                user=request.user,
            )
        except batches.BatchRefused as refused:
            form.add_error("archivo", str(refused))
        else:
            if not received.problems:
                if received.resumed:
                    messages.info(
                        request,
                        _("Este archivo ya se había cargado: este es su lote, donde lo dejó."),
                    )
                return redirect("documents_office:batch", batch_id=received.batch.pk)
            report = _problems_context(
                [problem.as_dict() for problem in received.problems], received.data_lines
            )
            context.update(report, rejected=received.batch)
            form.add_error(
                "archivo",
                _(
                    "El archivo tiene errores en %(bad)s de sus %(rows)s filas. No se emitió "
                    "ningún diploma: corrija esas filas (vea la lista) y cargue el archivo otra "
                    "vez."
                )
                % {
                    "bad": batch_office.count(report["bad_lines"]),
                    "rows": batch_office.count(report["data_lines"]),
                },
            )
    listed = DiplomaBatch.objects.filter(unit__in=units).select_related("unit")
    context.update(
        form=form,
        batches=listed[:MAX_BATCHES_LISTED],
        more_batches=max(0, listed.count() - MAX_BATCHES_LISTED),
    )
    return render(request, "documents/batch_list.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def batch_page(request, batch_id):
    batch = _batch_for(request, batch_id)
    current = batch_office.stage(batch)
    form = ApproveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            batch_office.approve(batch.pk, user=request.user, code=form.cleaned_data["codigo"])
        except batch_office.WrongCode as wrong:
            form.add_error("codigo", str(wrong))
        except batch_office.ApprovalRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _(
                    "Aprobó la firma. Los diplomas se firman ahora en el servidor: puede cerrar "
                    "esta página, le avisaremos cuando termine."
                ),
            )
            return redirect("documents_office:batch", batch_id=batch.pk)
    progress = batches.progress(batch)
    context = {
        "batch": batch,
        "stage": current,
        "form": form,
        "may_approve": batch_office.may_approve(batch, current),
        "has_source": batch_office.has_source(batch),
        "progress": progress,
        "progress_text": batch_office.progress_text(batch, progress),
        "to_sign": max(0, batch.rows - batch.issued),
        "summary": batch_office.page_summary(batch.summary) if batch.summary else None,
        "not_issued": max(0, batch.rows - batch.documents.count()) if current == "done" else 0,
    }
    if current == "rejected":
        context.update(_problems_context(batch.report, batch.rows))
    return render(request, "documents/batch_page.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
@never_cache
def batch_progress(request, batch_id):
    batch = _batch_for(request, batch_id)
    return JsonResponse(batch_office.progress_json(batch))


@login_required
@require_GET
def batch_codes(request, batch_id):
    batch = _batch_for(request, batch_id)
    response = StreamingHttpResponse(
        batch_office.codes_csv(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="codigos-lote-{batch.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
