"""Check a file before a case keeps it: by size, by what its bytes are (never by its name),
and by what it unpacks to.

Accepted: PDF, JPEG, PNG, and Word/LibreOffice documents (DOCX, ODT). A program renamed
``certificado.pdf`` is recognised by its first bytes and refused; a compressed document that
would unpack to far more than it weighs (a "zip bomb") is refused while it is being read, before
it can fill the memory or the disk; an image too large in pixels is refused the same way.
Every refusal says why and what to do, in Spanish.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ACCEPTED = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", ODT: "odt"}

# First bytes of programs and scripts, whatever their name says.
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
PDF_ACTIVE_CONTENT = (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile")


class FileRefused(ValueError):
    """The file cannot be kept; the message says why and what to do."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def limits() -> dict:
    return settings.VENTANILLA_UPLOADS


def _too_big_message(size: int) -> str:
    return _(
        "El archivo pesa %(size)s y el máximo es %(limit)s. Redúzcalo (por ejemplo, escanéelo "
        "en blanco y negro o a menor resolución) y súbalo de nuevo."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(limits()["MAX_BYTES"])}


def _refuse_programs(head: bytes) -> None:
    kind = filetype.guess(head)
    if head.startswith(EXECUTABLE_SIGNATURES) or (kind and kind.extension in {"exe", "elf"}):
        raise FileRefused(
            _(
                "Este archivo es un programa, no un documento, aunque su nombre diga otra cosa. "
                "Suba el documento escaneado o fotografiado en PDF, JPG o PNG."
            )
        )


def _zip_kind(data: io.BufferedIOBase) -> str | None:
    """DOCX or ODT if the ZIP says it is one of them, after checking it unpacks safely."""
    try:
        archive = zipfile.ZipFile(data)
    except zipfile.BadZipFile:
        return None
    entries = archive.infolist()
    if len(entries) > limits()["MAX_ENTRIES"]:
        raise FileRefused(_zip_bomb_message())
    budget = limits()["MAX_UNPACKED_BYTES"]
    unpacked = 0
    for entry in entries:
        if entry.file_size > budget or (
            entry.compress_size and entry.file_size / entry.compress_size > limits()["MAX_RATIO"]
        ):
            raise FileRefused(_zip_bomb_message())
        # The sizes in the directory may lie: count what really comes out.
        try:
            with archive.open(entry) as member:
                while chunk := member.read(1 << 16):
                    unpacked += len(chunk)
                    if unpacked > budget:
                        raise FileRefused(_zip_bomb_message())
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise FileRefused(_damaged_message()) from error
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
        return DOCX
    if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
        return ODT
    return None


def _zip_bomb_message() -> str:
    return _(
        "El archivo comprimido se expande a un tamaño desmedido y no se puede abrir con "
        "seguridad. Guarde el documento como PDF y súbalo de nuevo."
    )


def _damaged_message() -> str:
    return _("El archivo está dañado y no se puede abrir. Guárdelo de nuevo y vuelva a subirlo.")


def _check_image(data: io.BufferedIOBase) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(data) as image:
                image.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise FileRefused(
                _(
                    "La imagen tiene demasiados píxeles para abrirla con seguridad. Tómela o "
                    "escanéela a menor resolución y súbala de nuevo."
                )
            ) from error
        except Exception as error:  # Pillow raises many kinds on damaged files
            raise FileRefused(_damaged_message()) from error


def _check_pdf(data: io.BufferedIOBase, size: int) -> None:
    data.seek(max(0, size - 2048))
    if b"%%EOF" not in data.read():
        raise FileRefused(_damaged_message())
    data.seek(0)
    tail = b""
    while chunk := data.read(1 << 20):
        window = tail + chunk
        if any(marker in window for marker in PDF_ACTIVE_CONTENT):
            raise FileRefused(
                _(
                    "El PDF contiene programas o archivos incrustados, que no se aceptan. "
                    "Imprímalo a un PDF nuevo (Imprimir → Guardar como PDF) y súbalo de nuevo."
                )
            )
        tail = chunk[-32:]


def check(upload) -> CheckedFile:
    """What the file really is, or ``FileRefused`` saying why it cannot be kept."""
    size = upload.size or 0
    if getattr(upload, "too_large", False) or size > limits()["MAX_BYTES"]:
        raise FileRefused(_too_big_message(size))
    if size == 0:
        raise FileRefused(_("El archivo está vacío. Elija el archivo correcto y súbalo de nuevo."))
    data = upload.file
    data.seek(0)
    head = data.read(8192)
    _refuse_programs(head)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    data.seek(0)
    if head.startswith(b"%PDF-"):
        content_type = PDF
        _check_pdf(data, size)
    elif content_type in {JPEG, PNG}:
        _check_image(data)
    elif head.startswith(b"PK\x03\x04"):
        content_type = _zip_kind(data)
    if content_type not in ACCEPTED:
        raise FileRefused(
            _(
                "Este tipo de archivo no se acepta. Suba un PDF, una foto JPG o PNG, o un "
                "documento de Word o LibreOffice."
            )
        )
    data.seek(0)
    digest = hashlib.sha256()
    while chunk := data.read(1 << 20):
        digest.update(chunk)
    data.seek(0)
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest())


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Stops writing a file to disk once it passes the limit, but keeps counting, so that the
    page can say how big it was; the request is still read to the end, so the person gets an
    answer instead of a reset connection."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > limits()["MAX_BYTES"]:
            self.too_large = True
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(self.received if not self.too_large else 0)
        uploaded.too_large = self.too_large
        uploaded.size = self.received
        return uploaded
