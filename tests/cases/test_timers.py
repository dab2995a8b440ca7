"""Escalation of overdue cases on a controlled clock: the timer is set from the due date in
business days (across a weekend and 15 September), fires once, tells the unit's supervisors
by e-mail, and leaves alone the cases that wait for the citizen or are decided."""

import datetime
import zoneinfo

import pytest

from tests.cases.conftest import SOLICITUD, person
from ventanilla import cli
from ventanilla.cases import actions, clock, timers
from ventanilla.cases.models import Case, Status
from ventanilla.cases.tasks import run_case_timers
from ventanilla.core.models import OrgUnit
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import Role

GT = zoneinfo.ZoneInfo("America/Guatemala")
D = datetime.date

# Submitted on Monday 31 August 2026, a certification (10 business days) is due on Monday
# 14 September; Tuesday 15 is Independence Day, so it is late from Wednesday 16.
SUBMITTED, DUE, LATE = D(2026, 8, 31), D(2026, 9, 14), D(2026, 9, 16)


def at(day, hour=0, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=GT)


@pytest.fixture
def today(monkeypatch):
    state = {"date": SUBMITTED}
    monkeypatch.setattr(clock, "today", lambda: state["date"])
    return state


@pytest.fixture
def supervisors(certification):
    admin = person(91, first_names="Ada")
    bootstrap_administrator(admin, OrgUnit.objects.get(code="dinfo"))
    chiefs = []
    for n in (40, 50):  # person() numbers whose CUIs differ
        chief = person(n, first_names=f"Jefa {n}", email=f"jefa{n}@example.org")
        grant_role(chief, Role.SUPERVISOR, certification.responsible_unit, actor=admin)
        chiefs.append(chief)
    other = person(70, first_names="Otra", email="otra@example.org")
    grant_role(other, Role.SUPERVISOR, OrgUnit.objects.get(code="dideduc-peten"), actor=admin)
    return chiefs


def submitted_case(certification, citizen):
    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    assert case.next_timer_at is None  # a draft has no deadline
    return actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)


def run(day, hour=0, minute=0, *, today, capture):
    today["date"] = day
    with capture(execute=True):
        return timers.run_due_timers(now=at(day, hour, minute))


def test_the_timer_is_the_first_business_day_after_the_due_date():
    assert timers.overdue_from(D(2026, 9, 14)) == at(D(2026, 9, 16))  # over 15 September
    assert timers.overdue_from(D(2026, 9, 11)) == at(D(2026, 9, 14))  # Friday → Monday
    assert timers.overdue_from(D(2026, 9, 16)) == at(D(2026, 9, 17))
    assert at(D(2026, 9, 16)).astimezone(datetime.UTC).hour == 6  # 00:00 in Guatemala


def test_an_overdue_case_is_escalated_once_to_its_units_supervisors(
    certification, citizen, supervisors, today, inbox, django_capture_on_commit_callbacks
):
    case = submitted_case(certification, citizen)
    assert case.due_date == DUE
    assert case.next_timer_at == at(LATE)

    def escalations():
        return case.events.filter(kind="escalated").count()

    kw = {"today": today, "capture": django_capture_on_commit_callbacks}
    assert run(D(2026, 9, 11), 12, **kw) == 0  # Friday
    assert run(D(2026, 9, 13), 12, **kw) == 0  # Sunday
    assert run(DUE, 23, 59, **kw) == 0  # the last day itself is on time
    assert run(D(2026, 9, 15), 12, **kw) == 0  # a holiday is not a day late
    assert escalations() == 0 and inbox.messages == []

    assert run(LATE, 0, 0, **kw) == 1
    case.refresh_from_db()
    assert case.escalated_at == at(LATE)
    assert case.next_timer_at is None
    event = case.events.get(kind="escalated")
    assert event.after["due_date"] == DUE.isoformat()
    assert sorted(event.after["supervisors"]) == sorted(s.pk for s in supervisors)

    assert run(LATE, 0, 1, **kw) == 0
    assert run(D(2026, 9, 30), 9, **kw) == 0
    assert escalations() == 1

    recipients = sorted(message["To"] for message in inbox.messages)
    assert recipients == ["jefa40@example.org", "jefa50@example.org"]  # not Petén's
    message = inbox.to("jefa40@example.org")[0]
    assert case.tracking_number in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert "venció el 14 de septiembre de 2026" in body
    assert "1 día hábil de atraso" in body
    assert f"http://testserver/oficina/expedientes/{case.pk}/" in body


def test_a_case_waiting_for_the_citizen_does_not_escalate(
    certification, citizen, reviewers, supervisors, today, django_capture_on_commit_callbacks
):
    kw = {"today": today, "capture": django_capture_on_commit_callbacks}
    case = submitted_case(certification, citizen)
    today["date"] = D(2026, 9, 10)
    actions.claim(case.pk, reviewers[0])
    case = actions.complete_task(
        case.pk, "revision", {"dictamen": "corregir", "observaciones": "?"}, actor=reviewers[0]
    )
    assert case.status == Status.CORRECTIONS and case.next_timer_at is None
    assert run(D(2026, 10, 30), 9, **kw) == 0  # weeks after the first due date: paused

    today["date"] = D(2026, 10, 1)  # the citizen answers; the due date moves by the wait
    case = actions.complete_task(case.pk, "correccion", {"respuesta": "ok"}, actor=citizen)
    assert case.due_date > DUE
    assert case.next_timer_at == timers.overdue_from(case.due_date)
    assert run(case.due_date, 18, **kw) == 0
    assert run(case.next_timer_at.date(), 0, **kw) == 1


def test_a_decided_case_has_no_timer(certification, citizen, reviewers, today):
    case = submitted_case(certification, citizen)
    actions.claim(case.pk, reviewers[0])
    case = actions.complete_task(
        case.pk, "revision", {"dictamen": "aprobar", "observaciones": "ok"}, actor=reviewers[0]
    )
    assert case.status == Status.DECIDED and case.next_timer_at is None


def test_a_stale_timer_is_set_again_instead_of_escalating(
    certification, citizen, supervisors, today, django_capture_on_commit_callbacks
):
    """The job looks again before it escalates: a case that is not late (any more) gets its
    timer moved to when it would be."""
    case = submitted_case(certification, citizen)
    Case.objects.filter(pk=case.pk).update(next_timer_at=at(D(2026, 9, 1)))
    kw = {"today": today, "capture": django_capture_on_commit_callbacks}
    assert run(D(2026, 9, 2), 8, **kw) == 0
    case.refresh_from_db()
    assert case.next_timer_at == at(LATE) and case.escalated_at is None


def test_the_task_and_the_command_run_the_same_timers(
    certification, citizen, supervisors, today, capsys
):
    first, second = (submitted_case(certification, citizen) for _ in range(2))
    today["date"] = D(2026, 9, 17)  # both overdue; the job sees the ones whose timer is due
    Case.objects.update(next_timer_at=at(D(2099, 1, 1)))
    Case.objects.filter(pk=first.pk).update(next_timer_at=at(D(2020, 1, 1)))
    assert run_case_timers.call() == 1
    Case.objects.filter(pk=second.pk).update(next_timer_at=at(D(2020, 1, 1)))
    cli.timers([])
    assert capsys.readouterr().out == "Expedientes vencidos escalados: 1\n"
    assert Case.objects.filter(escalated_at__isnull=False).count() == 2
