"""Against the running server (gunicorn, its own database; tests/browser/conftest.py): the
system of another institution, with Authlib's OAuth 2.0 client, gets a client-credentials
token and applies for a certification through /api/v1/, as docs/api.md tells it to."""

import json
import subprocess

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from jsonschema import Draft202012Validator

from tests.browser import conftest as live
from tests.cases.conftest import SOLICITUD
from ventanilla.core.cui import make_cui

# Not a browser, but a running server like the browser tests' (and as slow to start).
pytestmark = pytest.mark.browser
running_server, server_env, smtp_inbox = live.running_server, live.server_env, live.smtp_inbox

INSTITUTION_CUI = make_cui(50_000_001, "01", "01")


def register_service(env) -> dict:
    """What the administrators do: the institution's account, then its system."""
    live.run_on_server(
        env,
        "from ventanilla.identity.models import User;"
        f"User.objects.create_user('{INSTITUTION_CUI}', None, first_names='Sistema',"
        " last_names='del RENAP', assurance_level=2, registry_status='confirmed')",
    )
    command = ["oidc_client", "create", "--name", "Sistema del RENAP", "--client-credentials"]
    result = subprocess.run(
        [live.VENTANILLA, *command, "--owner", INSTITUTION_CUI, "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def test_another_institution_applies_through_the_api(running_server, server_env):
    from openapi_spec_validator import validate  # test extra (docs/api.md)

    url, _data_dir = running_server
    api = f"{url}/api/v1"
    document = requests.get(f"{api}/openapi.json", timeout=10).json()
    validate(document)
    token_url = document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"][
        "tokenUrl"
    ]
    assert requests.get(f"{api}/cases", timeout=10).status_code == 401

    service = register_service(server_env)
    client = OAuth2Session(
        service["client_id"], service["client_secret"], scope="tramites:leer tramites:escribir"
    )
    token = client.fetch_token(token_url, grant_type="client_credentials")
    assert set(token["scope"].split()) == {"tramites:leer", "tramites:escribir"}

    procedures = client.get(f"{api}/procedures", timeout=10).json()["items"]
    certification = next(p for p in procedures if p["slug"] == "certificacion-de-estudios")
    form = certification["first_task"]
    assert list(Draft202012Validator(form["schema"]).iter_errors(SOLICITUD)) == []

    created = client.post(f"{api}/cases", json={"procedure": certification["slug"]}, timeout=10)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["current_task"]["task"] == form["task"]

    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    upload = client.post(
        f"{api}/cases/{case['id']}/files",
        data={"task": form["task"], "field": "comprobante"},
        files={"file": ("constancia.pdf", pdf, "application/pdf")},
        timeout=10,
    )
    assert upload.status_code == 201, upload.text
    answers = {**SOLICITUD, "comprobante": upload.json()["id"]}

    answered = client.post(
        f"{api}/cases/{case['id']}/tasks/{form['task']}", json={"answers": answers}, timeout=10
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "in_review"
    assert answered.json()["tracking_number"].startswith("MINEDUC-")

    mine = client.get(f"{api}/cases", timeout=10).json()
    assert [item["id"] for item in mine["items"]] == [case["id"]]
    timeline = client.get(f"{api}/cases/{case['id']}/timeline", timeout=10).json()
    assert [entry["label"] for entry in timeline["items"]] == ["Solicitud recibida"]
    stranger = client.get(f"{api}/cases/{case['id'] + 1}", timeout=10)
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
