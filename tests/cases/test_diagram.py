"""The procedure's diagram on the officials' case page: who may read the BPMN, and the steps
listed beside the drawing."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from tests.cases.conftest import SOLICITUD
from tests.conftest import force_login_with_second_factor
from ventanilla.cases import actions
from ventanilla.cases.diagram_steps import Step, user_tasks_in_order
from ventanilla.engine.models import ProcessVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_in_review(certification, citizen):
    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    return actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)


def diagram_url(case):
    return f"/oficina/expedientes/{case.pk}/diagrama.bpmn"


def test_an_official_of_the_unit_gets_the_version_the_case_runs_on(
    client, case_in_review, reviewers
):
    version = case_in_review.process_version
    ProcessVersion.objects.create(  # published after the case started: not its diagram
        slug=version.slug,
        version=version.version + 1,
        process_id=version.process_id,
        bpmn=version.bpmn.replace("Datos de los estudios", "Otro nombre"),
        spec=version.spec,
        sha256="0" * 64,
    )
    force_login_with_second_factor(client, reviewers[0])
    response = client.get(diagram_url(case_in_review))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.decode() == version.bpmn
    assert "private" in response["Cache-Control"]

    again = client.get(diagram_url(case_in_review), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_the_applicant_is_refused_and_an_anonymous_visitor_sent_to_sign_in(client, case_in_review):
    assert client.get(diagram_url(case_in_review)).status_code == 302
    client.force_login(case_in_review.applicant)
    assert client.get(diagram_url(case_in_review)).status_code == 403


def test_an_official_of_another_unit_finds_no_case(client, case_in_review, editor):
    force_login_with_second_factor(client, editor)
    assert client.get(diagram_url(case_in_review)).status_code == 404
    assert (
        client.get(f"/oficina/expedientes/{case_in_review.pk + 1000}/diagrama.bpmn").status_code
        == 404
    )


def test_officials_need_their_second_factor_and_may_only_read(client, case_in_review, reviewers):
    client.force_login(reviewers[0])  # password only
    response = client.get(diagram_url(case_in_review))
    assert response.status_code == 302 and "diagrama.bpmn" in response.url
    assert client.get(diagram_url(case_in_review)).status_code == 302
    force_login_with_second_factor(client, reviewers[0])
    assert client.post(diagram_url(case_in_review)).status_code == 405


def test_the_certification_steps_in_flow_order(certification):
    version = ProcessVersion.objects.get(slug=certification.slug)
    assert user_tasks_in_order(version) == [
        Step("solicitud", "Datos de los estudios", "applicant"),
        Step("revision", "Revisar los registros del establecimiento", "reviewer"),
        Step("correccion", "Corregir la solicitud", "applicant"),
    ]


def test_the_include_lists_the_steps_with_the_current_one_marked(case_in_review):
    html = render_to_string("cases/includes/process_diagram.html", {"case": case_in_review})
    items = html.split('<ol class="govuk-list govuk-list--number vt-process-steps"')[1]
    items = items.split("</ol>")[0].split("<li")[1:]
    assert [("Paso actual" in item, "aria-current" in item) for item in items] == [
        (False, False),
        (True, True),
        (False, False),
    ]
    assert "Datos de los estudios" in items[0] and "La persona solicitante" in items[0]
    assert "Revisar los registros del establecimiento" in items[1]
    assert "Revisor de expedientes" in items[1]
    assert f'data-diagram-url="/oficina/expedientes/{case_in_review.pk}/diagrama.bpmn"' in html
    assert 'data-current-task="revision"' in html
    assert "«Revisar los registros del establecimiento», tiene fondo amarillo" in html
    assert '<script type="module" src="/static/cases/diagram.min.js">' in html
    assert '<link rel="stylesheet" href="/static/cases/diagram.min.css">' in html
    assert "style=" not in html and "<script>" not in html  # nothing inline (CSP)


def test_a_decided_case_has_no_current_step(case_in_review, reviewers):
    actions.claim(case_in_review.pk, reviewers[0])
    case = actions.complete_task(
        case_in_review.pk,
        "revision",
        {"dictamen": "aprobar", "observaciones": ""},
        actor=reviewers[0],
    )
    html = render_to_string("cases/includes/process_diagram.html", {"case": case})
    assert "Paso actual" not in html and "aria-current" not in html
    assert "Este expediente no tiene pasos pendientes." in html


BRANCHING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="reviewer">
      <bpmn:childLaneSet id="cls"><bpmn:lane id="l2" name="signer">
        <bpmn:flowNodeRef>firma</bpmn:flowNodeRef></bpmn:lane></bpmn:childLaneSet>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:userTask id="huerfana" name="Nadie llega aquí" />
    <bpmn:userTask id="firma" name="Firmar" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="sub_inicio" />
      <bpmn:userTask id="dentro" name="Dentro del subproceso" />
      <bpmn:sequenceFlow id="s1" sourceRef="sub_inicio" targetRef="dentro" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="vencido" attachedToRef="sub" />
    <bpmn:userTask id="escalar" name="Escalar" />
    <bpmn:startEvent id="inicio" />
    <bpmn:sequenceFlow id="f1" sourceRef="inicio" targetRef="sub" />
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="firma" />
    <bpmn:sequenceFlow id="f3" sourceRef="vencido" targetRef="escalar" />
  </bpmn:process>
  <bpmn:process id="otro"><bpmn:userTask id="ajena" name="De otro proceso" /></bpmn:process>
</bpmn:definitions>"""


def test_subprocesses_boundary_events_nested_lanes_and_unreachable_tasks():
    version = SimpleNamespace(bpmn=BRANCHING, process_id="p")
    assert [(s.id, s.lane) for s in user_tasks_in_order(version)] == [
        ("dentro", ""),
        ("firma", "signer"),
        ("escalar", ""),
        ("huerfana", ""),
    ]
