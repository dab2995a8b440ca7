"""Reads of the catalogue shared by pages and (later) the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ventanilla.catalog.models import (
    MaturityLevel,
    Procedure,
    Requirement,
    Stage,
    StrategicGoal,
)
from ventanilla.catalog.search import ParsedQuery, apply_search


def published_procedures() -> QuerySet[Procedure]:
    """Procedures the public may see."""
    return Procedure.objects.filter(is_published=True)


def find_procedures(
    parsed: ParsedQuery, *, audience=None, unit=None, online: str = "", match_all: bool = True
) -> QuerySet[Procedure]:
    """Published procedures matching the query and filters, best first.

    With ``match_all`` false, a procedure needs only one of the words: the page offers
    these when no procedure has them all.
    """
    queryset = published_procedures().select_related("responsible_unit")
    if audience is not None:
        queryset = queryset.filter(audiences=audience)
    if unit is not None:
        queryset = queryset.filter(responsible_unit=unit)
    if online == "si":
        queryset = queryset.filter(available_online=True)
    elif online == "no":
        queryset = queryset.filter(available_online=False)
    if parsed.is_empty:
        return queryset.order_by("name")
    return apply_search(queryset, parsed, match_all=match_all)


def procedure_for_page(slug: str) -> Procedure:
    """One published procedure with everything its page shows, or 404."""
    queryset = (
        published_procedures()
        .select_related("responsible_unit", "responsible_unit__department")
        .prefetch_related(
            "audiences",
            "steps",
            "sources",
            Prefetch("requirements", queryset=Requirement.objects.order_by("order", "id")),
        )
    )
    procedure = get_object_or_404(queryset, slug=slug)
    procedure.simplification_record = getattr(procedure, "simplification", None)
    return procedure


def prioritised_procedures(limit: int = 10) -> QuerySet[Procedure]:
    """The procedures the programme prioritised, shown first on the home page."""
    return (
        published_procedures()
        .filter(is_prioritised=True)
        .select_related("responsible_unit")
        .order_by("name")[:limit]
    )


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IndicatorResult:
    goal: StrategicGoal
    digital: int
    total: int
    percent: Decimal | None
    status: str  # "met", "on_track", "missed", "no_data"

    @property
    def progress_percent(self) -> int:
        """How far along the way to the target (0–100), for the progress bar."""
        if self.percent is None or not self.goal.target_percent:
            return 0
        return min(100, int(self.percent * 100 / self.goal.target_percent))

    @property
    def missing(self) -> int:
        """Services still to put online to reach the target."""
        needed = -(-self.goal.target_percent * self.total // 100)  # ceiling
        return max(0, needed - self.digital)


@dataclass(frozen=True)
class CatalogueSummary:
    total: int
    digital: int
    prioritised: int
    prioritised_digital: int
    by_stage: list[tuple[str, str, int]]
    by_maturity: list[tuple[int, str, int]]


def catalogue_summary() -> CatalogueSummary:
    """Counts of the published catalogue, in two queries."""
    counts = published_procedures().aggregate(
        total=Count("id"),
        digital=Count("id", filter=Q(available_online=True)),
        prioritised=Count("id", filter=Q(is_prioritised=True)),
        prioritised_digital=Count("id", filter=Q(is_prioritised=True, available_online=True)),
    )
    stage_counts = dict(
        published_procedures().values_list("stage").annotate(n=Count("id")).order_by()
    )
    maturity_counts = dict(
        published_procedures().values_list("maturity_level").annotate(n=Count("id")).order_by()
    )
    return CatalogueSummary(
        by_stage=[(value, label, stage_counts.get(value, 0)) for value, label in Stage.choices],
        by_maturity=[
            (value, label, maturity_counts.get(value, 0)) for value, label in MaturityLevel.choices
        ],
        **counts,
    )


def strategic_indicators(summary: CatalogueSummary | None = None) -> list[IndicatorResult]:
    """Each strategic goal measured live against the published catalogue."""
    summary = summary or catalogue_summary()
    this_year = timezone.localdate().year
    results = []
    for goal in StrategicGoal.objects.all():
        if goal.scope == StrategicGoal.Scope.PRIORITISED:
            digital, total = summary.prioritised_digital, summary.prioritised
        else:
            digital, total = summary.digital, summary.total
        percent = _percent(digital, total)
        if percent is None:
            status = "no_data"
        elif percent >= goal.target_percent:
            status = "met"
        elif this_year > goal.target_year:
            status = "missed"
        else:
            status = "on_track"
        results.append(IndicatorResult(goal, digital, total, percent, status))
    return results
