"""Check a signed PDF with pyHanko: intact, a valid signature, a chain to the configured
trust roots, certified "no changes allowed" and not changed since. Anything else, including
a file that is not a PDF or is damaged, gives a "not valid" answer with the reasons in
Spanish: this never raises.
"""

from __future__ import annotations

import datetime
import functools
import logging
import os
from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from ventanilla.documents import pki, signing
from ventanilla.documents.event_loops import outside_event_loop

logger = logging.getLogger(__name__)

# Accredited FEA certificates carry nonRepudiation, digitalSignature or both: either will do.
KEY_USAGE = KeyUsageConstraints(
    key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False
)
UNCHANGED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


@dataclass(frozen=True)
class PdfCheck:
    """What the signature of a PDF says. ``ok`` is the bottom line; ``reasons`` say why not;
    ``notes`` say what a person should know even when it is ok (e.g. demo signer)."""

    ok: bool
    intact: bool = False
    valid_signature: bool = False
    trusted: bool = False
    certified: bool = False
    unchanged: bool = False
    timestamped: bool = False
    demo: bool = False
    signer: str = ""
    signing_time: datetime.datetime | None = None
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _refused(reason: str) -> PdfCheck:
    return PdfCheck(ok=False, reasons=(reason,))


@functools.cache
def _roots_from_files(files: tuple[tuple[str, int], ...]) -> tuple:
    return tuple(load_certs_from_pemder([path for path, _mtime in files]))


def trust_roots() -> list:
    """The configured roots (``TRUST_ROOT_FILES``), else the demo root."""
    files = signing.config()["TRUST_ROOT_FILES"]
    if files:
        return list(_roots_from_files(tuple((f, os.stat(f).st_mtime_ns) for f in files)))
    return [pki.as_asn1_certificate(pki.demo_root_certificate())]


def _validation_context() -> ValidationContext:
    # No fetching: verification must answer fast and work offline. Certificates without
    # revocation information are accepted (soft-fail); revoked documents are the registry's.
    return ValidationContext(
        trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )


class _Encrypted(Exception):
    pass


def _read_signatures(data: bytes):
    reader = PdfFileReader(BytesIO(data), strict=False)
    if reader.encrypted:
        raise _Encrypted
    return reader.embedded_regular_signatures


@outside_event_loop
def validate_pdf(data: bytes) -> PdfCheck:
    """Validate the first (certifying) signature of ``data`` against the trust roots."""
    if not isinstance(data, bytes | bytearray | memoryview) or not data:
        return _refused(_("El archivo está vacío."))
    data = bytes(data)
    if b"%PDF-" not in data[:1024]:
        return _refused(_("El archivo no es un PDF."))
    try:
        signatures = _read_signatures(data)
    except _Encrypted:
        return _refused(_("El PDF está protegido con contraseña y no se puede comprobar."))
    except Exception:  # a damaged file can fail anywhere in the parser
        logger.info("Unreadable PDF", exc_info=True)
        return _refused(_("El PDF está dañado o alterado: no se puede leer."))
    if not signatures:
        return _refused(_("El PDF no tiene firma electrónica."))
    try:
        context = _validation_context()
    except (OSError, ValueError):
        logger.exception("The trust roots in VENTANILLA_TRUST_ROOT_FILES cannot be read")
        return _refused(
            _("El servicio no puede comprobar firmas en este momento. Intente más tarde.")
        )
    embedded = signatures[0]
    try:
        status = validate_pdf_signature(
            embedded, signer_validation_context=context, key_usage_settings=KEY_USAGE
        )
    except Exception:
        logger.info("Signature could not be validated", exc_info=True)
        return _refused(_("La firma del PDF está dañada o alterada: no se puede comprobar."))
    return _summarise(status, certified=embedded.docmdp_level == MDPPerm.NO_CHANGES)


def _signing_time(status: PdfSignatureStatus) -> tuple[datetime.datetime | None, bool]:
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.valid and timestamp.intact and timestamp.trusted:
        return timestamp.timestamp, True
    return status.signer_reported_dt, False


def _summarise(status: PdfSignatureStatus, *, certified: bool) -> PdfCheck:
    unchanged = (
        status.coverage is not None
        and status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
        and bool(status.docmdp_ok)
        and status.modification_level in UNCHANGED
    )
    signing_time, timestamped = _signing_time(status)
    checks = {
        "intact": status.intact,
        "valid_signature": status.valid,
        "trusted": status.trusted,
        "certified": certified,
        "unchanged": unchanged,
    }
    reasons = _reasons(status, checks)
    demo = pki.is_demo_certificate(status.signing_cert)
    notes = ()
    if demo:
        notes = (
            _(
                "Firmado con los certificados de DEMOSTRACIÓN de esta instalación: no vale "
                "para trámites reales."
            ),
        )
    return PdfCheck(
        ok=not reasons,
        timestamped=timestamped,
        demo=demo,
        signer=pki.describe_subject(status.signing_cert.subject),
        signing_time=signing_time,
        reasons=tuple(reasons),
        notes=notes,
        **checks,
    )


def _reasons(status: PdfSignatureStatus, checks: dict) -> list[str]:
    reasons = []
    if not checks["intact"]:
        reasons.append(
            _(
                "El contenido cambió después de firmarse: la huella del archivo no coincide "
                "con la que se firmó."
            )
        )
    elif not checks["valid_signature"]:
        reasons.append(_("La firma no corresponde al certificado del firmante."))
    elif status.revoked:
        reasons.append(_("El certificado del firmante fue revocado."))
    elif not checks["trusted"]:
        reasons.append(
            _(
                "El certificado del firmante no proviene de una entidad de confianza para "
                "esta institución."
            )
        )
    if not checks["certified"]:
        reasons.append(_("El emisor no certificó el documento con «no se permiten cambios»."))
    if not checks["unchanged"]:
        reasons.append(
            _(
                "El PDF tiene cambios agregados después de la firma (por ejemplo notas, "
                "anotaciones o páginas). Un documento certificado no admite cambios."
            )
        )
    timestamp = status.timestamp_validity
    if timestamp is not None and not (timestamp.valid and timestamp.intact and timestamp.trusted):
        reasons.append(_("El sello de tiempo de la firma no es válido."))
    return reasons
