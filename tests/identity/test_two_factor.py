"""Second step of signing in: authenticator-app codes (TOTP) and recovery codes; officials
cannot reach the back office or the administration without them."""

import re
import time

import pyotp
import pytest

from ventanilla.core.cui import make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity import sessions
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import Role, TotpDevice, User
from ventanilla.identity.two_factor import decrypt_secret

pytestmark = pytest.mark.django_db

PASSWORD = "una-clave-larga-2026"


def make_user(n=1, **fields):
    return User.objects.create_user(
        make_cui(40_000_000 + n, "01", "01"),
        PASSWORD,
        first_names="Lucía",
        last_names="Tum",
        **fields,
    )


def make_official(n=2):
    user = make_user(n)
    admin = make_user(90)
    unit = OrgUnit.objects.get(code="dideduc-guatemala-norte")
    bootstrap_administrator(admin, unit)
    grant_role(user, Role.REVIEWER, unit, actor=admin)
    return user


def enrol(client, next_url=""):
    """Scan the QR code (here: read the secret from the session) and confirm a code."""
    page = client.get("/cuenta/dos-pasos/activar/", {"next": next_url} if next_url else None)
    assert page.status_code == 200
    secret = client.session["ventanilla_totp_setup_secret"]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page.content.decode()
    response = client.post(
        "/cuenta/dos-pasos/activar/", {"code": pyotp.TOTP(secret).now(), "next": next_url}
    )
    assert response.url == "/cuenta/dos-pasos/codigos-de-recuperacion/"
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<code>([a-z0-9-]{12})</code>", codes_page)
    assert len(codes) == 10
    return secret, codes


def sign_in(client, user, next_url="/cuenta/"):
    return client.post(
        f"/cuenta/entrar/?next={next_url}", {"username": user.cui, "password": PASSWORD}
    )


def code_at(secret, offset_steps=0):
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def test_enrolling_needs_a_right_code_and_keeps_the_same_key_after_a_wrong_one(client):
    user = make_user()
    client.force_login(user)
    client.get("/cuenta/dos-pasos/activar/")
    secret = client.session["ventanilla_totp_setup_secret"]
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    page = client.post("/cuenta/dos-pasos/activar/", {"code": wrong})
    assert "Ese código no es correcto" in page.content.decode()
    assert client.session["ventanilla_totp_setup_secret"] == secret
    assert not TotpDevice.objects.filter(user=user).exists()

    client.post("/cuenta/dos-pasos/activar/", {"code": pyotp.TOTP(secret).now()})
    device = TotpDevice.objects.get(user=user)
    assert decrypt_secret(device.encrypted_secret) == secret
    assert secret.encode() not in bytes(device.encrypted_secret)  # stored encrypted
    assert user.recovery_codes.count() == 10
    client.get("/cuenta/dos-pasos/codigos-de-recuperacion/")
    # The codes are shown once.
    again = client.get("/cuenta/dos-pasos/codigos-de-recuperacion/")
    assert again.url == "/cuenta/dos-pasos/"


def test_malformed_codes_get_their_own_message(client):
    client.force_login(make_user())
    client.get("/cuenta/dos-pasos/activar/")
    page = client.post("/cuenta/dos-pasos/activar/", {"code": "12ab"}).content.decode()
    assert "Escriba los 6 números que muestra su aplicación" in page


def test_signing_in_asks_for_the_code_after_the_password(client):
    user = make_user()
    client.force_login(user)
    secret, _codes = enrol(client)
    client.post("/cuenta/salir/")

    response = sign_in(client, user, next_url="/cuenta/dos-pasos/")
    assert response.url == "/cuenta/entrar/codigo/"
    assert client.get("/cuenta/").status_code == 302  # not signed in yet

    response = client.post("/cuenta/entrar/codigo/", {"code": code_at(secret, 1)})
    assert response.url == "/cuenta/dos-pasos/"
    assert client.get("/cuenta/").status_code == 200
    assert client.session[sessions.SECOND_FACTOR_KEY] == "totp"


def test_a_code_is_accepted_only_once(client):
    user = make_user()
    client.force_login(user)
    secret, _codes = enrol(client)
    client.post("/cuenta/salir/")
    code = code_at(secret, 1)
    sign_in(client, user)
    assert client.post("/cuenta/entrar/codigo/", {"code": code}).status_code == 302
    client.post("/cuenta/salir/")

    sign_in(client, user)
    page = client.post("/cuenta/entrar/codigo/", {"code": code})  # replayed
    assert page.status_code == 200
    assert "Ese código ya se usó" in page.content.decode()
    assert client.get("/cuenta/").status_code == 302


