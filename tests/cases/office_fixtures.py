"""Situations for the back-office tests: a unit's supervisor, cases waiting in the queue, an
official of another unit, signed-in clients. Import the fixtures a module uses."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.conftest import SOLICITUD, person
from tests.conftest import force_login_with_second_factor
from ventanilla.cases import actions
from ventanilla.cases.models import Case, Channel, Status
from ventanilla.core.models import OrgUnit
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import Membership, Role


def administrator_of(unit):
    return Membership.objects.filter(role=Role.ADMINISTRATOR, org_unit=unit).first().user


def with_role(user, role, unit):
    grant_role(user, role, unit, actor=administrator_of(unit))
    return user


def submitted(procedure, applicant, answers=SOLICITUD) -> Case:
    """A case the applicant has sent: in review, in the reviewers' queue."""
    case = actions.start_case(procedure, applicant=applicant, actor=applicant)
    return actions.complete_task(case.pk, "solicitud", answers, actor=applicant)


def corrections_requested(case, reviewer, note="Indique la sección") -> Case:
    actions.claim(case.pk, reviewer)
    return actions.complete_task(
        case.pk, "revision", {"dictamen": "corregir", "observaciones": note}, actor=reviewer
    )


def copies(case, count, **fields) -> list[Case]:
    """Many cases like this one, written at once (for lists, pages and filters)."""
    base = {
        "procedure_id": case.procedure_id,
        "process_version_id": case.process_version_id,
        "applicant_id": case.applicant_id,
        "started_by_id": case.started_by_id,
        "channel": Channel.ONLINE,
        "status": Status.IN_REVIEW,
        "current_task": case.current_task,
        "current_lane": case.current_lane,
        "unit_id": case.unit_id,
        "state": {},
        "submitted_at": timezone.now(),
    }
    start = Case.objects.count() + 500_000
    return Case.objects.bulk_create(
        Case(**{**base, "tracking_number": f"MINEDUC-2026-{start + n:06d}", **fields})
        for n in range(count)
    )


def signed_in(user) -> Client:
    client = Client()
    force_login_with_second_factor(client, user)
    return client


@pytest.fixture
def supervisor(certification, reviewers):
    """The head of the unit that reviews certifications (no reviewer role of her own)."""
    return with_role(
        person(80, first_names="Julia", last_names="Jefa"),
        Role.SUPERVISOR,
        certification.responsible_unit,
    )


@pytest.fixture
def stranger_official(certification):
    """A reviewer and supervisor of another unit."""
    unit = OrgUnit.objects.exclude(pk=certification.responsible_unit_id).order_by("code").first()
    admin = person(92, first_names="Admin otra unidad")
    bootstrap_administrator(admin, unit)
    official = person(81, first_names="Otro", last_names="Funcionario")
    for role in (Role.REVIEWER, Role.SUPERVISOR):
        grant_role(official, role, unit, actor=admin)
    return official


@pytest.fixture
def waiting(certification, citizen, reviewers) -> list[Case]:
    """Three cases waiting in the reviewers' queue."""
    return [submitted(certification, citizen) for _ in range(3)]


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
