"""Signed checkpoints of the log: C2SP signed notes, Ed25519, all kept.

The key is ``VENTANILLA_LEDGER["KEY_FILE"]`` (a PEM private key), else one made on first use
under ``DATA_DIR/ledger/``. The log's name (the checkpoint's origin) is
``VENTANILLA_LEDGER["ORIGIN"]``, else the public address's host and ``/registro-publico``.
"""

from __future__ import annotations

import base64
import datetime
import functools
import urllib.parse
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ventanilla.core.private_files import write_once
from ventanilla.ledger import merkle, outsider, tree
from ventanilla.ledger.models import Checkpoint


def _config() -> dict:
    return getattr(settings, "VENTANILLA_LEDGER", {})


def origin() -> str:
    configured = _config().get("ORIGIN")
    if configured:
        return configured
    host = urllib.parse.urlsplit(settings.VENTANILLA_PUBLIC_URL).netloc or "localhost"
    return f"{host}/registro-publico"


def _key_path() -> Path:
    configured = _config().get("KEY_FILE")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "ledger" / "clave.pem"


@functools.lru_cache(maxsize=4)
def _load_key(path: str, mtime_ns: int) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.exists():
        if _config().get("KEY_FILE"):
            raise FileNotFoundError(f"The log's key file {path} does not exist")
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_once(path, pem)  # of two processes starting at once, one key wins
    return _load_key(str(path), path.stat().st_mtime_ns)


def public_key() -> bytes:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def verifier_key() -> str:
    """What outsiders keep to check the checkpoints (``name+hash+key``)."""
    return outsider.verifier_key(origin(), public_key())


def sign_note(text: str) -> str:
    """``text`` (ending in a newline) as a signed note by the log's key."""
    if not text.endswith("\n"):
        raise ValueError("A note's text ends with a newline")
    name = origin()
    signature = signing_key().sign(text.encode())
    stamp = base64.b64encode(outsider.key_hash(name, public_key()) + signature).decode()
    return f"{text}\n— {name} {stamp}\n"


def checkpoint_text(size: int, root: bytes) -> str:
    return f"{origin()}\n{size}\n{base64.b64encode(root).decode()}\n"


def make_checkpoint() -> Checkpoint:
    """A signed checkpoint of the log as it is now; the latest one when nothing was added
    since. Kept forever: each is a promise outsiders can hold the log to."""
    with transaction.atomic():
        size = tree.size()
        latest = Checkpoint.objects.order_by("-size", "-created_at").first()
        if latest is not None and latest.size == size:
            return latest
        root = merkle.root(tree.StoredNodes(), size)
        return Checkpoint.objects.create(
            size=size, root=root, note=sign_note(checkpoint_text(size, root))
        )


ON_DEMAND_EVERY = datetime.timedelta(seconds=60)


def recent_checkpoint() -> Checkpoint:
    """The latest checkpoint; a new one when the log grew and the latest is over a minute
    old (the worker also makes one every minute): visitors cannot make one per request."""
    checkpoint = Checkpoint.objects.order_by("-size", "-created_at").first()
    if checkpoint is None:
        return make_checkpoint()
    if timezone.now() - checkpoint.created_at >= ON_DEMAND_EVERY and tree.size() > checkpoint.size:
        return make_checkpoint()
    return checkpoint
