"""Single sign-on against the running server: a separate OpenID Connect client (Authlib)
signs a person in with authorization code + PKCE, and checks the ID token's signature
against the published keys (JWKS). The person uses a real Chromium."""

import json
import os
import subprocess
import warnings
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

with warnings.catch_warnings():  # authlib.jose is deprecated for joserfc, still supported
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, jwt

from tests.browser.conftest import DESKTOP, VENTANILLA, serious_violations
from ventanilla.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Nothing listens here: the browser's visit to the system is intercepted, and the tests
# take the code from the address, as the system's server would.
CALLBACK = "http://127.0.0.1:9/callback"
CITIZEN_CUI = next(cui for _role, cui, *_rest, kind in DEMO_ACCOUNTS if kind == "citizen")


def register(env, *args) -> dict:
    """Register a client the way an administrator does: `ventanilla oidc_client create`."""
    result = subprocess.run(
        [VENTANILLA, "oidc_client", "create", *args, "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def citizen_acr(env) -> str:
    """The acr the citizen's account should have, read from the server's own database."""
    code = (
        "from ventanilla.identity.models import User;"
        f"print(User.objects.get(cui='{CITIZEN_CUI}').assurance_level)"
    )
    result = subprocess.run(
        [VENTANILLA, "shell", "--no-imports", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return f"urn:ventanilla:nivel:{result.stdout.strip()}"


@pytest.fixture(scope="module")
def discovery(running_server):
    url, _data_dir = running_server
    response = requests.get(f"{url}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    return response.json()


def verify_id_token(discovery, id_token, client_id, nonce):
    """What a relying party does: the signature against the JWKS, then iss, aud, nonce,
    exp and iat."""
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        id_token,
        keys,
        claims_options={
            "iss": {"essential": True, "value": discovery["issuer"]},
            "aud": {"essential": True, "value": client_id},
            "nonce": {"essential": True, "value": nonce},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
        },
    )
    claims.validate(leeway=5)
    assert claims.header["alg"] == "RS256"
    return claims


def sign_in_in_the_browser(page, cui, password):
    page.get_by_label("CUI").fill(cui)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()


@pytest.fixture
def desktop(browser, live_server_url):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server_url, locale="es-GT")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    arrivals = []

    def arrive(route):
        arrivals.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="Sistema de Becas")

    page.route(f"{CALLBACK}**", arrive)
    page.arrivals = arrivals
    yield page
    context.close()


def test_a_system_signs_a_citizen_in_with_code_pkce_and_a_verified_id_token(
    desktop, running_server, server_env, discovery
):
    url, _data_dir = running_server
    system = register(server_env, "--name", "Sistema de Becas", "--redirect-uri", CALLBACK)
    assert discovery["issuer"] == os.environ.get("VENTANILLA_PUBLIC_URL", url).rstrip("/")
    assert "S256" in discovery["code_challenge_methods_supported"]

    client = OAuth2Session(
        system["client_id"],
        system["client_secret"],
        scope="openid profile email cui",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    verifier, nonce = generate_token(64), generate_token(24)
    authorization_url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    assert "code_challenge=" in authorization_url

    page = desktop
    page.goto(authorization_url)
    assert urlsplit(page.url).path == "/cuenta/entrar/"  # not signed in: our sign-in page
    sign_in_in_the_browser(page, CITIZEN_CUI, DEMO_PASSWORD)

    # Back at the authorization endpoint, on the consent page.
    assert urlsplit(page.url).path == "/o/authorize/"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "«Sistema de Becas» quiere saber:"
    assert page.locator("main li").all_inner_texts() == [
        "Que es usted quien inicia sesión, y qué tan comprobada está su identidad",
        "Su nombre y apellidos",
        "Su correo electrónico",
        "Su CUI (el número de su DPI)",
    ]
    assert serious_violations(page) == []
    assert page.console_errors == []  # e.g. nothing blocked by the CSP
    page.get_by_role("button", name="Permitir", exact=True).click()
    page.wait_for_url(f"{CALLBACK}**")

    (arrival,) = page.arrivals
    query = {key: values[0] for key, values in parse_qs(urlsplit(arrival).query).items()}
    assert query["state"] == state and query["code"]
    assert query["iss"] == discovery["issuer"]  # RFC 9207

    token = client.fetch_token(
        discovery["token_endpoint"],
        authorization_response=arrival,
        code_verifier=verifier,
        state=state,
    )
    claims = verify_id_token(discovery, token["id_token"], system["client_id"], nonce)
    assert claims["cui"] == CITIZEN_CUI
    assert claims["sub"] != CITIZEN_CUI and CITIZEN_CUI not in claims["sub"]
    assert claims["acr"] == citizen_acr(server_env)
    assert claims["acr"] in discovery["acr_values_supported"]
    assert claims["name"] == "Carmen Ciudadana (demo)"
    assert claims["email"] == "citizen@demo.ventanilla.invalid"

    userinfo = client.get(discovery["userinfo_endpoint"], timeout=10).json()
    assert userinfo["sub"] == claims["sub"] and userinfo["cui"] == CITIZEN_CUI

    # The same code a second time is refused.
    again = requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        auth=(system["client_id"], system["client_secret"]),
        timeout=10,
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_trusted_public_app_signs_in_without_consent_and_without_a_secret(
    desktop, server_env, discovery
):
    app = register(
        server_env,
        "--name",
        "App del Ministerio",
        "--redirect-uri",
        CALLBACK,
        "--public",
        "--trusted",
    )
    client = OAuth2Session(
        app["client_id"],
        scope="openid",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier, nonce = generate_token(64), generate_token(24)
    authorization_url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    page = desktop
    page.goto(authorization_url)
    sign_in_in_the_browser(page, CITIZEN_CUI, DEMO_PASSWORD)
    # Straight from the sign-in form to the app: no consent page for a trusted app.
    page.wait_for_url(f"{CALLBACK}**")
    token = client.fetch_token(
        discovery["token_endpoint"],
        authorization_response=page.arrivals[-1],
        code_verifier=verifier,
        state=state,
    )
    claims = verify_id_token(discovery, token["id_token"], app["client_id"], nonce)
    assert "cui" not in claims and "name" not in claims  # only what "openid" gives
    assert claims["acr"] == citizen_acr(server_env)


def test_a_system_of_another_institution_gets_a_service_token_only(server_env, discovery):
    service = register(server_env, "--name", "Sistema del RENAP", "--client-credentials")
    client = OAuth2Session(service["client_id"], service["client_secret"])
    token = client.fetch_token(
        discovery["token_endpoint"], grant_type="client_credentials", scope="catalogo:leer"
    )
    assert token["scope"] == "catalogo:leer" and "id_token" not in token
    refused = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": "openid cui"},
        auth=(service["client_id"], service["client_secret"]),
        timeout=10,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


def test_an_unknown_system_gets_a_spanish_page_in_the_browser(desktop):
    page = desktop
    page.goto("/cuenta/entrar/")
    sign_in_in_the_browser(page, CITIZEN_CUI, DEMO_PASSWORD)
    response = page.goto(
        "/o/authorize/?response_type=code&client_id=no-existe&scope=openid"
        f"&redirect_uri={CALLBACK}&code_challenge={'a' * 43}&code_challenge_method=S256"
    )
    assert response.status == 400
    assert page.get_by_role("heading", name="No podemos continuar").is_visible()
    assert page.arrivals == []  # never sent to an address nobody registered
