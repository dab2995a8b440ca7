"""The case page for officials: internal notes (never shown to the citizen), the files with
their download, the answers with their questions, and the whole history."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from tests.cases import office_fixtures as fx
from tests.cases.office_fixtures import corrections_requested, signed_in
from ventanilla.cases import actions, office_actions
from ventanilla.cases.models import CaseEvent, CaseFile, CaseNote
from ventanilla.identity.models import AssuranceLevel, PersonalDataView, User

pytestmark = pytest.mark.django_db
supervisor, stranger_official, waiting = fx.supervisor, fx.stranger_official, fx.waiting
CASE = "/oficina/expedientes/{}/"
SECRET = "Sospecho que el sello es falso; llamar al establecimiento"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attach(case, name="boleta.pdf", content=b"%PDF-1.4 prueba", content_type="application/pdf"):
    return CaseFile.objects.create(
        case=case,
        task="solicitud",
        field="boleta",
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        file=ContentFile(content, name="x"),
        uploaded_by=case.applicant,
    )


def test_a_note_is_kept_listed_and_logged_without_its_text(reviewers, waiting):
    case = waiting[0]
    client = signed_in(reviewers[0])
    response = client.post(CASE.format(case.pk) + "notas/", {"text": SECRET})
    assert response.url == CASE.format(case.pk) + "#notas"
    note = CaseNote.objects.get(case=case)
    assert (note.author, note.text) == (reviewers[0], SECRET)
    event = CaseEvent.objects.get(case=case, kind="note_added")
    assert event.after == {"note": note.pk} and SECRET not in str(event.after)
    # A colleague who works the case reads it.
    page = signed_in(reviewers[1]).get(CASE.format(case.pk)).content.decode()
    assert SECRET in page and "Nota interna" in page  # the note, and the history entry


def test_the_citizen_never_sees_a_note(client, citizen, reviewers, waiting):
    case = corrections_requested(waiting[0], reviewers[0])
    office_actions.add_note(case.pk, SECRET, actor=reviewers[0])
    User.objects.filter(pk=citizen.pk).update(assurance_level=AssuranceLevel.REGISTRY)
    client.force_login(citizen)
    pages = [
        client.get(f"/mis-tramites/{case.pk}/"),
        client.get("/mis-tramites/"),
        client.get(f"/mis-tramites/{case.pk}/paso/", follow=True),
    ]
    visitor = client.__class__()
    pages.append(
        visitor.post("/consulta/", {"number": case.tracking_number, "cui_end": citizen.cui[-4:]})
    )
    assert "Indique la sección" in pages[0].content.decode()  # the observations, yes
    for response in pages:
        assert response.status_code == 200
        page = response.content.decode()
        assert SECRET not in page and "Nota interna" not in page


def test_an_empty_or_long_note_is_explained_and_kept(reviewers, waiting):
    client = signed_in(reviewers[0])
    response = client.post(CASE.format(waiting[0].pk) + "notas/", {"text": "   "})
    assert response.status_code == 200 and "Escriba la nota" in response.content.decode()
    long_note = "x" * 2001
    response = client.post(CASE.format(waiting[0].pk) + "notas/", {"text": long_note})
    page = response.content.decode()
    assert "La nota es demasiado larga" in page and long_note in page
    assert not CaseNote.objects.exists()


def test_notes_are_closed_to_others(client, citizen, waiting, stranger_official):
    client.force_login(citizen)
    assert client.post(CASE.format(waiting[0].pk) + "notas/", {"text": "hola"}).status_code == 403
    other = signed_in(stranger_official)
    assert other.post(CASE.format(waiting[0].pk) + "notas/", {"text": "hola"}).status_code == 404
    with pytest.raises(office_actions.NotAllowed):
        office_actions.add_note(waiting[0].pk, "hola", actor=stranger_official)
    assert not CaseNote.objects.exists()


def test_files_are_listed_and_downloaded_as_attachments_and_logged(
    media, citizen, reviewers, waiting
):
    case = waiting[0]
    attachment = attach(case, name="boleta <de> pago.pdf")
    client = signed_in(reviewers[0])
    page = client.get(CASE.format(case.pk)).content.decode()
    url = f"/oficina/expedientes/{case.pk}/archivos/{attachment.pk}/"
    assert f'href="{url}"' in page and "boleta &lt;de&gt; pago.pdf" in page
    assert "15\xa0bytes" in page and "application/pdf" in page

    PersonalDataView.objects.all().delete()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 prueba"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "boleta" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    view = PersonalDataView.objects.get()
    assert (view.viewer, view.subject, view.path) == (reviewers[0], citizen, url)
    assert "boleta <de> pago.pdf" in view.what


def test_files_are_closed_to_others_and_bound_to_their_case(
    client, media, citizen, reviewers, waiting, stranger_official
):
    attachment = attach(waiting[0])
    url = f"/oficina/expedientes/{waiting[0].pk}/archivos/{attachment.pk}/"
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    assert signed_in(stranger_official).get(url).status_code == 404
    # The file's number under another case the official may see is no way in either.
    other_case_url = f"/oficina/expedientes/{waiting[1].pk}/archivos/{attachment.pk}/"
    assert signed_in(reviewers[0]).get(other_case_url).status_code == 404
    attachment.file.delete(save=False)  # gone from storage: a 404, not a 500
    assert signed_in(reviewers[0]).get(url).status_code == 404


def test_the_history_shows_every_event_with_who_did_it(reviewers, supervisor, waiting):
    case = waiting[0]
    reviewer, colleague = reviewers
    actions.claim(case.pk, reviewer)
    office_actions.assign(case.pk, colleague, actor=supervisor)
    office_actions.release(case.pk, actor=colleague)
    office_actions.add_note(case.pk, "Revisar sello", actor=colleague)
    page = signed_in(supervisor).get(CASE.format(case.pk)).content.decode()
    history = page.split('id="historia"')[1]
    for label in [
        "Solicitud empezada",
        "Solicitud recibida",
        "Tomado de la cola",
        "Reasignado",
        "Devuelto a la cola",
        "Nota interna",
    ]:
        assert label in history, label
    assert "Lo tenía Revisor 3" in history and "Julia Jefa" in history


def test_a_file_sent_with_the_application_is_named_in_the_answers_and_downloads(
    media, certification, citizen, reviewers
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.conftest import SOLICITUD
    from tests.cases.test_uploads import PDF

    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    kept = actions.attach_file(
        case.pk,
        task="solicitud",
        field="comprobante",
        upload=SimpleUploadedFile("tarjeta 2019.pdf", PDF),
        actor=citizen,
    )
    actions.complete_task(
        case.pk, "solicitud", {**SOLICITUD, "comprobante": str(kept.pk)}, actor=citizen
    )
    client = signed_in(reviewers[0])
    page = client.get(CASE.format(case.pk)).content.decode()
    answers = page.split("Lo que se respondió")[1].split('id="archivos"')[0]
    assert "Copia de una tarjeta de calificaciones" in answers and "tarjeta 2019.pdf" in answers
    history = page.split('id="historia"')[1]
    assert "Archivo adjunto" in history and "tarjeta 2019.pdf" in history
    response = client.get(f"/oficina/expedientes/{case.pk}/archivos/{kept.pk}/")
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"


def test_the_answers_show_the_questions_and_the_options_words(reviewers, waiting):
    page = signed_in(reviewers[0]).get(CASE.format(waiting[0].pk)).content.decode()
    answers = page.split("Lo que se respondió")[1].split('id="archivos"')[0]
    assert "INEB Mixco" in answers and "Año en que lo cursó" in answers
    assert "Básico" in answers and ">anio<" not in answers  # titles, not property names


def test_the_administration_shows_notes_read_only_and_edits_reasons(reviewers, waiting):
    from tests.cases.conftest import person
    from ventanilla.cases.models import DecisionReason

    office_actions.add_note(waiting[0].pk, SECRET, actor=reviewers[0])
    note = CaseNote.objects.get()
    client = signed_in(person(95, first_names="Sonia", is_staff=True, is_superuser=True))
    assert client.get("/admin/cases/casenote/").status_code == 200
    page = client.get(f"/admin/cases/casenote/{note.pk}/change/").content.decode()
    assert SECRET in page and 'name="text"' not in page  # shown, not editable
    assert client.get("/admin/cases/casenote/add/").status_code == 403
    assert (
        client.post(f"/admin/cases/casenote/{note.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert client.get("/admin/cases/absence/add/").status_code == 403
    reason = DecisionReason.objects.filter(kind="reject").first()
    listing = client.get("/admin/cases/decisionreason/").content.decode()
    assert reason.text in listing
    assert client.get(f"/admin/cases/decisionreason/{reason.pk}/change/").status_code == 200
