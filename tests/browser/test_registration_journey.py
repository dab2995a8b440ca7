import re

import pytest

from tests.browser.conftest import serious_violations
from ventanilla.core.cui import make_cui

pytestmark = pytest.mark.browser


def test_register_on_a_phone_fix_a_mistake_and_confirm_the_email(page, smtp_inbox):
    cui = make_cui(60_000_000 + (10 if page.viewport_size["width"] < 500 else 20), "09", "01")
    page.goto("/cuenta/registro/")
    assert serious_violations(page) == []

    page.get_by_label("CUI").fill("1234 56788 0101")  # wrong check digit
    page.get_by_label("Nombres").fill("Carmen")
    page.get_by_label("Apellidos").fill("Ixcoy Batz")
    page.get_by_label("Fecha de nacimiento").fill("17/05/1990")
    page.get_by_label("Correo electrónico").fill(f"carmen.{cui}@example.org")
    page.get_by_label("Contraseña").fill("una frase larga y mía")
    page.get_by_role("button", name="Crear mi cuenta").click()

    summary = page.locator(".govuk-error-summary")
    assert "el noveno número no corresponde" in summary.inner_text()
    assert page.get_by_label("Apellidos").input_value() == "Ixcoy Batz"  # nothing lost
    assert serious_violations(page) == []

    summary.get_by_role("link").first.click()  # the summary links to the field
    page.get_by_label("CUI").fill(f"{cui[:4]} {cui[4:9]} {cui[9:]}")
    page.get_by_label("Contraseña").fill("una frase larga y mía")
    page.get_by_role("button", name="Crear mi cuenta").click()
    assert page.get_by_role("heading", name="Su cuenta está creada").is_visible()

    # The server sent the mail by SMTP to the test's own server (aiosmtpd).
    [mail] = smtp_inbox.to(f"carmen.{cui}@example.org")
    body = mail.get_payload(decode=True).decode()
    link = re.search(r"http://127\.0\.0\.1:8000(/cuenta/correo/confirmar/\S+/)", body).group(1)
    page.goto(link)
    assert page.get_by_role("heading", name="Correo confirmado").is_visible()
