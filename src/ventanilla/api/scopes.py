"""The scopes of the REST API (``/api/v1/``).

A token acts as one account, on that account's own cases only: a person's token (authorization
code) as that person, a system's token (client credentials) as the account of its institution.
Both kinds of clients may therefore ask for the same scopes (``identity.oidc`` decides who may
ask for what; ``settings.OAUTH2_PROVIDER["SCOPES"]`` says what each one means to a person).
"""

from __future__ import annotations

READ_CASES = "tramites:leer"  # the list of procedures, and the account's own cases
WRITE_CASES = "tramites:escribir"  # start a case, answer its steps, attach files
READ_CATALOGUE = "catalogo:leer"  # the systems' catalogue scope also reads the procedures

API_SCOPES = (READ_CASES, WRITE_CASES)

DESCRIPTIONS = {
    READ_CASES: "Ver los trámites que se pueden hacer en línea y los expedientes de la cuenta.",
    WRITE_CASES: "Iniciar expedientes de la cuenta, responder sus pasos y adjuntar archivos.",
    READ_CATALOGUE: "Ver los trámites que se pueden hacer en línea (solo sistemas).",
}
