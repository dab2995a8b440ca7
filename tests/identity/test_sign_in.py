"""Citizens sign in with the CUI; repeated failures lock the CUI for a while."""

import re

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
    assert "Juana Sic Yax" in html and PRINTED in html  # the owner sees it as on the DPI
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


def reset_link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"https?://testserver(/cuenta/contrasena/nueva/\S+/)", body).group(1)


def test_forgotten_password_by_email(client, citizen, inbox):
    response = client.post("/cuenta/contrasena/olvido/", {"email": "juana@example.org"})
    assert response.status_code == 302
    assert "Si ese correo es de una cuenta" in client.get(response.url).content.decode()
    [message] = inbox.messages
    link = reset_link(message)

    form_page = client.get(link, follow=True)
    assert "Elija una contraseña nueva" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert "Hay un problema" in weak.content.decode()
    done = client.post(
        set_url, {"new_password1": "otra frase larga mía", "new_password2": "otra frase larga mía"}
    )
    assert done.status_code == 302

    signed_in = client.post(
        "/cuenta/entrar/", {"username": CUI, "password": "otra frase larga mía"}
    )
    assert signed_in.status_code == 302 and signed_in.url == "/cuenta/"
    client.post("/cuenta/salir/")
    reused = client.get(link, follow=True)
    assert "El enlace no sirve" in reused.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, citizen, inbox):
    response = client.post(
        "/cuenta/contrasena/olvido/", {"email": "nadie@example.org"}, follow=True
    )
    assert "Si ese correo es de una cuenta" in response.content.decode()
    assert inbox.messages == []
