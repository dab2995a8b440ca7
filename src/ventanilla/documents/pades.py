"""PAdES B-B certification signatures for the PDFs Ventanilla renders, in one pass.

pyHanko signs any PDF: it parses the file, appends an incremental update and builds the CMS
``SignedData`` with asn1crypto, which costs ~12 ms of CPU per document (the raw ECDSA
signature inside costs 0.05 ms). A cohort of 150,000 diplomas cannot afford that, and our
own PDFs need none of the generality, so for them:

- the renderer writes the signature field, the signature dictionary (``/ByteRange`` and a
  zero-filled ``/Contents``), ``/AcroForm`` and ``/Perms /DocMDP`` (certified, "no changes
  allowed") in the document's only revision (``SignatureField``);
- ``CmsTemplate`` asks pyHanko once per key for the CMS it would produce, then keeps the
  DER bytes around the two values that change from one document to the next: the message
  digest inside the signed attributes and the signature. Signing a document is then one
  SHA-256 of the file, one raw signature and a few byte concatenations;
- ``fill`` writes the CMS into ``/Contents``.

The output is the same PAdES B-B signature pyHanko writes (same signed attributes: content
type, message digest, ESS signing-certificate-v2; same signature dictionary), and the tests
validate it with pyHanko and poppler's ``pdfsig``. Time-stamped signatures (B-T) still go
through pyHanko, which asks the time-stamp server for each document.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import cms
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from ventanilla.documents.event_loops import outside_event_loop

DIGEST = "sha256"
BYTE_RANGE_WIDTH = 44  # "0 a b c" for files up to 10**13 bytes, padded with spaces
_BYTE_RANGE = re.compile(rb"/ByteRange \[0 (\d+) (\d+) (\d+) *\]")


class TemplateError(RuntimeError):
    """The CMS pyHanko produced does not have the expected shape."""


def pdf_text(value: str) -> str:
    """A PDF text string (UTF-16BE with BOM, hex)."""
    return "<FEFF" + value.encode("utf-16-be").hex().upper() + ">"


def pdf_date(moment: datetime.datetime) -> str:
    """A PDF date string, e.g. ``(D:20261128114354-06'00')``."""
    offset = moment.utcoffset() or datetime.timedelta(0)
    sign = "-" if offset < datetime.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"(D:{moment:%Y%m%d%H%M%S}{sign}{minutes // 60:02d}'{minutes % 60:02d}')"


@dataclass(frozen=True)
class SignatureField:
    """An empty certification signature for the renderer to write into a new PDF.

    ``contents_size``: bytes reserved for the CMS (the hex placeholder is twice as long).
    """

    name: str
    signing_time: datetime.datetime
    contents_size: int
    reason: str = ""
    location: str = ""

    def signature_dictionary(self) -> bytes:
        """The ``/Sig`` dictionary with the placeholders ``fill`` and ``close`` fill in."""
        optional = ""
        if self.reason:
            optional += f" /Reason {pdf_text(self.reason)}"
        if self.location:
            optional += f" /Location {pdf_text(self.location)}"
        return (
            b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
            + f"/M {pdf_date(self.signing_time)}{optional} ".encode("latin-1")
            + b"/Reference [<< /Type /SigRef /TransformMethod /DocMDP "
            + b"/TransformParams << /Type /TransformParams /V /1.2 /P 1 >> >>]\n"
            + b"/ByteRange [0"
            + b" " * BYTE_RANGE_WIDTH
            + b"]\n"
            + b"/Contents <"
            + b"0" * (2 * self.contents_size)
            + b"> >>"
        )

    def widget(self, signature: int, page: int) -> str:
        """The invisible, locked signature field on the first page."""
        return (
            f"<< /Type /Annot /Subtype /Widget /FT /Sig /T {pdf_text(self.name)} /F 132 "
            f"/Rect [0 0 0 0] /P {page} 0 R /V {signature} 0 R >>"
        )

    @staticmethod
    def catalog_entries(signature: int, widget: int) -> str:
        """What the catalog needs: the form, the certification, the PAdES extension."""
        return (
            f"/AcroForm << /Fields [{widget} 0 R] /SigFlags 3 >> "
            f"/Perms << /DocMDP {signature} 0 R >> "
            "/Extensions << /ESIC << /Type /DeveloperExtensions /BaseVersion /1.7 "
            "/ExtensionLevel 1 >> >>"
        )


def close(pdf: bytearray) -> None:
    """Write the ``/ByteRange`` of the (last) empty signature: everything but ``/Contents``."""
    at = pdf.rindex(b"/ByteRange [0" + b" " * BYTE_RANGE_WIDTH + b"]")
    start = pdf.index(b"/Contents <", at) + len(b"/Contents ")
    end = pdf.index(b">", start) + 1
    numbers = f" {start} {end} {len(pdf) - end}".ljust(BYTE_RANGE_WIDTH).encode("ascii")
    pdf[at + len(b"/ByteRange [0") : at + len(b"/ByteRange [0") + BYTE_RANGE_WIDTH] = numbers


def _gap(pdf: bytes | bytearray) -> tuple[int, int]:
    at = pdf.rfind(b"/ByteRange [0 ")
    match = _BYTE_RANGE.match(pdf, at) if at >= 0 else None
    if match is None:
        raise ValueError("The PDF has no /ByteRange: no empty signature to fill")
    start, end, rest = (int(value) for value in match.groups())
    if end + rest != len(pdf) or pdf[start : start + 1] != b"<" or pdf[end - 1 : end] != b">":
        raise ValueError("The PDF's /ByteRange does not match the file")
    return start, end


def byte_range_digest(pdf: bytes | bytearray) -> bytes:
    """SHA-256 of everything the signature covers."""
    start, end = _gap(pdf)
    view = memoryview(pdf)
    digest = hashlib.sha256(view[:start])
    digest.update(view[end:])
    return digest.digest()


def fill(pdf: bytes, signed_data: bytes) -> bytes:
    """The PDF with ``signed_data`` (DER) in its ``/Contents`` placeholder."""
    start, end = _gap(pdf)
    pdf = bytearray(pdf)
    hex_digits = signed_data.hex().upper().encode("ascii")
    if len(hex_digits) > end - start - 2:
        raise ValueError(
            f"The signature ({len(signed_data)} bytes) does not fit the {(end - start - 2) // 2} "
            "bytes reserved for it"
        )
    pdf[start + 1 : start + 1 + len(hex_digits)] = hex_digits
    return bytes(pdf)


class CmsTemplate:
    """The CMS ``SignedData`` pyHanko builds for a key, split around what changes.

    The signature is the last value of the structure (no unsigned attributes), so each
    document's CMS is the template's constant bytes around its message digest, with the
    signature appended and the lengths of the five enclosing structures written again.
    ``raw_sign(data)`` signs the DER of the signed attributes (hashing them with SHA-256);
    it must produce what ``signer`` produces, e.g. the same cached private key.
    """

    def __init__(self, signer: Signer, raw_sign: Callable[[bytes], bytes]):
        self.raw_sign = raw_sign
        marker = os.urandom(32)
        content_info = _pyhanko_signed_data(signer, marker)
        signer_info = content_info["content"]["signer_infos"][0]
        attributes = [a["type"].native for a in signer_info["signed_attrs"]]
        if attributes != ["content_type", "message_digest", "signing_certificate_v2"]:
            raise TemplateError(f"Unexpected signed attributes: {attributes}")
        if signer_info["unsigned_attrs"].native:
            raise TemplateError("Unsigned attributes need pyHanko (e.g. a time-stamp)")
        der = content_info.dump()
        # ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT SignedData }
        content_type, explicit = _elements(_content(der, 0x30))
        (signed_data,) = _elements(_content(explicit, 0xA0))
        # SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo,
        #   [0] certificates, signerInfos SET OF SignerInfo } (no CRLs)
        *signed_data_head, signer_infos = _elements(_content(signed_data, 0x30))
        (signer_info_der,) = _elements(_content(signer_infos, 0x31))
        # SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] signedAttrs,
        #   signatureAlgorithm, signature OCTET STRING }
        *signer_info_head, signature = _elements(_content(signer_info_der, 0x30))
        if signature[0] != 0x04 or signer_info_head[3][0] != 0xA0:
            raise TemplateError("The SignerInfo does not have the expected shape")
        self._content_type = content_type
        self._signed_data_head = b"".join(signed_data_head)
        self._signer_info_head = _split(b"".join(signer_info_head), marker)
        # The signature covers the attributes' DER as a SET; in the CMS they are tagged [0].
        self._attributes = _split(b"\x31" + signer_info_head[3][1:], marker)
        if self._assemble(marker, _content(signature, 0x04)) != der:
            raise TemplateError("The CMS cannot be rebuilt from its parts")
        self.max_size = len(der) + 64  # the longest signature of the key, with room to spare

    def _assemble(self, message_digest: bytes, signature: bytes) -> bytes:
        before, after = self._signer_info_head
        signer_info = _tlv(0x30, before + message_digest + after + _tlv(0x04, signature))
        signed_data = _tlv(0x30, self._signed_data_head + _tlv(0x31, signer_info))
        return _tlv(0x30, self._content_type + _tlv(0xA0, signed_data))

    def signed_data(self, message_digest: bytes) -> bytes:
        """The DER CMS signing ``message_digest`` (SHA-256 of the covered bytes)."""
        if len(message_digest) != 32:
            raise ValueError("A SHA-256 digest has 32 bytes")
        before, after = self._attributes
        return self._assemble(message_digest, self.raw_sign(before + message_digest + after))


def _tlv(tag: int, content: bytes) -> bytes:
    """One DER value: tag, definite length, content."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(octets))) + octets + content


