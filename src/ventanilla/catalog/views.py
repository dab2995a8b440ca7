from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ventanilla.catalog import queries
from ventanilla.catalog.forms import ProcedureFilterForm
from ventanilla.catalog.search import MAX_QUERY_CHARS, parse_query
from ventanilla.core.page_cache import cached_public_page
from ventanilla.engine.models import ProcessVersion
from ventanilla.identity.assurance import identity_shortfall
from ventanilla.representation.acting import acting_for

PAGE_SIZE = 20


@require_safe
@cached_public_page
def procedure_list(request):
    form = ProcedureFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    parsed = parse_query(filters.get("q"))
    criteria = {
        "audience": filters.get("publico"),
        "unit": filters.get("unidad"),
        "online": filters.get("en_linea", ""),
    }
    page = Paginator(queries.find_procedures(parsed, **criteria), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    partial_matches = []
    if not page.object_list and len(parsed.terms) > 1:
        partial_matches = queries.find_procedures(parsed, match_all=False, **criteria)[:PAGE_SIZE]
    query_without_page = request.GET.copy()
    query_without_page.pop("pagina", None)
    return render(
        request,
        "catalog/procedure_list.html",
        {
            "form": form,
            "select_fields": form.select_fields(),
            "parsed": parsed,
            "page": page,
            "partial_matches": partial_matches,
            "max_query_chars": MAX_QUERY_CHARS,
            "query_without_page": query_without_page.urlencode(),
            "has_filters": any(filters.get(key) for key in ("publico", "unidad", "en_linea")),
        },
    )


@require_safe
@cached_public_page
def procedure_detail(request, slug):
    procedure = queries.procedure_for_page(slug)
    requirements = list(procedure.requirements.all())
    return render(
        request,
        "catalog/procedure_detail.html",
        {
            "procedure": procedure,
            "has_online_form": ProcessVersion.objects.filter(slug=procedure.slug).exists(),
            "requirements": [r for r in requirements if r.is_required and not r.held_by_state],
            "removed_requirements": [
                r for r in requirements if not r.is_required or r.held_by_state
            ],
        },
    )


@login_required
@require_safe
def procedure_start(request, slug):
    """Where an online application begins. People whose identity is not yet sure enough
    for this procedure are told why and what to do instead."""
    procedure = queries.procedure_for_page(slug)
    shortfall = identity_shortfall(request.user, procedure.minimum_assurance_level)
    if shortfall is not None:
        return render(
            request,
            "identity/identity_needed.html",
            {"procedure": procedure, "shortfall": shortfall},
            status=403,
        )
    if ProcessVersion.objects.filter(slug=procedure.slug).exists():
        return render(
            request,
            "cases/before_you_start.html",
            {"procedure": procedure, "acting_for": acting_for(request)},
        )
    return render(request, "catalog/procedure_start.html", {"procedure": procedure})


@require_safe
@cached_public_page
def strategic_indicators(request):
    summary = queries.catalogue_summary()
    return render(
        request,
        "catalog/indicators.html",
        {
            "summary": summary,
            "indicators": queries.strategic_indicators(summary),
            "stage_max": max([count for _v, _l, count in summary.by_stage] + [1]),
            "maturity_max": max([count for _v, _l, count in summary.by_maturity] + [1]),
        },
    )
