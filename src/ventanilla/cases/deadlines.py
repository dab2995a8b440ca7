"""Legal deadlines in business days: where a case stands against its due date.

The due date is set when the case is submitted (the diagram's ``plazo_habil`` service). While
the case waits for the citizen (corrections requested), the clock stops: when the citizen
answers, the due date moves by the business days the case waited.
"""

from __future__ import annotations

from enum import StrEnum

from ventanilla.cases import clock
from ventanilla.engine.business_days import add_business_days, business_days_between

AT_RISK_SHARE = 0.2  # at risk when 20 % or less of the time is left


class DeadlineState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    PAUSED = "paused"


def state_of(case, today=None) -> DeadlineState | None:
    if case.due_date is None or case.decided_at is not None:
        return None
    if case.paused_since is not None:
        return DeadlineState.PAUSED
    today = today or clock.today()
    left = business_days_between(today, case.due_date)
    if left < 0:
        return DeadlineState.OVERDUE
    start = case.submitted_at.date() if case.submitted_at else today
    total = max(business_days_between(start, case.due_date), 1)
    return DeadlineState.AT_RISK if left <= total * AT_RISK_SHARE else DeadlineState.ON_TIME


def pause(case, today=None) -> None:
    if case.paused_since is None:
        case.paused_since = today or clock.today()


def resume(case, today=None) -> None:
    """Move the due date by the business days the case waited for the citizen."""
    if case.paused_since is None:
        return
    waited = business_days_between(case.paused_since, today or clock.today())
    if case.due_date is not None and waited > 0:
        case.due_date = add_business_days(case.due_date, waited)
    case.paused_since = None
