"""Thin views: the people I represent, acting for one of them, and the officials' counter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.core.models import OrgUnit
from ventanilla.identity.actions import record_personal_data_view
from ventanilla.identity.assurance import registry_gap
from ventanilla.identity.redirects import safe_next
from ventanilla.representation import actions
from ventanilla.representation.acting import current_representation
from ventanilla.representation.actions import Refusal, RepresentationRefused
from ventanilla.representation.forms import (
    CounterSearchForm,
    DecisionForm,
    RepresentationRequestForm,
)
from ventanilla.representation.models import ACTIVE_STATUSES, Representation, Status

PAST_SHOWN = 10


@login_required
@require_http_methods(["GET", "POST"])
def people_i_represent(request):
    """The people I represent, and the form to add a minor."""
    user = request.user
    actions.end_representations_of_adults(representative=user)
    refusal = actions.refusal_for_representative(user)
    form = None
    status = 200
    if refusal is None:
        form = RepresentationRequestForm(
            request.POST if request.method == "POST" else None, representative=user
        )
        if request.method == "POST" and form.is_valid():
            try:
                representation = actions.request_representation(user, **form.cleaned_data)
            except RepresentationRefused as refused:
                form.add_error("cui", refused.message)
            else:
                if representation.is_parent:
                    text = _(
                        "Pedimos la representación de %(name)s. La confirmaremos con el RENAP; "
                        "suele tardar unos minutos."
                    )
                else:
                    text = _(
                        "Pedimos la representación de %(name)s. Para confirmarla, lleve los "
                        "documentos a una Dirección Departamental de Educación."
                    )
                messages.success(request, text % {"name": representation.minor_full_name})
                return redirect("representation:list")
    elif request.method == "POST":
        status = 403  # the form is not offered: a POST anyway is refused, and explained
    representations = Representation.objects.filter(representative=user).select_related(
        "represented"
    )
    return render(
        request,
        "representation/list.html",
        {
            "form": form,
            "refusal": refusal,
            "registry_gap": (
                registry_gap(user) if refusal == Refusal.IDENTITY_NOT_CONFIRMED else None
            ),
            "max_pending": actions.MAX_PENDING,
            "active": [r for r in representations if r.status in ACTIVE_STATUSES],
            "past": [r for r in representations if r.status not in ACTIVE_STATUSES][:PAST_SHOWN],
            "acting": current_representation(request),
        },
        status=status,
    )


@login_required
@require_POST
def act_for(request, pk):
    """Start acting for the minor of one of my confirmed representations."""
    representation = actions.start_acting_for(request, pk)  # PermissionDenied: 403
    messages.success(
        request,
        _("Ahora está actuando por %(name)s.") % {"name": representation.minor_full_name},
    )
    return redirect(safe_next(request, request.POST.get("next"), reverse("representation:list")))


@login_required
@require_POST
def stop_acting(request):
    """Act for myself again."""
    previous = actions.stop_acting(request)
    if previous is not None:
        messages.success(
            request,
            _("Dejó de actuar por %(name)s. Ahora actúa por usted.")
            % {"name": previous.minor_full_name},
        )
    return redirect(safe_next(request, request.POST.get("next"), reverse("representation:list")))


@login_required
@require_http_methods(["GET", "POST"])
def end(request, pk):
    """End a confirmed representation, or withdraw a pending request (asks first)."""
    representation = get_object_or_404(
        Representation, pk=pk, representative=request.user, status__in=ACTIVE_STATUSES
    )
    if request.method == "POST":
        name = representation.minor_full_name
        was_pending = representation.status == Status.PENDING
        actions.end_representation(representation, actor=request.user)
        messages.success(
            request,
            (
                _("Retiró la solicitud para representar a %(name)s.")
                if was_pending
                else _("Terminó la representación de %(name)s.")
            )
            % {"name": name},
        )
        return redirect("representation:list")
    return render(request, "representation/end.html", {"representation": representation})


# --- Officials at a counter ---------------------------------------------------------------


def _counter_units(request):
    """The official's units where they may confirm in person; 403 for anyone else."""
    units = actions.counter_units(request.user)
    if not units:
        raise PermissionDenied
    return OrgUnit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("name")


def _log_view(request, representation: Representation, what: str) -> None:
    for subject in (representation.represented, representation.representative):
        record_personal_data_view(request.user, subject, what, request.path)


@login_required
@require_http_methods(["GET", "POST"])
def counter_search(request):
    """Find the requests for a minor by the CUI on the birth certificate. The CUI travels in
    a POST, never in the address (it would stay in logs and the browser's history)."""
    _counter_units(request)
    form = CounterSearchForm(request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = list(
            Representation.objects.filter(represented__cui=form.cleaned_data["cui"])
            .select_related("representative", "represented")
            .order_by("-created_at")[:20]
        )
        for representation in results:
            _log_view(
                request, representation, _("Solicitudes de representación (búsqueda en oficina)")
            )
    return render(request, "representation/counter_search.html", {"form": form, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def counter_decide(request, pk):
    """One request, the documents to check, and the decision."""
    units = _counter_units(request)
    representation = get_object_or_404(
        Representation.objects.select_related("representative", "represented"), pk=pk
    )
    is_party = request.user.pk in {representation.representative_id, representation.represented_id}
    form = None
    if representation.status == Status.PENDING and not is_party:
        form = DecisionForm(request.POST if request.method == "POST" else None, units=units)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == DecisionForm.CONFIRM:
                    actions.confirm_in_person(
                        representation,
                        official=request.user,
                        org_unit=data["org_unit"],
                        evidence=data["evidence"],
                    )
                    messages.success(request, _("La representación quedó confirmada."))
                else:
                    actions.reject_representation(
                        representation,
                        official=request.user,
                        org_unit=data["org_unit"],
                        reason=data["reason"],
                    )
                    messages.success(request, _("La solicitud quedó rechazada."))
            except RepresentationRefused as refused:
                form.add_error("decision", refused.message)
            else:
                return redirect("representation:counter_decide", pk=representation.pk)
    elif request.method == "POST":
        if is_party:
            raise PermissionDenied
        messages.error(request, _("Esta solicitud ya no está pendiente."))
        return redirect("representation:counter_decide", pk=representation.pk)
    _log_view(request, representation, _("Solicitud de representación (oficina)"))
    return render(
        request,
        "representation/counter_decide.html",
        {"representation": representation, "form": form, "is_party": is_party},
    )
