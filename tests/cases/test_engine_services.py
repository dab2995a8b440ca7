"""The services a diagram may call about its case: verify the applicant's identity, notify them.
Drawn in a fresh diagram here, published, and run through the case actions."""

import json

import pytest
from django.core.management import call_command

from tests.cases.conftest import person
from ventanilla.cases import actions
from ventanilla.cases.models import Status
from ventanilla.catalog.models import Procedure
from ventanilla.engine.check import check_definition
from ventanilla.engine.definitions import load_definition
from ventanilla.identity.models import AssuranceLevel, User
from ventanilla.notifications.models import InboxMessage

pytestmark = pytest.mark.django_db

SERVICE = (
    '<bpmn:serviceTask id="{id}" name="{id}"><bpmn:extensionElements>'
    '<spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="{result}">'
    "<spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>"
    "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>"
    "<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing>"
    "</bpmn:serviceTask>"
)


def parameter(name, kind, value):
    return f'<spiffworkflow:parameter id="{name}" type="{kind}" value="{value}" />'


def diagram(notice_parameters) -> str:
    verify = SERVICE.format(
        id="verificar",
        operator="verificar_identidad",
        result="identidad",
        parameters=parameter("nivel_minimo", "int", "2"),
        incoming="f2",
        outgoing="f3",
    )
    notify = SERVICE.format(
        id="avisar",
        operator="notificar",
        result="avisado",
        parameters=notice_parameters,
        incoming="f3",
        outgoing="f4",
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="con_servicios" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="applicant"><bpmn:flowNodeRef>pedido</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l2" name="reviewer"><bpmn:flowNodeRef>visto</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="pedido" name="Pedido">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    {verify}
    {notify}
    <bpmn:userTask id="visto" name="Visto bueno">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pedido" />
    <bpmn:sequenceFlow id="f2" sourceRef="pedido" targetRef="verificar" />
    <bpmn:sequenceFlow id="f3" sourceRef="verificar" targetRef="avisar" />
    <bpmn:sequenceFlow id="f4" sourceRef="avisar" targetRef="visto" />
    <bpmn:sequenceFlow id="f5" sourceRef="visto" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


FORM = {"title": "Pedido", "schema": {"type": "object", "properties": {}}}


@pytest.fixture
def procedure(certification, tmp_path):
    """A procedure whose diagram (drawn here) calls both services."""

    def publish(notice_parameters):
        folder = tmp_path / "con-servicios"
        (folder / "forms").mkdir(parents=True, exist_ok=True)
        (folder / "process.bpmn").write_text(diagram(notice_parameters))
        for task in ("pedido", "visto"):
            (folder / "forms" / f"{task}.json").write_text(json.dumps(FORM))
        assert check_definition(load_definition(folder)) == []
        call_command("procedures", "publish", str(folder))
        return Procedure.objects.create(
            slug="con-servicios",
            name="Con servicios",
            responsible_unit=certification.responsible_unit,
            is_published=True,
        )

    return publish


GOOD_NOTICE = parameter("asunto", "str", "&quot;Revisamos su identidad&quot;") + parameter(
    "mensaje", "str", "&quot;Nivel &quot; + str(identidad[&quot;nivel&quot;])"
)


@pytest.mark.parametrize(
    ("level", "confirmed"), [(AssuranceLevel.SELF_DECLARED, False), (AssuranceLevel.REGISTRY, True)]
)
def test_a_diagram_verifies_the_applicant_and_notifies_them(procedure, level, confirmed):
    tramite = procedure(GOOD_NOTICE)
    applicant = person(60, first_names="Ana")
    User.objects.filter(pk=applicant.pk).update(assurance_level=level)
    applicant.refresh_from_db()
    case = actions.start_case(tramite, applicant=applicant, actor=applicant)
    case = actions.complete_task(case.pk, "pedido", {}, actor=applicant)
    assert case.status == Status.IN_REVIEW and case.current_task == "visto"
    [notice] = InboxMessage.objects.filter(user=applicant, subject="Revisamos su identidad")
    assert notice.body == f"Nivel {int(level)}"
    assert notice.link == f"/mis-tramites/{case.pk}/"
    data = case.state  # the state holds the answer, never the registry's data
    assert json.dumps(data).count(applicant.cui) == 0
    assert f'"confirmada": {str(confirmed).lower()}' in json.dumps(data)


def test_a_notice_without_text_flags_the_case(procedure):
    tramite = procedure(
        parameter("asunto", "str", "&quot;&quot;") + parameter("mensaje", "str", "&quot;x&quot;")
    )
    applicant = person(61)
    case = actions.start_case(tramite, applicant=applicant, actor=applicant)
    case = actions.complete_task(case.pk, "pedido", {}, actor=applicant)
    assert case.status == Status.FLAGGED
    assert "notificar needs an 'asunto'" in case.flag_reason
    assert case.tracking_number  # the person can still follow it
    assert not InboxMessage.objects.filter(user=applicant, subject="").exists()
