"""Who is calling the API: an access token of ours in the ``Authorization`` header, checked by
django-oauth-toolkit, and the account it acts as.

Only the header counts. A browser's session cookie never authenticates the API, so a page on
another site cannot make a signed-in person's browser call it; that is also why the API needs
no CSRF token (django-ninja exempts its views).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_backends import get_oauthlib_core

from ventanilla.api.errors import ApiError

REALM = 'Bearer realm="ventanilla"'
SCHEME = "oauth2"  # the security scheme's name in the OpenAPI document (``api.v1``)


@dataclass(frozen=True)
class Caller:
    """The account a request acts as, the system that sent it, and what it may do."""

    account: object  # identity.User: the person, or the institution's account
    application: AbstractApplication
    scopes: frozenset[str]


def _acting_account(token):
    """A person's token acts as the person; a system's token (client credentials) acts as
    the account an administrator gave the system (``Application.user``)."""
    if token.user_id is not None:
        return token.user
    application = token.application
    if application.authorization_grant_type == AbstractApplication.GRANT_CLIENT_CREDENTIALS:
        return application.user
    return None


class BearerToken:
    """django-ninja authentication: a valid token with at least one of ``scopes``."""

    def __init__(self, *scopes: str):
        self.scopes = frozenset(scopes)

    def __call__(self, request) -> Caller:
        header = request.headers.get("Authorization", "")
        scheme, _space, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(
                401,
                "token_missing",
                _("Falta el token de acceso: envíelo en la cabecera «Authorization: Bearer …»."),
                headers={"WWW-Authenticate": REALM},
            )
        # The body is not handed over: a token is read from the header only (RFC 9700).
        uri = request.build_absolute_uri(request.path)
        server = get_oauthlib_core().server
        valid, checked = server.verify_request(
            uri, request.method, "", {"Authorization": header}, scopes=[]
        )
        if not valid:
            raise ApiError(
                401,
                "invalid_token",
                _("El token de acceso no es válido o ya venció: pida uno nuevo."),
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
            )
        token = checked.access_token
        granted = frozenset(token.scope.split())
        if not granted & self.scopes:
            wanted = " ".join(sorted(self.scopes))
            raise ApiError(
                403,
                "insufficient_scope",
                _("El token no tiene el alcance que pide esta operación (%(scopes)s).")
                % {"scopes": wanted},
                headers={
                    "WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{wanted}"'
                },
            )
        account = _acting_account(token)
        if account is None:
            raise ApiError(
                403,
                "no_account",
                _(
                    "Este sistema todavía no tiene la cuenta de su institución en Ventanilla: "
                    "pida a los administradores de Ventanilla que se la asignen."
                ),
            )
        if not account.is_active:
            raise ApiError(
                403,
                "account_inactive",
                _("La cuenta con la que actúa este token está desactivada."),
            )
        return Caller(account=account, application=token.application, scopes=granted)


def requires(*scopes: str) -> dict:
    """A route's ``auth`` and its OpenAPI security: a token with any one of ``scopes``."""
    return {
        "auth": BearerToken(*scopes),
        "openapi_extra": {"security": [{SCHEME: [scope]} for scope in scopes]},
    }
