"""Registration with the CUI and e-mail confirmation through a real SMTP server."""

import re

import pytest

from ventanilla.core.cui import make_cui
from ventanilla.identity.models import AssuranceLevel, User

pytestmark = pytest.mark.django_db

CUI = make_cui(50_000_001, "16", "01")


def form_data(**changes):
    data = {
        "cui": f"{CUI[:4]} {CUI[4:9]} {CUI[9:]}",  # as printed on the DPI
        "first_names": "Carmen",
        "last_names": "Ixcoy Batz",
        "birth_date": "17/05/1990",
        "email": "carmen@example.org",
        "password": "una frase larga y mía",
    }
    return {**data, **changes}


def confirmation_link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://testserver(/cuenta/correo/confirmar/[^/\s]+/)", body).group(1)


def test_register_then_confirm_the_email(client, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cuenta/registro/", form_data())
    assert response.status_code == 302
    assert response.url == "/cuenta/registro/revise-su-correo/"
    assert "carmen@example.org" in client.get(response.url).content.decode()

    user = User.objects.get(cui=CUI)
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED
    assert user.check_password("una frase larga y mía")
    assert user.email_verified_at is None

    [message] = inbox.messages
    assert message["To"] == "carmen@example.org"
    link = confirmation_link(message)
    page = client.get(link)
    assert page.status_code == 200 and "Correo confirmado" in page.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None

    again = client.get(link)  # a reused link does no harm and says so
    assert "Su correo ya estaba confirmado" in again.content.decode()


def test_a_tampered_link_is_refused(client, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cuenta/registro/", form_data())
    link = confirmation_link(inbox.messages[0])
    response = client.get(link.replace(":", "x", 1))
    assert response.status_code == 400
    assert "El enlace no sirve" in response.content.decode()
    assert User.objects.get(cui=CUI).email_verified_at is None


def test_an_expired_link_is_refused_and_a_new_one_can_be_asked_for(
    client, inbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cuenta/registro/", form_data())
    link = confirmation_link(inbox.messages[0])
    settings.EMAIL_VERIFICATION_MAX_AGE = -1
    response = client.get(link)
    assert response.status_code == 400 and "El enlace venció" in response.content.decode()

    settings.EMAIL_VERIFICATION_MAX_AGE = 3600
    page = client.post("/cuenta/correo/reenviar/", {"email": "carmen@example.org"})
    assert "le enviamos un enlace nuevo" in page.content.decode()
    assert len(inbox.messages) == 2
    # The same answer for an address nobody uses, and no mail.
    page = client.post("/cuenta/correo/reenviar/", {"email": "nadie@example.org"})
    assert "le enviamos un enlace nuevo" in page.content.decode()
    assert len(inbox.messages) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cui": "123456789012"}, "El CUI debe tener 13 números"),
        ({"cui": "12345678A0101"}, "El CUI debe tener 13 números"),
        ({"cui": "1234567880101"}, "el noveno número no corresponde"),
        ({"cui": "1234567892301"}, "deben ser un departamento de Guatemala"),
        ({"cui": "1234567890118"}, "no corresponden a un municipio de Guatemala"),
        ({"birth_date": "31/02/1990"}, "Escriba la fecha como día/mes/año"),
        ({"birth_date": "17/05/2990"}, "no puede ser en el futuro"),
        ({"email": "carmen-en-ejemplo"}, "Escriba un correo como nombre@ejemplo.com"),
        ({"password": "123"}, "La contraseña"),
        ({"first_names": ""}, "Escriba sus nombres"),
    ],
)
def test_each_mistake_gets_its_own_message_and_nothing_typed_is_lost(client, changes, message):
    response = client.post("/cuenta/registro/", form_data(**changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hay un problema" in html and message in html
    assert 'value="Ixcoy Batz"' in html
    typed = {**form_data(), **changes}
    for name in ("email", "birth_date"):
        if typed[name]:
            assert f'value="{typed[name]}"' in html
    assert "una frase larga" not in html  # the password is never sent back
    assert not User.objects.filter(cui=CUI).exists()


def test_one_account_per_cui(client, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cuenta/registro/", form_data())
    response = client.post("/cuenta/registro/", form_data(email="otra@example.org"))
    assert "Ya hay una cuenta con este CUI" in response.content.decode()
    assert User.objects.filter(cui=CUI).count() == 1
