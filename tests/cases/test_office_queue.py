"""The back office's queue: who sees which cases, the filters (deadline ones checked against
deadlines.state_of), pages, saved searches, and the markers for absences and substitutes."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.cases import office_fixtures as fx
from tests.cases.conftest import person
from tests.cases.office_fixtures import (
    copies,
    corrections_requested,
    signed_in,
    submitted,
    with_role,
)
from ventanilla.cases import actions, clock, deadlines, office_actions, queries
from ventanilla.cases.deadlines import DeadlineState
from ventanilla.cases.models import Case, SavedSearch
from ventanilla.core.models import Department
from ventanilla.identity.models import Role

pytestmark = pytest.mark.django_db
supervisor, stranger_official, waiting = fx.supervisor, fx.stranger_official, fx.waiting
QUEUE = "/oficina/expedientes/"


def numbers_on(page: str) -> set[str]:
    """The case numbers listed in the queue's table."""
    table = page.split('id="cola"', 1)[1].split("</table>", 1)[0] if 'id="cola"' in page else ""
    return set(re.findall(r"MINEDUC-\d{4}-\d{6}", table))


def test_an_official_sees_the_lanes_they_work_and_the_cases_they_have(
    certification, citizen, reviewers, waiting, stranger_official
):
    reviewer = reviewers[0]
    page = signed_in(reviewer).get(QUEUE).content.decode()
    assert numbers_on(page) == {case.tracking_number for case in waiting}

    # Another unit's official sees none of them and cannot open them.
    other = signed_in(stranger_official)
    assert numbers_on(other.get(QUEUE).content.decode()) == set()
    assert other.get(f"{QUEUE}{waiting[0].pk}/").status_code == 404


def test_a_case_waiting_for_the_citizen_leaves_the_reviewers_queue_but_not_the_supervisors(
    certification, citizen, reviewers, supervisor, waiting
):
    corrected = corrections_requested(waiting[0], reviewers[0])
    assert numbers_on(signed_in(reviewers[1]).get(QUEUE).content.decode()) == {
        waiting[1].tracking_number,
        waiting[2].tracking_number,
    }
    boss = signed_in(supervisor)
    page = boss.get(QUEUE).content.decode()
    assert numbers_on(page) == {case.tracking_number for case in waiting}
    assert "Correcciones pedidas" in page  # the status of the one with the citizen
    assert boss.get(f"{QUEUE}{corrected.pk}/").status_code == 200
    assert "Ausencias y suplentes" in page


def test_filters_by_number_assignment_procedure_step_department_and_lane(
    certification, citizen, reviewers, waiting, supervisor
):
    reviewer = reviewers[0]
    actions.claim(waiting[0].pk, reviewer)
    guatemala = Department.objects.get(code="01")
    Case.objects.filter(pk=waiting[1].pk).update(department=guatemala)
    client = signed_in(supervisor)

    def shown(query):
        return numbers_on(client.get(f"{QUEUE}?{query}").content.decode())

    number = waiting[2].tracking_number
    assert shown(f"numero={number.lower()}") == {number}
    assert shown(f"numero={int(number.rsplit('-', 1)[1])}") == {number}
    assert shown("asignacion=sin-asignar") == {waiting[1].tracking_number, number}
    assert shown(f"departamento={guatemala.code}") == {waiting[1].tracking_number}
    everything = {case.tracking_number for case in waiting}
    assert shown(f"tramite={certification.pk}") == everything
    assert shown("paso=certificacion-de-estudios:revision") == everything
    assert shown("paso=certificacion-de-estudios:correccion") == set()
    assert shown("a_cargo=reviewer") == everything
    assert shown("a_cargo=applicant") == set()
    mine = signed_in(reviewer).get(f"{QUEUE}?asignacion=mios").content.decode()
    assert numbers_on(mine) == {waiting[0].tracking_number}


