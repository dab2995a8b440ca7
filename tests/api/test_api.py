"""/api/v1/ with tokens from the real token endpoint: who a token acts as, what it may see,
and every answer in the error envelope."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from tests.api.conftest import (
    BOTH,
    REDIRECT,
    Api,
    application_of,
    bearer,
    client_credentials,
    person_token,
    register,
    service_token,
)
from tests.cases.conftest import SOLICITUD, person
from tests.cases.test_uploads import PDF, png
from ventanilla.cases import actions
from ventanilla.cases.models import Case, CaseEvent, CaseFile
from ventanilla.catalog.models import Procedure

pytestmark = pytest.mark.django_db


def error_of(response, status) -> dict:
    """The envelope's error, after checking the status and the envelope's shape."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


def started(api, slug="certificacion-de-estudios") -> dict:
    response = api.post("/cases", {"procedure": slug})
    assert response.status_code == 201, response.content
    return response.json()


def submitted(api) -> dict:
    case = started(api)
    response = api.post(f"/cases/{case['id']}/tasks/solicitud", {"answers": SOLICITUD})
    assert response.status_code == 200, response.content
    return response.json()


# --- Who is calling ---------------------------------------------------------------------


def test_without_a_token_nothing_is_answered_even_to_a_signed_in_browser(client, marta):
    error = error_of(client.get("/api/v1/cases"), 401)
    assert error["code"] == "token_missing" and "Authorization" in error["message"]
    client.force_login(marta)  # a session cookie is not a token
    response = client.get("/api/v1/cases")
    assert error_of(response, 401)["code"] == "token_missing"
    assert response["WWW-Authenticate"] == 'Bearer realm="ventanilla"'
    assert error_of(client.post("/api/v1/cases", {"procedure": "x"}), 401)


def test_a_token_counts_only_in_the_header(client, service):
    token = service_token(client, service)
    response = client.get("/api/v1/cases", {"access_token": token})
    assert error_of(response, 401)["code"] == "token_missing"
    wrong_scheme = client.get("/api/v1/cases", headers={"Authorization": f"Token {token}"})
    assert error_of(wrong_scheme, 401)["code"] == "token_missing"


def test_an_unknown_expired_or_revoked_token_is_refused(client, service):
    error = error_of(client.get("/api/v1/cases", headers=bearer("no-es-un-token")), 401)
    assert error["code"] == "invalid_token"
    token = service_token(client, service)
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200
    get_access_token_model().objects.update(expires=timezone.now())
    response = client.get("/api/v1/cases", headers=bearer(token))
    assert error_of(response, 401)["code"] == "invalid_token"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]

    fresh = service_token(client, service)
    revoked = client.post(
        "/o/revoke_token/",
        {
            "token": fresh,
            "client_id": service["client_id"],
            "client_secret": service["client_secret"],
        },
    )
    assert revoked.status_code == 200
    assert error_of(client.get("/api/v1/cases", headers=bearer(fresh)), 401)


def test_each_operation_needs_its_scope(client, service, certification):
    reader = Api(client, service_token(client, service, "tramites:leer"))
    assert reader.get("/cases").status_code == 200
    assert reader.get("/procedures").status_code == 200
    refused = reader.post("/cases", {"procedure": certification.slug})
    error = error_of(refused, 403)
    assert error["code"] == "insufficient_scope" and "tramites:escribir" in error["message"]
    assert 'scope="tramites:escribir"' in refused["WWW-Authenticate"]
    assert not Case.objects.exists()

    catalogue = Api(client, service_token(client, service, "catalogo:leer"))
    assert catalogue.get("/procedures").status_code == 200
    assert error_of(catalogue.get("/cases"), 403)["code"] == "insufficient_scope"

    writer = Api(client, service_token(client, service, "tramites:escribir"))
    case = started(writer)
    assert error_of(writer.get(f"/cases/{case['id']}"), 403)["code"] == "insufficient_scope"


def test_a_system_without_its_institutions_account_gets_nothing(client, certification):
    orphan = register("--name", "Sistema sin cuenta", "--client-credentials")
    api = Api(client, service_token(client, orphan))
    error = error_of(api.get("/procedures"), 403)
    assert error["code"] == "no_account" and "cuenta de su institución" in error["message"]


