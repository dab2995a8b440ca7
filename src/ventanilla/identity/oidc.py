"""Ventanilla as an OpenID Connect provider: what other systems learn about a person.

django-oauth-toolkit runs the protocol; this module decides the claims and who may ask for
what (settings: OAUTH2_PROVIDER, docs/single-sign-on.md):

- ``sub`` is an opaque HMAC of the account's number, never the CUI;
- ``acr`` is the account's assurance level as ``urn:ventanilla:nivel:1`` … ``:3``;
- the ``cui`` claim has a scope of its own;
- systems that sign people in (authorization code with PKCE) get only the person scopes;
  systems of other institutions (client credentials) get only the service scopes;
- both may get the REST API's scopes (``api.scopes``): a token acts as one account, on that
  account's own cases only (the person, or the institution's account of the system).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator

from ventanilla.api.scopes import API_SCOPES
from ventanilla.identity.models import AssuranceLevel

ACR_PREFIX = "urn:ventanilla:nivel:"
ACR_VALUES = {level: f"{ACR_PREFIX}{level}" for level in AssuranceLevel.values}

PERSON_SCOPES = ("openid", "profile", "email", "cui")
SERVICE_SCOPES = ("catalogo:leer", "expedientes:leer")

# The grant types (token endpoint) and response types (authorization endpoint) we accept,
# whatever an administrator ticks in the admin.
GRANT_TYPES = {"authorization_code", "refresh_token", "client_credentials"}
RESPONSE_TYPES = {"code"}


def subject(user) -> str:
    """The ``sub`` of an account: stable, opaque, and not the CUI or a guessable number."""
    key = settings.VENTANILLA_OIDC_SUBJECT_KEY.encode()
    message = f"ventanilla:oidc:sub:{user.pk}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def acr(user) -> str:
    """The account's identity assurance level as an ``acr`` value."""
    return ACR_VALUES.get(user.assurance_level, ACR_VALUES[AssuranceLevel.SELF_DECLARED])


def is_service_client(application) -> bool:
    return application.authorization_grant_type == AbstractApplication.GRANT_CLIENT_CREDENTIALS


class VentanillaValidator(OAuth2Validator):
    # Which scope releases each claim (the standard ones come from django-oauth-toolkit).
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "acr": "openid", "cui": "cui"}

    def get_additional_claims(self):
        """Claims as functions of the request; this form also lists them in discovery."""
        return {
            "sub": lambda request: subject(request.user),
            "acr": lambda request: acr(request.user),
            "name": lambda request: request.user.get_full_name(),
            "given_name": lambda request: request.user.first_names,
            "family_name": lambda request: request.user.last_names,
            "email": lambda request: request.user.email,
            "email_verified": lambda request: bool(
                request.user.email and request.user.email_verified_at
            ),
            "cui": lambda request: request.user.cui,
        }

    def get_oidc_claims(self, token, token_handler, request):
        claims = super().get_oidc_claims(token, token_handler, request)
        if not claims.get("email"):
            claims.pop("email_verified", None)
        # A claim without a value is left out rather than sent empty (OIDC Core §5.3.2).
        return {name: value for name, value in claims.items() if value not in ("", None)}

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        requested = set(scopes)
        if is_service_client(client):
            return bool(requested) and requested <= {*SERVICE_SCOPES, *API_SCOPES}
        if not client.allows_grant_type(AbstractApplication.GRANT_AUTHORIZATION_CODE):
            return False
        if not requested <= {*PERSON_SCOPES, *API_SCOPES}:
            return False
        # ID tokens are signed with our RSA key only; a client set to "No OIDC support"
        # or HS256 in the admin gets a clear invalid_scope instead of an error later.
        return "openid" not in requested or client.algorithm == AbstractApplication.RS256_ALGORITHM

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        if request.client is not None and is_service_client(request.client):
            return []  # a system must say what it wants; an empty request is refused
        return ["openid"]

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        if grant_type not in GRANT_TYPES:
            return False
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        if response_type not in RESPONSE_TYPES:
            return False
        return super().validate_response_type(
            client_id, response_type, client, request, *args, **kwargs
        )

    def validate_user(self, username, password, client, request, *args, **kwargs):
        # The password grant is refused (validate_grant_type), but oauthlib checks the
        # password first: never let the token endpoint try a CUI and a password.
        return False

    # prompt=none: the authorization view only gets here with a signed-in person (otherwise
    # it answers login_required itself) and answers consent_required instead of showing the
    # consent page, so both checks can pass here.
    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        return True
