"""Bulk actions on the queue: take, give back, assign; one transaction per case and a
message that counts what happened to each."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tests.cases import office_fixtures as fx
from tests.cases.office_fixtures import copies, signed_in, submitted
from ventanilla.cases import actions, clock, office_actions
from ventanilla.cases.models import Absence, Case, CaseEvent

supervisor, stranger_official, waiting = fx.supervisor, fx.stranger_official, fx.waiting
BULK = "/oficina/expedientes/lote/"


def message_after(response) -> str:
    return response.content.decode().split("govuk-notification-banner__heading")[1]


@pytest.mark.django_db
def test_take_several_and_hear_about_the_one_someone_else_has(reviewers, waiting):
    reviewer, colleague = reviewers
    actions.claim(waiting[2].pk, colleague)
    response = signed_in(reviewer).post(
        BULK,
        {"accion": "tomar", "expedientes": [c.pk for c in waiting], "volver": "plazo=vencido"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == "/oficina/expedientes/?plazo=vencido"
    assert "2 tomados; 1 ya lo tenía otra persona." in message_after(response)
    assignees = dict(
        Case.objects.filter(pk__in=[c.pk for c in waiting]).values_list("pk", "assignee")
    )
    assert assignees == {
        waiting[0].pk: reviewer.pk,
        waiting[1].pk: reviewer.pk,
        waiting[2].pk: colleague.pk,
    }
    assert CaseEvent.objects.filter(kind="claimed", actor=reviewer).count() == 2


@pytest.mark.django_db
def test_give_back_only_ones_own(reviewers, waiting):
    reviewer, colleague = reviewers
    actions.claim(waiting[0].pk, reviewer)
    actions.claim(waiting[1].pk, colleague)
    response = signed_in(reviewer).post(
        BULK, {"accion": "devolver", "expedientes": [c.pk for c in waiting]}, follow=True
    )
    message = message_after(response)
    assert "1 devuelto a la cola; 1 ya estaba en la cola; 1 no lo tenía usted." in message
    assert Case.objects.get(pk=waiting[0].pk).assignee is None
    assert Case.objects.get(pk=waiting[1].pk).assignee == colleague


@pytest.mark.django_db
def test_the_supervisor_assigns_several_and_absences_send_them_to_the_substitute(
    reviewers, supervisor, waiting
):
    reviewer, colleague = reviewers
    boss = signed_in(supervisor)
    page = boss.get("/oficina/expedientes/").content.decode()
    assert '<option value="asignar">' in page and 'name="persona"' in page
    response = boss.post(
        BULK,
        {
            "accion": "asignar",
            "persona": reviewer.pk,
            "expedientes": [waiting[0].pk, waiting[1].pk],
        },
        follow=True,
    )
    assert "2 asignados." in message_after(response)
    today = clock.today()
    Absence.objects.create(
        official=reviewer, substitute=colleague, starts=today, ends=today, recorded_by=supervisor
    )
    response = boss.post(
        BULK,
        {"accion": "asignar", "persona": reviewer.pk, "expedientes": [c.pk for c in waiting]},
        follow=True,
    )
    assert "3 pasaron al suplente porque la persona está ausente." in message_after(response)
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in waiting]).values_list("assignee", flat=True)
    ) == {colleague.pk}


@pytest.mark.django_db
def test_only_supervisors_may_assign_in_bulk(reviewers, waiting):
    client = signed_in(reviewers[0])
    assert '<option value="asignar">' not in client.get("/oficina/expedientes/").content.decode()
    response = client.post(
        BULK,
        {"accion": "asignar", "persona": reviewers[1].pk, "expedientes": [waiting[0].pk]},
        follow=True,
    )
    assert "Elija una de las opciones." in message_after(response)
    assert Case.objects.get(pk=waiting[0].pk).assignee is None


@pytest.mark.django_db
def test_assign_needs_a_person_and_something_ticked(reviewers, supervisor, waiting):
    boss = signed_in(supervisor)
    response = boss.post(BULK, {"accion": "asignar", "expedientes": [waiting[0].pk]}, follow=True)
    assert "Elija a quién asignar los expedientes." in message_after(response)
    response = boss.post(BULK, {"accion": "tomar"}, follow=True)
    assert "Marque al menos un expediente de la lista." in message_after(response)
    assert not Case.objects.filter(assignee__isnull=False).exists()


@pytest.mark.django_db
def test_cases_of_another_unit_are_left_alone(reviewers, waiting, stranger_official):
    response = signed_in(stranger_official).post(
        BULK, {"accion": "tomar", "expedientes": [waiting[0].pk, 999_999]}, follow=True
    )
    assert "2 no están entre sus expedientes." in message_after(response)
    assert Case.objects.get(pk=waiting[0].pk).assignee is None


@pytest.mark.django_db
def test_a_bulk_action_is_one_transaction_per_case(reviewers, waiting):
    """A case that fails (someone else has it) does not undo the others."""
    actions.claim(waiting[1].pk, reviewers[1])
    outcomes = office_actions.bulk_claim([c.pk for c in waiting], actor=reviewers[0])
    assert outcomes == {"claimed": 2, "taken": 1}
    assert Case.objects.filter(assignee=reviewers[0]).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under real concurrency need PostgreSQL (CI runs the suite on both)",
)
def test_two_officials_take_the_same_twenty_cases_at_once(certification, citizen, reviewers):
    first = submitted(certification, citizen)
    ids = [first.pk] + [case.pk for case in copies(first, 19)]
    barrier = threading.Barrier(2)

    def take(official):
        try:
            barrier.wait()
            return office_actions.bulk_claim(ids, actor=official)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        first_outcome, second_outcome = pool.map(take, reviewers)
    assert first_outcome["claimed"] + second_outcome["claimed"] == 20
    assert first_outcome["taken"] + second_outcome["taken"] == 20
    assert Case.objects.filter(pk__in=ids, assignee__isnull=True).count() == 0
    assert CaseEvent.objects.filter(case__in=ids, kind="claimed").count() == 20
