"""Citizens sign in with the CUI; repeated failures lock the CUI for a while."""

import pytest

from ventanilla.core.cui import make_cui
from ventanilla.identity.models import User

pytestmark = pytest.mark.django_db

CUI = make_cui(70_000_000, "01", "05")
PRINTED = f"{CUI[:4]} {CUI[4:9]} {CUI[9:]}"


@pytest.fixture
def citizen():
    return User.objects.create_user(
        CUI,
        "una frase larga y mía",
        first_names="Juana",
        last_names="Sic Yax",
        email="juana@example.org",
    )


def test_sign_in_with_the_cui_as_printed_and_see_the_account(client, citizen):
    response = client.post(
        "/cuenta/entrar/", {"username": PRINTED, "password": "una frase larga y mía"}
    )
    assert response.status_code == 302 and response.url == "/cuenta/"
    html = client.get("/cuenta/").content.decode()
    assert "Juana Sic Yax" in html and CUI in html
    assert "Sin confirmar" in html  # the e-mail is not confirmed yet
    client.post("/cuenta/salir/")
    assert client.get("/cuenta/").status_code == 302  # signed out: back to sign-in


def test_a_wrong_password_says_so_without_saying_which_part(client, citizen):
    response = client.post("/cuenta/entrar/", {"username": CUI, "password": "otra cosa"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "El CUI o la contraseña no son correctos" in html
    assert f'value="{CUI}"' in html  # the CUI stays typed


def test_an_unknown_cui_gets_the_same_message(client, citizen):
    response = client.post(
        "/cuenta/entrar/",
        {"username": make_cui(70_000_100, "01", "05"), "password": "una frase larga y mía"},
    )
    assert "El CUI o la contraseña no son correctos" in response.content.decode()


def test_five_failures_lock_the_cui_and_the_page_says_when_to_try_again(client, citizen):
    for _ in range(5):
        client.post("/cuenta/entrar/", {"username": CUI, "password": "mal"})
    response = client.post(
        "/cuenta/entrar/", {"username": CUI, "password": "una frase larga y mía"}
    )
    html = response.content.decode()
    assert response.status_code == 429
    assert "Espere antes de intentarlo de nuevo" in html
    assert "Inténtelo de nuevo dentro de 15 minutos" in html
    assert "_auth_user_id" not in client.session  # even the right password is refused


def test_account_page_needs_a_signed_in_person(client):
    response = client.get("/cuenta/")
    assert response.status_code == 302 and response.url.startswith("/cuenta/entrar/")
