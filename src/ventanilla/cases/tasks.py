"""Background jobs of the cases app (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_case_timers() -> int:
    """Escalate the overdue cases whose timer is due (``cases.timers``); how many were.

    ``ventanilla worker`` already runs the timers every minute; this task is for deployments
    whose scheduler enqueues jobs instead (another Tasks backend, a cron entry)."""
    from ventanilla.cases.timers import run_due_timers

    return run_due_timers()