def test_a_recovery_code_works_once(client):
    user = make_user()
    client.force_login(user)
    _secret, codes = enrol(client)
    client.post("/cuenta/salir/")

    sign_in(client, user)
    response = client.post("/cuenta/entrar/codigo/", {"code": codes[0].upper()}, follow=True)
    assert "Le quedan 9" in response.content.decode()
    assert client.session[sessions.SECOND_FACTOR_KEY] == "recovery_code"
    client.post("/cuenta/salir/")

    sign_in(client, user)
    page = client.post("/cuenta/entrar/codigo/", {"code": codes[0]}).content.decode()
    assert "Ese código de recuperación ya se usó" in page


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, settings):
    user = make_user()
    client.force_login(user)
    secret, _codes = enrol(client)
    client.post("/cuenta/salir/")
    right = pyotp.TOTP(secret)
    wrong = next(
        c for c in (f"{n:06d}" for n in range(1_000_000)) if not right.verify(c, valid_window=1)
    )
    sign_in(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/cuenta/entrar/codigo/", {"code": wrong})
    locked = sign_in(client, user)
    assert locked.status_code == 429
    assert "15 minutos" in locked.content.decode()


def test_the_code_must_follow_the_password_within_five_minutes(client):
    user = make_user()
    client.force_login(user)
    secret, _codes = enrol(client)
    client.post("/cuenta/salir/")
    sign_in(client, user)
    session = client.session
    session[sessions.PENDING_KEY]["since"] -= sessions.PENDING_MAX_AGE + 1
    session.save()
    response = client.post("/cuenta/entrar/codigo/", {"code": code_at(secret)}, follow=True)
    assert "Vuelva a iniciar sesión" in response.content.decode()
    assert client.get("/cuenta/").status_code == 302


def test_an_official_must_enrol_before_the_back_office(client):
    official = make_official()
    sign_in(client, official, next_url="/oficina/")
    response = client.get("/oficina/")
    assert response.url == "/cuenta/dos-pasos/activar/?next=%2Foficina%2F"
    page = client.get(response.url).content.decode()
    assert "antes de ver expedientes" in page

    _secret, _codes = enrol(client, next_url="/oficina/")
    page = client.get("/oficina/")
    assert page.status_code == 200
    assert "Revisor de expedientes" in page.content.decode()


def test_an_enrolled_official_without_the_code_in_this_session_is_asked_for_it(client):
    official = make_official()
    TotpDevice.objects.create(user=official, encrypted_secret=b"x")
    client.force_login(official)  # e.g. a session from before enrolment
    assert client.get("/oficina/").url == "/cuenta/entrar/codigo/?next=%2Foficina%2F"
    assert client.get("/admin/").url == "/cuenta/entrar/codigo/?next=%2Fadmin%2F"


def test_staff_must_enrol_before_the_administration(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").url == "/cuenta/dos-pasos/activar/?next=%2Fadmin%2F"


def test_the_administration_signs_in_through_the_platform(client):
    response = client.get("/admin/login/?next=/admin/catalog/")
    assert response.url == "/cuenta/entrar/?next=%2Fadmin%2Fcatalog%2F"
    assert client.get("/admin/login/?next=https://evil.example/").url == (
        "/cuenta/entrar/?next=%2Fadmin%2F"
    )


def test_citizens_have_no_back_office(client):
    client.force_login(make_user())
    assert client.get("/oficina/").status_code == 403


def test_officials_cannot_turn_it_off_citizens_can_after_a_code(client):
    official = make_official()
    client.force_login(official)
    enrol(client)
    client.post("/cuenta/dos-pasos/desactivar/")
    assert TotpDevice.objects.filter(user=official).exists()

    citizen = make_user(3)
    client.force_login(citizen)
    secret, _codes = enrol(client)
    client.post("/cuenta/salir/")
    client.force_login(citizen)  # a session that has not proved the code
    response = client.post("/cuenta/dos-pasos/desactivar/")
    assert response.url.startswith("/cuenta/entrar/codigo/")
    client.post(response.url, {"code": code_at(secret, 1)})
    client.post("/cuenta/dos-pasos/desactivar/")
    assert not TotpDevice.objects.filter(user=citizen).exists()
    assert citizen.recovery_codes.count() == 0
