"""The case pages with Django's test client: apply, correct, decide, follow; and nobody sees
another person's case."""

import re

import pytest

from tests.cases.conftest import SOLICITUD, person
from tests.conftest import force_login_with_second_factor
from ventanilla.cases.models import Case, DecisionReason, Status
from ventanilla.catalog.models import Procedure

pytestmark = pytest.mark.django_db


def apply(client, certification, answers=SOLICITUD):
    """Start an application and answer it page by page (each page takes its own questions
    from ``answers``), then send it from the check-your-answers page. Returns the first
    response that is not a step forward (a page with errors) or the sending's response."""
    response = client.post(f"/tramites/{certification.slug}/empezar/")
    task_url = response.url
    assert re.fullmatch(r"/mis-tramites/\d+/paso/", task_url)
    url = client.get(task_url).url
    for _ in range(10):
        assert re.fullmatch(r"/mis-tramites/\d+/paso/\d+/", url), url
        response = client.post(url, answers)
        if response.status_code != 302:
            return response, task_url
        url = response.url
        if url.endswith("/revisar/"):
            break
        url = client.get(url).url
    assert "Revise sus respuestas" in client.get(url).content.decode()
    return client.post(url), task_url


def test_the_procedure_page_offers_the_online_application(client, certification):
    page = client.get(f"/tramites/{certification.slug}/").content.decode()
    assert f'href="/tramites/{certification.slug}/iniciar/"' in page


