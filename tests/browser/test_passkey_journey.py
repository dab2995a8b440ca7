"""Passkeys with Chromium's virtual authenticator (DevTools WebAuthn domain): a phone's
fingerprint unlock, as far as the page can tell."""

import pytest

from tests.browser.conftest import PHONE, serious_violations
from tests.browser.two_factor_steps import sign_in

pytestmark = pytest.mark.browser


def _citizen():
    from ventanilla.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    cui = next(cui for _role, cui, *_rest, kind in DEMO_ACCOUNTS if kind == "citizen")
    return cui, DEMO_PASSWORD


def _add_authenticator(cdp) -> str:
    return cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]


@pytest.fixture
def phone(browser, live_server_url):
    # A WebAuthn relying party is a domain name, never an IP address: use localhost.
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="es-GT",
        base_url=live_server_url.replace("127.0.0.1", "localhost"),
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    yield page, cdp
    context.close()


def _sign_out(page):
    page.goto("/cuenta/")
    page.get_by_role("button", name="Cerrar sesión").click()


def _sign_in_with_passkey(page):
    page.goto("/cuenta/entrar/?next=/cuenta/")
    page.get_by_role("button", name="Entrar con su huella").click()


def test_add_passkeys_sign_in_with_one_and_remove_it(phone):
    page, cdp = phone
    cui, password = _citizen()
    first_device = _add_authenticator(cdp)

    page.goto("/cuenta/entrar/?next=/cuenta/huellas/")
    sign_in(page, cui, password)
    assert page.get_by_role("heading", name="Huellas para entrar").is_visible()
    assert serious_violations(page) == []
    page.get_by_label("Nombre para reconocerla").fill("Mi teléfono")
    page.get_by_role("button", name="Agregar huella").click()
    page.get_by_text("la próxima vez puede entrar con su huella").wait_for()
    assert page.locator("#huellas dt", has_text="Mi teléfono").is_visible()
    assert serious_violations(page) == []

    # A second device (say, a laptop): several passkeys per account.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first_device})
    _add_authenticator(cdp)
    page.get_by_label("Nombre para reconocerla").fill("Mi computadora")
    page.get_by_role("button", name="Agregar huella").click()
    page.locator("#huellas dt", has_text="Mi computadora").wait_for()
    assert page.locator("#huellas .govuk-summary-list__row").count() == 2

    # Sign in with the passkey alone: no CUI, no password.
    _sign_out(page)
    _sign_in_with_passkey(page)
    page.get_by_role("heading", name="Su cuenta").wait_for()
    page.goto("/cuenta/huellas/")
    assert "usada por última vez" in page.locator("#huellas").inner_text()

    # Removed, it no longer opens the account even though the device still holds it.
    page.get_by_role("button", name="Quitar Mi computadora").click()
    page.get_by_text("Quitamos la huella").wait_for()
    assert page.locator("#huellas .govuk-summary-list__row").count() == 1
    _sign_out(page)
    _sign_in_with_passkey(page)
    page.get_by_text("No pudimos entrar con esa huella").wait_for()
    assert "/cuenta/entrar/" in page.url


def test_without_javascript_the_page_says_what_is_needed(browser, live_server_url):
    context = browser.new_context(java_script_enabled=False, base_url=live_server_url)
    page = context.new_page()
    cui, password = _citizen()
    page.goto("/cuenta/entrar/?next=/cuenta/huellas/")
    assert not page.get_by_role("button", name="Entrar con su huella").is_visible()
    sign_in(page, cui, password)
    assert page.get_by_text("necesita un navegador reciente con JavaScript").is_visible()
    assert not page.get_by_role("button", name="Agregar huella").is_visible()
    context.close()
