"""`/mis-documentos/`: the signed documents of the person the user acts for (themselves, or
a minor they represent), each downloadable as the signed PDF and, for a diploma, as its
verifiable credential. Someone else's document looks like no document at all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ventanilla.documents.models import Document, Status
from ventanilla.representation.acting import acting_for


def _documents_of(request):
    return (
        Document.objects.filter(holder=acting_for(request))
        .exclude(status=Status.AWAITING_SIGNATURE)
        .select_related("unit", "replaced_by")
    )


def _own(request, code) -> Document:
    document = _documents_of(request).filter(code=code).first()
    if document is None:
        raise Http404
    return document


@login_required
@require_safe
def mine(request):
    return render(request, "documents/mine.html", {"documents": _documents_of(request)})


@login_required
@require_safe
def pdf(request, code):
    document = _own(request, code)
    return FileResponse(
        document.pdf.open("rb"),
        as_attachment=True,
        filename=f"{document.code}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_safe
def credential(request, code):
    document = _own(request, code)
    if not document.credential:
        raise Http404
    response = HttpResponse(document.credential, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="{document.code}.jwt"'
    return response
