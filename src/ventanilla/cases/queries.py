"""What the case pages read."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import Case, Status
from ventanilla.identity.models import Membership
from ventanilla.identity.permissions import LANE_ACTIONS, Action, can, can_work_lane
from ventanilla.representation.acting import acting_for


def cases_of(request):
    """The cases of the person the signed-in user acts for (themselves by default)."""
    return Case.objects.filter(applicant=acting_for(request)).select_related("procedure")


def case_for_applicant(request, pk) -> Case:
    case = cases_of(request).select_related("process_version").filter(pk=pk).first()
    if case is None:
        raise Http404  # someone else's case looks like no case at all
    return case


def queue_for(official):
    """Cases waiting in the lanes this official works, in the units where they work them."""
    lanes = Q(pk__in=[])
    for membership in Membership.objects.filter(user=official, role__in=list(LANE_ACTIONS)):
        lanes |= Q(unit=membership.org_unit_id, current_lane=membership.role)
    return (
        Case.objects.filter(lanes, status=Status.IN_REVIEW)
        .select_related("procedure", "assignee", "unit")
        .order_by("submitted_at")
    )


def case_for_official(official, pk) -> Case:
    case = (
        Case.objects.select_related("process_version", "procedure", "applicant")
        .filter(pk=pk)
        .first()
    )
    if case is None or not (
        case.assignee_id == official.pk
        or can_work_lane(official, case.current_lane, org_unit=case.unit)
        or any(
            can(official, action, org_unit=case.unit)
            for action in (Action.REVIEW_CASES, Action.SIGN_DOCUMENTS, Action.READ_AUDIT_TRAIL)
        )
    ):
        raise Http404  # officials see the cases of their own work, not every case
    return case


TIMELINE = {
    "submitted": _("Solicitud recibida"),
    "claimed": _("En revisión"),
    "decided": _("Resuelto"),
    "flagged": _("Detenido: lo revisa un administrador"),
}


def timeline(case: Case) -> list[dict]:
    """The case's events in words the citizen reads (internal ones left out)."""
    entries = []
    for event in case.events.select_related("actor").order_by("at", "id"):
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
        entries.append({"label": label, "detail": detail, "at": event.at})
    return entries
