"""The signed-in person's inbox ("Mis avisos")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ventanilla.notifications import actions, queries
from ventanilla.representation.acting import acting_for
from ventanilla.representation.models import Representation
from ventanilla.representation.models import Status as RepresentationStatus

PAGE_SIZE = 20


@login_required
@require_safe
def inbox(request):
    page = Paginator(queries.messages_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_safe
def message(request, pk):
    """One message; opening it marks it read."""
    notice = actions.mark_read(queries.message_for(request.user, pk))
    return render(
        request,
        "notifications/message.html",
        {"notice": notice, "open_as": _how_to_open(request, notice)},
    )


@login_required
@require_POST
def mark_all_read(request):
    if actions.mark_all_read(request.user):
        messages.success(request, _("Marcamos todos sus avisos como leídos."))
    return redirect("notifications:inbox")


def _how_to_open(request, notice) -> dict:
    """Pages about a case show the case of the person one acts for: a notice about someone
    else (or about oneself, while acting for someone) is opened by switching first.

    ``{"kind": "link"}`` opens the link as it is; ``"act_for"`` (with ``representation``)
    and ``"stop_acting"`` post to the representation pages with the link as ``next``;
    ``"none"`` when there is no link or the person may no longer act for that minor."""
    if not notice.link:
        return {"kind": "none"}
    concerns = notice.about or request.user
    if acting_for(request).pk == concerns.pk:
        return {"kind": "link"}
    if concerns.pk == request.user.pk:
        return {"kind": "stop_acting", "url": reverse("representation:stop_acting")}
    representations = Representation.objects.filter(
        representative=request.user, represented=concerns, status=RepresentationStatus.CONFIRMED
    )
    representation = next((r for r in representations if r.can_act), None)
    if representation is None:
        return {"kind": "none"}
    return {
        "kind": "act_for",
        "url": reverse("representation:act_for", args=[representation.pk]),
        "representation": representation,
    }
