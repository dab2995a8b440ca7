"""Escalation when a case is overdue, driven by one indexed column.

Every change to a case recomputes ``Case.next_timer_at`` (``schedule``, called by
``cases.actions``): the moment the case becomes overdue, or None when there is nothing to
wait for (a draft, a decided case, a case waiting for the citizen, one already escalated).
The timer job (``run_due_timers``: every minute from ``ventanilla worker``, or the
``run_case_timers`` task) reads only the rows whose moment has come, through the index,
locks each one, and escalates it if it is still overdue: the case is marked, a CaseEvent
``escalated`` is written and every supervisor of the case's unit is told.

"Overdue" is ``cases.deadlines.state_of``'s: the due date counts in business days, so a case
due on a Friday is late on Monday, not on Saturday. The moment is the start (00:00 in
``settings.TIME_ZONE``) of the first business day after the due date.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.cases import clock, deadlines
from ventanilla.engine.business_days import add_business_days, business_days_between

logger = logging.getLogger(__name__)

BATCH = 500  # cases looked at per run; the rest wait for the next minute


def _start_of(day: datetime.date) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def overdue_from(due_date: datetime.date) -> datetime.datetime:
    """When a case due on ``due_date`` becomes overdue: 00:00 of the next business day."""
    return _start_of(add_business_days(due_date, 1))


def _waits_for_escalation(case) -> bool:
    from ventanilla.cases.models import Status

    return (
        case.due_date is not None
        and case.status not in {Status.DRAFT, Status.DECIDED}
        and case.decided_at is None
        and case.paused_since is None
        and case.escalated_at is None
    )


def schedule(case) -> None:
    """Set ``case.next_timer_at`` from its due date and pause (the caller saves the case)."""
    case.next_timer_at = overdue_from(case.due_date) if _waits_for_escalation(case) else None


def run_due_timers(now: datetime.datetime | None = None) -> int:
    """Escalate the cases whose timer is due and that are still overdue; returns how many
    were escalated. Each case in its own transaction, its row locked (on PostgreSQL, rows
    another run holds are skipped, so two workers never escalate one case twice)."""
    now = now or timezone.now()
    from ventanilla.cases.models import Case

    due = Case.objects.filter(next_timer_at__lte=now).order_by("next_timer_at")
    escalated = 0
    for case_id in list(due.values_list("pk", flat=True)[:BATCH]):
        # The job runs outside any request: messages in the site's language.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            case = (
                Case.objects.select_for_update(skip_locked=True)
                .select_related("unit", "procedure")
                .filter(pk=case_id, next_timer_at__lte=now)
                .first()
            )
            if case is not None:
                escalated += _fire(case, now)
    return escalated


def _fire(case, now: datetime.datetime) -> int:
    if (
        _waits_for_escalation(case)
        and deadlines.state_of(case, today=clock.today()) is deadlines.DeadlineState.OVERDUE
    ):
        _escalate(case, now)
        return 1
    # Not (or no longer) overdue: the due date moved, the case waits for the citizen, or the
    # clock says it is still the last day. Look again when it would be late, and never in a
    # loop within the same day.
    schedule(case)
    if case.next_timer_at is not None and case.next_timer_at <= now:
        case.next_timer_at = _start_of(clock.today() + datetime.timedelta(days=1))
    case.save(update_fields=["next_timer_at"])
    return 0


def _escalate(case, now: datetime.datetime) -> None:
    from ventanilla.cases.actions import _event

    case.escalated_at = now
    case.next_timer_at = None
    case.save(update_fields=["escalated_at", "next_timer_at"])
    supervisors = list(supervisors_of(case.unit))
    _event(
        case,
        "escalated",
        after={
            "due_date": case.due_date.isoformat(),
            "unit": case.unit.code,
            "supervisors": [user.pk for user in supervisors],
        },
    )
    if not supervisors:
        logger.warning("Case %s is overdue and unit %s has no supervisor", case, case.unit.code)
    for supervisor in supervisors:
        _tell_supervisor(case, supervisor)


def supervisors_of(unit):
    """The active accounts with the supervisor role in ``unit``."""
    from ventanilla.identity.models import Role, User

    return User.objects.filter(
        memberships__org_unit=unit, memberships__role=Role.SUPERVISOR, is_active=True
    ).distinct()


def _tell_supervisor(case, supervisor) -> None:
    from ventanilla.notifications.actions import absolute_url, notify

    path = reverse("cases:office_case", args=[case.pk])
    context = {
        "case": case,
        "recipient": supervisor,
        "platform": settings.VENTANILLA,
        "link": absolute_url(path),
        "late_by": max(business_days_between(case.due_date, clock.today()), 1),
    }
    notify(
        supervisor,
        subject=_("Expediente vencido: %(number)s") % {"number": case.tracking_number},
        body=render_to_string("cases/email/escalated.txt", context),
        link=path,
    )
