"""Browser steps shared by journeys that go through the second factor."""

import time

import pyotp


def sign_in(page, cui: str, password: str) -> None:
    page.get_by_label("CUI").fill(cui)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()


def enrol_authenticator(page) -> str:
    """On the enrolment page: 'scan' the key shown (here: read it), type the code the app
    would show, and keep the recovery codes. Returns the key."""
    secret = page.locator("#clave-secreta").inner_text().replace(" ", "")
    page.get_by_label("Código").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activar").click()
    assert page.get_by_role("heading", name="Guarde sus códigos de recuperación").is_visible()
    assert page.locator("#codigos-de-recuperacion li").count() == 10
    return secret


def type_next_code(page, secret: str) -> None:
    """The code of the next 30-second step (accepted for clock drift, and never the one
    used at enrolment a moment ago)."""
    page.get_by_label("Código").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Continuar").click()
