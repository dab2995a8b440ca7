"""Why an account may not start a procedure yet, as an API error: the same rule as the web
(``identity.assurance``), told to the other system in words it can pass on."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ventanilla.api.errors import ApiError
from ventanilla.identity.assurance import Gap, identity_shortfall


def _what_to_do(gap: Gap) -> str:
    return {
        Gap.CHECKING: _(
            "Se están confirmando los datos de la cuenta con el RENAP; suele tardar unos "
            "minutos. Vuelva a intentarlo más tarde."
        ),
        Gap.REGISTRY_DOWN: _(
            "El RENAP no respondió al confirmar los datos de la cuenta; se vuelve a intentar "
            "solo. Vuelva a intentarlo más tarde."
        ),
        Gap.MISMATCH: _(
            "El RENAP no confirmó los nombres o la fecha de nacimiento de la cuenta: la "
            "persona debe revisarlos en Ventanilla o confirmar su identidad en persona."
        ),
        Gap.NOT_FOUND: _(
            "El RENAP no encontró el CUI de la cuenta: la persona debe confirmar su "
            "identidad en persona."
        ),
        Gap.NOT_ASKED: _(
            "Los datos de la cuenta todavía no se han confirmado con el RENAP: la persona "
            "puede pedirlo en «Mi cuenta», en Ventanilla."
        ),
        Gap.IN_PERSON: _(
            "Hace falta que un funcionario confirme la identidad en persona, con el DPI."
        ),
    }[gap]


def check_identity(account, procedure) -> None:
    """Raise a 403 saying why, when the account's identity is not sure enough for it."""
    shortfall = identity_shortfall(account, procedure.minimum_assurance_level)
    if shortfall is None:
        return
    levels = _(
        "Este trámite pide una identidad de nivel %(required)s y la cuenta tiene el nivel "
        "%(current)s."
    ) % {"required": shortfall.required, "current": shortfall.current}
    raise ApiError(403, f"identity_{shortfall.gap}", f"{levels} {_what_to_do(shortfall.gap)}")
