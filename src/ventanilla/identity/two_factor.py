"""The second step of signing in: six-digit codes from an authenticator app (TOTP, RFC 6238)
and one-time recovery codes.

Pure functions; the actions that change accounts are in ``identity.actions``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from enum import StrEnum

import pyotp
import segno
from cryptography.fernet import Fernet
from django.conf import settings

STEP_SECONDS = 30
# A code from the previous or next 30 seconds is accepted too: phones' clocks drift.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class CodeCheck(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REUSED = "reused"  # right code, but already used once (a replay)
    MALFORMED = "malformed"


def new_secret() -> str:
    return pyotp.random_base32()


def _fernet() -> Fernet:
    key = hashlib.sha256(
        b"ventanilla.totp-secret:" + settings.VENTANILLA_TOTP_KEY.encode()
    ).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> bytes:
    return _fernet().encrypt(secret.encode())


def decrypt_secret(token: bytes) -> str:
    return _fernet().decrypt(bytes(token)).decode()


def provisioning_uri(secret: str, account_name: str) -> str:
    platform = settings.VENTANILLA
    issuer = f"{platform['SERVICE_NAME']} {platform['INSTITUTION_SHORT_NAME']}"
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_code_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI (the strict CSP allows data: images, not inline SVG
    styles)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def check_totp(secret: str, code: str, last_used_step: int, now: float | None = None):
    """(result, step): whether ``code`` is valid now, and the step it belongs to."""
    code = normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return CodeCheck.MALFORMED, None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if step <= last_used_step:
                return CodeCheck.REUSED, step
            return CodeCheck.ACCEPTED, step
    return CodeCheck.WRONG, None


def new_recovery_codes() -> list[str]:
    """Ten codes like ``k7pm-2xqd-9h``: 10 letters from a 31-symbol alphabet (~50 bits)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    key = hashlib.sha256(b"ventanilla.recovery-code:" + settings.VENTANILLA_TOTP_KEY.encode())
    key = key.digest()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    code = normalise_code(code)
    return len(code) == 10 and all(ch in _RECOVERY_ALPHABET for ch in code)
