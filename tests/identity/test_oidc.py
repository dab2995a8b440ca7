"""Ventanilla as an OpenID Connect provider: discovery, keys, consent, tokens and claims.

Every flow here goes through the real endpoints with Django's test client; the browser
test (tests/browser/test_oidc_journey.py) does it against the running server with Authlib.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.models import get_access_token_model, get_application_model

from tests.conftest import force_login_with_second_factor
from ventanilla.core.cui import make_cui
from ventanilla.identity.models import TotpDevice, User
from ventanilla.identity.oidc import subject

pytestmark = pytest.mark.django_db

REDIRECT = "https://sistema.example.gob.gt/callback"
PASSWORD = "una frase larga y mía"
ALL_PERSON_SCOPES = "openid profile email cui"


@pytest.fixture(autouse=True)
def _issuer_from_the_request(settings):
    """Whatever the environment says, these tests see the issuer derived from the request
    (http://testserver), except where a test sets one."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": ""}


@pytest.fixture
def person():
    return User.objects.create_user(
        make_cui(30_000_001, "01", "01"),
        PASSWORD,
        first_names="Rosa Amalia",
        last_names="Pérez Xol",
        email="rosa@example.org",
        email_verified_at=timezone.now(),
        assurance_level=2,
    )


@pytest.fixture
def other_person():
    return User.objects.create_user(
        make_cui(30_000_002, "01", "01"), PASSWORD, first_names="Luis", last_names="Coc"
    )


def register(*args) -> dict:
    """Register a client with the administrators' command, as the docs say."""
    from io import StringIO

    out = StringIO()
    call_command("oidc_client", "create", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def system():
    return register("--name", "Sistema de Becas", "--redirect-uri", REDIRECT)


@pytest.fixture
def service():
    return register("--name", "Sistema del RENAP", "--client-credentials")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(system, scope=ALL_PERSON_SCOPES, challenge=None, **extra) -> dict:
    params = {
        "response_type": "code",
        "client_id": system["client_id"],
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "estado-123",
        "nonce": "nonce-456",
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return {**params, **extra}


class _Forms(HTMLParser):
    """The hidden fields of the page's first POST form (what a browser would send)."""

    def __init__(self):
        super().__init__()
        self.fields, self._in_form, self._done = {}, False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post" and not self._done:
            self._in_form = True
        elif tag == "input" and self._in_form and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = unescape(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def consent_form(html: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    return parser.fields


def query_of(location: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def get_code(client, system, scope=ALL_PERSON_SCOPES, allow=True) -> tuple[str, str]:
    """Ask for a code as the system would, and answer the consent page if there is one."""
    verifier, challenge = pkce_pair()
    params = authorize_params(system, scope, challenge)
    answer = client.get("/o/authorize/", params)
    if answer.status_code == 200:  # not allowed before: the consent page
        data = consent_form(answer.content.decode())
        if allow:
            data["allow"] = "1"
        answer = client.post("/o/authorize/?" + urlencode(params), data)
    assert answer.status_code == 302
    assert answer["Location"].startswith(REDIRECT + "?")
    query = query_of(answer["Location"])
    assert query["state"] == "estado-123"
    return query.get("code"), verifier


def exchange(client, system, code, verifier, **extra):
    return client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": system["client_id"],
            "client_secret": system["client_secret"],
            **extra,
        },
    )


def tokens_for(client, system, scope=ALL_PERSON_SCOPES) -> dict:
    code, verifier = get_code(client, system, scope)
    response = exchange(client, system, code, verifier)
    assert response.status_code == 200, response.content
    return response.json()


def verified_claims(client, id_token: str) -> dict:
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content)
    token = jwt.JWT(jwt=id_token, key=keys, algs=["RS256"], expected_type="JWS")
    return json.loads(token.claims)


# --- Discovery and keys -------------------------------------------------------------------


def test_discovery_is_at_the_site_root_and_describes_the_provider(client):
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["issuer"] == "http://testserver"
    assert document["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert document["token_endpoint"] == "http://testserver/o/token/"
    assert document["userinfo_endpoint"] == "http://testserver/o/userinfo/"
    assert document["jwks_uri"] == "http://testserver/o/.well-known/jwks.json"
    assert set(document["scopes_supported"]) == {
        "openid",
        "profile",
        "email",
        "cui",
        "catalogo:leer",
        "expedientes:leer",
        "tramites:leer",
        "tramites:escribir",
    }
    assert document["code_challenge_methods_supported"] == ["S256"]  # no "plain"
    assert document["response_types_supported"] == ["code"]
    assert document["acr_values_supported"] == [
        "urn:ventanilla:nivel:1",
        "urn:ventanilla:nivel:2",
        "urn:ventanilla:nivel:3",
    ]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["subject_types_supported"] == ["public"]
    assert set(document["grant_types_supported"]) == {
        "authorization_code",
        "client_credentials",
        "refresh_token",
    }
    claims = set(document["claims_supported"])
    assert {"sub", "acr", "name", "given_name", "family_name", "email", "email_verified"} <= claims
    assert "cui" in claims


def test_the_issuer_is_the_public_address_when_it_is_set(client, settings):
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_ISS_ENDPOINT": "https://ventanilla.mineduc.gob.gt",
    }
    document = client.get("/.well-known/openid-configuration").json()
    assert document["issuer"] == "https://ventanilla.mineduc.gob.gt"
    assert document["token_endpoint"] == "https://ventanilla.mineduc.gob.gt/o/token/"


def test_oauth_server_metadata_agrees_with_discovery(client):
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == "http://testserver"
    assert metadata["token_endpoint"] == "http://testserver/o/token/"


def test_jwks_publishes_the_rsa_public_key_and_nothing_private(client, settings):
    response = client.get("/o/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] and key["n"] and key["e"] == "AQAB"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    private = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    assert key["n"] == json.loads(private.export_public())["n"]


def test_the_toolkit_pages_where_anyone_could_register_a_client_are_not_published(client, person):
    client.force_login(person)
    assert client.get("/o/applications/").status_code == 404
    assert client.get("/o/applications/register/").status_code == 404


# --- Signing a person in ------------------------------------------------------------------


def test_a_person_not_signed_in_goes_to_our_sign_in_page_and_comes_back(client, person, system):
    _verifier, challenge = pkce_pair()
    params = authorize_params(system, challenge=challenge)
    response = client.get("/o/authorize/", params)
    assert response.status_code == 302
    assert response.url.startswith("/cuenta/entrar/?next=")
    next_url = query_of(response.url)["next"]
    assert next_url.startswith("/o/authorize/?")

    sign_in = client.get(response.url)
    assert f'name="next" value="{next_url}"'.replace("&", "&amp;") in sign_in.content.decode()
    signed_in = client.post(
        "/cuenta/entrar/", {"username": person.cui, "password": PASSWORD, "next": next_url}
    )
    assert signed_in.status_code == 302 and signed_in.url == next_url
    consent = client.get(next_url)
    assert consent.status_code == 200
    assert "«Sistema de Becas» quiere saber:" in consent.content.decode()


def test_the_consent_page_is_spanish_and_lists_what_the_system_will_learn(client, person, system):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get("/o/authorize/", authorize_params(system, challenge=challenge))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es"' in html
    assert "«Sistema de Becas» quiere saber:" in html
    listed = re.findall(r"<li>([^<]+)</li>", html)
    assert listed == [
        "Que es usted quien inicia sesión, y qué tan comprobada está su identidad",
        "Su nombre y apellidos",
        "Su correo electrónico",
        "Su CUI (el número de su DPI)",
    ]
    assert "sistema.example.gob.gt" in html  # where the person will be taken
    assert ">Permitir</button>" in html and ">No permitir</button>" in html
    assert "<script>" not in html and "style=" not in html
    # "Permitir" sends the form on to the system: the page's CSP must allow that origin.
    policy = response["Content-Security-Policy"]
    form_action = re.search(r"form-action ([^;]+)", policy).group(1).split()
    assert form_action == ["'self'", "https://sistema.example.gob.gt"]
    assert "no-store" in response["Cache-Control"]


def test_only_the_asked_scopes_are_listed(client, person, system):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    html = client.get(
        "/o/authorize/", authorize_params(system, "openid email", challenge)
    ).content.decode()
    assert "Su correo electrónico" in html
    assert "Su CUI" not in html and "Su nombre" not in html


def test_authorization_code_with_pkce_gives_a_signed_id_token_with_the_claims(
    client, person, system
):
    client.force_login(person)
    tokens = tokens_for(client, system)
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    claims = verified_claims(client, tokens["id_token"])
    assert claims["iss"] == "http://testserver"
    assert claims["aud"] == system["client_id"]
    assert claims["nonce"] == "nonce-456"
    assert claims["sub"] == subject(person)
    assert claims["name"] == "Rosa Amalia Pérez Xol"
    assert claims["given_name"] == "Rosa Amalia"
    assert claims["family_name"] == "Pérez Xol"
    assert claims["email"] == "rosa@example.org"
    assert claims["email_verified"] is True
    assert claims["cui"] == person.cui
    assert claims["acr"] == "urn:ventanilla:nivel:2"
    assert claims["exp"] > claims["iat"]


def test_sub_is_opaque_stable_and_differs_between_people(
    client, person, other_person, system, settings
):
    sub = subject(person)
    assert sub not in {person.cui, str(person.pk)}
    assert re.fullmatch(r"[0-9a-f]{32}", sub)
    assert sub != subject(other_person)
    settings.VENTANILLA_OIDC_SUBJECT_KEY = "another key"
    assert subject(person) != sub  # keyed: nobody can compute it from the account number
    settings.VENTANILLA_OIDC_SUBJECT_KEY = settings.SECRET_KEY
    client.force_login(person)
    first = verified_claims(client, tokens_for(client, system)["id_token"])["sub"]
    second = verified_claims(client, tokens_for(client, system, "openid")["id_token"])["sub"]
    assert first == second == subject(person)


def test_the_cui_claim_needs_the_cui_scope(client, person, system):
    client.force_login(person)
    tokens = tokens_for(client, system, "openid profile email")
    claims = verified_claims(client, tokens["id_token"])
    assert "cui" not in claims
    assert person.cui not in json.dumps(claims)
    assert claims["name"] == "Rosa Amalia Pérez Xol"
    userinfo = client.get(
        "/o/userinfo/", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert "cui" not in userinfo and userinfo["sub"] == subject(person)


def test_openid_alone_gives_who_and_how_sure_but_no_personal_data(client, person, system):
    client.force_login(person)
    claims = verified_claims(client, tokens_for(client, system, "openid")["id_token"])
    assert claims["sub"] == subject(person) and claims["acr"] == "urn:ventanilla:nivel:2"
    assert not {"name", "email", "email_verified", "cui"} & set(claims)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_acr_is_the_accounts_assurance_level(client, person, system, level):
    person.assurance_level = level
    person.save()
    client.force_login(person)
    claims = verified_claims(client, tokens_for(client, system, "openid")["id_token"])
    assert claims["acr"] == f"urn:ventanilla:nivel:{level}"


def test_an_unconfirmed_email_is_said_to_be_unconfirmed(client, other_person, system):
    other_person.email = "luis@example.org"
    other_person.save()
    client.force_login(other_person)
    claims = verified_claims(client, tokens_for(client, system, "openid email")["id_token"])
    assert claims["email"] == "luis@example.org" and claims["email_verified"] is False


def test_userinfo_answers_with_the_same_claims(client, person, system):
    client.force_login(person)
    tokens = tokens_for(client, system)
    userinfo = client.get(
        "/o/userinfo/", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert userinfo.status_code == 200
    assert userinfo.json() == {
        "sub": subject(person),
        "acr": "urn:ventanilla:nivel:2",
        "name": "Rosa Amalia Pérez Xol",
        "given_name": "Rosa Amalia",
        "family_name": "Pérez Xol",
        "email": "rosa@example.org",
        "email_verified": True,
        "cui": person.cui,
    }
    # RFC 9700: an access token in the query string is not accepted.
    in_query = client.get("/o/userinfo/", {"access_token": tokens["access_token"]})
    assert in_query.status_code == 400 and in_query.json()["error"] == "invalid_request"
    in_body = client.post("/o/userinfo/", {"access_token": tokens["access_token"]})
    assert in_body.status_code == 400
    assert client.get("/o/userinfo/").status_code == 401


def test_a_refresh_token_is_rotated_and_a_reused_one_revokes_the_family(client, person, system):
    client.force_login(person)
    tokens = tokens_for(client, system)
    credentials = {"client_id": system["client_id"], "client_secret": system["client_secret"]}

    def refresh(refresh_token):
        return client.post(
            "/o/token/",
            {"grant_type": "refresh_token", "refresh_token": refresh_token, **credentials},
        )

    renewed = refresh(tokens["refresh_token"])
    assert renewed.status_code == 200
    fresh = renewed.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert verified_claims(client, fresh["id_token"])["sub"] == subject(person)
    replayed = refresh(tokens["refresh_token"])  # stolen and used again
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"
    assert refresh(fresh["refresh_token"]).status_code == 400  # the whole family is revoked


def test_no_permitir_sends_the_person_back_with_access_denied(client, person, system):
    client.force_login(person)
    code, _verifier = get_code(client, system, allow=False)
    assert code is None
    assert get_access_token_model().objects.count() == 0


def test_the_code_works_once_and_only_with_its_verifier(client, person, system):
    client.force_login(person)
    code, verifier = get_code(client, system)
    wrong = exchange(client, system, code, pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code, verifier = get_code(client, system)
    assert exchange(client, system, code, verifier).status_code == 200
    again = exchange(client, system, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_trusted_system_gets_no_consent_page(client, person):
    trusted = register("--name", "Sistema Interno", "--redirect-uri", REDIRECT, "--trusted")
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get("/o/authorize/", authorize_params(trusted, challenge=challenge))
    assert response.status_code == 302
    assert "code" in query_of(response["Location"])


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-origin"}, {"Referer": "http://testserver/cuenta/entrar/"}],
)
def test_after_one_of_our_forms_the_way_back_is_a_page_not_a_redirect(client, person, headers):
    """Browsers apply the sign-in form's CSP (form-action 'self') to every redirect after
    it, so the last hop to the system must not be one (see the browser test)."""
    trusted = register("--name", "Sistema Interno", "--redirect-uri", REDIRECT, "--trusted")
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    params = authorize_params(trusted, challenge=challenge)
    response = client.get("/o/authorize/", params, headers=headers)
    assert response.status_code == 200
    delay, target = response["Refresh"].split(";url=", 1)
    assert delay == "0" and target.startswith(REDIRECT + "?") and "code" in query_of(target)
    html = response.content.decode()
    assert "Volviendo a «Sistema Interno»" in html
    assert f'href="{target.replace("&", "&amp;")}"' in html
    assert "no-store" in response["Cache-Control"]
    # Coming from the system itself (another site), a plain redirect.
    cross = client.get("/o/authorize/", params, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 302


def test_errors_after_our_forms_also_go_back_through_the_page(client, person, system):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    params = authorize_params(system, "openid nada", challenge)
    response = client.get("/o/authorize/", params, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200
    assert query_of(response["Refresh"].split(";url=", 1)[1])["error"] == "invalid_scope"
    assert "Volviendo a «Sistema de Becas»" in response.content.decode()


def test_a_system_already_allowed_is_not_asked_again(client, person, system):
    client.force_login(person)
    tokens_for(client, system, "openid email")
    _verifier, challenge = pkce_pair()
    again = client.get("/o/authorize/", authorize_params(system, "openid email", challenge))
    assert again.status_code == 302 and "code" in query_of(again["Location"])
    more = client.get("/o/authorize/", authorize_params(system, "openid email cui", challenge))
    assert more.status_code == 200  # asking for more needs the person's permission


def test_a_public_client_signs_in_with_pkce_and_no_secret(client, person):
    app = register("--name", "App Móvil", "--redirect-uri", REDIRECT, "--public")
    assert app["client_secret"] is None
    client.force_login(person)
    code, verifier = get_code(client, app)
    response = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": app["client_id"],
        },
    )
    assert response.status_code == 200
    assert verified_claims(client, response.json()["id_token"])["sub"] == subject(person)


def test_prompt_none(client, person, system):
    _verifier, challenge = pkce_pair()
    params = authorize_params(system, challenge=challenge, prompt="none")
    not_signed_in = client.get("/o/authorize/", params)
    assert not_signed_in.status_code == 302
    assert query_of(not_signed_in["Location"])["error"] == "login_required"
    client.force_login(person)
    not_allowed = client.get("/o/authorize/", params)
    assert not_allowed.status_code == 302
    assert not_allowed["Location"].startswith(REDIRECT)
    assert query_of(not_allowed["Location"]) == {
        "error": "consent_required",
        "state": "estado-123",
        "iss": "http://testserver",  # RFC 9207
    }


def test_prompt_login_asks_to_sign_in_again(client, person, system):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get(
        "/o/authorize/", authorize_params(system, challenge=challenge, prompt="login")
    )
    assert response.status_code == 302 and response.url.startswith("/cuenta/entrar/")
    assert "prompt" not in query_of(query_of(response.url)["next"])
    assert client.get("/cuenta/").status_code == 302  # signed out


# --- Bad input: an error page or the standard error redirect, never a 500 ------------------


def test_an_unknown_client_gets_a_spanish_error_page(client, person):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get(
        "/o/authorize/", authorize_params({"client_id": "no-existe"}, challenge=challenge)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "No podemos continuar" in html
    assert "avise a la institución" in html
    assert "Location" not in response


def test_a_redirect_uri_that_was_not_registered_is_never_followed(client, person, system):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get(
        "/o/authorize/",
        authorize_params(system, challenge=challenge, redirect_uri="https://malo.example/x"),
    )
    assert response.status_code == 400
    assert "No podemos continuar" in response.content.decode()
    assert "Location" not in response


def test_without_pkce_the_system_is_told_so(client, person, system):
    client.force_login(person)
    response = client.get("/o/authorize/", authorize_params(system))
    assert response.status_code == 302
    query = query_of(response["Location"])
    assert response["Location"].startswith(REDIRECT)
    assert query["error"] == "invalid_request" and "code" not in query
    assert "challenge" in query["error_description"].lower()


@pytest.mark.parametrize("method", [{"code_challenge_method": "plain"}, {}])
def test_the_plain_pkce_method_is_refused_before_asking_the_person(client, person, system, method):
    client.force_login(person)
    params = authorize_params(system, code_challenge="a" * 50, **method)
    response = client.get("/o/authorize/", params)
    assert response.status_code == 302
    query = query_of(response["Location"])
    assert response["Location"].startswith(REDIRECT)
    assert query["error"] == "invalid_request" and "S256" in query["error_description"]
    assert query["state"] == "estado-123"


@pytest.mark.parametrize(
    "scope", ["openid nada", "openid catalogo:leer", "expedientes:leer", "openid read"]
)
def test_a_scope_a_signing_in_system_may_not_have_is_refused(client, person, system, scope):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get("/o/authorize/", authorize_params(system, scope, challenge))
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_scope"


@pytest.mark.parametrize(
    "changes",
    [
        {"response_type": "token"},
        {"response_type": "id_token"},
        {"response_type": "code id_token"},
        {"response_type": ""},
        {"client_id": ""},
        {"redirect_uri": "javascript:alert(1)"},
        {"claims": "{no es json"},
        {"prompt": "none login"},
        {"code_challenge_method": "S512"},
        {"resource": "no-es-una-uri"},
    ],
)
def test_other_bad_requests_never_give_a_500(client, person, system, changes):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get("/o/authorize/", authorize_params(system, challenge=challenge) | changes)
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert response["Location"].startswith(REDIRECT)
        assert "error" in query_of(response["Location"])
    else:
        assert "No podemos continuar" in response.content.decode()


def test_a_service_client_cannot_sign_people_in(client, person, service):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get("/o/authorize/", authorize_params(service, challenge=challenge))
    assert response.status_code == 400  # it has no redirect URI to send the error to
    assert "No podemos continuar" in response.content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        {"client_id": "no-existe"},
        {"client_id": ""},
        {"redirect_uri": "https://malo.example/x"},
        {"scope": "openid catalogo:leer"},
        {"response_type": "token"},
        {"code_challenge_method": "plain"},
    ],
)
def test_a_tampered_consent_form_never_gives_a_500_nor_a_code(client, person, system, tamper):
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    params = authorize_params(system, challenge=challenge)
    data = consent_form(client.get("/o/authorize/", params).content.decode())
    response = client.post("/o/authorize/?" + urlencode(params), data | tamper | {"allow": "1"})
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert response["Location"].startswith(REDIRECT)
        assert "code" not in query_of(response["Location"])
    else:
        assert "No podemos continuar" in response.content.decode()


def test_pkce_cannot_be_dropped_from_the_consent_form(client, person, system):
    from oauth2_provider.models import Grant

    client.force_login(person)
    _verifier, challenge = pkce_pair()
    params = authorize_params(system, challenge=challenge)
    data = consent_form(client.get("/o/authorize/", params).content.decode())
    dropped = data | {"code_challenge": "", "code_challenge_method": "", "allow": "1"}
    # Posted to a bare address: no challenge anywhere, no code.
    response = client.post("/o/authorize/", dropped)
    assert query_of(response["Location"])["error"] == "invalid_request"
    # Posted back to the page's own address (as a browser does): the address still carries
    # the challenge, and the code is bound to it.
    response = client.post("/o/authorize/?" + urlencode(params), dropped)
    grant = Grant.objects.get(code=query_of(response["Location"])["code"])
    assert grant.code_challenge == challenge and grant.code_challenge_method == "S256"


def test_the_token_endpoint_never_checks_a_persons_password(client, person, system):
    from axes.models import AccessAttempt

    response = client.post(
        "/o/token/",
        {
            "grant_type": "password",
            "username": person.cui,
            "password": PASSWORD,
            "client_id": system["client_id"],
            "client_secret": system["client_secret"],
        },
    )
    assert response.status_code == 400 and "access_token" not in response.json()
    wrong = client.post(
        "/o/token/",
        {
            "grant_type": "password",
            "username": person.cui,
            "password": "otra",
            "client_id": system["client_id"],
            "client_secret": system["client_secret"],
        },
    )
    assert wrong.json() == response.json()  # no way to tell a right password from a wrong one
    assert not AccessAttempt.objects.exists()


def test_the_token_endpoint_answers_bad_requests_with_oauth_errors(client, system):
    cases = [
        {},
        {"grant_type": "password", "username": "x", "password": "y"},
        {"grant_type": "authorization_code", "code": "inventado", "redirect_uri": REDIRECT},
        {"grant_type": "refresh_token", "refresh_token": "inventado"},
        {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "x"},
    ]
    for data in cases:
        response = client.post(
            "/o/token/",
            {**data, "client_id": system["client_id"], "client_secret": system["client_secret"]},
        )
        assert 400 <= response.status_code < 500, (data, response.status_code)
        assert "error" in response.json()
    wrong_secret = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": system["client_id"],
            "client_secret": "x",
        },
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"


# --- Systems of other institutions: client credentials ------------------------------------


def client_credentials(client, service, scope=None):
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    basic = base64.b64encode(f"{service['client_id']}:{service['client_secret']}".encode())
    return client.post("/o/token/", data, headers={"Authorization": f"Basic {basic.decode()}"})


def test_a_service_gets_a_token_for_a_service_scope(client, service):
    response = client_credentials(client, service, "catalogo:leer")
    assert response.status_code == 200
    token = response.json()
    assert token["scope"] == "catalogo:leer"
    assert "id_token" not in token and "refresh_token" not in token
    stored = get_access_token_model().objects.get()
    assert stored.user is None and stored.scope == "catalogo:leer"
    assert stored.token == ""  # only a checksum of the token is kept (RFC 9700)
    both = client_credentials(client, service, "catalogo:leer expedientes:leer")
    assert both.status_code == 200


@pytest.mark.parametrize(
    "scope", ["openid", "cui", "profile", "email", "catalogo:leer cui", "catalogo:leer openid", ""]
)
def test_a_service_never_gets_the_person_scopes(client, service, scope):
    response = client_credentials(client, service, scope)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_service_must_say_which_scope_it_wants(client, service):
    response = client_credentials(client, service)
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def test_a_signing_in_system_cannot_use_client_credentials(client, system):
    response = client_credentials(client, system, "catalogo:leer")
    assert response.status_code in {400, 401}
    assert response.json()["error"] in {"unauthorized_client", "invalid_scope"}


# --- Registering clients ------------------------------------------------------------------


def test_the_command_prints_the_secret_once_and_keeps_a_hash(system):
    app = get_application_model().objects.get(client_id=system["client_id"])
    assert system["client_secret"] and app.client_secret != system["client_secret"]
    assert app.client_secret.startswith(("argon2", "pbkdf2", "md5"))
    assert app.algorithm == "RS256" and app.client_type == "confidential"
    assert app.redirect_uris == REDIRECT and not app.skip_authorization
    assert system["scopes"] == [
        "openid",
        "profile",
        "email",
        "cui",
        "tramites:leer",
        "tramites:escribir",
    ]


def test_the_command_in_plain_text(capsys):
    call_command("oidc_client", "create", "--name", "Sistema X", "--redirect-uri", REDIRECT)
    out = capsys.readouterr().out
    app = get_application_model().objects.get(name="Sistema X")
    assert f"client_id:     {app.client_id}" in out
    assert re.search(r"client_secret: \S{40,}", out)
    call_command("oidc_client", "list")
    assert f"{app.client_id}  Sistema X" in capsys.readouterr().out


def test_a_service_client_from_the_command(service):
    app = get_application_model().objects.get(client_id=service["client_id"])
    assert app.authorization_grant_type == "client-credentials"
    assert app.algorithm == "" and app.redirect_uris == ""
    assert service["scopes"] == [
        "catalogo:leer",
        "expedientes:leer",
        "tramites:leer",
        "tramites:escribir",
    ]


def test_a_service_client_acts_as_its_institutions_account(person):
    service = register("--name", "Sistema del RENAP", "--client-credentials", "--owner", person.cui)
    app = get_application_model().objects.get(client_id=service["client_id"])
    assert app.user == person and service["owner"] == person.cui


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "X", "--redirect-uri", REDIRECT, "--owner", make_cui(30_000_001, "01", "01")],
        ["--name", "X", "--client-credentials", "--owner", make_cui(39_999_999, "01", "01")],
    ],
)
def test_the_owner_is_for_service_clients_and_must_exist(person, args):
    with pytest.raises(CommandError):
        call_command("oidc_client", "create", *args)
    assert not get_application_model().objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "X"],  # no redirect URI
        ["--name", "X", "--redirect-uri", "ftp://x.example/cb"],
        ["--name", "X", "--redirect-uri", "no es una uri"],
        ["--name", "X", "--client-credentials", "--public"],
        ["--name", "X", "--client-credentials", "--redirect-uri", REDIRECT],
    ],
)
def test_the_command_refuses_what_would_not_work(args):
    with pytest.raises(CommandError):
        call_command("oidc_client", "create", *args)
    assert not get_application_model().objects.exists()


