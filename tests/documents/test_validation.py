import os
import statistics
import time
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from tests.documents.conftest import document_fields
from ventanilla.documents import rendering, signing, validation
from ventanilla.documents.event_loops import outside_event_loop


@pytest.fixture
def signed() -> bytes:
    pdf = rendering.render_pdf("certification", document_fields())
    return signing.sign_pdf(pdf, reason="Emisión", location="Guatemala")


def flip(data: bytes, offset: int) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= 0x01
    return bytes(changed)


def with_annotation(data: bytes) -> bytes:
    """The signed file plus an incremental update that adds a note to its first page."""
    writer = IncrementalPdfFileWriter(BytesIO(data))
    page_ref, _resources = writer.find_page_for_modification(0)
    note = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (40, 40, 70, 70)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("Nota: 100 puntos"),
        }
    )
    writer.register_annotation(page_ref, writer.add_object(note))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_document_signed_here_is_valid(signed):
    check = validation.validate_pdf(signed)
    assert check.ok and check.reasons == ()


def test_one_changed_byte_makes_it_not_intact(signed):
    # A byte inside the embedded font: the file still parses, but its hash changed.
    font_stream = signed.index(b"stream\n", signed.index(b"/Length1"))
    check = validation.validate_pdf(flip(signed, font_stream + 200))
    assert not check.ok
    assert not check.intact
    assert "El contenido cambió después de firmarse" in check.reasons[0]


def signature_hole(data: bytes) -> range:
    """Where the signature container sits: the one part the signature cannot cover. Its tail
    is zero padding, which no verifier (pdfsig included) reads."""
    start = data.index(b"/ByteRange [")
    numbers = data[start + 12 : data.index(b"]", start)].split()
    return range(int(numbers[1]), int(numbers[2]))


def test_a_changed_byte_anywhere_is_never_valid_and_never_raises(signed):
    hole = signature_hole(signed)
    for offset in range(0, len(signed), max(1, len(signed) // 80)):
        if offset in hole:
            continue
        check = validation.validate_pdf(flip(signed, offset))
        assert not check.ok, offset
        assert check.reasons, offset


@pytest.mark.parametrize("position", [10, 200, 600])
def test_a_changed_byte_in_the_signature_itself_is_not_valid(signed, position):
    check = validation.validate_pdf(flip(signed, signature_hole(signed).start + position))
    assert not check.ok
    assert check.reasons


def test_a_document_signed_by_an_unknown_ca_is_not_trusted(sign_with, unknown_ca):
    sign_with(PKCS12_FILE=str(unknown_ca["pkcs12"]), PKCS12_PASSWORD=unknown_ca["password"])
    pdf = rendering.render_pdf("diploma", document_fields())
    check = validation.validate_pdf(signing.sign_pdf(pdf))
    assert not check.ok
    assert check.intact and check.valid_signature and not check.trusted
    assert not check.demo
    assert "Firmante Desconocido" in check.signer
    assert any("entidad de confianza" in reason for reason in check.reasons)


def test_configured_roots_replace_the_demo_root(sign_with, unknown_ca, signed):
    sign_with(
        PKCS12_FILE=str(unknown_ca["pkcs12"]),
        PKCS12_PASSWORD=unknown_ca["password"],
        TRUST_ROOT_FILES=[str(unknown_ca["root_pem"])],
    )
    theirs = signing.sign_pdf(rendering.render_pdf("diploma", document_fields()))
    assert validation.validate_pdf(theirs).ok
    assert not validation.validate_pdf(signed).trusted


def test_a_note_added_after_certification_fails(signed):
    check = validation.validate_pdf(with_annotation(signed))
    assert not check.ok
    assert check.intact and check.trusted  # the signed revision itself is untouched
    assert not check.unchanged
    assert any("cambios agregados después de la firma" in reason for reason in check.reasons)


class CarelessSigner(signers.PdfSigner):
    """pyHanko refuses to sign a document certified "no changes"; another tool may not."""

    def _enforce_certification_constraints(self, reader):
        pass


def test_a_second_signature_after_certification_fails(signed):
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    metadata = signers.PdfSignatureMetadata(field_name="Otra firma")
    careless = CarelessSigner(metadata, signing._signer())
    out = outside_event_loop(careless.sign_pdf)(writer)  # pyHanko's own asyncio.run
    check = validation.validate_pdf(out.getvalue())
    assert not check.ok
    assert not check.unchanged


def test_an_unsigned_pdf_is_not_valid():
    check = validation.validate_pdf(rendering.render_pdf("diploma", document_fields()))
    assert not check.ok
    assert check.reasons == ("El PDF no tiene firma electrónica.",)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "El archivo está vacío."),
        (b"PK\x03\x04 not a pdf at all", "El archivo no es un PDF."),
        (os.urandom(4096), "El archivo no es un PDF."),
        (b"%PDF-1.7\n" + os.urandom(4096), "El PDF está dañado o alterado: no se puede leer."),
        ("%PDF-1.7 a str, not bytes", "El archivo está vacío."),
    ],
)
def test_what_is_not_a_signed_pdf_is_refused_with_a_reason(data, reason):
    check = validation.validate_pdf(data)
    assert not check.ok
    assert check.reasons == (reason,)


def test_a_truncated_signed_pdf_is_refused(signed):
    check = validation.validate_pdf(signed[: len(signed) // 2])
    assert not check.ok and check.reasons


def test_validation_is_fast_enough_for_the_verification_page(signed):
    validation.validate_pdf(signed)
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        assert validation.validate_pdf(signed).ok
        timings.append(time.perf_counter() - start)
    # The portal's goal is p99 < 100 ms for the whole upload; this is the signature part.
    assert statistics.median(timings) < 0.05


def test_unreadable_trust_roots_give_an_answer_not_an_error(sign_with, signed, tmp_path):
    sign_with(TRUST_ROOT_FILES=[str(tmp_path / "no-existe.pem")])
    check = validation.validate_pdf(signed)
    assert not check.ok
    assert check.reasons == (
        "El servicio no puede comprobar firmas en este momento. Intente más tarde.",
    )
