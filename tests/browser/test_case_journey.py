"""A certification of studies from application to decision, on a phone, with a citizen and an
official in two browsers against the running server."""

import pyotp
import pytest

from tests.browser.conftest import PHONE, run_on_server, serious_violations
from tests.browser.two_factor_steps import sign_in, type_next_code
from ventanilla.core.cui import make_cui
from ventanilla.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.browser

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

REVIEWER_CUI = make_cui(10_000_040, "01", "01")
SECRET = pyotp.random_base32()


def _demo(kind):
    return next(cui for _role, cui, *_rest, k in DEMO_ACCOUNTS if k == kind)


@pytest.fixture(scope="module")
def reviewer(server_env):
    """A reviewer at DIGEACE (the certification's unit) with a known authenticator key."""
    run_on_server(
        server_env,
        "from ventanilla.identity.models import User, Role, TotpDevice;"
        "from ventanilla.core.models import OrgUnit;"
        "from ventanilla.identity.actions import grant_role;"
        "from ventanilla.identity import two_factor;"
        f"admin = User.objects.get(cui='{_demo('admin')}');"
        f"u = User.objects.create_user('{REVIEWER_CUI}', '{DEMO_PASSWORD}',"
        " first_names='Rita', last_names='Revisora');"
        "grant_role(u, Role.REVIEWER, OrgUnit.objects.get(code='digeace'), actor=admin);"
        "TotpDevice.objects.create(user=u,"
        f" encrypted_secret=two_factor.encrypt_secret('{SECRET}'))",
    )
    return REVIEWER_CUI


def _phone(browser, url):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="es-GT", base_url=url
    )
    return context, context.new_page()


def test_apply_correct_and_decide_on_a_phone(browser, live_server_url, reviewer):
    citizen_context, citizen = _phone(browser, live_server_url)
    office_context, office = _phone(browser, live_server_url)

    citizen.goto("/tramites/certificacion-de-estudios/")
    citizen.get_by_role("link", name="Empezar ahora").click()
    sign_in(citizen, _demo("citizen"), DEMO_PASSWORD)
    citizen.get_by_role("button", name="Empezar la solicitud").click()
    assert serious_violations(citizen) == []
    citizen.get_by_role("button", name="Guardar y continuar").click()  # nothing chosen
    assert "Responda esta pregunta" in citizen.locator(".govuk-error-summary").inner_text()
    assert serious_violations(citizen) == []
    citizen.get_by_label("Básico").check()
    citizen.get_by_role("button", name="Guardar y continuar").click()
    citizen.get_by_label("Grado o carrera").fill("Tercero básico")
    citizen.get_by_label("Año en que lo cursó").fill("2019")
    citizen.get_by_role("button", name="Guardar y continuar").click()
    citizen_context.close()  # the browser closes half-way: nothing is lost

    citizen_context, citizen = _phone(browser, live_server_url)
    citizen.goto("/mis-tramites/")
    sign_in(citizen, _demo("citizen"), DEMO_PASSWORD)
    citizen.get_by_role("link", name="Certificación de estudios").first.click()
    citizen.get_by_role("link", name="Seguir con la solicitud").click()
    citizen.get_by_label("Nombre del establecimiento").fill("INEB Mixco")
    citizen.get_by_role("button", name="Guardar y continuar").click()

    citizen.get_by_text("Copia de una tarjeta de calificaciones").first.wait_for()
    upload = citizen.locator("input[type=file]")
    upload.set_input_files(
        files=[
            {
                "name": "tarjeta.pdf",
                "mimeType": "application/pdf",
                "buffer": b"MZ\x90\x00" + bytes(400),
            }
        ]
    )
    citizen.get_by_role("button", name="Guardar y continuar").click()
    assert "es un programa" in citizen.locator(".govuk-error-summary").inner_text()
    assert serious_violations(citizen) == []
    upload.set_input_files(
        files=[{"name": "tarjeta.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    citizen.get_by_role("button", name="Guardar y continuar").click()
    answers = citizen.locator("#respuestas").inner_text()
    assert "INEB Mixco" in answers and "Tercero básico" in answers and "tarjeta.pdf" in answers
    assert serious_violations(citizen) == []
    citizen.get_by_role("button", name="Enviar la solicitud").click()
    number = citizen.locator("#numero-de-expediente").inner_text()
    assert number.startswith("MINEDUC-")
    assert serious_violations(citizen) == []

    office.goto("/oficina/expedientes/")
    sign_in(office, reviewer, DEMO_PASSWORD)
    type_next_code(office, SECRET)
    office.get_by_role("link", name=number).click()
    assert "tarjeta.pdf" in office.content()  # the official sees the file
    office.get_by_role("button", name="Tomar este expediente").click()
    office.get_by_label("Pedir una corrección").check()
    office.get_by_label("Motivo").select_option(label="Falta un documento requerido")
    office.get_by_label("Observaciones para la persona").fill("Indique la sección")
    assert serious_violations(office) == []
    office.get_by_role("button", name="Guardar la decisión").click()
    office.get_by_text("el expediente siguió su curso").wait_for()

    citizen.goto("/mis-tramites/")
    citizen.get_by_role("link", name="Certificación de estudios").first.click()
    assert "Indique la sección" in citizen.locator("#linea-de-tiempo").inner_text()
    citizen.get_by_role("link", name="Responder a las observaciones").click()
    citizen.get_by_label("Su respuesta a las observaciones").fill("Sección B")
    citizen.get_by_role("button", name="Enviar la respuesta").click()
    citizen.get_by_text("Enviamos su respuesta").wait_for()

    office.goto("/oficina/expedientes/")
    office.get_by_role("link", name=number).click()
    office.get_by_role("button", name="Tomar este expediente").click()
    office.get_by_label("Aprobar").check()
    office.get_by_role("button", name="Guardar la decisión").click()
    office.get_by_text("el expediente siguió su curso").wait_for()

    citizen.reload()
    assert "fue aprobada" in citizen.locator("#resolucion").inner_text()
    assert serious_violations(citizen) == []
    citizen_context.close()
    office_context.close()

    # Anyone with the number and the CUI's last four digits, without signing in.
    visitor_context, visitor = _phone(browser, live_server_url)
    visitor.goto("/")
    visitor.get_by_role("link", name="Consultar un trámite").click()
    assert serious_violations(visitor) == []
    visitor.get_by_label("Número de expediente").fill(number)
    visitor.get_by_label("Últimos cuatro números del CUI").fill(_demo("citizen")[-4:])
    visitor.get_by_role("button", name="Consultar").click()
    assert "fue aprobada" in visitor.locator("#resolucion").inner_text()
    assert serious_violations(visitor) == []
    visitor_context.close()