def test_a_wrong_filter_value_is_named_and_the_others_still_apply(reviewers, waiting):
    response = signed_in(reviewers[0]).get(f"{QUEUE}?plazo=ayer&numero={waiting[0]}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hay un problema" in page and "Elija una de las opciones" in page
    assert numbers_on(page) == {waiting[0].tracking_number}


def test_the_deadline_filter_in_sql_agrees_with_state_of(certification, citizen, reviewers):
    """Every combination of submission and due date over two months, seen on a Friday, a
    Sunday and the day after a holiday: the SQL filter and the per-case rule agree."""
    template = submitted(certification, citizen)
    start = datetime.date(2026, 8, 3)
    rows = []
    for submitted_offset in range(0, 50, 3):
        sent = start + datetime.timedelta(days=submitted_offset)
        for due_offset in range(0, 75, 2):
            due = sent + datetime.timedelta(days=due_offset)
            rows.append(
                {
                    "submitted_at": timezone.make_aware(
                        datetime.datetime.combine(sent, datetime.time(10)), datetime.UTC
                    ),
                    "due_date": due,
                }
            )
    cases = copies(template, len(rows))
    for case, fields in zip(cases, rows, strict=True):
        case.submitted_at, case.due_date = fields["submitted_at"], fields["due_date"]
    Case.objects.bulk_update(cases, ["submitted_at", "due_date"])
    paused = copies(template, 2, due_date=start, paused_since=start)
    cases = list(Case.objects.filter(pk__in=[c.pk for c in cases + paused]))
    for today in (
        datetime.date(2026, 9, 11),
        datetime.date(2026, 9, 13),
        datetime.date(2026, 9, 16),
    ):
        expected = {state: set() for state in DeadlineState}
        for case in cases:
            expected[deadlines.state_of(case, today=today)].add(case.pk)
        for state in DeadlineState:
            found = set(
                Case.objects.filter(pk__in=[c.pk for c in cases])
                .filter(queries.deadline_filter(state, today))
                .values_list("pk", flat=True)
            )
            assert found == expected[state], (today, state)
        assert all(expected.values())  # every state is exercised


def test_overdue_and_at_risk_filters_on_the_page(
    certification, citizen, reviewers, waiting, monkeypatch
):
    today = datetime.date(2026, 9, 16)
    monkeypatch.setattr(clock, "today", lambda: today)
    sent = timezone.make_aware(datetime.datetime(2026, 8, 31, 10), datetime.UTC)
    Case.objects.filter(pk=waiting[0].pk).update(submitted_at=sent, due_date=today)  # last day
    Case.objects.filter(pk=waiting[1].pk).update(
        submitted_at=sent, due_date=datetime.date(2026, 9, 15)
    )
    Case.objects.filter(pk=waiting[2].pk).update(
        submitted_at=sent, due_date=datetime.date(2026, 10, 30)
    )
    client = signed_in(reviewers[0])
    overdue = client.get(f"{QUEUE}?plazo=vencido").content.decode()
    assert numbers_on(overdue) == {waiting[1].tracking_number} and "Vencido" in overdue
    at_risk = client.get(f"{QUEUE}?plazo=vence-pronto").content.decode()
    assert numbers_on(at_risk) == {waiting[0].tracking_number} and "Vence pronto" in at_risk
    on_time = client.get(f"{QUEUE}?plazo=a-tiempo").content.decode()
    assert numbers_on(on_time) == {waiting[2].tracking_number}


def test_fifty_a_page_oldest_first_with_a_count_that_stops_at_the_cap(
    certification, citizen, reviewers
):
    first = submitted(certification, citizen)
    copies(first, 119)
    client = signed_in(reviewers[0])
    page_one = client.get(QUEUE).content.decode()
    assert "120 expedientes" in page_one and "Página 1 de 3" in page_one
    assert first.tracking_number in page_one  # the oldest comes first
    assert len(numbers_on(page_one)) == 50
    page_three = client.get(f"{QUEUE}?pagina=3").content.decode()
    assert len(numbers_on(page_three)) == 20
    assert len(numbers_on(client.get(f"{QUEUE}?pagina=99").content.decode())) == 20

    paginator = queries.QueuePaginator(queries.office_cases(reviewers[0]), 50, cap=100)
    assert (paginator.count, paginator.more_than_cap, paginator.num_pages) == (100, True, 2)


def test_the_queue_page_makes_the_same_few_queries_for_any_number_of_rows(
    certification, citizen, reviewers, django_assert_max_num_queries
):
    first = submitted(certification, citizen)
    copies(first, 80)
    for case in Case.objects.order_by("submitted_at")[:10]:
        actions.claim(case.pk, reviewers[1])
    client = signed_in(reviewers[0])
    client.get(QUEUE)  # sessions, caches
    with django_assert_max_num_queries(25):
        assert client.get(QUEUE).status_code == 200


def test_save_open_and_delete_a_search(reviewers, waiting):
    client = signed_in(reviewers[0])
    query = "asignacion=sin-asignar&plazo=vencido&pagina=2&evil=<script>"
    response = client.post(f"{QUEUE}busquedas/", {"name": "Vencidos libres", "query": query})
    search = SavedSearch.objects.get(owner=reviewers[0])
    assert search.query == "plazo=vencido&asignacion=sin-asignar"  # known filters only
    assert response.url == f"{QUEUE}?{search.query}"
    page = client.get(QUEUE).content.decode()
    assert "Vencidos libres" in page and 'href="?plazo=vencido&amp;asignacion=sin-asignar"' in page

    # The same name again changes its filters instead of failing.
    client.post(f"{QUEUE}busquedas/", {"name": "Vencidos libres", "query": "plazo=a-tiempo"})
    assert SavedSearch.objects.get(pk=search.pk).query == "plazo=a-tiempo"

    # Someone else cannot delete it; its owner can.
    assert signed_in(reviewers[1]).post(f"{QUEUE}busquedas/{search.pk}/borrar/").status_code == 404
    client.post(f"{QUEUE}busquedas/{search.pk}/borrar/")
    assert not SavedSearch.objects.filter(pk=search.pk).exists()


def test_saving_a_search_without_a_name_or_filters_explains_and_keeps_the_queue(reviewers, waiting):
    client = signed_in(reviewers[0])
    response = client.post(f"{QUEUE}busquedas/", {"name": "", "query": "plazo=vencido"})
    page = response.content.decode()
    assert response.status_code == 200 and "Escriba un nombre para la búsqueda" in page
    assert 'value="plazo=vencido"' in page  # the filters are still there to save
    response = client.post(f"{QUEUE}busquedas/", {"name": "Todo", "query": ""})
    assert "Elija antes algún filtro" in response.content.decode()
    assert 'value="Todo"' in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_away_assignees_and_substitutes_are_marked(
    certification, citizen, reviewers, supervisor, waiting
):
    reviewer, colleague = reviewers
    actions.claim(waiting[0].pk, reviewer)
    actions.claim(waiting[1].pk, colleague)
    today = clock.today()
    office_actions.record_absence(
        reviewer, colleague, today, today + datetime.timedelta(days=3), actor=supervisor
    )
    # A third case assigned to someone who goes away later, without moving it.
    substitute = with_role(
        person(83, first_names="Sara"), Role.REVIEWER, certification.responsible_unit
    )
    actions.claim(waiting[2].pk, substitute)
    from ventanilla.cases.models import Absence

    Absence.objects.create(
        official=substitute, substitute=colleague, starts=today, ends=today, recorded_by=supervisor
    )
    page = signed_in(supervisor).get(QUEUE).content.decode()
    rows = {
        number: row
        for row in page.split('<tr class="govuk-table__row">')
        for number in re.findall(r"MINEDUC-\d{4}-\d{6}", row)
    }
    assert "Suplente" in rows[waiting[0].tracking_number]
    assert "de Revisor 2" in rows[waiting[0].tracking_number]
    assert "Suplente" not in rows[waiting[1].tracking_number]
    assert "Ausente" in rows[waiting[2].tracking_number]
    assert "lo suple Revisor 3" in rows[waiting[2].tracking_number]


def test_office_pages_are_for_officials(client, citizen, waiting):
    client.force_login(citizen)
    for url in [QUEUE, "/oficina/ausencias/"]:
        assert client.get(url).status_code == 403
    for url in [f"{QUEUE}busquedas/", f"{QUEUE}busquedas/1/borrar/", f"{QUEUE}lote/"]:
        assert client.post(url).status_code == 403
