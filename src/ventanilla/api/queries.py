"""What the API reads: the procedures that can be applied for online, and the cases of the
account a token acts as (never anyone else's)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ventanilla.api.errors import not_found
from ventanilla.cases.models import Case, Status
from ventanilla.catalog.models import Procedure
from ventanilla.engine import runtime
from ventanilla.engine.check import APPLICANT_LANE
from ventanilla.engine.models import ProcessVersion


@dataclass(frozen=True)
class OnlineProcedure:
    procedure: Procedure
    version: ProcessVersion  # the latest published one: what a new case starts on


def latest_versions() -> dict[str, ProcessVersion]:
    """The latest version of each procedure's definition, by slug (without the diagram)."""
    latest: dict[str, ProcessVersion] = {}
    versions = ProcessVersion.objects.defer("bpmn", "spec", "decisions").order_by(
        "slug", "-version"
    )
    for version in versions:
        latest.setdefault(version.slug, version)
    return latest


def online_procedures() -> list[OnlineProcedure]:
    """Published procedures with a definition to run: the ones a case can be started for."""
    latest = latest_versions()
    procedures = (
        Procedure.objects.filter(is_published=True, slug__in=list(latest))
        .select_related("responsible_unit")
        .order_by("name")
    )
    return [OnlineProcedure(procedure, latest[procedure.slug]) for procedure in procedures]


def online_procedure(slug: str) -> Procedure | None:
    """The published procedure ``slug``, if a case can be started for it."""
    if not ProcessVersion.objects.filter(slug=slug).exists():
        return None
    return Procedure.objects.filter(slug=slug, is_published=True).first()


@lru_cache(maxsize=256)
def _first_task(sha256: str, version_pk: int) -> str | None:
    # The same files always give the same diagram, so the answer is kept per version's hash.
    version = ProcessVersion.objects.get(pk=version_pk)
    try:
        workflow = runtime.start(version)
    except runtime.StepFailed:
        return None
    ready = [task for task in runtime.ready_tasks(workflow) if task.lane == APPLICANT_LANE]
    return ready[0].name if ready else None


def first_task(version: ProcessVersion) -> str | None:
    """The step a new case starts on (the applicant's first form), found by starting the
    diagram without keeping anything."""
    return _first_task(version.sha256, version.pk)


def cases_of(account):
    """The cases whose applicant is ``account``, newest first."""
    return Case.objects.filter(applicant=account).select_related("procedure")


def case_of(account, case_id: int) -> Case:
    """One of ``account``'s cases; anyone else's is answered as if it did not exist."""
    case = cases_of(account).select_related("process_version").filter(pk=case_id).first()
    if case is None:
        raise not_found()
    return case


def is_applicants_turn(case: Case) -> bool:
    return case.current_lane == APPLICANT_LANE and case.status in {
        Status.DRAFT,
        Status.CORRECTIONS,
    }
