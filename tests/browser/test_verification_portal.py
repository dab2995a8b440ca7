"""Verifying a signed document on a phone, without signing in: by its code, typed the way
people type it, and by the PDF itself (genuine, altered, not a PDF at all); and the code
lookup once more with JavaScript switched off. A screenshot of each page is kept in
$VENTANILLA_SCREENSHOTS/verification-portal/<database> (default: the system's temporary
directory, `ventanilla-screenshots`), overwritten at each run."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE, run_on_server, serious_violations
from ventanilla.core.cui import make_cui
from ventanilla.identity.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

HOLDER_NAME = "Marta López Ajú"
SIGNER_CUI = make_cui(10_000_075, "01", "01")
HOLDER_CUI = make_cui(10_000_076, "01", "01")
PUBLIC_URL = os.environ.get("VENTANILLA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def _demo(kind):
    return next(cui for _role, cui, *_rest, k in DEMO_ACCOUNTS if k == kind)


@pytest.fixture(scope="module")
def signed_document(server_env):
    """A certification prepared and signed on the running server's data by an official with
    the SIGNER role in its unit (as tests/documents/conftest.py's `signer` fixture does):
    its code, masked holder and the signed PDF's bytes."""
    output = run_on_server(
        server_env,
        f"""
import json
from ventanilla.catalog.models import Procedure
from ventanilla.documents import actions
from ventanilla.documents.models import Kind
from ventanilla.identity.actions import grant_role
from ventanilla.identity.models import Role, User

unit = Procedure.objects.get(slug="certificacion-de-estudios").responsible_unit
admin = User.objects.get(cui="{_demo("admin")}")

def someone(cui, first, last):
    found = User.objects.filter(cui=cui).first()
    return found or User.objects.create_user(cui, None, first_names=first, last_names=last)

signer = someone("{SIGNER_CUI}", "Firma", "Directora")
grant_role(signer, Role.SIGNER, unit, actor=admin)
holder = someone("{HOLDER_CUI}", "Marta", "López Ajú")
document = actions.prepare(
    kind=Kind.CERTIFICATION,
    title="Certificación de estudios",
    template="certificacion",
    unit=unit,
    holder=holder,
    holder_name="{HOLDER_NAME}",
    data={{"paragraphs": ["Que cursó y aprobó el ciclo básico."]}},
)
document = actions.sign(document.pk, signer=signer)
print(json.dumps({{"code": document.code, "masked": document.holder_masked,
                  "pdf": document.pdf.path}}))
""",
    )
    document = json.loads(output.splitlines()[-1])
    document["pdf_bytes"] = Path(document["pdf"]).read_bytes()
    assert document["pdf_bytes"].startswith(b"%PDF-")
    return document


@pytest.fixture(scope="module")
def screenshots():
    """Where the pages' pictures go: one folder per database, kept after the run."""
    root = os.environ.get("VENTANILLA_SCREENSHOTS") or Path(tempfile.gettempdir()) / (
        "ventanilla-screenshots"
    )
    database = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    directory = Path(root) / "verification-portal" / database
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _keep(page, directory: Path, name: str, overflow: dict) -> None:
    """A full-page screenshot, and how far the page spills sideways past the phone's width."""
    page.screenshot(path=directory / f"{name}.png", full_page=True)
    overflow[name] = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _phone(browser, url, **options):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="es-GT", base_url=url, **options
    )
    return context, context.new_page()


def _as_typed(code: str) -> str:
    """K7QD-9X2M-4TRA as someone copies it from paper: lower case, spaces, no hyphens."""
    return code.lower().replace("-", " ")


def _upload(page, name: str, data: bytes, mime="application/pdf"):
    page.get_by_label("El documento en PDF").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    page.get_by_role("button", name="Verificar el archivo").click()