def test_apply_correct_and_see_the_decision(
    client, certification, confirmed_citizen, reviewers, inbox, django_capture_on_commit_callbacks
):
    client.force_login(confirmed_citizen)
    assert (
        "Empezar la solicitud"
        in client.get(f"/tramites/{certification.slug}/iniciar/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response, _task_url = apply(client, certification)
    case = Case.objects.get(applicant=confirmed_citizen)
    assert response.url == f"/mis-tramites/{case.pk}/recibida/"
    assert case.tracking_number in client.get(response.url).content.decode()
    [mail] = inbox.to("marta@example.org")
    assert case.tracking_number in mail["Subject"]

    official = reviewers[0]
    office = client.__class__()
    force_login_with_second_factor(office, official)
    assert case.tracking_number in office.get("/oficina/expedientes/").content.decode()
    office.post(f"/oficina/expedientes/{case.pk}/tomar/")
    missing = DecisionReason.objects.get(kind="corrections", text="Falta un documento requerido")
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            f"/oficina/expedientes/{case.pk}/",
            {"dictamen": "corregir", "motivo": missing.pk, "observaciones": "Indique la sección"},
        )
    page = client.get(f"/mis-tramites/{case.pk}/").content.decode()
    assert "Le pidieron una corrección" in page and "Indique la sección" in page
    assert client.get(f"/mis-tramites/{case.pk}/paso/").url == f"/mis-tramites/{case.pk}/paso/1/"
    client.post(f"/mis-tramites/{case.pk}/paso/1/", {"respuesta": "Sección B"})

    office.post(f"/oficina/expedientes/{case.pk}/tomar/")
    office.post(f"/oficina/expedientes/{case.pk}/", {"dictamen": "aprobar"})
    case.refresh_from_db()
    assert case.status == Status.DECIDED
    page = client.get(f"/mis-tramites/{case.pk}/").content.decode()
    assert "Su certificación de estudios fue aprobada." in page


def test_wrong_answers_keep_what_was_typed(client, certification, confirmed_citizen):
    client.force_login(confirmed_citizen)
    response, _url = apply(
        client, certification, {"nivel": "basico", "grado": "3o", "anio": "dos mil"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hay un problema" in page
    assert "Escriba solo números" in page
    assert 'value="dos mil"' in page and 'value="3o"' in page
    empty = client.post(response.wsgi_request.path, {}).content.decode()
    assert "Responda esta pregunta" in empty


def test_nobody_sees_another_persons_case(client, certification, confirmed_citizen):
    client.force_login(confirmed_citizen)
    apply(client, certification)
    case = Case.objects.get(applicant=confirmed_citizen)
    client.force_login(person(40, first_names="Otro"))
    for url in [
        f"/mis-tramites/{case.pk}/",
        f"/mis-tramites/{case.pk}/paso/",
        f"/mis-tramites/{case.pk}/paso/1/",
        f"/mis-tramites/{case.pk}/revisar/",
        f"/mis-tramites/{case.pk}/recibida/",
    ]:
        assert client.get(url).status_code == 404
    assert client.get("/oficina/expedientes/").status_code == 403
    assert client.get(f"/oficina/expedientes/{case.pk}/").status_code == 403


def test_an_official_of_the_unit_without_a_case_role_does_not_see_it(
    client, certification, confirmed_citizen, editor
):
    """The catalogue editor works at DIGEACE too, but reviews no cases."""
    from ventanilla.identity.actions import bootstrap_administrator, grant_role
    from ventanilla.identity.models import Role

    client.force_login(confirmed_citizen)
    apply(client, certification)
    case = Case.objects.get(applicant=confirmed_citizen)
    admin = person(91, first_names="Admin")
    bootstrap_administrator(admin, certification.responsible_unit)
    grant_role(editor, Role.CATALOGUE_EDITOR, certification.responsible_unit, actor=admin)
    force_login_with_second_factor(client, editor)
    assert client.get(f"/oficina/expedientes/{case.pk}/").status_code == 404


def test_an_official_of_another_unit_does_not_see_the_case(
    client, certification, confirmed_citizen, editor
):
    client.force_login(confirmed_citizen)
    apply(client, certification)
    case = Case.objects.get(applicant=confirmed_citizen)
    force_login_with_second_factor(client, editor)
    assert case.tracking_number not in client.get("/oficina/expedientes/").content.decode()
    assert client.get(f"/oficina/expedientes/{case.pk}/").status_code == 404


def test_anyone_checks_a_status_with_the_number_and_four_digits(
    client, certification, confirmed_citizen
):
    client.force_login(confirmed_citizen)
    apply(client, certification)
    case = Case.objects.get(applicant=confirmed_citizen)
    visitor = client.__class__()
    page = visitor.post(
        "/consulta/", {"number": case.tracking_number.lower(), "cui_end": case.applicant.cui[-4:]}
    ).content.decode()
    assert "Solicitud recibida" in page and "En revisión" in page
    assert confirmed_citizen.first_names not in page  # no personal data

    wrong = visitor.post("/consulta/", {"number": case.tracking_number, "cui_end": "9999"})
    assert "No encontramos un expediente con esos datos" in wrong.content.decode()
    bad = visitor.post("/consulta/", {"number": "", "cui_end": "12a"}).content.decode()
    assert "Escriba el número de expediente" in bad and "Escriba cuatro números" in bad


def test_lookups_are_limited_per_address(client):
    for _ in range(10):
        client.post("/consulta/", {"number": "MINEDUC-2026-000001", "cui_end": "0101"})
    response = client.post("/consulta/", {"number": "MINEDUC-2026-000001", "cui_end": "0101"})
    assert response.status_code == 429
    assert "Espere 15 minutos" in response.content.decode()


def test_a_long_application_is_a_task_list_done_in_any_order(
    client, certification, confirmed_citizen
):
    """The private school's application: sections in any order, sent only when all are done."""
    client.force_login(confirmed_citizen)
    slug = "autorizacion-funcionamiento-centro-privado"
    Procedure.objects.filter(slug=slug).update(is_published=True)
    task_url = client.post(f"/tramites/{slug}/empezar/").url
    page = client.get(task_url).content.decode()
    assert 'id="lista-de-tareas"' in page
    assert page.count("Sin completar") == 4 and "Revisar y enviar</span>" in page
    case = Case.objects.get(applicant=confirmed_citizen, procedure__slug=slug)
    last = f"/mis-tramites/{case.pk}/paso/4/"
    response = client.post(last, {"niveles": "Preprimaria y primaria"})
    assert response.url == task_url  # back to the list, not to the next page
    page = client.get(task_url).content.decode()
    assert page.count("Sin completar") == 3 and "Completada" in page
    assert client.get(f"/mis-tramites/{case.pk}/revisar/").url == task_url  # not yet
