"""Issuing is part of the case: a diagram's ``emitir_documento`` prepares the document, a
signer signs it in the back office with a fresh code from their app, the holder is told and
downloads it; an authorised official revokes it with a reason, and prepares a replacement."""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tests.cases.conftest import person
from tests.cases.test_engine_services import SERVICE, parameter
from tests.conftest import force_login_with_second_factor
from ventanilla.cases import actions as case_actions
from ventanilla.catalog.models import Procedure
from ventanilla.documents import actions, rendering, status_list, validation
from ventanilla.documents.models import Document, Kind, Status
from ventanilla.engine.check import check_definition
from ventanilla.engine.definitions import load_definition
from ventanilla.notifications.models import InboxMessage

pytestmark = pytest.mark.django_db


def diagram() -> str:
    issue = SERVICE.format(
        id="emitir",
        operator="emitir_documento",
        result="documento",
        parameters=parameter("tipo", "str", "&quot;certificacion&quot;")
        + parameter("titulo", "str", "&quot;Certificación de estudios&quot;"),
        incoming="f2",
        outgoing="f3",
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="con_documento" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="applicant"><bpmn:flowNodeRef>pedido</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="pedido" name="Pedido">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    {issue}
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pedido" />
    <bpmn:sequenceFlow id="f2" sourceRef="pedido" targetRef="emitir" />
    <bpmn:sequenceFlow id="f3" sourceRef="emitir" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def with_document(certification, tmp_path):
    folder = tmp_path / "con-documento"
    (folder / "forms").mkdir(parents=True)
    (folder / "process.bpmn").write_text(diagram())
    (folder / "forms" / "pedido.json").write_text(
        json.dumps({"title": "Pedido", "schema": {"type": "object", "properties": {}}})
    )
    assert check_definition(load_definition(folder)) == []
    call_command("procedures", "publish", str(folder), stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Procedure.objects.create(
        slug="con-documento",
        name="Con documento",
        responsible_unit=certification.responsible_unit,
        is_published=True,
    )


def applied(procedure, applicant):
    case = case_actions.start_case(procedure, applicant=applicant, actor=applicant)
    return case_actions.complete_task(case.pk, "pedido", {}, actor=applicant)


def test_a_diagram_issues_a_document_that_waits_for_its_signer(with_document, citizen):
    case = applied(with_document, citizen)
    [document] = Document.objects.filter(case=case)
    assert document.status == Status.AWAITING_SIGNATURE and document.kind == Kind.CERTIFICATION
    assert document.holder == citizen and document.unit == case.unit
    assert rendering.fields_for(document)["reference"] == f"Expediente {case.tracking_number}"
    assert case.state["data"]["documento"] == {"codigo": document.code}
    assert citizen.cui[-4:] in document.holder_masked and "Marta" not in document.holder_masked


def test_the_signer_signs_with_a_fresh_code_and_the_holder_downloads(
    client, with_document, citizen, signer
):
    case = applied(with_document, citizen)
    document = Document.objects.get(case=case)
    force_login_with_second_factor(client, signer)
    page = client.get("/oficina/firmas/")
    assert page.status_code == 200 and "Certificación de estudios" in page.content.decode()

    wrong = client.post("/oficina/firmas/", {"documents": [document.pk], "code": "000000"})
    assert wrong.status_code == 400 and "no es correcto" in wrong.content.decode()
    document.refresh_from_db()
    assert document.status == Status.AWAITING_SIGNATURE

    done = client.post(
        "/oficina/firmas/", {"documents": [document.pk], "code": signer.totp.now()}, follow=True
    )
    assert "Firmó 1 documento." in done.content.decode()
    document.refresh_from_db()
    assert document.status == Status.VALID and document.signer == signer
    signed = document.pdf.read()
    assert hashlib.sha256(signed).hexdigest() == document.sha256
    checked = validation.validate_pdf(signed)
    assert checked.ok, checked.reasons
    assert InboxMessage.objects.filter(user=citizen, subject__startswith="Documento listo").exists()
    office_page = client.get(f"/oficina/expedientes/{case.pk}/").content.decode()
    assert "Documento firmado" in office_page and document.code in office_page
    client.force_login(citizen)
    case_page = client.get(f"/mis-tramites/{case.pk}/").content.decode()
    assert "Documento listo para descargar" in case_page
    assert f"/mis-documentos/{document.code}.pdf" in case_page

    client.force_login(citizen)
    mine = client.get("/mis-documentos/")
    assert document.code in mine.content.decode()
    download = client.get(f"/mis-documentos/{document.code}.pdf")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == signed
    client.force_login(person(5))  # someone else: no such document
    assert client.get(f"/mis-documentos/{document.code}.pdf").status_code == 404


def test_only_signers_of_the_unit_sign(client, with_document, citizen, reviewers):
    document = Document.objects.get(case=applied(with_document, citizen))
    force_login_with_second_factor(client, reviewers[0])
    assert client.get("/oficina/firmas/").status_code == 403
    assert client.get(f"/oficina/documentos/{document.code}/").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.sign(document.pk, signer=reviewers[0])
    document.refresh_from_db()
    assert document.status == Status.AWAITING_SIGNATURE


def test_revoking_needs_a_reason_tells_the_holder_and_the_portal_says_revocado(
    client, with_document, citizen, signer
):
    document = Document.objects.get(case=applied(with_document, citizen))
    actions.sign(document.pk, signer=signer)
    force_login_with_second_factor(client, signer)
    page = f"/oficina/documentos/{document.code}/"
    empty = client.post(page, {"reason": "  "})
    assert empty.status_code == 400 and "motivo" in empty.content.decode()
    client.post(page, {"reason": "Datos del establecimiento equivocados"})
    document.refresh_from_db()
    assert document.status == Status.REVOKED and document.revoked_by == signer
    assert InboxMessage.objects.filter(
        user=citizen, subject__startswith="Documento revocado"
    ).exists()
    verdict = client.get(f"/verificar/{document.code}/")
    assert "vt-verdict--revocado" in verdict.content.decode()
    assert "Datos del establecimiento equivocados" in verdict.content.decode()

    client.post(page, {"replace": "1"})
    replacement = Document.objects.get(replaces=document)
    assert replacement.status == Status.AWAITING_SIGNATURE
    assert replacement.holder_masked == document.holder_masked
    with pytest.raises(actions.NotReady):
        actions.replace(document.pk, actor=signer)


def test_a_signed_diploma_carries_a_credential_that_follows_revocation(
    client, certification, citizen, signer
):
    diploma = actions.prepare(
        kind=Kind.DIPLOMA,
        title="Diploma de Bachiller en Ciencias y Letras",
        template="diploma",
        unit=certification.responsible_unit,
        holder=citizen,
        holder_name="Marta López",
        data={"titulo": "Bachiller en Ciencias y Letras", "fecha": "2026-10-30"},
    )
    diploma = actions.sign(diploma.pk, signer=signer)
    assert diploma.credential and diploma.status_list_index is not None
    valid = client.post("/verificar/credencial/", {"credencial": diploma.credential})
    assert "vt-verdict--valido" in valid.content.decode()
    actions.revoke(diploma.pk, actor=signer, reason="Emitido por error")
    status_list.forget_cached_status_lists()
    revoked = client.post("/verificar/credencial/", {"credencial": diploma.credential})
    assert "vt-verdict--revocado" in revoked.content.decode()
    client.force_login(citizen)
    token = client.get(f"/mis-documentos/{diploma.code}.jwt")
    assert token["Content-Type"] == "application/vc+jwt"
    assert token.content.decode() == diploma.credential
