"""Verification codes printed on every document, e.g. ``K7QD-9X2M-4TRA``.

Crockford base32 (no I, L, O, U), 11 random symbols (55 bits) and one check symbol. The check
is a weighted sum over GF(32) with distinct non-zero weights, so it catches every single
mistyped symbol and every swap of two symbols. Typing is forgiving: lower case, spaces and
hyphens anywhere, O for 0 and I or L for 1 are all accepted.
"""

from __future__ import annotations

import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_SYMBOLS = 11
GROUP = 4
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", " -_.\t\n\r\u00a0")


def _gf32_tables() -> tuple[list[int], list[int]]:
    """Powers and logarithms of GF(2^5) with the primitive polynomial x^5 + x^2 + 1."""
    exp, log = [0] * 62, [0] * 32
    value = 1
    for power in range(31):
        exp[power] = exp[power + 31] = value
        log[value] = power
        value <<= 1
        if value & 0b100000:
            value ^= 0b100101
    return exp, log


_EXP, _LOG = _gf32_tables()


def _times_weight(value: int, position: int) -> int:
    """``value`` times the weight alpha^(position + 1) of a data position."""
    return 0 if value == 0 else _EXP[_LOG[value] + position + 1]


def check_symbol(data: str) -> str:
    """The symbol that makes the weighted sum of the code zero (its own weight is 1)."""
    total = 0
    for position, symbol in enumerate(data):
        total ^= _times_weight(_VALUE[symbol], position)
    return ALPHABET[total]


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))


def new_code() -> str:
    """A fresh random code in its printed form (uniqueness is the registry's job)."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_SYMBOLS))
    return _grouped(data + check_symbol(data))


def normalize(text: str) -> str | None:
    """The printed form of what a person typed, or None when it cannot be a valid code."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    symbols = text.translate(_IGNORED).upper().translate(_LOOKALIKES)
    if len(symbols) != DATA_SYMBOLS + 1 or any(s not in _VALUE for s in symbols):
        return None
    if check_symbol(symbols[:DATA_SYMBOLS]) != symbols[-1]:
        return None
    return _grouped(symbols)


def is_valid(text: str) -> bool:
    return normalize(text) is not None


def verification_url(code: str) -> str:
    """The public address printed on the document and encoded in its QR code."""
    return f"{settings.VENTANILLA_PUBLIC_URL.rstrip('/')}/verificar/{code}/"


def unused_code(attempts: int = 5) -> str:
    """A new code not yet in the registry (55 random bits: a clash is all but impossible;
    the unique column is the real guarantee)."""
    from ventanilla.documents.models import Document

    for _ in range(attempts):
        code = new_code()
        if not Document.objects.filter(code=code).exists():
            return code
    raise RuntimeError("No free verification code found")  # pragma: no cover
