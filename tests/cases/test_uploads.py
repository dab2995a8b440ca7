"""Files attached to an application: checked by size, by what their bytes are and by what they
unpack to, kept even when another answer is wrong, and readable only by their owner."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.cases.conftest import SOLICITUD, person
from tests.cases.test_case_pages import apply
from ventanilla.cases import uploads
from ventanilla.cases.models import Case, CaseFile

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png(size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def docx(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(uploads.FileRefused) as refused:
        uploads.check(SimpleUploadedFile(name, data))
    return str(refused.value)


def test_documents_are_recognised_by_their_bytes_not_their_names():
    assert uploads.check(SimpleUploadedFile("a.pdf", PDF)).content_type == "application/pdf"
    assert uploads.check(SimpleUploadedFile("foto.pdf", png())).content_type == "image/png"
    word = docx({"word/document.xml": b"<w:document/>"})
    assert uploads.check(SimpleUploadedFile("x.docx", word)).content_type == uploads.DOCX
    checked = uploads.check(SimpleUploadedFile("a.pdf", PDF))
    assert len(checked.sha256) == 64 and checked.size == len(PDF)


@pytest.mark.parametrize(
    "program",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 400,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 400,
        b"#!/bin/sh\nrm -rf /",
    ],
)
def test_a_renamed_program_is_refused(program):
    assert "es un programa, no un documento" in refusal("certificado.pdf", program)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = docx({"word/document.xml": b"\x00" * (50 * 1024 * 1024)})
    assert len(bomb) < 200_000
    assert "se expande a un tamaño desmedido" in refusal("tarea.docx", bomb)
    many = docx({f"word/{n}.xml": b"x" for n in range(1200)})
    assert "se expande a un tamaño desmedido" in refusal("tarea.docx", many)


def test_an_image_with_too_many_pixels_is_refused():
    assert "demasiados píxeles" in refusal("foto.png", png((15000, 15000), "1"))


def test_other_unsafe_or_unknown_files_are_refused():
    assert "programas o archivos incrustados" in refusal(
        "a.pdf", PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript>>")
    )
    assert "no se acepta" in refusal("notas.pdf", b"just some text, not a document")
    assert "está vacío" in refusal("a.pdf", b"")
    assert "dañado" in refusal("a.png", png()[:60])


def walk_to_the_file_page(client, certification):
    """Answer the first three pages; return the page with the file question."""
    response = client.post(f"/tramites/{certification.slug}/empezar/")
    url = client.get(response.url).url
    while True:
        page = client.get(url).content.decode()
        if 'type="file"' in page:
            return url
        url = client.get(client.post(url, SOLICITUD).url).url


def test_a_certification_with_an_upload(client, certification, confirmed_citizen):
    client.force_login(confirmed_citizen)
    url = walk_to_the_file_page(client, certification)
    response = client.post(url, {"comprobante": SimpleUploadedFile("tarjeta.pdf", PDF)})
    assert response.url.endswith("/revisar/")
    summary = client.get(response.url).content.decode()
    assert "tarjeta.pdf" in summary
    client.post(response.url)
    case = Case.objects.get(applicant=confirmed_citizen)
    [kept] = CaseFile.objects.filter(case=case)
    assert case.tracking_number and kept.name == "tarjeta.pdf"
    answers = case.events.get(kind="submitted").after["answers"]
    assert answers["comprobante"] == str(kept.pk)
    download = client.get(f"/mis-tramites/{case.pk}/archivos/{kept.pk}/")
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    client.force_login(person(44, first_names="Otra"))
    assert client.get(f"/mis-tramites/{case.pk}/archivos/{kept.pk}/").status_code == 404


def test_refused_files_say_why_and_keep_the_page(
    client, certification, confirmed_citizen, settings
):
    settings.VENTANILLA_UPLOADS = {**settings.VENTANILLA_UPLOADS, "MAX_BYTES": 100_000}
    client.force_login(confirmed_citizen)
    url = walk_to_the_file_page(client, certification)
    for name, data, reason in [
        ("grande.pdf", PDF + b"%" * 150_000, "y el máximo es"),
        ("certificado.pdf", b"MZ" + b"\x00" * 500, "es un programa"),
        ("tarea.docx", docx({"word/document.xml": b"\x00" * (20 * 1024 * 1024)}), "desmedido"),
    ]:
        response = client.post(url, {"comprobante": SimpleUploadedFile(name, data)})
        page = response.content.decode()
        assert response.status_code == 200
        assert "Hay un problema" in page and reason in page
    assert not CaseFile.objects.exists()


def test_a_file_is_kept_when_another_answer_is_wrong(
    client, certification, confirmed_citizen, reviewers
):
    client.force_login(confirmed_citizen)
    apply(client, certification)
    case = Case.objects.get(applicant=confirmed_citizen)
    from ventanilla.cases import actions

    actions.claim(case.pk, reviewers[0])
    actions.complete_task(
        case.pk, "revision", {"dictamen": "corregir", "observaciones": "Falta"}, actor=reviewers[0]
    )
    url = f"/mis-tramites/{case.pk}/paso/1/"
    page = client.post(url, {"documento": SimpleUploadedFile("constancia.png", png())})
    text = page.content.decode()
    assert page.status_code == 200 and "Responda esta pregunta" in text
    assert re.search(r"Ya subió <strong>constancia.png</strong>", text)
    response = client.post(url, {"respuesta": "Adjunto la constancia"})
    assert response.status_code == 302
    case.refresh_from_db()
    [kept] = CaseFile.objects.filter(case=case)
    answers = case.events.filter(kind="task").last().after["answers"]
    assert answers["documento"] == str(kept.pk) and case.status == "in_review"


def test_an_answer_cannot_name_a_file_of_another_case(certification, citizen):
    from ventanilla.cases import actions

    other = actions.start_case(certification, applicant=citizen, actor=citizen)
    mine = actions.start_case(certification, applicant=citizen, actor=citizen)
    theirs = actions.attach_file(
        other.pk,
        task="solicitud",
        field="comprobante",
        upload=SimpleUploadedFile("a.pdf", PDF),
        actor=citizen,
    )
    with pytest.raises(actions.InvalidAnswers) as invalid:
        actions.complete_task(
            mine.pk, "solicitud", {**SOLICITUD, "comprobante": str(theirs.pk)}, actor=citizen
        )
    assert "comprobante" in invalid.value.errors