def test_a_deactivated_account_gets_nothing(client, service, institution):
    api = Api(client, service_token(client, service))
    institution.is_active = False
    institution.save(update_fields=["is_active"])
    assert error_of(api.get("/cases"), 403)["code"] == "account_inactive"


def test_csrf_does_not_stand_in_the_way_of_a_token(service, certification, marta):
    browser = Client(enforce_csrf_checks=True)
    token = service_token(browser, service)
    browser.force_login(marta)  # even with a session cookie and no CSRF token
    response = browser.post(
        "/api/v1/cases",
        json.dumps({"procedure": certification.slug}),
        content_type="application/json",
        headers=bearer(token),
    )
    assert response.status_code == 201
    assert Case.objects.get().applicant.first_names == "RENAP"  # the token's, not the session's


def test_a_persons_token_acts_as_the_person(client, marta, institution, service, certification):
    as_marta = Api(client, person_token(client, marta))
    case = started(as_marta)
    assert Case.objects.get(pk=case["id"]).applicant == marta
    event = CaseEvent.objects.get(case_id=case["id"], kind="started")
    assert event.actor == marta and event.on_behalf_of is None
    as_institution = Api(client, service_token(client, service))
    assert as_institution.get("/cases").json()["count"] == 0
    assert error_of(as_institution.get(f"/cases/{case['id']}"), 404)["code"] == "not_found"


def test_a_person_is_asked_before_a_system_acts_for_them(client, marta):
    system = register("--name", "Sistema de Becas", "--redirect-uri", REDIRECT)
    client.force_login(marta)
    from tests.identity.test_oidc import pkce_pair

    _verifier, challenge = pkce_pair()
    page = client.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": system["client_id"],
            "redirect_uri": REDIRECT,
            "scope": f"openid {BOTH}",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ver sus trámites: en qué van, su historial y lo que le toca" in text
    assert "Iniciar trámites a su nombre, responderlos y adjuntar archivos" in text


# --- Procedures -------------------------------------------------------------------------


def test_the_procedures_that_can_be_applied_for_online(as_institution, certification):
    Procedure.objects.filter(slug="autentica-documentos-educativos").update(is_published=False)
    Procedure.objects.filter(pk=certification.pk).update(
        legal_deadline_days=15, cost_quetzales=Decimal("25.50")
    )
    response = as_institution.get("/procedures")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    items = {item["slug"]: item for item in response.json()["items"]}
    assert "autentica-documentos-educativos" not in items  # not published
    without_diagram = Procedure.objects.filter(is_published=True).exclude(slug__in=list(items))
    assert without_diagram.exists()  # the catalogue has more than can be done online
    item = items["certificacion-de-estudios"]
    assert item["name"] == certification.name
    assert item["unit"]["code"] == certification.responsible_unit.code
    assert item["deadline_business_days"] == 15 and item["cost_quetzales"] == "25.50"
    assert item["minimum_assurance_level"] == certification.minimum_assurance_level
    assert item["url"] == "http://testserver/tramites/certificacion-de-estudios/"
    form = item["first_task"]
    assert form["task"] == "solicitud" and form["title"] == "Datos de los estudios"
    assert set(form["schema"]["required"]) == {"nivel", "grado", "anio", "establecimiento"}
    assert form["schema"]["properties"]["comprobante"]["format"] == "file"


# --- Cases ------------------------------------------------------------------------------


def test_start_answer_and_follow_a_case(as_institution, institution):
    case = started(as_institution)
    assert case["status"] == "draft" and case["tracking_number"] is None
    assert case["your_turn"] is True and case["status_label"] == "Borrador"
    assert case["current_task"]["task"] == "solicitud"
    assert "nivel" in case["current_task"]["schema"]["properties"]
    assert Case.objects.get(pk=case["id"]).applicant == institution

    answer = as_institution.post(f"/cases/{case['id']}/tasks/solicitud", {"answers": SOLICITUD})
    assert answer.status_code == 200
    done = answer.json()
    assert done["status"] == "in_review" and done["tracking_number"].startswith("MINEDUC-")
    assert done["your_turn"] is False and done["current_task"] is None
    assert done["submitted_at"] and done["due_date"]

    detail = as_institution.get(f"/cases/{case['id']}").json()
    assert detail["tracking_number"] == done["tracking_number"]
    timeline = as_institution.get(f"/cases/{case['id']}/timeline")
    assert timeline.status_code == 200
    assert [entry["label"] for entry in timeline.json()["items"]] == ["Solicitud recibida"]


