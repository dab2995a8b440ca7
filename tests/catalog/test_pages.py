import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ventanilla.catalog.models import Procedure

pytestmark = pytest.mark.django_db


def test_home_has_a_search_box_and_prioritised_procedures(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html and 'action="/tramites/"' in html
    prioritised = Procedure.objects.filter(is_prioritised=True).first()
    assert prioritised.name in html


def test_list_shows_all_and_search_results(client):
    response = client.get("/tramites/")
    assert response.status_code == 200
    assert "19 trámites" in response.content.decode()
    response = client.get("/tramites/", {"q": "inscripcion"})
    html = response.content.decode()
    assert "Inscripción de estudiantes" in html
    assert "Prueba diagnóstica" not in html


def test_detail_page_shows_requirements_cost_deadline_and_legal_basis(client):
    response = client.get(reverse("catalog:detail", args=["autentica-documentos-educativos"]))
    assert response.status_code == 200
    html = response.content.decode()
    procedure = Procedure.objects.get(slug="autentica-documentos-educativos")
    assert procedure.name in html
    assert re.search(r"Cuánto cuesta</dt>\s*<dd[^>]*>Q10\.00", html)
    assert "Sin plazo publicado" in html
    assert "ATE-INS-04" in html
    for requirement in procedure.requirements.filter(is_required=True, held_by_state=False):
        assert requirement.text.replace("'", "&#x27;").replace('"', "&quot;")[:40] in html


def test_free_procedure_says_gratuito(client):
    html = client.get("/tramites/codigo-personal-estudiante/").content.decode()
    assert "Gratuito" in html


def test_unknown_slug_gets_the_spanish_404_page(client):
    response = client.get("/tramites/no-existe-este-tramite/")
    assert response.status_code == 404
    assert "No encontramos esta página" in response.content.decode()
    response = client.get("/tramites/%00%27;--/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "'; DROP TABLE catalog_procedure; --"},
        {"q": "\x00\x01"},
        {"publico": "no-existe"},
        {"unidad": "'; --"},
        {"en_linea": "quizas"},
        {"pagina": "abc"},
        {"pagina": "99999"},
        {"pagina": "-1"},
        {"q": ["a", "b"]},
    ],
)
def test_bad_input_never_breaks_the_list(client, params):
    response = client.get("/tramites/", params)
    assert response.status_code == 200
    assert Procedure.objects.count() == 19


def test_invalid_filter_is_reported_and_the_search_is_kept(client):
    html = client.get("/tramites/", {"q": "titulo", "publico": "marcianos"}).content.decode()
    assert "Hay un problema" in html
    assert "Elija un público de la lista." in html
    assert 'value="titulo"' in html
    assert "Extensión de títulos y diplomas" in html


def test_long_query_is_explained(client):
    html = client.get("/tramites/", {"q": "inscripción " * 1000}).content.decode()
    assert "Su búsqueda era muy larga" in html


def test_no_results_page_says_what_to_do(client):
    html = client.get("/tramites/", {"q": "zzzqqq"}).content.decode()
    assert "No encontramos ningún trámite" in html
    assert "ver todos los trámites" in html


def test_when_no_procedure_has_every_word_those_with_some_are_offered(client):
    html = client.get("/tramites/", {"q": "diploma xylofono"}).content.decode()
    assert "Ningún trámite tiene todas las palabras" in html
    assert "Extensión de títulos y diplomas" in html


def test_pages_send_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


def test_a_form_sent_without_its_token_gets_the_spanish_expired_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert response.status_code == 403
    assert "La página venció" in response.content.decode()


def test_an_unknown_host_gets_the_spanish_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "No pudimos entender la solicitud" in response.content.decode()


def test_post_to_a_read_only_page_is_refused_politely(client):
    assert client.post("/tramites/").status_code in {403, 405}


def test_spanish_by_default_even_for_english_browsers(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "es"
    assert "¿Qué trámite busca?" in response.content.decode()


def test_language_switcher_changes_to_english_and_back(client):
    home = client.get("/tramites/?q=titulo").content.decode()
    assert "/idioma/?idioma=en&amp;volver=/tramites/%3Fq%3Dtitulo" in home
    response = client.get("/idioma/", {"idioma": "en", "volver": "/tramites/?q=titulo"})
    assert response.status_code == 302 and response.url == "/tramites/?q=titulo"
    html = client.get("/").content.decode()
    assert "Which procedure are you looking for?" in html
    assert '<html lang="en"' in html
    client.get("/idioma/", {"idioma": "es", "volver": "/"})
    assert "¿Qué trámite busca?" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_language_switcher_never_redirects_elsewhere(client, target):
    response = client.get("/idioma/", {"idioma": "en", "volver": target})
    assert response.status_code == 302 and response.url == "/"


def test_unknown_language_is_ignored(client):
    response = client.get("/idioma/", {"idioma": "xx", "volver": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_public_pages_are_cached_until_the_catalogue_changes(client, editor):
    from ventanilla.catalog import actions

    procedure = Procedure.objects.get(slug="cierre-voluntario-centro-privado")
    url = "/tramites/cierre-voluntario-centro-privado/"
    assert "En línea</strong>" not in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 1  # only the content version: the page came from the cache
    actions.set_procedure_online(procedure, online=True, actor=editor)
    assert "En línea</strong>" in client.get(url).content.decode()


def test_pages_for_signed_in_staff_are_never_cached(client, editor):
    client.force_login(editor)
    client.get("/tramites/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/tramites/")
    assert len(queries) > 1


def test_health_endpoint_reports_the_database(client):
    assert client.get("/salud/").json()["status"] == "ok"
