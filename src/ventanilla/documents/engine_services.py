"""The ``emitir_documento`` service a procedure's diagram calls when its decision comes with
a document: the document is prepared for the case's applicant, in the case's unit, and waits
there for a signer's approval (``/oficina/firmas/``); signing renders, signs and registers it,
and tells the applicant. Registered with the engine when the app loads."""

from __future__ import annotations

from ventanilla.documents.models import Kind
from ventanilla.engine.services import ServiceFailed, current_case, service

KINDS = {
    "resolucion": Kind.RESOLUTION,
    "certificacion": Kind.CERTIFICATION,
    "diploma": Kind.DIPLOMA,
}


@service("emitir_documento")
def issue_document(tipo: str, titulo: str, datos: dict | None = None) -> dict:
    """``tipo``: resolucion, certificacion or diploma; ``titulo``: what the document is called
    ("Certificación de estudios"); ``datos``: the fields its template prints. Returns the
    document's verification code, which the diagram may keep."""
    from ventanilla.documents import actions

    case = current_case()
    if str(tipo) not in KINDS:
        raise ServiceFailed(f"emitir_documento: tipo must be one of {', '.join(KINDS)}")
    if not str(titulo).strip():
        raise ServiceFailed("emitir_documento needs a 'titulo'")
    if datos is not None and not isinstance(datos, dict):
        raise ServiceFailed("emitir_documento: datos must be a dictionary")
    applicant = case.applicant
    document = actions.prepare(
        kind=KINDS[str(tipo)],
        title=str(titulo)[:200],
        template=f"{case.procedure.slug}/{tipo}",
        unit=case.unit,
        holder=applicant,
        holder_name=applicant.get_full_name() or applicant.cui,
        data=dict(datos or {}),  # the case's number is printed from the case itself
        case=case,
    )
    return {"codigo": document.code}
