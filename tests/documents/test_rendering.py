import datetime
import statistics
import subprocess
import time

import pytest

from tests.documents.conftest import document_fields, need
from ventanilla.documents import codes, rendering

DEMO_MARK = "DOCUMENTO DE DEMOSTRACIÓN — NO VÁLIDO PARA PRODUCCIÓN"


def write(tmp_path, data: bytes, name="documento.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdftotext(path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    program = need("pdftotext", "poppler-utils")
    return subprocess.run(
        [program, *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdfinfo(path) -> dict[str, str]:
    program = need("pdfinfo", "poppler-utils")
    out = subprocess.run([program, str(path)], capture_output=True, text=True, check=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


def embedded_fonts(path) -> list[list[str]]:
    program = need("pdffonts", "poppler-utils")
    out = subprocess.run([program, str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:]]


@pytest.mark.parametrize("kind", rendering.KINDS)
def test_text_is_selectable_and_fonts_are_embedded_subsets(tmp_path, kind):
    fields = document_fields()
    path = write(tmp_path, rendering.render_pdf(kind, fields, demo=False))
    text = pdftotext(path)
    assert fields["holder_name"] in text
    assert fields["code"] in text
    assert codes.verification_url(fields["code"]) in text
    assert "Guatemala, 28 de noviembre de 2026" in text
    fonts = embedded_fonts(path)
    assert fonts, "the document uses embedded fonts"
    for name, *_, emb, sub, uni, _obj, _gen in fonts:
        assert (emb, sub, uni) == ("yes", "yes", "yes"), name
        assert "+DejaVu" in name


def test_paper_is_a4_and_the_diploma_landscape(tmp_path):
    letter = pdfinfo(write(tmp_path, rendering.render_pdf("resolution", document_fields())))
    diploma = pdfinfo(write(tmp_path, rendering.render_pdf("diploma", document_fields()), "d.pdf"))
    assert letter["Page size"].strip() == "595.28 x 841.89 pts (A4)"
    assert diploma["Page size"].strip() == "841.89 x 595.28 pts (A4)"
    assert letter["Title"].strip() == "Certificación de cursos aprobados"


def test_every_page_of_a_demo_document_says_it_is_not_valid(tmp_path):
    fields = document_fields(paragraphs=["Considerando que el expediente está completo. " * 60] * 5)
    path = write(tmp_path, rendering.render_pdf("resolution", fields, demo=True))
    pages = int(pdfinfo(path)["Pages"])
    assert pages >= 3
    for page in range(1, pages + 1):
        text = pdftotext(path, page)
        assert DEMO_MARK in text
        assert f"Página {page} de {pages}" in text
    assert fields["code"] in pdftotext(path, pages)


def test_a_production_document_has_no_demo_mark(tmp_path):
    path = write(tmp_path, rendering.render_pdf("diploma", document_fields(), demo=False))
    assert "DEMOSTRACIÓN" not in pdftotext(path)


def test_demo_mark_follows_the_configured_signer(tmp_path, demo_pki, sign_with, unknown_ca):
    demo = write(tmp_path, rendering.render_pdf("certification", document_fields()), "a.pdf")
    assert DEMO_MARK in pdftotext(demo)
    sign_with(PKCS12_FILE=str(unknown_ca["pkcs12"]), PKCS12_PASSWORD=unknown_ca["password"])
    other = write(tmp_path, rendering.render_pdf("certification", document_fields()), "b.pdf")
    assert "DEMOSTRACIÓN" not in pdftotext(other)


@pytest.mark.parametrize("kind", ["certification", "diploma"])
def test_the_qr_code_scans_to_the_verification_page(tmp_path, kind):
    fields = document_fields()
    path = write(tmp_path, rendering.render_pdf(kind, fields, demo=True))
    pdftoppm, zbarimg = need("pdftoppm", "poppler-utils"), need("zbarimg", "zbar-tools")
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    scanned = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True
    )
    assert scanned.stdout.strip() == codes.verification_url(fields["code"])


def test_characters_outside_the_fonts_fall_back_to_their_letter(tmp_path):
    fields = document_fields(holder_name="Nguyễn Thị Łucja K'iche' Ñuñez")
    text = pdftotext(write(tmp_path, rendering.render_pdf("certification", fields, demo=False)))
    assert "Nguyen Thi Łucja K'iche' Ñuñez" in text


def test_missing_fields_and_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="holder_name, code"):
        rendering.render_pdf("diploma", document_fields(holder_name="", code=""), demo=False)
    with pytest.raises(ValueError, match="kind"):
        rendering.render_pdf("carnet", document_fields(), demo=False)
    with pytest.raises(ValueError, match="list"):
        rendering.render_pdf("diploma", document_fields(paragraphs="uno"), demo=False)


def test_a_registered_document_renders_from_its_columns_and_data(tmp_path):
    from ventanilla.core.models import OrgUnit
    from ventanilla.documents.models import Document

    document = Document(
        kind="resolution",
        title="Resolución de equivalencia de estudios",
        holder_name="Pedro Ixcoy Tzoc",
        unit=OrgUnit(name="Dirección Departamental de Educación de Sololá"),
        code=codes.new_code(),
        issued_at=datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC),
        data={"paragraphs": ["Se declara la equivalencia solicitada."], "place": "Sololá"},
    )
    text = pdftotext(write(tmp_path, rendering.render(document, demo=False)))
    assert "Interesado(a): Pedro Ixcoy Tzoc" in text
    assert "Se declara la equivalencia solicitada." in text
    assert "Dirección Departamental de Educación de Sololá" in text
    assert "Sololá, 2 de marzo de 2026" in text
    assert document.code in text


def test_rendering_reuses_the_prepared_fonts():
    """Fonts are subset once per process; if that broke, a PDF would take ~100 ms."""
    rendering.warm_up()
    fields = document_fields()
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        rendering.render_pdf("diploma", fields, demo=True)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.02