def test_the_result_is_shown_once_decided(as_institution, institution, reviewers):
    case = submitted(as_institution)
    reviewer = reviewers[0]
    actions.claim(case["id"], reviewer)
    actions.complete_task(
        case["id"], "revision", {"dictamen": "aprobar", "observaciones": ""}, actor=reviewer
    )
    detail = as_institution.get(f"/cases/{case['id']}").json()
    assert detail["status"] == "decided" and detail["result"] == "aprobada"
    assert "aprobada" in detail["result_message"] and detail["decided_at"]
    labels = [
        e["label"] for e in as_institution.get(f"/cases/{case['id']}/timeline").json()["items"]
    ]
    assert labels[-1] == "Resuelto"


def test_a_correction_is_answered_through_the_api(as_institution, reviewers):
    case = submitted(as_institution)
    actions.claim(case["id"], reviewers[0])
    actions.complete_task(
        case["id"],
        "revision",
        {"dictamen": "corregir", "observaciones": "¿Qué sección?"},
        actor=reviewers[0],
    )
    detail = as_institution.get(f"/cases/{case['id']}").json()
    assert detail["status"] == "corrections" and detail["your_turn"] is True
    assert detail["current_task"]["task"] == "correccion"
    timeline = as_institution.get(f"/cases/{case['id']}/timeline").json()["items"]
    assert timeline[-1] == {**timeline[-1], "label": "Le pidieron una corrección"}
    assert timeline[-1]["detail"] == "¿Qué sección?"
    fixed = as_institution.post(
        f"/cases/{case['id']}/tasks/correccion", {"answers": {"respuesta": "Sección B"}}
    )
    assert fixed.status_code == 200 and fixed.json()["status"] == "in_review"


def test_an_unknown_procedure_is_named_in_fields(as_institution):
    for slug in ("no-existe", "solicitud-de-plazas-docentes"):
        error = error_of(as_institution.post("/cases", {"procedure": slug}), 422)
        assert error["code"] == "invalid_request" and "procedure" in error["fields"]
    error = error_of(as_institution.post("/cases", {}), 422)
    assert error["fields"] == {"procedure": "Falta este dato."}
    assert not Case.objects.exists()


def test_a_body_that_is_not_json_or_too_big_is_refused_in_the_envelope(
    client, service, certification
):
    response = client.post(
        "/api/v1/cases",
        "{no es json",
        content_type="application/json",
        headers=bearer(service_token(client, service)),
    )
    error = error_of(response, 400)
    assert error["code"] == "bad_request" and "JSON" in error["message"]
    huge = json.dumps({"procedure": "x" * 3_000_000})  # over DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(
        "/api/v1/cases",
        huge,
        content_type="application/json",
        headers=bearer(service_token(client, service)),
    )
    assert error_of(response, 413)["code"] == "request_too_large"


def test_an_account_below_the_procedures_identity_level_is_told_why(client, certification):
    newcomer = person(68, first_names="Luis")  # level 1, never checked with the registry
    system = register("--name", "Sistema X", "--client-credentials", "--owner", newcomer.cui)
    api = Api(client, service_token(client, system))
    error = error_of(api.post("/cases", {"procedure": certification.slug}), 403)
    assert error["code"] == "identity_not_asked"
    assert "nivel 2" in error["message"] and "nivel 1" in error["message"]
    assert "RENAP" in error["message"]
    assert not Case.objects.exists()


def test_wrong_answers_are_named_field_by_field(as_institution):
    case = started(as_institution)
    response = as_institution.post(
        f"/cases/{case['id']}/tasks/solicitud",
        {"answers": {"nivel": "universidad", "anio": 1800}},
    )
    error = error_of(response, 422)
    assert error["code"] == "invalid_answers"
    assert error["fields"] == {
        "nivel": "Elija una de las opciones.",
        "anio": "El número es menor de lo permitido.",
        "grado": "Responda esta pregunta.",
        "establecimiento": "Responda esta pregunta.",
    }
    assert as_institution.get(f"/cases/{case['id']}").json()["status"] == "draft"
    not_an_object = as_institution.post(f"/cases/{case['id']}/tasks/solicitud", {"answers": [1]})
    assert error_of(not_an_object, 422)["fields"] == {
        "answers": "El dato no tiene el formato esperado."
    }


