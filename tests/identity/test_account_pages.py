"""The account pages: profile, e-mail change with re-verification, open sessions."""

import re

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from ventanilla.core.cui import make_cui
from ventanilla.identity.browser_sessions import describe_device
from ventanilla.identity.models import AssuranceLevel, RegistryStatus, User

pytestmark = pytest.mark.django_db

PASSWORD = "una-clave-larga-2026"
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 13; moto g) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Mobile Safari/537.36"
)


@pytest.fixture
def person():
    return User.objects.create_user(
        make_cui(50_500_001, "03", "01"),
        PASSWORD,
        first_names="Rosa",
        last_names="Tzul",
        email="rosa@example.org",
        phone="",
    )


def sign_in(client, user, user_agent=PHONE_UA):
    response = client.post(
        "/cuenta/entrar/",
        {"username": user.cui, "password": PASSWORD},
        HTTP_USER_AGENT=user_agent,
    )
    assert response.status_code == 302


def test_a_level_1_profile_change_asks_the_registry_again(
    client, person, django_capture_on_commit_callbacks
):
    sign_in(client, person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cuenta/datos/",
            {
                "first_names": "Rosa María",
                "last_names": "Tzul",
                "birth_date": "02/03/1991",
                "phone": "5555 1234",
            },
        )
    assert response.url == "/cuenta/"
    person.refresh_from_db()
    assert (person.first_names, person.phone) == ("Rosa María", "5555 1234")
    assert person.registry_status == RegistryStatus.PENDING
    [job] = DBTaskResult.objects.filter(status="READY")
    assert job.args_kwargs["args"] == [person.pk]


def test_bad_profile_input_keeps_what_was_typed(client, person):
    sign_in(client, person)
    page = client.post(
        "/cuenta/datos/",
        {"first_names": "Rosa", "last_names": "", "birth_date": "31/02/1990", "phone": "abc"},
    ).content.decode()
    assert "Escriba sus apellidos como aparecen en su DPI" in page
    assert "Escriba la fecha como día/mes/año" in page
    assert "Escriba solo números" in page
    assert 'value="31/02/1990"' in page


def test_a_confirmed_identity_cannot_be_renamed_here(client, person):
    User.objects.filter(pk=person.pk).update(assurance_level=AssuranceLevel.REGISTRY)
    sign_in(client, person)
    page = client.get("/cuenta/datos/").content.decode()
    assert "no se cambian aquí" in page
    assert re.search(r'name="first_names"[^>]*value="Rosa"[^>]*\s+disabled', page, re.S)
    client.post(
        "/cuenta/datos/",
        {"first_names": "Otra", "last_names": "Persona", "birth_date": "", "phone": "5555 9999"},
    )
    person.refresh_from_db()
    assert (person.first_names, person.last_names, person.phone) == ("Rosa", "Tzul", "5555 9999")


def test_changing_the_email_needs_the_password_and_a_new_confirmation(
    client, person, inbox, django_capture_on_commit_callbacks
):
    sign_in(client, person)
    wrong = client.post(
        "/cuenta/correo/", {"email": "rosa.nueva@example.org", "current_password": "no"}
    ).content.decode()
    assert "La contraseña no es correcta" in wrong
    assert 'value="rosa.nueva@example.org"' in wrong  # nothing typed is lost
    same = client.post(
        "/cuenta/correo/", {"email": "ROSA@example.org", "current_password": PASSWORD}
    ).content.decode()
    assert "Ese ya es el correo de su cuenta" in same

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cuenta/correo/", {"email": "rosa.nueva@example.org", "current_password": PASSWORD}
        )
    assert response.url == "/cuenta/"
    person.refresh_from_db()
    assert person.email == "rosa.nueva@example.org" and person.email_verified_at is None
    to_new = next(m for m in inbox.messages if m["To"] == "rosa.nueva@example.org")
    to_old = next(m for m in inbox.messages if m["To"] == "rosa@example.org")
    assert "rosa.nueva@example.org" in to_old.get_payload(decode=True).decode()
    link = re.search(
        r"http://testserver(/cuenta/correo/confirmar/[^/\s]+/)",
        to_new.get_payload(decode=True).decode(),
    ).group(1)
    assert "Correo confirmado" in client.get(link).content.decode()


def test_see_open_sessions_and_sign_out_everywhere_else(person):
    phone, laptop = Client(), Client()
    sign_in(phone, person)
    sign_in(laptop, person, user_agent="Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/132.0")
    page = phone.get("/cuenta/sesiones/").content.decode()
    assert "Chrome · Android" in page and "Firefox · Windows" in page
    assert page.count("Este aparato") == 1

    response = phone.post("/cuenta/sesiones/cerrar-las-demas/", follow=True)
    assert "Cerramos 1 sesión en otro aparato" in response.content.decode()
    assert laptop.get("/cuenta/").status_code == 302  # signed out there
    assert phone.get("/cuenta/").status_code == 200  # still signed in here
    assert "Firefox" not in phone.get("/cuenta/sesiones/").content.decode()


def test_signing_out_forgets_the_session(client, person):
    sign_in(client, person)
    assert person.browser_sessions.count() == 1
    client.post("/cuenta/salir/")
    assert person.browser_sessions.count() == 0


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (PHONE_UA, "Chrome · Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Mobile Safari/604.1",
            "Safari · iPhone",
        ),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537.36 Edg/130.0", "Edge · Windows"),
        ("curl/8.0", ""),
    ],
)
def test_devices_are_described_roughly(agent, described):
    assert describe_device(agent) == described
