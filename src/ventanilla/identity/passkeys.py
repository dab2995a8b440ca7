"""Passkeys ("huellas") with WebAuthn: the two ceremonies, registration and sign-in.

The browser part is ``identity/static/identity/passkeys.js``. The relying party is the site
the person sees: its host name (without port) unless ``VENTANILLA_WEBAUTHN_RP_ID`` says
otherwise, and its origin as the browser reports it. A WebAuthn relying party must be a
domain name, so the demo and the tests use http://localhost, not an IP address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import webauthn
from django.conf import settings
from django.http.request import split_domain_port
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

CHALLENGE_KEY = "ventanilla_webauthn_challenge"
TIMEOUT_MS = 120_000


class PasskeyError(Exception):
    """The browser's answer could not be verified (tampered, expired, wrong site…)."""


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    name: str


def relying_party(request) -> RelyingParty:
    host, _port = split_domain_port(request.get_host())
    return RelyingParty(
        id=settings.VENTANILLA_WEBAUTHN_RP_ID or host,
        origin=f"{request.scheme}://{request.get_host()}",
        name=settings.VENTANILLA["SERVICE_NAME"],
    )


def registration_options(request, user, existing_ids: list[str]) -> str:
    """Options for navigator.credentials.create(), as JSON; the challenge stays in the
    session until the answer comes back."""
    party = relying_party(request)
    options = webauthn.generate_registration_options(
        rp_id=party.id,
        rp_name=party.name,
        user_id=f"ventanilla-user-{user.pk}".encode(),
        user_name=user.cui,
        user_display_name=user.get_full_name() or user.cui,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(cid)) for cid in existing_ids
        ],
    )
    request.session[CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def authentication_options(request) -> str:
    """Options for navigator.credentials.get() with no account named: the browser offers
    the passkeys it holds for this site."""
    party = relying_party(request)
    options = webauthn.generate_authentication_options(
        rp_id=party.id,
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    request.session[CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def _take_challenge(request) -> bytes:
    challenge = request.session.pop(CHALLENGE_KEY, None)
    if not challenge:
        raise PasskeyError("no challenge in this session")
    return base64url_to_bytes(challenge)


def verify_registration(request, credential_json: str):
    party = relying_party(request)
    try:
        return webauthn.verify_registration_response(
            credential=credential_json,
            expected_challenge=_take_challenge(request),
            expected_rp_id=party.id,
            expected_origin=party.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(str(error)) from error


def credential_id_of(credential_json: str) -> str:
    """The credential's id as the browser sent it (base64url), to find the stored passkey."""
    try:
        data = json.loads(credential_json)
        return bytes_to_base64url(base64url_to_bytes(data["rawId"]))
    except (ValueError, KeyError, TypeError) as error:
        raise PasskeyError("malformed credential") from error


def verify_authentication(request, credential_json: str, passkey):
    party = relying_party(request)
    try:
        return webauthn.verify_authentication_response(
            credential=credential_json,
            expected_challenge=_take_challenge(request),
            expected_rp_id=party.id,
            expected_origin=party.origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(str(error)) from error
