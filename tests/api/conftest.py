"""Tokens made the way other systems get them: client credentials at the real token endpoint,
and a person's authorization code with PKCE through the real consent page."""

import base64
import json
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from oauth2_provider.models import get_application_model

from tests.cases import conftest as cases_fixtures
from tests.cases.conftest import person
from tests.identity.test_oidc import consent_form, pkce_pair, query_of
from ventanilla.identity.models import AssuranceLevel, RegistryStatus

REDIRECT = "https://becas.example.gob.gt/callback"
BOTH = "tramites:leer tramites:escribir"

# The published certification and its reviewers, as the cases tests build them.
certification = cases_fixtures.certification
reviewers = cases_fixtures.reviewers


@pytest.fixture(autouse=True)
def _issuer_from_the_request(settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": ""}


def register(*args) -> dict:
    """Register a client with the administrators' command (docs/api.md)."""
    out = StringIO()
    call_command("oidc_client", "create", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def confirmed(n, **fields):
    """An account whose identity the registry confirmed (level 2)."""
    return person(
        n,
        assurance_level=AssuranceLevel.REGISTRY,
        registry_status=RegistryStatus.CONFIRMED,
        **fields,
    )


@pytest.fixture
def institution(db):
    """The account of the institution that calls the API with its own system."""
    return confirmed(66, first_names="RENAP", last_names="Sistema de pruebas")


@pytest.fixture
def service(institution):
    return register(
        "--name", "Sistema del RENAP", "--client-credentials", "--owner", institution.cui
    )


@pytest.fixture
def marta(db):
    return confirmed(64, first_names="Marta", last_names="Xol")


def client_credentials(client, service, scope=BOTH):
    basic = base64.b64encode(f"{service['client_id']}:{service['client_secret']}".encode())
    return client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        headers={"Authorization": f"Basic {basic.decode()}"},
    )


def service_token(client, service, scope=BOTH) -> str:
    response = client_credentials(client, service, scope)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def person_token(client, user, scope=BOTH) -> str:
    """A person allows a system (authorization code with PKCE, consent page) and the system
    exchanges the code; the test client then forgets the person's session."""
    system = register("--name", "Sistema de Becas", "--redirect-uri", REDIRECT)
    client.force_login(user)
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": system["client_id"],
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "estado",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = client.get("/o/authorize/", params)
    assert page.status_code == 200, page.content  # the consent page
    answer = client.post(
        "/o/authorize/?" + urlencode(params), consent_form(page.content.decode()) | {"allow": "1"}
    )
    code = query_of(answer["Location"])["code"]
    client.logout()
    response = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": system["client_id"],
            "client_secret": system["client_secret"],
        },
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """The test client speaking JSON to /api/v1/ with one token."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=bearer(self.token))

    def post(self, path, body=None):
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=bearer(self.token),
        )

    def upload(self, path, data):
        return self.client.post(f"/api/v1{path}", data, headers=bearer(self.token))


@pytest.fixture
def as_institution(client, service, certification):
    return Api(client, service_token(client, service))


def application_of(service):
    return get_application_model().objects.get(client_id=service["client_id"])