def _one_byte_changed(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    position = data.index(b"/Type /Font") if b"/Type /Font" in data else len(data) // 3
    data[position + 2] ^= 0x01
    return bytes(data)


def _assert_verdict(page, css: str, label: str) -> None:
    verdict = page.locator(f".vt-verdict.{css}")
    assert verdict.is_visible()
    assert verdict.locator(".vt-verdict__label").inner_text().strip() == label
    size = verdict.locator(".vt-verdict__label").evaluate(
        "label => parseFloat(getComputedStyle(label).fontSize)"
    )
    assert size >= 32  # large type, even on a phone


def test_verify_by_code_and_by_upload_on_a_phone(
    browser, live_server_url, signed_document, screenshots
):
    context, visitor = _phone(browser, live_server_url)
    overflow = {}
    console_errors = []
    visitor.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    visitor.goto("/verificar/")
    assert visitor.title().startswith("Verificar un documento")
    notice = visitor.locator("#direccion-del-portal")
    assert notice.is_visible()
    assert f"{PUBLIC_URL}/verificar/" in notice.inner_text()
    assert "Un código QR puede llevar a una página falsa" in notice.inner_text()
    assert serious_violations(visitor) == []
    _keep(visitor, screenshots, "portal", overflow)

    # By code, typed loosely.
    visitor.get_by_label("Código de verificación").fill(_as_typed(signed_document["code"]))
    visitor.get_by_role("button", name="Verificar el código").click()
    _assert_verdict(visitor, "vt-verdict--valido", "VÁLIDO")
    assert "Comprobamos el código en el registro." in visitor.locator("#veredicto").inner_text()
    details = visitor.locator("#documento").inner_text()
    assert signed_document["code"] in details and signed_document["masked"] in details
    assert signed_document["masked"].startswith("M. L. A.")
    assert HOLDER_NAME not in visitor.content() and HOLDER_CUI not in visitor.content()
    assert visitor.locator("#direccion-del-portal").is_visible()
    assert serious_violations(visitor) == []
    _keep(visitor, screenshots, "verdict-by-code", overflow)

    # By the PDF itself.
    visitor.go_back()
    visitor.get_by_role("heading", name="Con el archivo PDF").wait_for()
    _upload(visitor, "certificacion.pdf", signed_document["pdf_bytes"])
    _assert_verdict(visitor, "vt-verdict--valido", "VÁLIDO")
    assert "Comprobamos el archivo PDF." in visitor.locator("#veredicto").inner_text()
    assert "no cambió desde que se firmó" in visitor.locator("#motivos").inner_text()
    assert HOLDER_NAME not in visitor.content()
    _keep(visitor, screenshots, "verdict-by-file", overflow)

    # The same file with one byte changed.
    visitor.get_by_role("link", name="Verificar otro documento").click()
    _upload(visitor, "certificacion.pdf", _one_byte_changed(signed_document["pdf_bytes"]))
    _assert_verdict(visitor, "vt-verdict--no_valido", "NO VÁLIDO")
    reasons = visitor.locator("#motivos li")
    assert reasons.count() >= 1 and reasons.first.inner_text().strip()
    assert visitor.locator(".vt-verdict--valido").count() == 0
    assert serious_violations(visitor) == []
    _keep(visitor, screenshots, "verdict-altered", overflow)

    # Not a PDF at all: the GOV.UK error summary, focused, linking to the file field.
    visitor.get_by_role("link", name="Verificar otro documento").click()
    _upload(visitor, "foto.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(600), "image/jpeg")
    assert visitor.title().startswith("Error:")
    summary = visitor.locator(".govuk-error-summary")
    assert "Hay un problema" in summary.inner_text()
    assert "Ese archivo no es un PDF" in summary.inner_text()
    assert visitor.locator(".vt-verdict").count() == 0  # no verdict on what was not checked
    assert summary.evaluate("element => element.contains(document.activeElement)")
    field_error = visitor.locator("#id_archivo-error")
    assert "Ese archivo no es un PDF" in field_error.inner_text()
    assert "id_archivo-error" in visitor.locator("#id_archivo").get_attribute("aria-describedby")
    link = summary.get_by_role("link", name="Ese archivo no es un PDF", exact=False)
    assert link.get_attribute("href") == "#id_archivo"
    assert serious_violations(visitor) == []
    _keep(visitor, screenshots, "not-a-pdf", overflow)
    link.click()
    assert visitor.evaluate("document.activeElement.id") == "id_archivo"
    # Nothing the CSP blocked, no script failing; the error page itself is answered with 400.
    assert [e for e in console_errors if "status of 400" not in e] == []
    context.close()
    # WCAG 1.4.10 (reflow): nothing on these pages needs sideways scrolling on a phone.
    assert overflow == dict.fromkeys(overflow, 0)


def test_the_code_lookup_works_without_javascript(
    browser, live_server_url, signed_document, screenshots
):
    context, visitor = _phone(browser, live_server_url, java_script_enabled=False)
    overflow = {}
    visitor.goto("/verificar/")
    assert "js-enabled" not in (visitor.locator("body").get_attribute("class") or "")
    visitor.get_by_label("Código de verificación").fill(_as_typed(signed_document["code"]))
    visitor.get_by_role("button", name="Verificar el código").click()
    _assert_verdict(visitor, "vt-verdict--valido", "VÁLIDO")
    assert signed_document["masked"] in visitor.locator("#documento").inner_text()
    _keep(visitor, screenshots, "verdict-without-javascript", overflow)
    context.close()
    assert overflow == {"verdict-without-javascript": 0}
