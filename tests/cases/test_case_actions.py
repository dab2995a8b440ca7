"""A case through its life, only through the action functions, with the events it leaves."""

import pytest

from tests.cases.conftest import SOLICITUD, person
from ventanilla.cases import actions
from ventanilla.cases.models import Case, CaseEvent, Status

pytestmark = pytest.mark.django_db


def start(certification, citizen):
    return actions.start_case(certification, applicant=citizen, actor=citizen)


def test_apply_get_a_correction_fix_it_and_be_decided(certification, citizen, reviewers):
    reviewer = reviewers[0]
    case = start(certification, citizen)
    assert (case.status, case.current_task, case.tracking_number) == ("draft", "solicitud", None)

    case = actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    assert case.status == Status.IN_REVIEW and case.current_lane == "reviewer"
    assert case.tracking_number.startswith(f"MINEDUC-{case.submitted_at.year}-")
    assert len(case.tracking_number.rsplit("-", 1)[1]) == 6

    actions.claim(case.pk, reviewer)
    case = actions.complete_task(
        case.pk,
        "revision",
        {"dictamen": "corregir", "observaciones": "¿Qué sección?"},
        actor=reviewer,
    )
    assert case.status == Status.CORRECTIONS and case.assignee is None

    case = actions.complete_task(case.pk, "correccion", {"respuesta": "Sección B"}, actor=citizen)
    assert case.status == Status.IN_REVIEW
    actions.claim(case.pk, reviewer)
    case = actions.complete_task(
        case.pk, "revision", {"dictamen": "aprobar", "observaciones": ""}, actor=reviewer
    )
    assert case.status == Status.DECIDED and case.result == "aprobada"
    assert "aprobada" in case.result_message and case.decided_at is not None
    [certificate] = case.documents.all()  # issued by the diagram, waiting for its signer
    assert certificate.status == "awaiting_signature" and certificate.holder == citizen
    assert "INEB Mixco" in certificate.data["paragraphs"][0]
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["started", "submitted", "claimed", "task", "task", "claimed", "decided"]
    decided = case.events.get(kind="decided")
    assert decided.actor == reviewer and decided.before["task"] == "revision"


def test_wrong_answers_are_named_field_by_field_and_nothing_changes(certification, citizen):
    case = start(certification, citizen)
    with pytest.raises(actions.InvalidAnswers) as refused:
        actions.complete_task(
            case.pk, "solicitud", {"nivel": "universidad", "anio": 1800}, actor=citizen
        )
    assert refused.value.errors == {
        "nivel": "Elija una de las opciones.",
        "anio": "El número es menor de lo permitido.",
        "grado": "Responda esta pregunta.",
        "establecimiento": "Responda esta pregunta.",
    }
    case.refresh_from_db()
    assert case.status == Status.DRAFT and case.tracking_number is None


def test_a_second_click_makes_no_second_submission(certification, citizen):
    case = start(certification, citizen)
    actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    with pytest.raises(actions.CaseError, match="ya no está pendiente"):
        actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    assert CaseEvent.objects.filter(case=case, kind="submitted").count() == 1


def test_nobody_works_a_step_that_is_not_theirs(certification, citizen, reviewers):
    stranger = person(50, first_names="Otra")
    case = start(certification, citizen)
    with pytest.raises(actions.CaseError, match="No le corresponde"):
        actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=stranger)
    actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    with pytest.raises(actions.CaseError, match="No le corresponde"):
        actions.complete_task(case.pk, "revision", {"dictamen": "aprobar"}, actor=citizen)
    with pytest.raises(actions.CaseError, match="no está en su cola"):
        actions.claim(case.pk, stranger)


def test_a_representative_acts_and_the_event_says_for_whom(certification, citizen):
    import datetime

    from ventanilla.representation.models import Representation, Status

    parent = person(60, first_names="Madre")
    case = actions.start_case(certification, applicant=citizen, actor=parent)
    # Claiming to act for someone is not enough: the link must be confirmed.
    with pytest.raises(actions.CaseError, match="No le corresponde"):
        actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=parent, on_behalf_of=citizen)
    Representation.objects.create(
        representative=parent,
        represented=citizen,
        relationship="madre",
        minor_first_names="Marta",
        minor_last_names="Hija",
        minor_birth_date=datetime.date.today().replace(year=datetime.date.today().year - 10),
        status=Status.CONFIRMED,
    )
    actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=parent, on_behalf_of=citizen)
    event = CaseEvent.objects.get(case=case, kind="submitted")
    assert (event.actor, event.on_behalf_of) == (parent, citizen)