def test_rotating_the_secret(client, service):
    out_before = service["client_secret"]
    from io import StringIO

    out = StringIO()
    call_command("oidc_client", "rotate-secret", service["client_id"], "--json", stdout=out)
    rotated = json.loads(out.getvalue())
    assert rotated["client_secret"] != out_before
    assert client_credentials(client, service, "catalogo:leer").status_code == 401
    assert client_credentials(client, rotated, "catalogo:leer").status_code == 200
    with pytest.raises(CommandError):
        call_command("oidc_client", "rotate-secret", "no-existe")


@pytest.fixture
def administrator():
    return User.objects.create_superuser(
        make_cui(30_000_009, "01", "01"), PASSWORD, first_names="Ana", last_names="Admin"
    )


def sign_in_to_the_admin(client, administrator):
    # Officials reach the admin only with an authenticator app enrolled and a second factor
    # in the session (identity.middleware; tests/identity/test_two_factor.py covers how).
    TotpDevice.objects.create(user=administrator, encrypted_secret=b"not used here")
    force_login_with_second_factor(client, administrator)


def test_the_admin_lists_and_registers_clients(client, administrator, system):
    sign_in_to_the_admin(client, administrator)
    for model in ["application", "accesstoken", "refreshtoken", "grant", "idtoken"]:
        assert client.get(f"/admin/oauth2_provider/{model}/").status_code == 200, model
        assert client.get(f"/admin/oauth2_provider/{model}/?q=30000").status_code == 200, model
    add = client.get("/admin/oauth2_provider/application/add/")
    assert add.status_code == 200
    form = add.context["adminform"].form
    assert form.initial["algorithm"] == "RS256"
    assert form.initial["authorization_grant_type"] == "authorization-code"
    secret = form.initial.get("client_secret")
    response = client.post(
        "/admin/oauth2_provider/application/add/",
        {
            "client_id": "sistema-del-admin",
            "client_secret": secret or "un-secreto-largo-del-administrador-2026",
            "hash_client_secret": "on",
            "name": "Sistema del admin",
            "client_type": "confidential",
            "authorization_grant_type": "authorization-code",
            "redirect_uris": REDIRECT,
            "post_logout_redirect_uris": "",
            "allowed_origins": "",
            "algorithm": "RS256",
            "user": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    app = get_application_model().objects.get(client_id="sistema-del-admin")
    change = client.get(f"/admin/oauth2_provider/application/{app.pk}/change/")
    assert change.status_code == 200
    assert "/r/" not in change.content.decode()  # no "view on site" to an unpublished page


def test_a_client_set_to_no_oidc_in_the_admin_gets_invalid_scope_not_a_500(client, person, system):
    get_application_model().objects.filter(client_id=system["client_id"]).update(algorithm="")
    client.force_login(person)
    _verifier, challenge = pkce_pair()
    response = client.get("/o/authorize/", authorize_params(system, challenge=challenge))
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_scope"


# --- The signing key ----------------------------------------------------------------------


def _settings_value(env: dict, tmp_path, expression: str) -> str:
    code = f"import ventanilla.settings as s; print({expression})"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VENTANILLA_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "VENTANILLA_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_signing_key_is_generated_once_in_the_data_directory(tmp_path):
    expression = "s.OAUTH2_PROVIDER['OIDC_RSA_PRIVATE_KEY'].splitlines()[1]"
    first = _settings_value({}, tmp_path, expression)
    key_file = tmp_path / "oidc_private_key.pem"
    assert key_file.stat().st_mode & 0o077 == 0
    assert first == key_file.read_text().splitlines()[1]
    assert _settings_value({}, tmp_path, expression) == first  # the same key next time
    key = jwk.JWK.from_pem(key_file.read_bytes())
    assert key["kty"] == "RSA" and len(base64.urlsafe_b64decode(key["n"] + "==")) == 256
    assert [p.name for p in tmp_path.iterdir() if "oidc" in p.name] == [key_file.name]


def test_the_signing_key_can_come_from_a_file(tmp_path):
    own = jwk.JWK.generate(kty="RSA", size=2048)
    path = tmp_path / "clave.pem"
    path.write_bytes(own.export_to_pem(private_key=True, password=None))
    env = {"VENTANILLA_OIDC_PRIVATE_KEY_FILE": str(path)}
    expression = "s.OAUTH2_PROVIDER['OIDC_RSA_PRIVATE_KEY'].splitlines()[1]"
    assert _settings_value(env, tmp_path, expression) == path.read_text().splitlines()[1]
    assert not (tmp_path / "oidc_private_key.pem").exists()


def test_the_issuer_comes_from_the_public_address_only_when_it_is_set(tmp_path):
    expression = "s.OAUTH2_PROVIDER['OIDC_ISS_ENDPOINT'] or '-'"
    assert _settings_value({}, tmp_path, expression) == "-"
    public = {"VENTANILLA_PUBLIC_URL": "https://ventanilla.example/"}
    assert _settings_value(public, tmp_path, expression) == "https://ventanilla.example"
