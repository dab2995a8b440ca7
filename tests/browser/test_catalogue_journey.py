import gzip
import re
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.browser

PAGE_BUDGET_BYTES = 100 * 1024


def test_home_search_result_detail(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert serious_violations(page) == []

    page.get_by_label("¿Qué trámite busca?").fill("inscripcion")
    page.get_by_role("button", name="Buscar").click()
    page.wait_for_url(re.compile(r"/tramites/\?q=inscripcion"))
    assert page.get_by_role("status").inner_text().startswith(("1 trámite", "2 trámites", "3"))
    result = page.get_by_role("link", name=re.compile(r"^Inscripción de estudiantes"))
    assert result.is_visible()
    assert serious_violations(page) == []

    result.click()
    page.wait_for_url("**/tramites/inscripcion-estudiantes/")
    assert (
        page.get_by_role("heading", level=1).inner_text().startswith("Inscripción de estudiantes")
    )
    assert page.get_by_role("heading", name="Qué necesita").is_visible()
    assert page.get_by_text("Gratuito").is_visible()
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_no_horizontal_scroll_on_a_phone(page):
    for path in [
        "/",
        "/tramites/?q=certificados",
        "/tramites/autentica-documentos-educativos/",
        "/transparencia/indicadores/",
    ]:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path


def test_indicators_and_error_pages_are_accessible(page):
    for path, status in [
        ("/transparencia/indicadores/", 200),
        ("/tramites/no-existe/", 404),
        ("/tramites/?publico=nadie", 200),
        ("/cuenta/entrar/", 200),
        ("/cuenta/contrasena/olvido/", 200),
        ("/cuenta/contrasena/nueva/MQ/no-vale/", 200),
    ]:
        response = page.goto(path)
        assert response.status == status
        assert serious_violations(page) == [], path


def test_everything_works_without_javascript(browser, live_server_url):
    context = browser.new_context(java_script_enabled=False, base_url=live_server_url)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("¿Qué trámite busca?").fill("certificados")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=re.compile("Certificación de estudios")).click()
    assert "Certificación de estudios" in page.get_by_role("heading", level=1).inner_text()
    # Filters are a plain form.
    page.goto("/tramites/")
    page.get_by_text("Filtrar los trámites").click()
    page.get_by_label("¿Para quién es?").select_option("docentes")
    page.get_by_role("button", name="Aplicar filtros").click()
    assert "publico=docentes" in page.url
    assert "Prueba diagnóstica" in page.content()
    # The language switcher is a plain link that comes back to the same page.
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "publico=docentes" in page.url
    assert page.get_by_role("link", name="Español").is_visible()
    context.close()


def test_a_citizen_page_weighs_under_100_kb_compressed(live_server_url):
    def fetch(url):
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            compressed = response.headers.get("Content-Encoding") == "gzip"
            return body if compressed else gzip.compress(body), body, compressed

    for path in ["/", "/tramites/", "/tramites/autentica-documentos-educativos/"]:
        html_wire, html, _ = fetch(live_server_url + path)
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"', html.decode())
        assert any(asset.endswith(".css") for asset in assets)
        total = len(html_wire)
        for asset in set(assets):
            wire, _body, compressed = fetch(live_server_url + asset)
            assert compressed or asset.endswith(".svg"), f"{asset} is not served compressed"
            total += len(wire)
        assert total < PAGE_BUDGET_BYTES, f"{path}: {total} bytes"


def test_bad_input_through_the_real_server_gets_proper_pages(live_server_url):
    def status_and_body(path):
        try:
            with urllib.request.urlopen(live_server_url + path) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    status, body = status_and_body("/tramites/?q=" + "a" * 10_000)
    assert status == 200 and "Su búsqueda era muy larga" in body
    status, body = status_and_body("/tramites/?q=%27%3B+DROP+TABLE+catalog_procedure%3B--")
    assert status == 200 and "&#x27;; DROP TABLE catalog_procedure" in body  # shown, escaped
    status, body = status_and_body("/tramites/no-existe/")
    assert status == 404 and "No encontramos esta página" in body
