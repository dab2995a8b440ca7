"""A signer issues a cohort's diplomas from the back office on a phone: loads a file with bad
rows (every row listed), then a good one, approves the signing with a fresh code from the
app, and watches the progress page turn into the result while the real task worker signs,
then downloads the verification codes. Once more with JavaScript switched off, through the
"Actualizar" link. Screenshots go to $VENTANILLA_SCREENSHOTS/batch-office/<database>."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pyotp
import pytest

from tests.browser.conftest import PHONE, VENTANILLA, run_on_server, serious_violations
from tests.browser.two_factor_steps import sign_in
from tests.documents.test_batch import cohort_csv
from ventanilla.core.cui import make_cui

pytestmark = pytest.mark.browser

PASSWORD = "una-clave-larga-para-lotes-2026"


@pytest.fixture(scope="module")
def screenshots():
    root = os.environ.get("VENTANILLA_SCREENSHOTS") or Path(tempfile.gettempdir()) / (
        "ventanilla-screenshots"
    )
    database = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    directory = Path(root) / "batch-office" / database
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _signer_on_server(server_env, number: int) -> dict:
    """An official with the SIGNER role in the certification's unit and an authenticator
    app, on the running server's data: their CUI and the app's secret."""
    cui = make_cui(10_000_180 + number, "01", "01")
    output = run_on_server(
        server_env,
        f"""
from ventanilla.catalog.models import Procedure
from ventanilla.identity import two_factor
from ventanilla.identity.models import Membership, Role, TotpDevice, User

unit = Procedure.objects.get(slug="certificacion-de-estudios").responsible_unit
user = User.objects.create_user(
    "{cui}", "{PASSWORD}", first_names="Firma", last_names="Lotes {number}"
)
Membership.objects.create(user=user, org_unit=unit, role=Role.SIGNER)
secret = two_factor.new_secret()
TotpDevice.objects.create(user=user, encrypted_secret=two_factor.encrypt_secret(secret))
print(secret)
""",
    )
    return {"cui": cui, "totp": pyotp.TOTP(output.splitlines()[-1])}


def _run_worker(server_env) -> None:
    """The real task worker on the server's data, until the queue is empty."""
    subprocess.run(
        [VENTANILLA, "db_worker", "--batch", "--no-startup-delay", "--interval", "0"],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def _phone(browser, url, **options):
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="es-GT",
        base_url=url,
        accept_downloads=True,
        **options,
    )
    return context, context.new_page()


def _keep(page, directory: Path, name: str, overflow: dict) -> None:
    page.screenshot(path=directory / f"{name}.png", full_page=True)
    overflow[name] = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _sign_in(page, signer) -> None:
    page.goto("/oficina/diplomas/")
    sign_in(page, signer["cui"], PASSWORD)
    page.get_by_label("Código").fill(signer["totp"].now())
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("heading", name="Diplomas en lote", exact=True).wait_for()


def _load(page, text: str, name: str) -> None:
    page.get_by_label("Archivo de la cohorte (CSV)").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Revisar el archivo").click()


def _approve(page, signer, rows: int) -> None:
    # The next 30-second step: the sign-in used the current one a moment ago.
    page.get_by_label("Código de su aplicación de autenticación").fill(
        signer["totp"].at(time.time() + 30)
    )
    page.get_by_role("button", name=f"Firmar los {rows} diplomas").click()


def _download_codes(page) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar los códigos de verificación (CSV)").click()
    path = info.value.path()
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


def test_a_signer_issues_a_cohort_and_follows_its_progress_on_a_phone(
    browser, live_server_url, server_env, screenshots
):
    signer = _signer_on_server(server_env, 1)
    context, page = _phone(browser, live_server_url)
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    overflow = {}
    _sign_in(page, signer)
    assert serious_violations(page) == []
    _keep(page, screenshots, "batches", overflow)

    # A file with bad rows: every one listed, nothing issued.
    lines = cohort_csv(12, first=700).splitlines()
    lines[2] = lines[2].replace("15/11/2025", "31/02/2025")
    lines[7] = lines[7].replace("Bachiller en Ciencias y Letras", "")
    _load(page, "\n".join(lines) + "\n", "cohorte-con-errores.csv")
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert "errores en 2 de sus 12 filas" in summary.inner_text()
    table = page.locator("table").first.inner_text()
    assert "31/02/2025" in table and "Falta el título" in table
    assert serious_violations(page) == []
    _keep(page, screenshots, "bad-rows", overflow)

    # A good file: its summary, then the approval with a fresh code.
    _load(page, cohort_csv(25, first=800), "cohorte-2025.csv")
    page.get_by_role("heading", name="cohorte-2025.csv").wait_for()
    assert page.get_by_text("Bachiller en Ciencias y Letras: 25").is_visible()
    assert serious_violations(page) == []
    _keep(page, screenshots, "summary", overflow)
    _approve(page, signer, 25)
    assert page.get_by_role("heading", name="Firmando los diplomas").is_visible()
    region = page.locator('[aria-live="polite"]#progreso')
    assert region.locator("progress").is_visible()
    assert "0 de 25 firmados" in region.inner_text()
    assert page.get_by_role("link", name="Actualizar").is_visible()
    assert serious_violations(page) == []
    _keep(page, screenshots, "progress", overflow)

    _run_worker(server_env)  # the page notices by itself (progreso.json) and shows the result
    page.get_by_text("Terminado: 25 diplomas firmados").wait_for(timeout=30_000)
    assert page.get_by_text("Terminó el").is_visible()
    assert serious_violations(page) == []
    _keep(page, screenshots, "done", overflow)
    header, *rows = _download_codes(page)
    assert header[:2] == ["linea", "nombre"] and len(rows) == 25
    assert rows[0][0] == "2" and rows[0][5].endswith(f"/verificar/{rows[0][4]}/")

    assert console_errors == [] or all("status of 400" in e for e in console_errors)
    context.close()
    assert overflow == dict.fromkeys(overflow, 0)


def test_the_progress_page_works_without_javascript(
    browser, live_server_url, server_env, screenshots
):
    signer = _signer_on_server(server_env, 2)
    context, page = _phone(browser, live_server_url, java_script_enabled=False)
    overflow = {}
    _sign_in(page, signer)
    _load(page, cohort_csv(10, first=900), "cohorte-sin-js.csv")
    page.get_by_role("heading", name="cohorte-sin-js.csv").wait_for()
    _approve(page, signer, 10)
    assert "0 de 10 firmados" in page.locator("#progreso").inner_text()
    _keep(page, screenshots, "progress-without-javascript", overflow)

    _run_worker(server_env)
    page.get_by_role("link", name="Actualizar").click()
    assert page.get_by_text("Terminado: 10 diplomas firmados").is_visible()
    _keep(page, screenshots, "done-without-javascript", overflow)
    _header, *rows = _download_codes(page)
    assert len(rows) == 10
    context.close()
    assert overflow == dict.fromkeys(overflow, 0)
