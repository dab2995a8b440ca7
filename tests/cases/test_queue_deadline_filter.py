"""The queue's deadline filters in SQL against ``deadlines.state_of`` over the whole horizon
the SQL knows (260 business days ahead): long legal deadlines, with submissions on either
side of the day they become at risk (at risk: 20 % of the time or less is left). Past the
horizon the SQL counts a case as on time (``queries.AT_RISK_HORIZON``: at risk there would
take a legal deadline of more than five years)."""

import datetime

import pytest
from django.utils import timezone

from tests.cases.office_fixtures import copies, submitted
from ventanilla.cases import deadlines, queries
from ventanilla.cases.deadlines import DeadlineState
from ventanilla.cases.models import Case
from ventanilla.engine.business_days import add_business_days

pytestmark = pytest.mark.django_db


def business_days_back(day: datetime.date, count: int) -> datetime.date:
    """The day ``count`` business days before ``day`` (as far back as add goes forward)."""
    start = day - datetime.timedelta(days=2 * count + 10)
    while add_business_days(start, count) < day:
        start += datetime.timedelta(days=1)
    return start


def test_long_deadlines_agree_with_state_of_up_to_the_horizon(certification, citizen):
    today = datetime.date(2026, 9, 16)
    template = submitted(certification, citizen)
    rows = []
    for left in (1, 2, 37, 64, 65, 129, 130, 200, 258, 259, 260, queries.AT_RISK_HORIZON + 1):
        due = add_business_days(today, left)
        for gone in (4 * left - 1, 4 * left, 4 * left + 1):  # at risk from E >= 4 L
            sent = business_days_back(today, gone)
            rows.append((due, datetime.datetime.combine(sent, datetime.time(9), datetime.UTC)))
    cases = copies(template, len(rows))
    for case, (due, sent) in zip(cases, rows, strict=True):
        case.due_date, case.submitted_at = due, timezone.localtime(sent)
    Case.objects.bulk_update(cases, ["due_date", "submitted_at"])
    cases = list(Case.objects.filter(pk__in=[c.pk for c in cases]))

    expected = {state: set() for state in DeadlineState}
    for case in cases:
        state = deadlines.state_of(case, today=today)
        if deadlines.business_days_between(today, case.due_date) > queries.AT_RISK_HORIZON:
            state = DeadlineState.ON_TIME
        expected[state].add(case.pk)
    assert expected[DeadlineState.AT_RISK] and expected[DeadlineState.ON_TIME]
    for state in (DeadlineState.AT_RISK, DeadlineState.ON_TIME):
        found = Case.objects.filter(pk__in=[c.pk for c in cases]).filter(
            queries.deadline_filter(state, today)
        )
        assert set(found.values_list("pk", flat=True)) == expected[state], state
