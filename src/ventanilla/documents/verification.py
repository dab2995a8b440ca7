"""What the verification portal answers about a document: VÁLIDO, NO VÁLIDO, REVOCADO or
DESCONOCIDO, with the reasons, from its code, from the PDF itself or from its verifiable
credential. Only the minimum about the holder is ever shown (``Document.holder_masked``)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from ventanilla.documents import codes
from ventanilla.documents.models import Document, Status


class Verdict(StrEnum):
    VALID = "valido"
    NOT_VALID = "no_valido"
    REVOKED = "revocado"
    UNKNOWN = "desconocido"


@dataclass
class Answer:
    verdict: Verdict
    how: str  # "code", "pdf" or "credential": what was checked
    reasons: list[str] = field(default_factory=list)
    document: Document | None = None
    signer: str = ""
    signed_at: object = None

    @functools.cached_property
    def public_log(self) -> dict | None:
        """The document's issuance in the public log, checked (``ledger.proofs``)."""
        if self.document is None:
            return None
        from ventanilla.ledger.proofs import document_in_log

        return document_in_log(self.document.code)

    @property
    def label(self) -> str:
        return {
            Verdict.VALID: _("VÁLIDO"),
            Verdict.NOT_VALID: _("NO VÁLIDO"),
            Verdict.REVOKED: _("REVOCADO"),
            Verdict.UNKNOWN: _("DESCONOCIDO"),
        }[self.verdict]


def _registered(code: str) -> Document | None:
    return (
        Document.objects.select_related("unit")
        .exclude(status=Status.AWAITING_SIGNATURE)
        .filter(code=code)
        .first()
    )


def _from_registry(document: Document, how: str, reasons: list[str]) -> Answer:
    if document.status == Status.REVOKED:
        reasons.append(
            _("El %(unit)s lo revocó el %(date)s. Motivo: %(reason)s")
            % {
                "unit": document.unit.name,
                "date": f"{document.revoked_at:%d/%m/%Y}",
                "reason": document.revocation_reason,
            }
        )
        return Answer(Verdict.REVOKED, how, reasons, document)
    return Answer(Verdict.VALID, how, reasons, document)


def by_code(text: str) -> Answer:
    code = codes.normalize(text)
    if code is None:
        return Answer(
            Verdict.UNKNOWN,
            "code",
            [_("Ese código no tiene la forma de un código de verificación. Revise cada letra.")],
        )
    document = _registered(code)
    if document is None:
        return Answer(
            Verdict.UNKNOWN, "code", [_("No hay ningún documento emitido con ese código.")]
        )
    reasons = [
        _(
            "El registro tiene un documento con este código. Compare sus datos con los del "
            "papel, o suba el PDF para comprobar el archivo mismo."
        )
    ]
    return _from_registry(document, "code", reasons)


def by_pdf(data: bytes) -> Answer:
    """The file itself: its signature (integrity, signer, chain to our trust roots, no change
    after certification), then the registry by the file's SHA-256."""
    from ventanilla.documents.validation import validate_pdf

    checked = validate_pdf(data)
    if not checked.ok:
        return Answer(
            Verdict.NOT_VALID,
            "pdf",
            list(checked.reasons),
            signer=checked.signer or "",
            signed_at=checked.signing_time,
        )
    digest = hashlib.sha256(data).hexdigest()
    document = (
        Document.objects.select_related("unit")
        .exclude(status=Status.AWAITING_SIGNATURE)
        .filter(sha256=digest)
        .first()
    )
    if document is None:
        return Answer(
            Verdict.UNKNOWN,
            "pdf",
            [
                _(
                    "La firma es correcta y de una entidad reconocida, pero este archivo no "
                    "consta en el registro de documentos emitidos."
                )
            ],
            signer=checked.signer,
            signed_at=checked.signing_time,
        )
    answer = _from_registry(
        document,
        "pdf",
        [
            _("El archivo no cambió desde que se firmó y la firma es de una entidad reconocida."),
            *checked.notes,  # e.g. signed with the demo's test certificates
        ],
    )
    answer.signer, answer.signed_at = checked.signer, checked.signing_time
    return answer


def by_credential(token: str) -> Answer:
    from ventanilla.documents.credentials import verify_credential

    checked = verify_credential(token)
    document = _registered(checked.code) if getattr(checked, "code", None) else None
    verdict = {
        "valid": Verdict.VALID,
        "revoked": Verdict.REVOKED,
    }.get(str(checked.verdict), Verdict.NOT_VALID)
    return Answer(verdict, "credential", list(checked.reasons), document)


def as_json(answer: Answer) -> dict:
    """The same answer for machines: the minimum, as the page shows it."""
    document = answer.document
    return {
        "veredicto": answer.verdict.value,
        "etiqueta": answer.label,
        "comprobado": answer.how,
        "motivos": answer.reasons,
        "firmante": answer.signer or (document.signer_certificate if document else ""),
        "firmado": answer.signed_at.isoformat() if answer.signed_at else None,
        "documento": None
        if document is None
        else {
            "codigo": document.code,
            "tipo": document.get_kind_display(),
            "titulo": document.title,
            "titular": document.holder_masked,
            "emisor": document.unit.name,
            "emitido": document.issued_at.isoformat() if document.issued_at else None,
            "sha256": document.sha256,
            "revocado": document.revoked_at.isoformat() if document.revoked_at else None,
            "motivo_revocacion": document.revocation_reason or None,
        },
        "registro_publico": answer.public_log,
    }
