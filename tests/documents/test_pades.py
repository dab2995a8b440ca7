"""The one-pass PAdES signer (``pades``): the PDFs Ventanilla renders carry an empty
certification signature that a CMS template, built by pyHanko once per key, fills in."""

import datetime
import re
from io import BytesIO

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.documents.conftest import document_fields, pdfsig
from ventanilla.documents import pades, rendering, signing, validation


def one_pass(kind="certification", **overrides) -> bytes:
    fields = document_fields(**overrides)
    return signing.sign_rendered(
        lambda field: rendering.render_pdf(kind, fields, signature=field), reason="Emisión"
    )


def contents(signed: bytes) -> cms.ContentInfo:
    hex_digits = re.search(rb"/Contents <([0-9A-F]+)>", signed).group(1)
    return cms.ContentInfo.load(bytes.fromhex(hex_digits.decode()).rstrip(b"\0"))


def test_every_signature_length_gives_a_valid_document():
    """ECDSA signatures are 70, 71 or 72 bytes long (DER integers lose a leading zero): each
    length has its own template, and each must validate."""
    lengths, signed = set(), []
    while len(lengths) < 3 and len(signed) < 200:
        pdf = one_pass("diploma", holder_name=f"Estudiante {len(signed)}")
        lengths.add(len(contents(pdf)["content"]["signer_infos"][0]["signature"].native))
        signed.append(pdf)
    assert lengths == {70, 71, 72}
    for pdf in signed[-3:] + signed[:3]:
        check = validation.validate_pdf(pdf)
        assert check.ok, check.reasons


def test_the_cms_is_the_one_pyhanko_makes_for_the_same_digest():
    pdf = one_pass()
    mine = contents(pdf)["content"]
    digest = pades.byte_range_digest(pdf)
    theirs = pades._pyhanko_signed_data(signing._signer(), digest)["content"]
    for part in ("version", "digest_algorithms", "encap_content_info", "certificates"):
        assert mine[part].dump() == theirs[part].dump(), part
    mine_info, their_info = mine["signer_infos"][0], theirs["signer_infos"][0]
    for part in ("sid", "digest_algorithm", "signed_attrs", "signature_algorithm"):
        assert mine_info[part].dump() == their_info[part].dump(), part
    assert mine_info["signed_attrs"][1]["values"][0].native == digest


def test_the_signature_covers_the_whole_file_but_its_own_value(tmp_path, nss_db):
    pdf = one_pass("resolution", paragraphs=["Párrafo largo de la resolución. " * 40] * 6)
    reader = PdfFileReader(BytesIO(pdf))
    assert len(reader.root["/Pages"]["/Kids"]) > 1
    first, *others = (page.get_object() for page in reader.root["/Pages"]["/Kids"])
    assert len(first["/Annots"]) == 1 and all("/Annots" not in page for page in others)
    start, end = pades._gap(pdf)
    assert re.search(rb"/ByteRange \[0 %d %d %d *\]" % (start, end, len(pdf) - end), pdf)
    path = tmp_path / "resolucion.pdf"
    path.write_bytes(pdf)
    report = pdfsig(path, nss_db)
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report


def test_one_changed_byte_anywhere_breaks_it():
    pdf = one_pass()
    start, end = pades._gap(pdf)
    for at in (100, start - 20, end + 10, len(pdf) - 40):
        changed = bytearray(pdf)
        changed[at] ^= 0x01
        check = validation.validate_pdf(bytes(changed))
        assert not check.ok, at


def test_the_signing_time_is_the_dictionary_s_and_local():
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    check = validation.validate_pdf(one_pass())
    assert check.signing_time >= before
    assert check.signing_time.utcoffset() == datetime.timedelta(hours=-6)  # Guatemala


def test_with_a_time_stamp_server_documents_go_through_pyhanko(sign_with, timestamp_server):
    sign_with(TIMESTAMP_URL=timestamp_server)
    assert signing.signature_field() is None
    check = validation.validate_pdf(one_pass())
    assert check.ok and check.timestamped, check.reasons


def test_a_pdf_without_an_empty_signature_is_refused():
    with pytest.raises(ValueError, match="/ByteRange"):
        signing.sign_prepared(rendering.render_pdf("certification", document_fields()))


def test_a_signature_bigger_than_its_room_is_refused():
    field = signing.signature_field()
    small = pades.SignatureField(name="Firma", signing_time=field.signing_time, contents_size=64)
    pdf = rendering.render_pdf("certification", document_fields(), signature=small)
    with pytest.raises(ValueError, match="does not fit"):
        signing.sign_prepared(pdf)


def test_a_byte_range_that_does_not_match_the_file_is_refused():
    pdf = rendering.render_pdf(
        "certification", document_fields(), signature=signing.signature_field()
    )
    with pytest.raises(ValueError, match="does not match"):
        signing.sign_prepared(pdf + b"\n% appended\n")


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (
            datetime.datetime(
                2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(-datetime.timedelta(hours=6))
            ),
            "(D:20260102030405-06'00')",
        ),
        (datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC), "(D:20260102030405+00'00')"),
        (
            datetime.datetime(
                2026,
                1,
                2,
                3,
                4,
                5,
                tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
            ),
            "(D:20260102030405+05'30')",
        ),
    ],
    ids=["guatemala", "utc", "india"],
)
def test_pdf_dates(moment, text):
    assert pades.pdf_date(moment) == text
