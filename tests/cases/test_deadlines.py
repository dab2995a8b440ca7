"""Deadlines in business days with Guatemala's holidays, on a controlled clock: the due date,
the at-risk and overdue flags, and the pause while the case waits for the citizen."""

import datetime

import pytest
from django.utils import timezone

from tests.cases.conftest import SOLICITUD
from ventanilla.cases import actions, clock
from ventanilla.cases.deadlines import DeadlineState, state_of
from ventanilla.cases.models import Case
from ventanilla.engine.business_days import add_business_days, business_days_between

D = datetime.date


def case_due(due, submitted, paused_since=None):
    return Case(
        due_date=due,
        submitted_at=timezone.make_aware(datetime.datetime.combine(submitted, datetime.time(9))),
        paused_since=paused_since,
    )


def test_business_days_between_skip_weekends_and_holidays():
    assert business_days_between(D(2026, 9, 11), D(2026, 9, 16)) == 2  # Sat, Sun, 15 Sept
    assert business_days_between(D(2026, 9, 16), D(2026, 9, 11)) == -2


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 9, 1), DeadlineState.ON_TIME),  # 10 business days to go of 11
        (D(2026, 9, 11), DeadlineState.AT_RISK),  # Friday: 2 left (Mon 14, Wed 16) of 11
        (D(2026, 9, 16), DeadlineState.AT_RISK),  # the last day itself
        (D(2026, 9, 17), DeadlineState.OVERDUE),
    ],
)
def test_flags_count_business_days(today, expected):
    case = case_due(D(2026, 9, 16), submitted=D(2026, 8, 31))
    assert business_days_between(D(2026, 8, 31), D(2026, 9, 16)) == 11
    assert state_of(case, today=today) is expected


def test_a_paused_case_is_neither_late_nor_at_risk():
    case = case_due(D(2026, 9, 16), submitted=D(2026, 8, 31), paused_since=D(2026, 9, 10))
    assert state_of(case, today=D(2026, 9, 30)) is DeadlineState.PAUSED


@pytest.mark.django_db
def test_waiting_for_the_citizen_moves_the_due_date(certification, citizen, reviewers, monkeypatch):
    today = {"date": D(2026, 9, 10)}
    monkeypatch.setattr(clock, "today", lambda: today["date"])
    reviewer = reviewers[0]
    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    case = actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    first_due = case.due_date
    assert first_due is not None and case.paused_since is None

    today["date"] = D(2026, 9, 11)  # Friday: corrections requested, the clock stops
    actions.claim(case.pk, reviewer)
    case = actions.complete_task(
        case.pk, "revision", {"dictamen": "corregir", "observaciones": "?"}, actor=reviewer
    )
    assert case.paused_since == D(2026, 9, 11)

    today["date"] = D(2026, 9, 16)  # Wednesday after the holiday: the citizen answers
    case = actions.complete_task(case.pk, "correccion", {"respuesta": "ok"}, actor=citizen)
    assert case.paused_since is None
    assert case.due_date == add_business_days(first_due, 2)  # Monday 14 and Wednesday 16