def test_a_step_no_longer_pending_is_a_conflict(as_institution):
    case = submitted(as_institution)
    again = as_institution.post(f"/cases/{case['id']}/tasks/solicitud", {"answers": SOLICITUD})
    error = error_of(again, 409)
    assert error["code"] == "conflict" and "ya no está pendiente" in error["message"]
    officials_step = as_institution.post(
        f"/cases/{case['id']}/tasks/revision", {"answers": {"dictamen": "aprobar"}}
    )
    assert error_of(officials_step, 409)["code"] == "conflict"
    assert CaseEvent.objects.filter(kind="submitted").count() == 1


def test_my_cases_by_pages(as_institution):
    ids = [started(as_institution)["id"] for _ in range(3)]
    first = as_institution.get("/cases", page_size=2).json()
    assert (first["count"], first["page"], first["pages"]) == (3, 1, 2)
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]  # newest first
    second = as_institution.get("/cases", page_size=2, page=2).json()
    assert [item["id"] for item in second["items"]] == ids[:1]
    assert as_institution.get("/cases", page=9).json()["items"] == []
    error = error_of(as_institution.get("/cases", page=0), 422)
    assert set(error["fields"]) == {"page"}
    assert error_of(as_institution.get("/cases", page_size=500), 422)["fields"]


# --- Someone else's case: it does not exist ---------------------------------------------


def read_case(api, case_id):
    return api.get(f"/cases/{case_id}")


def read_timeline(api, case_id):
    return api.get(f"/cases/{case_id}/timeline")


def answer_step(api, case_id):
    return api.post(f"/cases/{case_id}/tasks/solicitud", {"answers": SOLICITUD})


def attach(api, case_id):
    file = SimpleUploadedFile("a.pdf", PDF)
    data = {"task": "solicitud", "field": "comprobante", "file": file}
    return api.upload(f"/cases/{case_id}/files", data)


@pytest.mark.parametrize("operation", [read_case, read_timeline, answer_step, attach])
def test_someone_elses_case_is_not_found_on_every_route(client, as_institution, marta, operation):
    theirs = Api(client, person_token(client, marta))
    case_id = started(theirs)["id"]
    response = operation(as_institution, case_id)
    error = error_of(response, 404)
    assert error["code"] == "not_found" and error["fields"] == {}
    # Word for word what a case that does not exist gets.
    assert operation(as_institution, case_id + 1000).json() == response.json()
    case = Case.objects.get(pk=case_id)
    assert case.status == "draft" and not CaseFile.objects.exists()
    assert as_institution.get("/cases").json()["count"] == 0
    assert operation(theirs, case_id).status_code in {200, 201}  # the owner can


# --- Files ------------------------------------------------------------------------------


def test_attach_a_file_and_answer_with_its_id(as_institution):
    case = started(as_institution)
    response = as_institution.upload(
        f"/cases/{case['id']}/files",
        {"task": "solicitud", "field": "comprobante", "file": SimpleUploadedFile("t.pdf", PDF)},
    )
    assert response.status_code == 201, response.content
    kept = response.json()
    assert kept["name"] == "t.pdf" and kept["content_type"] == "application/pdf"
    assert kept["size"] == len(PDF) and len(kept["sha256"]) == 64
    assert isinstance(kept["id"], str)
    answers = {**SOLICITUD, "comprobante": kept["id"]}
    answered = as_institution.post(f"/cases/{case['id']}/tasks/solicitud", {"answers": answers})
    assert answered.status_code == 200
    event = CaseEvent.objects.get(case_id=case["id"], kind="submitted")
    assert event.after["answers"]["comprobante"] == kept["id"]


