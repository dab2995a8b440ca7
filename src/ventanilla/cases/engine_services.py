"""The services a procedure's diagram may call about its case's applicant (registered with the
engine when the app loads). Issuing a signed document comes with the documents app."""

from __future__ import annotations

from django.urls import reverse

from ventanilla.engine.services import ServiceFailed, current_case, service
from ventanilla.identity.models import AssuranceLevel


@service("verificar_identidad")
def verify_identity(nivel_minimo: int = AssuranceLevel.REGISTRY) -> dict:
    """Whether the applicant's identity is confirmed at least at ``nivel_minimo`` (2: by the
    national registry; 3: in person). What the registry holds is never copied into the case:
    only the answer and the level."""
    applicant = current_case().applicant
    level = int(applicant.assurance_level)
    return {"confirmada": level >= int(nivel_minimo), "nivel": level}


@service("notificar")
def notify_applicant(asunto: str, mensaje: str) -> bool:
    """A notice to the applicant (inbox, e-mail) with a link to the case."""
    from ventanilla.notifications.actions import notify

    case = current_case()
    if not str(asunto).strip() or not str(mensaje).strip():
        raise ServiceFailed("notificar needs an 'asunto' and a 'mensaje'")
    link = reverse("cases:detail", args=[case.pk]) if case.pk else ""
    notify(case.applicant, subject=str(asunto)[:200], body=str(mensaje), link=link)
    return True
