"""Every change to a document: prepare it (rendered later, waiting for the signer), sign it
(render, PAdES-sign, store, register; a diploma also gets its verifiable credential), revoke
it, replace it. Each in one transaction; the holder is told in their inbox."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases.models import CaseEvent
from ventanilla.documents import codes
from ventanilla.documents.holders import mask_holder
from ventanilla.documents.models import Document, Kind, Status
from ventanilla.identity.permissions import Action, can
from ventanilla.ledger import record as ledger_record
from ventanilla.notifications.actions import notify


class NotReady(Exception):
    """The document cannot take that step now (already signed, already revoked…)."""


def prepare(
    *,
    kind: str,
    title: str,
    template: str,
    unit,
    holder_name: str,
    holder=None,
    holder_cui: str = "",
    holder_masked: str = "",
    data: dict | None = None,
    case=None,
    batch=None,
    batch_key: str = "",
    replaces: Document | None = None,
) -> Document:
    """A new document waiting for its signer, with its verification code already taken."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Document.objects.create(
                    code=codes.new_code(),
                    kind=kind,
                    title=title,
                    template=template,
                    unit=unit,
                    holder=holder,
                    holder_name=holder_name,
                    holder_masked=mask_holder(
                        holder_name, holder_cui or getattr(holder, "cui", "")
                    ),
                    data=data or {},
                    case=case,
                    batch=batch,
                    batch_key=batch_key,
                    replaces=replaces,
                )
        except IntegrityError:
            if batch is not None and Document.objects.filter(batch=batch, batch_key=batch_key):
                return Document.objects.get(batch=batch, batch_key=batch_key)
            continue  # a code taken at the same moment: draw another
    raise RuntimeError("could not draw a free verification code")


def _render_and_sign(document: Document) -> tuple[bytes, str]:
    from ventanilla.documents import rendering, signing

    pdf = signing.sign_rendered(
        lambda field: rendering.render(document, signature=field), reason=document.title
    )
    return pdf, signing.signer_subject()


def _tell_holder(document: Document, subject: str, body: str) -> None:
    if document.holder is None:
        return
    notify(document.holder, subject=subject, body=body, link=reverse("documents:mine"))


@transaction.atomic
def sign(document_id: int, *, signer) -> Document:
    """Render, sign and register one document. The caller has checked the signer's second
    factor in this session (the back office asks for it again before a batch)."""
    document = (
        Document.objects.select_for_update(of=("self",)).select_related("unit").get(pk=document_id)
    )
    if not can(signer, Action.SIGN_DOCUMENTS, org_unit=document.unit):
        raise PermissionDenied
    if document.status != Status.AWAITING_SIGNATURE:
        raise NotReady(_("Este documento ya está firmado."))
    document.issued_at = timezone.now()
    signed, subject = _render_and_sign(document)
    document.sha256 = hashlib.sha256(signed).hexdigest()
    document.pdf.save(f"{document.code}.pdf", ContentFile(signed), save=False)
    document.signer, document.signer_certificate = signer, subject
    document.status = Status.VALID
    if document.kind == Kind.DIPLOMA:
        from ventanilla.documents import credentials

        document.credential = credentials.issue_credential(document)  # takes its list index
    document.save()
    ledger_record.documents_issued([document])
    if document.case_id:  # "document ready" on the case's timeline
        event = CaseEvent.objects.create(
            case_id=document.case_id,
            kind="document_issued",
            actor=signer,
            after={"document": document.code, "sha256": document.sha256},
        )
        ledger_record.case_events([event])
    _tell_holder(
        document,
        _("Documento listo: %(title)s") % {"title": document.title},
        _(
            "Ya puede descargar «%(title)s», firmado electrónicamente. "
            "Código de verificación: %(code)s"
        )
        % {"title": document.title, "code": document.code},
    )
    return document


@transaction.atomic
def revoke(document_id: int, *, actor, reason: str) -> Document:
    document = (
        Document.objects.select_for_update(of=("self",)).select_related("unit").get(pk=document_id)
    )
    if not can(actor, Action.REVOKE_DOCUMENTS, org_unit=document.unit):
        raise PermissionDenied
    if document.status != Status.VALID:
        raise NotReady(_("Solo se puede revocar un documento vigente."))
    reason = reason.strip()
    if not reason:
        raise ValueError(_("Escriba el motivo de la revocación."))
    document.status = Status.REVOKED
    document.revoked_at, document.revoked_by = timezone.now(), actor
    document.revocation_reason = reason
    document.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
    ledger_record.document_revoked(document)
    if document.status_list_index is not None:
        from ventanilla.documents import status_list

        status_list.status_list_changed()  # other processes re-sign their lists
    _tell_holder(
        document,
        _("Documento revocado: %(title)s") % {"title": document.title},
        _("«%(title)s» (código %(code)s) ya no es válido. Motivo: %(reason)s")
        % {"title": document.title, "code": document.code, "reason": reason},
    )
    return document


def replace(document_id: int, *, actor, data: dict | None = None) -> Document:
    """A new document in place of a revoked one, waiting for its signer."""
    old = Document.objects.select_related("unit", "holder").get(pk=document_id)
    if not can(actor, Action.REVOKE_DOCUMENTS, org_unit=old.unit):
        raise PermissionDenied
    if old.status != Status.REVOKED or hasattr(old, "replaced_by"):
        raise NotReady(_("Solo se reemplaza un documento revocado, y una sola vez."))
    return prepare(
        kind=old.kind,
        title=old.title,
        template=old.template,
        unit=old.unit,
        holder=old.holder,
        holder_name=old.holder_name,
        holder_masked=old.holder_masked,
        data={**old.data, **(data or {})},
        case=old.case,
        replaces=old,
    )