def test_an_answer_naming_a_file_that_is_not_there_is_refused(as_institution):
    case = started(as_institution)
    answers = {**SOLICITUD, "comprobante": "99999"}
    error = error_of(
        as_institution.post(f"/cases/{case['id']}/tasks/solicitud", {"answers": answers}), 422
    )
    assert error["code"] == "invalid_answers" and "comprobante" in error["fields"]


def test_refused_files_say_why(as_institution, settings):
    settings.VENTANILLA_UPLOADS = {**settings.VENTANILLA_UPLOADS, "MAX_BYTES": 100_000}
    case = started(as_institution)
    path = f"/cases/{case['id']}/files"

    def send(name, data, field="comprobante", task="solicitud"):
        file = SimpleUploadedFile(name, data)
        return as_institution.upload(path, {"task": task, "field": field, "file": file})

    too_big = error_of(send("grande.pdf", PDF + b"%" * 150_000), 413)
    assert too_big["code"] == "file_too_large" and "el máximo es" in too_big["message"]
    program = error_of(send("certificado.pdf", b"MZ" + b"\x00" * 500), 422)
    assert program["code"] == "file_refused" and "es un programa" in program["fields"]["file"]
    not_a_file_question = error_of(send("foto.png", png(), field="grado"), 422)
    assert set(not_a_file_question["fields"]) == {"field"}
    missing = as_institution.upload(path, {"task": "solicitud", "field": "comprobante"})
    assert error_of(missing, 422)["fields"] == {"file": "Falta este dato."}
    stale = error_of(send("foto.png", png(), task="correccion"), 409)
    assert stale["code"] == "conflict" and "ya no está pendiente" in stale["message"]
    assert not CaseFile.objects.exists()


# --- The document and the rest of /api/v1/ ----------------------------------------------


def test_the_openapi_document_is_valid_public_and_in_spanish(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert "otras instituciones" in document["info"]["description"]
    assert document["servers"] == [{"url": "http://testserver"}]
    scheme = document["components"]["securitySchemes"]["oauth2"]
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "http://testserver/o/token/"
    assert set(scheme["flows"]["clientCredentials"]["scopes"]) == {
        "tramites:leer",
        "tramites:escribir",
        "catalogo:leer",
    }
    assert scheme["flows"]["authorizationCode"]["authorizationUrl"] == (
        "http://testserver/o/authorize/"
    )
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) == {
        ("GET", "/api/v1/procedures"),
        ("POST", "/api/v1/cases"),
        ("GET", "/api/v1/cases"),
        ("GET", "/api/v1/cases/{case_id}"),
        ("GET", "/api/v1/cases/{case_id}/timeline"),
        ("POST", "/api/v1/cases/{case_id}/tasks/{task}"),
        ("POST", "/api/v1/cases/{case_id}/files"),
    }
    assert operations["GET", "/api/v1/procedures"]["security"] == [
        {"oauth2": ["tramites:leer"]},
        {"oauth2": ["catalogo:leer"]},
    ]
    assert operations["POST", "/api/v1/cases"]["security"] == [{"oauth2": ["tramites:escribir"]}]
    for operation in operations.values():
        assert operation["summary"] and operation["description"]
        assert operation["responses"]["401"]["description"] == "Falta el token o no es válido."
    upload = operations["POST", "/api/v1/cases/{case_id}/files"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert "schema" in json.dumps(document["components"]["schemas"]["TaskForm"])


def test_no_documentation_page_that_loads_from_elsewhere(client):
    for path in ("/api/v1/docs", "/api/v1/docs/", "/api/v1/nada"):
        error = error_of(client.get(path), 404)
        assert error["code"] == "not_found"
    wrong_method = client.delete("/api/v1/cases")
    assert error_of(wrong_method, 405)["code"] == "method_not_allowed"
    assert set(wrong_method["Allow"].split(", ")) == {"GET", "POST"}
    index = client.get("/api/v1/")
    assert index.json() == {"openapi": "http://testserver/api/v1/openapi.json"}


def test_the_system_and_its_token_come_from_the_administrators_command(client, institution):
    service = register("--name", "Sistema Y", "--client-credentials", "--owner", institution.cui)
    assert application_of(service).user == institution
    response = client_credentials(client, service, "tramites:leer")
    assert response.status_code == 200 and response.json()["scope"] == "tramites:leer"