def test_once_claimed_another_official_cannot_take_it(certification, citizen, reviewers):
    case = start(certification, citizen)
    actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    actions.claim(case.pk, reviewers[0])
    with pytest.raises(actions.AlreadyClaimed):
        actions.claim(case.pk, reviewers[1])


def test_a_script_that_misbehaves_flags_the_case_not_the_server(certification, citizen, tmp_path):
    from tests.engine.test_engine import write_definition
    from ventanilla.engine.actions import publish
    from ventanilla.engine.definitions import load_definition

    folder = write_definition(
        tmp_path / "certificacion-de-estudios", script="while True:\n    n = n + 1"
    )
    publish(load_definition(folder))
    case = start(certification, citizen)
    case = actions.complete_task(case.pk, "pedido", {"n": 1}, actor=citizen)
    assert case.status == Status.FLAGGED
    assert "ran for more than" in case.flag_reason
    assert Case.objects.get(pk=case.pk).events.filter(kind="flagged").exists()


def test_tracking_numbers_count_up_per_year(certification, citizen):
    numbers = []
    for _ in range(3):
        case = start(certification, citizen)
        numbers.append(actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen))
    suffixes = [int(c.tracking_number.rsplit("-", 1)[1]) for c in numbers]
    assert suffixes == [suffixes[0], suffixes[0] + 1, suffixes[0] + 2]


def test_moving_to_another_lane_puts_the_case_back_in_the_queue(citizen, reviewers):
    """The private school's file goes from a reviewer to a signer, who takes it anew."""
    from django.core.management import call_command

    from ventanilla.catalog.models import Procedure
    from ventanilla.identity.actions import grant_role
    from ventanilla.identity.models import Membership, Role

    call_command("procedures", "publish", stdout=open("/dev/null", "w"))  # noqa: SIM115
    school = Procedure.objects.get(slug="autorizacion-funcionamiento-centro-privado")
    unit = school.responsible_unit
    admin = Membership.objects.filter(role=Role.ADMINISTRATOR).first().user
    reviewer, signer = reviewers[0], person(70, first_names="Firmante")
    for official, role in ((reviewer, Role.REVIEWER), (signer, Role.SIGNER)):
        grant_role(official, role, unit, actor=admin)
    case = actions.start_case(school, applicant=citizen, actor=citizen)
    form = case.process_version.forms
    case = actions.complete_task(case.pk, "solicitud", sample(form["solicitud"]), actor=citizen)
    grant_role(reviewer, Role.REVIEWER, case.unit, actor=admin)  # routed to its DIDEDUC
    while case.current_lane == Role.REVIEWER:
        actions.claim(case.pk, reviewer)
        task = case.current_task
        props = form[task]["schema"]["properties"]
        answers = {name: (prop.get("enum") or ["Todo en orden"])[0] for name, prop in props.items()}
        case = actions.complete_task(case.pk, task, answers, actor=reviewer)
    assert case.current_lane == Role.SIGNER and case.assignee is None
    assert actions.claim(case.pk, signer).assignee == signer


def sample(form: dict) -> dict:
    """Valid answers for any form: the first option, the smallest number, some text."""
    answers = {}
    for name, prop in form["schema"]["properties"].items():
        if "enum" in prop:
            answers[name] = prop["enum"][0]
        elif prop.get("type") == "integer":
            answers[name] = prop.get("minimum", 1)
        else:
            answers[name] = "Texto de prueba"
    return answers


def test_a_rejection_without_comments_uses_the_forms_default(certification, citizen, reviewers):
    """The certification's rejection message reads `observaciones`; an official who writes
    none gets the form's default, not a flagged case."""
    case = start(certification, citizen)
    actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    actions.claim(case.pk, reviewers[0])
    case = actions.complete_task(case.pk, "revision", {"dictamen": "rechazar"}, actor=reviewers[0])
    assert case.status == Status.DECIDED and case.result == "rechazada"
