"""The public log under ``/registro-publico/`` (no sign-in): a page that explains it, the
latest signed checkpoint, the verifier key, any entry, and inclusion and consistency
proofs. Bad parameters get a 400 with what to send instead."""

from __future__ import annotations

import base64

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ventanilla.ledger import checkpoints, proofs, tree
from ventanilla.ledger.models import Leaf


def _problem(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _text(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=10"
    return response


@require_GET
def page(request):
    latest = checkpoints.recent_checkpoint()
    root = bytes(latest.root)
    return render(
        request,
        "ledger/page.html",
        {
            "checkpoint": latest,
            "root_hex": root.hex(),
            "root_base64": base64.b64encode(root).decode(),
            "verifier_key": checkpoints.verifier_key(),
            "origin": checkpoints.origin(),
        },
    )


@require_GET
def checkpoint(request):
    return _text(checkpoints.recent_checkpoint().note)


@require_GET
def key(request):
    return _text(checkpoints.verifier_key() + "\n")


@require_GET
def entry(request, index: int):
    leaf = Leaf.objects.filter(index=index).first()
    if leaf is None:
        return _problem(_("No hay ninguna entrada %(index)s.") % {"index": index}, 404)
    return JsonResponse(
        {
            "leaf_index": leaf.index,
            "entry": leaf.entry,
            "leaf_hash": base64.b64encode(bytes(leaf.leaf_hash)).decode(),
        }
    )


def _number(request, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 15:
        raise ValueError(name)
    return int(value)


@require_GET
def inclusion(request):
    """``?referencia=document_issued:ABCD-…`` or ``?indice=41``; ``&tamano=N`` (a checkpoint's
    size; by default the latest checkpoint's)."""
    try:
        index, size = _number(request, "indice"), _number(request, "tamano")
    except ValueError as error:
        return _problem(_("«%(name)s» debe ser un número entero.") % {"name": error})
    reference = request.GET.get("referencia", "").strip()[:80]
    leaves = Leaf.objects.all()
    if index is not None:
        leaf = leaves.filter(index=index).first()
    elif reference:
        leaf = leaves.filter(reference=reference).order_by("index").first()
    else:
        return _problem(_("Indique «referencia» o «indice» de la entrada."))
    if leaf is None:
        return _problem(_("Esa entrada no está en el registro."), 404)
    latest = checkpoints.recent_checkpoint()
    if size is None and leaf.index >= latest.size:
        return _problem(
            _(
                "Esta anotación es muy reciente: entrará en el próximo punto de control "
                "firmado, en menos de un minuto. Vuelva a pedir la prueba entonces."
            ),
            409,
        )
    size = latest.size if size is None else size
    if not leaf.index < size <= tree.size():
        return _problem(
            _("La entrada %(index)s no está en un registro de %(size)s entradas.")
            % {"index": leaf.index, "size": size}
        )
    answer = proofs.inclusion(leaf, size)
    if size == latest.size:
        answer["checkpoint"] = latest.note
    return JsonResponse(answer)


@require_GET
def consistency(request):
    """``?desde=M&hasta=N``: that the log of N entries extends the one of M unchanged."""
    try:
        old, new = _number(request, "desde"), _number(request, "hasta")
    except ValueError as error:
        return _problem(_("«%(name)s» debe ser un número entero.") % {"name": error})
    new = checkpoints.recent_checkpoint().size if new is None else new
    if old is None or not 0 <= old <= new <= tree.size():
        return _problem(
            _("Indique «desde» y «hasta», dos tamaños del registro, con desde ≤ hasta ≤ %(size)s.")
            % {"size": tree.size()}
        )
    return JsonResponse(proofs.consistency(old, new))
