"""The BPMN diagram of a case's procedure, for the viewer on the officials' case page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from ventanilla.cases import queries
from ventanilla.identity.permissions import is_official


@login_required
@require_safe
def process_diagram(request, pk):
    """The process.bpmn the case runs on (its own version, not the latest one), for an
    official who may see the case; anyone else's case looks like no case at all (404)."""
    if not is_official(request.user):
        raise PermissionDenied
    case = queries.case_for_official(request.user, pk)
    version = case.process_version
    etag = f'"{version.sha256}"'  # a published version never changes
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        version.bpmn, content_type="application/xml; charset=utf-8"
    )
    response["ETag"] = etag
    response["Content-Disposition"] = f'inline; filename="{version.slug}-v{version.version}.bpmn"'
    patch_cache_control(response, private=True, no_cache=True)
    return response
