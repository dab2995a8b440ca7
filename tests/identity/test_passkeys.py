"""Passkey endpoints with what a browser may send that is wrong. The ceremonies themselves
run in Chromium with a virtual authenticator (tests/browser/test_passkey_journey.py)."""

import json

import pytest

from tests.conftest import force_login_with_second_factor
from ventanilla.core.cui import make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity import sessions
from ventanilla.identity.actions import bootstrap_administrator
from ventanilla.identity.models import Passkey, User

pytestmark = pytest.mark.django_db


def make_user(n=1):
    return User.objects.create_user(
        make_cui(30_000_000 + n, "01", "01"), "una-clave-larga-2026", first_names="Juan"
    )


def test_registration_options_name_this_site_and_exclude_existing_passkeys(client):
    user = make_user()
    Passkey.objects.create(user=user, name="Viejo", credential_id="AAEC", public_key=b"k")
    client.force_login(user)
    options = json.loads(client.post("/cuenta/huellas/opciones/").content)
    assert options["rp"]["id"] == "testserver"
    assert options["user"]["name"] == user.cui
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert [c["id"] for c in options["excludeCredentials"]] == ["AAEC"]
    assert client.session["ventanilla_webauthn_challenge"] == options["challenge"]


@pytest.mark.parametrize("credential", ["", "no es json", '{"id": "x"}', "{" * 50_000])
def test_a_bad_registration_answer_is_refused_with_a_message(client, credential):
    client.force_login(make_user())
    client.post("/cuenta/huellas/opciones/")
    response = client.post("/cuenta/huellas/agregar/", {"credential": credential}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No pudimos comprobar la huella" in page or "no envió la huella" in page
    assert not Passkey.objects.exists()


@pytest.mark.parametrize("credential", ["", "basura", '{"rawId": "AAEC"}', '{"rawId": 5}'])
def test_a_bad_or_unknown_passkey_does_not_sign_in(client, credential):
    client.post("/cuenta/entrar/huella/opciones/")
    response = client.post("/cuenta/entrar/huella/", {"credential": credential}, follow=True)
    assert "No pudimos entrar con esa huella" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_options_let_the_browser_choose_a_passkey(client):
    options = json.loads(client.post("/cuenta/entrar/huella/opciones/").content)
    assert options["rpId"] == "testserver"
    assert options["userVerification"] == "required"
    assert not options.get("allowCredentials")


def test_the_options_endpoints_refuse_get(client):
    assert client.get("/cuenta/entrar/huella/opciones/").status_code == 405


def test_nobody_removes_someone_elses_passkey(client):
    owner, other = make_user(1), make_user(2)
    passkey = Passkey.objects.create(user=owner, name="Mío", credential_id="AQID", public_key=b"k")
    client.force_login(other)
    client.post(f"/cuenta/huellas/{passkey.pk}/quitar/")
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_an_official_signed_in_with_a_passkey_still_needs_the_app(client):
    official = make_user(3)
    bootstrap_administrator(official, OrgUnit.objects.get(code="dinfo"))
    client.force_login(official)
    session = client.session
    session[sessions.SECOND_FACTOR_KEY] = "passkey"
    session.save()
    assert client.get("/oficina/").url.startswith("/cuenta/dos-pasos/activar/")


def test_the_account_page_links_to_passkeys(client):
    force_login_with_second_factor(client, make_user())
    assert 'href="/cuenta/huellas/"' in client.get("/cuenta/").content.decode()
