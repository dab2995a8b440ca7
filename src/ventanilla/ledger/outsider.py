"""Checking the public log as an outsider would: standard library only, with nothing but
the log's public key (its verifier key), a checkpoint and a proof.

- ``ed25519_verify``: RFC 8032 signature verification in plain Python (the standard library
  has no Ed25519; a verifier must not need ours installed);
- ``open_checkpoint``: a C2SP signed note (https://c2sp.org/signed-note) holding a checkpoint
  (https://c2sp.org/tlog-checkpoint): origin, size, root;
- ``merkle.verify_inclusion`` / ``verify_consistency`` for the proofs.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

# --- Ed25519 (RFC 8032, section 5.1), verification only ------------------------------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a, b):
    (x1, y1, z1, t1), (x2, y2, z2, t2) = a, b
    p1 = (y1 - x1) * (y2 - x2) % _P
    p2 = (y1 + x1) * (y2 + x2) % _P
    c = t1 * 2 * _D * t2 % _P
    d = z1 * 2 * z2 % _P
    e, f, g, h = p2 - p1, d - c, d + c, p2 + p1
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _multiply(scalar: int, point):
    result = (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _same(a, b) -> bool:
    (x1, y1, z1, _t1), (x2, y2, z2, _t2) = a, b
    return (x1 * z2 - x2 * z1) % _P == 0 and (y1 * z2 - y2 * z1) % _P == 0


def _decompress(data: bytes):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        if sign:
            return None
        x = 0
    else:
        x = pow(x2, (_P + 3) // 8, _P)
        if (x * x - x2) % _P:
            x = x * _SQRT_M1 % _P
        if (x * x - x2) % _P:
            return None
        if (x & 1) != sign:
            x = _P - x
    return (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_BASE = _decompress(_GY.to_bytes(32, "little"))


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 section 5.1.7 (cofactorless, as most libraries check)."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decompress(public_key)
    r = _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little")
    return _same(_multiply(s, _BASE), _add(r, _multiply(k % _L, a)))


# --- Signed notes and checkpoints ----------------------------------------------------------

ED25519_TYPE = b"\x01"


class NoteError(ValueError):
    """The note or the key is malformed, or no valid signature by the key is on it."""


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_TYPE + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The one-line public key outsiders keep: ``name+hash+base64(type||key)``."""
    encoded = base64.b64encode(ED25519_TYPE + public_key).decode()
    return f"{name}+{key_hash(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str) -> tuple[str, bytes]:
    try:
        name, hash_hex, encoded = text.strip().split("+", 2)  # base64 may hold "+"
        raw = base64.b64decode(encoded, validate=True)
    except ValueError as error:
        raise NoteError("The verifier key is not name+hash+key") from error
    if raw[:1] != ED25519_TYPE or len(raw) != 33:
        raise NoteError("The verifier key is not an Ed25519 key")
    if key_hash(name, raw[1:]).hex() != hash_hex:
        raise NoteError("The verifier key's hash does not match its name and key")
    return name, raw[1:]


def open_note(note: str, name: str, public_key: bytes) -> str:
    """The text of a signed note, if ``name``'s key signed it; else NoteError."""
    text, separator, signatures = note.partition("\n\n")
    if not separator or not text or "\n\n" in signatures.rstrip("\n"):
        raise NoteError("A signed note is text, a blank line, then signature lines")
    text += "\n"
    wanted = key_hash(name, public_key)
    for line in signatures.splitlines():
        if not line.startswith("— "):
            raise NoteError("A signature line starts with an em dash and a space")
        try:
            signer, encoded = line[2:].split(" ")
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise NoteError("A signature line is malformed") from error
        if signer == name and raw[:4] == wanted:
            if ed25519_verify(public_key, text.encode(), raw[4:]):
                return text
            raise NoteError("The log's signature on this note is not valid")
    raise NoteError(f"The note carries no signature by {name}")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("A checkpoint is origin, size and root, one per line")
    origin, size, root, *extensions = lines[:-1]
    try:
        number = int(size)
        digest = base64.b64decode(root, validate=True)
    except ValueError as error:
        raise NoteError("The checkpoint's size or root is malformed") from error
    if not origin or number < 0 or str(number) != size or len(digest) != 32:
        raise NoteError("The checkpoint's origin, size or root is malformed")
    return Checkpoint(origin, number, digest, tuple(extensions))


def open_checkpoint(note: str, key: str) -> Checkpoint:
    """The checkpoint in ``note`` once the log's key (``key``, a verifier key) is checked."""
    name, public_key = parse_verifier_key(key)
    checkpoint = parse_checkpoint(open_note(note, name, public_key))
    if checkpoint.origin != name:
        raise NoteError("The checkpoint's origin is not the key's name")
    return checkpoint
