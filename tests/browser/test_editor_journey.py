import re

import pytest

from tests.browser.two_factor_steps import enrol_authenticator, sign_in

pytestmark = pytest.mark.browser


def _editor_cui():
    from ventanilla.identity.demo import DEMO_ACCOUNTS

    return next(cui for _role, cui, *_rest, kind in DEMO_ACCOUNTS if kind == "editor")


def _general_indicator(page) -> tuple[int, int]:
    page.goto("/transparencia/indicadores/")
    text = page.locator("section[aria-labelledby='indicador-generales-2026']").inner_text()
    digital, total = re.search(r"(\d+) de (\d+) servicios disponibles en línea", text).groups()
    return int(digital), int(total)


@pytest.mark.parametrize("page", ["desktop"], indirect=True)
def test_editor_marks_a_procedure_online_and_the_indicators_follow(page):
    from ventanilla.identity.demo import DEMO_PASSWORD

    digital_before, total = _general_indicator(page)

    page.goto("/admin/")
    # Staff sign in on the platform's page, typing the CUI as printed on the DPI, and
    # must set up their second factor before the administration opens.
    from ventanilla.core.cui import parse_cui

    sign_in(page, parse_cui(_editor_cui()).formatted(), DEMO_PASSWORD)
    enrol_authenticator(page)
    page.get_by_role("link", name="Ya los guardé, continuar").click()
    page.get_by_role("link", name="Trámites", exact=True).click()
    page.get_by_role("link", name="Cierre voluntario (centro educativo privado) — TCEP-10").click()
    checkbox = page.get_by_label("Se puede solicitar en línea")
    assert not checkbox.is_checked()
    checkbox.check()
    page.get_by_role("button", name="Guardar", exact=True).click()
    assert "se cambió correctamente" in page.locator(".messagelist .success").inner_text()

    digital_after, total_after = _general_indicator(page)
    assert (digital_after, total_after) == (digital_before + 1, total)

    # The change is in the procedure's history, with who made it.
    page.goto("/admin/catalog/procedure/")
    page.get_by_role("link", name="Cierre voluntario (centro educativo privado) — TCEP-10").click()
    page.get_by_role("link", name="Histórico").click()
    assert "Edgar Editor" in page.content()
