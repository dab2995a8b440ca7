"""Who works a case: claim, assign and reassign (to a substitute when someone is away),
give back to the queue, and absences recorded by the unit's supervisor."""

import datetime

import pytest

from tests.cases import office_fixtures as fx
from tests.cases.conftest import person
from tests.cases.office_fixtures import corrections_requested, signed_in, with_role
from ventanilla.cases import actions, clock, office_actions
from ventanilla.cases.models import Absence, Case, CaseEvent
from ventanilla.identity.models import Role

pytestmark = pytest.mark.django_db
supervisor, stranger_official, waiting = fx.supervisor, fx.stranger_official, fx.waiting
CASE = "/oficina/expedientes/{}/"


def today_plus(days):
    return clock.today() + datetime.timedelta(days=days)


def assignees_of(case):
    return [
        (event.kind, event.before.get("assignee"), event.after.get("assignee"))
        for event in CaseEvent.objects.filter(
            case=case, kind__in=["claimed", "assigned", "reassigned", "released"]
        ).order_by("at", "id")
    ]


def test_the_supervisor_assigns_and_reassigns_with_an_event_each(reviewers, supervisor, waiting):
    case = waiting[0]
    reviewer, colleague = reviewers
    boss = signed_in(supervisor)
    page = boss.get(CASE.format(case.pk)).content.decode()
    assert 'id="asignar"' in page and "Revisor 2" in page and "Revisor 3" in page

    response = boss.post(CASE.format(case.pk) + "asignar/", {"persona": reviewer.pk})
    assert response.url == CASE.format(case.pk)
    assert "Asignamos el expediente a Revisor 2" in boss.get(response.url).content.decode()
    boss.post(CASE.format(case.pk) + "asignar/", {"persona": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague
    assert assignees_of(case) == [
        ("assigned", None, reviewer.pk),
        ("reassigned", reviewer.pk, colleague.pk),
    ]
    event = CaseEvent.objects.get(case=case, kind="reassigned")
    assert event.actor == supervisor and event.task == "revision"


def test_whoever_has_the_case_may_pass_it_on_and_nobody_else(reviewers, supervisor, waiting):
    case = waiting[0]
    reviewer, colleague = reviewers
    actions.claim(case.pk, reviewer)
    with pytest.raises(office_actions.NotAllowed):
        office_actions.assign(case.pk, colleague, actor=colleague)
    response = signed_in(colleague).post(
        CASE.format(case.pk) + "asignar/", {"persona": colleague.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == reviewer  # unchanged

    signed_in(reviewer).post(CASE.format(case.pk) + "asignar/", {"persona": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague


def test_only_someone_who_works_the_lane_can_receive_the_case(
    certification, reviewers, supervisor, waiting
):
    signer = with_role(person(84, first_names="Firma"), Role.SIGNER, certification.responsible_unit)
    with pytest.raises(office_actions.CannotWorkLane, match="no puede trabajar este paso"):
        office_actions.assign(waiting[0].pk, signer, actor=supervisor)
    # The page does not offer them, and refuses them if sent anyway.
    boss = signed_in(supervisor)
    assert (
        "Firma"
        not in boss.get(CASE.format(waiting[0].pk))
        .content.decode()
        .split('id="asignar"')[1]
        .split("</form>")[0]
    )
    boss.post(CASE.format(waiting[0].pk) + "asignar/", {"persona": signer.pk})
    assert Case.objects.get(pk=waiting[0].pk).assignee is None


def test_a_case_assigned_to_someone_away_goes_to_their_substitute_and_the_page_says_so(
    reviewers, supervisor, waiting
):
    reviewer, colleague = reviewers
    Absence.objects.create(
        official=reviewer,
        substitute=colleague,
        starts=today_plus(-1),
        ends=today_plus(5),
        recorded_by=supervisor,
    )
    boss = signed_in(supervisor)
    form = boss.get(CASE.format(waiting[0].pk)).content.decode()
    assert "Revisor 2 (ausente: lo atiende Revisor 3)" in form
    response = boss.post(
        CASE.format(waiting[0].pk) + "asignar/", {"persona": reviewer.pk}, follow=True
    )
    assert "Revisor 2 está ausente hoy: el expediente pasó a su suplente, Revisor 3." in (
        response.content.decode()
    )
    event = CaseEvent.objects.get(case=waiting[0], kind="assigned")
    assert event.after == {"assignee": colleague.pk, "substitute_for": reviewer.pk}


def test_a_substitute_who_cannot_work_the_lane_is_refused(
    certification, reviewers, supervisor, waiting
):
    reviewer = reviewers[0]
    signer = with_role(person(85, first_names="Firma"), Role.SIGNER, certification.responsible_unit)
    Absence.objects.create(
        official=reviewer,
        substitute=signer,
        starts=today_plus(0),
        ends=today_plus(0),
        recorded_by=supervisor,
    )
    with pytest.raises(office_actions.CannotWorkLane, match="su suplente, Firma, no puede"):
        office_actions.assign(waiting[0].pk, reviewer, actor=supervisor)
    assert Case.objects.get(pk=waiting[0].pk).assignee is None


def test_give_back_to_the_queue(reviewers, supervisor, waiting):
    reviewer, colleague = reviewers
    case = waiting[0]
    actions.claim(case.pk, reviewer)
    page = signed_in(reviewer).get(CASE.format(case.pk)).content.decode()
    assert "Devolver a la cola" in page
    assert (
        "Devolver a la cola" not in signed_in(colleague).get(CASE.format(case.pk)).content.decode()
    )

    signed_in(colleague).post(CASE.format(case.pk) + "devolver/")
    assert Case.objects.get(pk=case.pk).assignee == reviewer  # not hers to give back
    response = signed_in(reviewer).post(CASE.format(case.pk) + "devolver/")
    assert response.url == "/oficina/expedientes/"
    assert Case.objects.get(pk=case.pk).assignee is None
    # The supervisor may give back anyone's case.
    actions.claim(case.pk, colleague)
    office_actions.release(case.pk, actor=supervisor)
    assert assignees_of(case) == [
        ("claimed", None, reviewer.pk),
        ("released", reviewer.pk, None),
        ("claimed", None, colleague.pk),
        ("released", colleague.pk, None),
    ]


def test_a_case_waiting_for_the_citizen_cannot_be_assigned(reviewers, supervisor, waiting):
    case = corrections_requested(waiting[0], reviewers[0])
    with pytest.raises(office_actions.NotPending):
        office_actions.assign(case.pk, reviewers[1], actor=supervisor)
    assert 'id="asignar"' not in signed_in(supervisor).get(CASE.format(case.pk)).content.decode()


def test_recording_an_absence_moves_the_open_cases_to_the_substitute(
    certification, reviewers, supervisor, waiting
):
    reviewer, colleague = reviewers
    signer = with_role(person(86, first_names="Firma"), Role.SIGNER, certification.responsible_unit)
    with_role(signer, Role.REVIEWER, certification.responsible_unit)
    for case in waiting[:2]:
        actions.claim(case.pk, reviewer)
    boss = signed_in(supervisor)
    page = boss.get("/oficina/ausencias/").content.decode()
    assert "Registrar una ausencia" in page
    response = boss.post(
        "/oficina/ausencias/",
        {
            "official": reviewer.pk,
            "substitute": colleague.pk,
            "starts": today_plus(0).strftime("%d/%m/%Y"),
            "ends": today_plus(10).strftime("%d/%m/%Y"),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Registramos la ausencia de Revisor 2; la suple Revisor 3." in page
    assert "2 expedientes pasaron a su suplente." in page
    assert 'id="ausencias"' in page
    absence = Absence.objects.get(official=reviewer)
    for case in waiting[:2]:
        case.refresh_from_db()
        assert case.assignee == colleague
        event = CaseEvent.objects.get(case=case, kind="reassigned")
        assert event.before == {"assignee": reviewer.pk}
        assert event.after == {
            "assignee": colleague.pk,
            "substitute_for": reviewer.pk,
            "absence": absence.pk,
        }
    assert Case.objects.get(pk=waiting[2].pk).assignee is None


def test_cases_the_substitute_cannot_work_go_back_to_the_queue(
    certification, reviewers, supervisor, waiting
):
    reviewer = reviewers[0]
    signer = with_role(person(87, first_names="Firma"), Role.SIGNER, certification.responsible_unit)
    actions.claim(waiting[0].pk, reviewer)
    outcome = office_actions.record_absence(
        reviewer, signer, today_plus(0), today_plus(1), actor=supervisor
    )
    assert (outcome.moved, [c.pk for c in outcome.released]) == ([], [waiting[0].pk])
    assert Case.objects.get(pk=waiting[0].pk).assignee is None
    assert CaseEvent.objects.get(case=waiting[0], kind="released").after["absence"] == (
        outcome.absence.pk
    )


def test_a_future_absence_moves_nothing_yet(reviewers, supervisor, waiting):
    reviewer, colleague = reviewers
    actions.claim(waiting[0].pk, reviewer)
    outcome = office_actions.record_absence(
        reviewer, colleague, today_plus(3), today_plus(4), actor=supervisor
    )
    assert outcome.moved == [] and Case.objects.get(pk=waiting[0].pk).assignee == reviewer


def test_the_absence_form_explains_mistakes_and_keeps_what_was_typed(reviewers, supervisor):
    reviewer = reviewers[0]
    boss = signed_in(supervisor)
    response = boss.post(
        "/oficina/ausencias/",
        {
            "official": reviewer.pk,
            "substitute": reviewer.pk,
            "starts": "31/02/2027",
            "ends": "mañana",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Hay un problema" in page
    assert "Elija como suplente a otra persona" in page
    assert "Escriba la fecha como día/mes/año" in page
    assert 'value="31/02/2027"' in page and 'value="mañana"' in page
    response = boss.post(
        "/oficina/ausencias/",
        {
            "official": reviewer.pk,
            "substitute": reviewers[1].pk,
            "starts": "10/01/2027",
            "ends": "05/01/2027",
        },
    )
    assert "La fecha final debe ser igual o posterior a la inicial" in response.content.decode()
    assert not Absence.objects.exists()


def test_absences_are_for_the_supervisor_of_the_unit(
    client, citizen, reviewers, supervisor, stranger_official
):
    client.force_login(citizen)
    assert client.get("/oficina/ausencias/").status_code == 403
    assert signed_in(reviewers[0]).get("/oficina/ausencias/").status_code == 403
    # A supervisor elsewhere cannot record an absence for this unit's officials.
    other = signed_in(stranger_official)
    response = other.post(
        "/oficina/ausencias/",
        {
            "official": reviewers[0].pk,
            "substitute": reviewers[1].pk,
            "starts": today_plus(0).strftime("%d/%m/%Y"),
            "ends": today_plus(1).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200 and "Elija una de las opciones" in response.content.decode()
    with pytest.raises(office_actions.NotAllowed):
        office_actions.record_absence(
            reviewers[0], reviewers[1], today_plus(0), today_plus(1), actor=stranger_official
        )
    assert not Absence.objects.exists()


def test_assignment_routes_are_closed_to_others(
    client, citizen, reviewers, waiting, stranger_official
):
    case = waiting[0]
    actions.claim(case.pk, reviewers[0])
    client.force_login(citizen)
    for route in ["asignar/", "devolver/", "tomar/"]:
        assert client.post(CASE.format(case.pk) + route).status_code == 403
    other = signed_in(stranger_official)
    for route in ["asignar/", "devolver/", "tomar/"]:
        assert (
            other.post(CASE.format(case.pk) + route, {"persona": reviewers[1].pk}).status_code
            == 404
        )
    assert Case.objects.get(pk=case.pk).assignee == reviewers[0]
