import pytest

from tests.browser.conftest import serious_violations
from tests.browser.two_factor_steps import enrol_authenticator, sign_in, type_next_code

pytestmark = pytest.mark.browser


def _reviewer_cui():
    from ventanilla.identity.demo import DEMO_ACCOUNTS

    return next(cui for _role, cui, *_rest, kind in DEMO_ACCOUNTS if kind == "reviewer")


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_an_official_enrols_an_authenticator_before_reaching_the_back_office(page):
    from ventanilla.identity.demo import DEMO_PASSWORD

    page.goto("/oficina/")
    sign_in(page, _reviewer_cui(), DEMO_PASSWORD)

    # Signed in, but the back office stays closed until the authenticator is set up.
    assert "/cuenta/dos-pasos/activar/" in page.url
    assert page.get_by_text("antes de ver expedientes").is_visible()
    assert page.get_by_role("img", name="Código QR").is_visible()
    assert serious_violations(page) == []
    page.get_by_label("Código").fill("12")  # a mistake first: clear message, same key
    page.get_by_role("button", name="Activar").click()
    assert "Escriba los 6 números" in page.locator(".govuk-error-summary").inner_text()
    secret = enrol_authenticator(page)
    assert serious_violations(page) == []
    page.get_by_role("link", name="Ya los guardé, continuar").click()
    assert page.get_by_role("heading", name="Oficina").is_visible()
    assert page.get_by_text("Revisor de expedientes").first.is_visible()

    # Next time: password, then the code from the app.
    page.goto("/cuenta/")
    page.get_by_role("button", name="Cerrar sesión").click()
    page.goto("/oficina/")
    sign_in(page, _reviewer_cui(), DEMO_PASSWORD)
    assert page.get_by_role("heading", name="Escriba el código de su aplicación").is_visible()
    assert serious_violations(page) == []
    type_next_code(page, secret)
    assert page.get_by_role("heading", name="Oficina").is_visible()

    # Every account and counter page passes axe on a phone.
    for path in [
        "/cuenta/",
        "/cuenta/datos/",
        "/cuenta/correo/",
        "/cuenta/sesiones/",
        "/cuenta/dos-pasos/",
        "/cuenta/huellas/",
        "/oficina/cuentas/",
    ]:
        page.goto(path)
        assert serious_violations(page) == [], path
    page.get_by_label("CUI de la persona").fill(_reviewer_cui())
    page.get_by_role("button", name="Buscar la cuenta").click()
    assert page.get_by_role("heading", name="Rubén Revisor (demo)").is_visible()
    assert serious_violations(page) == []
