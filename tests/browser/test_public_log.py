"""The public record's page on a phone and a desktop: it explains what it proves, shows the
signed checkpoint and the key without sideways scrolling, axe finds nothing serious, and its
links give a checkpoint an outsider can open with the key."""

import pytest

from tests.browser.conftest import serious_violations
from ventanilla.ledger import outsider

pytestmark = pytest.mark.browser


def test_the_public_record_page(page):
    page.goto("/registro-publico/")
    assert page.title().startswith("Registro público de actuaciones")
    assert page.get_by_text("No publica datos personales", exact=False).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert serious_violations(page) == []
    assert page.console_errors == []

    note = page.request.get("/registro-publico/checkpoint").text()
    key = page.request.get("/registro-publico/clave").text()
    checkpoint = outsider.open_checkpoint(note, key.strip())
    assert checkpoint.size >= 1  # the server's reference data is already in the log
    assert str(checkpoint.size) in page.locator("dl").inner_text()