def _header(der: bytes, at: int) -> tuple[int, int]:
    """Where the content of the DER value at ``at`` starts, and its length."""
    first = der[at + 1]
    if first < 0x80:
        return at + 2, first
    count = first & 0x7F
    return at + 2 + count, int.from_bytes(der[at + 2 : at + 2 + count], "big")


def _content(der: bytes, tag: int) -> bytes:
    if der[0] != tag:
        raise TemplateError(f"Expected tag {tag:#04x}, found {der[0]:#04x}")
    start, size = _header(der, 0)
    if start + size != len(der):
        raise TemplateError("A DER length does not match")
    return der[start : start + size]


def _elements(content: bytes) -> list[bytes]:
    """The DER values one after another in ``content`` (low tag numbers only)."""
    values, at = [], 0
    while at < len(content):
        if content[at] & 0x1F == 0x1F:
            raise TemplateError("High tag numbers are not expected in a CMS template")
        start, size = _header(content, at)
        values.append(content[at : start + size])
        at = start + size
    return values


def _split(data: bytes, marker: bytes) -> tuple[bytes, bytes]:
    if data.count(marker) != 1:
        raise TemplateError("A placeholder is not found exactly once in the CMS")
    at = data.index(marker)
    return data[:at], data[at + len(marker) :]


@outside_event_loop
def _pyhanko_signed_data(signer: Signer, digest: bytes) -> cms.ContentInfo:
    return asyncio.run(
        signer.async_sign(
            digest,
            DIGEST,
            use_pades=True,
            signed_attr_settings=PdfCMSSignedAttributes(),
        )
    )
