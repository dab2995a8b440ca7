"""Revocation of the diplomas' verifiable credentials through Bitstring Status Lists
(W3C Bitstring Status List v1.0).

Every credential gets a global index from a counter (``allocate_status_index``). Index ``i``
is bit ``i % LIST_BITS`` of list number ``i // LIST_BITS``, published at
``{VENTANILLA_PUBLIC_URL}/verificar/estado/<number>`` as a ``BitstringStatusListCredential``
signed like the credentials themselves (VC-JOSE). A list holds 131,072 positions (16 KiB, the
specification's minimum, for herd privacy), so a national cohort of 150,000 diplomas fills a
bit more than one list; a single list growing without end would make every verifier download
all the years at once.

A bit set to 1 means revoked. The lists are built from the registry (the revoked documents'
``status_list_index``); each process keeps the signed lists it built, keyed by a revocation
counter that ``status_list_changed`` bumps inside the revocation's transaction, so a list is
rebuilt (about a millisecond) only after a revocation, on any node, and read otherwise with
one primary-key query.
"""

from __future__ import annotations

import base64
import gzip
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ventanilla.documents.models import Document, Status, StatusListCounter

MIN_LIST_BITS = 131_072  # 16 KiB: the specification's minimum
PURPOSE = "revocation"
INDEX_COUNTER = "credenciales"  # the next free global index
REVOCATIONS_COUNTER = "credenciales:revocaciones"  # bumped at every revocation
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
MAX_SKEW = timedelta(minutes=5)  # clocks of issuer and verifier may differ this much


class StatusListError(ValueError):
    """A status list that cannot be read: bad encoding, too short, index out of range."""


def _config() -> dict:
    return getattr(settings, "VENTANILLA_CREDENTIALS", {})


def list_bits() -> int:
    """Positions per list: ``STATUS_LIST_BITS``, never under the specification's minimum."""
    bits = int(_config().get("STATUS_LIST_BITS", MIN_LIST_BITS))
    if bits < MIN_LIST_BITS or bits % 8:
        raise StatusListError(f"STATUS_LIST_BITS must be a multiple of 8 ≥ {MIN_LIST_BITS}")
    return bits


def list_validity() -> timedelta:
    """How long a signed list stays valid (``validUntil``); it is re-signed at half-life."""
    return timedelta(hours=float(_config().get("STATUS_LIST_VALID_HOURS", 48)))


def list_ttl_seconds() -> int:
    """The ``ttl`` the list advertises: how long a verifier may cache it."""
    return int(_config().get("STATUS_LIST_TTL_SECONDS", 300))


def locate(index: int) -> tuple[int, int]:
    """A global index → (list number, position in that list)."""
    if index < 0:
        raise StatusListError("negative status list index")
    return divmod(index, list_bits())


def status_list_url(number: int) -> str:
    base = settings.VENTANILLA_PUBLIC_URL.rstrip("/")
    return f"{base}/verificar/estado/{number}"


def list_number_from_url(url: str) -> int | None:
    """The list number of one of our status list URLs; None for any other address."""
    prefix = status_list_url(0)[:-1]
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    tail = url[len(prefix) :]
    if not tail.isascii() or not tail.isdigit() or len(tail) > 9 or tail != str(int(tail)):
        return None
    return int(tail)


# --- The bitstring ----------------------------------------------------------------------


def bitstring_with(positions: Iterable[int], size_bits: int) -> bytes:
    """A bitstring of ``size_bits`` bits with the given positions set. Position 0 is the
    left-most bit (the most significant bit of the first byte), as the specification says."""
    bits = bytearray(size_bits // 8)
    for position in positions:
        if not 0 <= position < size_bits:
            raise StatusListError(f"position {position} outside a list of {size_bits} bits")
        bits[position >> 3] |= 0x80 >> (position & 7)
    return bytes(bits)


def bit_is_set(bits: bytes, position: int) -> bool:
    if not 0 <= position < len(bits) * 8:
        raise StatusListError(f"position {position} outside a list of {len(bits) * 8} bits")
    return bool(bits[position >> 3] & (0x80 >> (position & 7)))


def encode_bitstring(bits: bytes) -> str:
    """GZIP, then multibase base64url without padding (the ``u`` prefix)."""
    compressed = gzip.compress(bits, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bitstring(encoded: str, *, max_bits: int = 64 * MIN_LIST_BITS) -> bytes:
    """The bitstring from an ``encodedList``. Refuses anything but multibase base64url, and
    stops inflating past ``max_bits`` (a small list can inflate to gigabytes otherwise)."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or not encoded.isascii():
        raise StatusListError("encodedList is not multibase base64url ('u' prefix)")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=31)  # 31: a GZIP member
        bits = inflater.decompress(compressed, max_bits // 8 + 1)
    except (ValueError, zlib.error) as error:
        raise StatusListError(f"encodedList does not decode: {error}") from error
    if len(bits) > max_bits // 8 or not inflater.eof:
        raise StatusListError("encodedList is too long or truncated")
    if len(bits) * 8 < MIN_LIST_BITS:
        raise StatusListError("the status list is shorter than 131,072 bits")
    return bits


# --- Indices ----------------------------------------------------------------------------


def _locked_counter(name: str) -> StatusListCounter:
    counters = StatusListCounter.objects.select_for_update()
    counter = counters.filter(name=name).first()
    if counter is None:
        try:
            with transaction.atomic():
                StatusListCounter.objects.create(name=name)
        except IntegrityError:
            pass  # another process created it first
        counter = counters.get(name=name)
    return counter


def allocate_status_indices(count: int) -> range:
    """``count`` consecutive fresh global indices, taken under the counter's row lock.

    Inside a longer transaction the lock is held until it commits: a batch should take its
    block of indices in a short transaction of its own. Indices taken by a transaction that
    rolls back are given back; indices taken and never used are harmless (their bit stays 0).
    """
    if count < 1:
        raise ValueError("count must be positive")
    with transaction.atomic():
        counter = _locked_counter(INDEX_COUNTER)
        start = counter.next_index
        counter.next_index = start + count
        counter.save(update_fields=["next_index"])
    return range(start, start + count)


def allocate_status_index() -> int:
    return allocate_status_indices(1)[0]


# --- Building and publishing the lists ---------------------------------------------------


@dataclass(frozen=True)
class PublishedList:
    number: int
    token: str  # the signed BitstringStatusListCredential (compact JWS, vc+jwt)
    bits: bytes
    version: int
    valid_until: datetime


_lists: dict[int, PublishedList] = {}
_lists_lock = threading.Lock()


def _revocations_version() -> int:
    version = (
        StatusListCounter.objects.filter(name=REVOCATIONS_COUNTER)
        .values_list("next_index", flat=True)
        .first()
    )
    return version or 0


def _bump_revocations_version() -> None:
    bumped = StatusListCounter.objects.filter(name=REVOCATIONS_COUNTER).update(
        next_index=F("next_index") + 1
    )
    if not bumped:
        try:
            with transaction.atomic():
                StatusListCounter.objects.create(name=REVOCATIONS_COUNTER, next_index=1)
        except IntegrityError:  # created meanwhile by another revocation
            StatusListCounter.objects.filter(name=REVOCATIONS_COUNTER).update(
                next_index=F("next_index") + 1
            )


def status_list_changed() -> None:
    """Call inside the transaction that revokes (or un-revokes) a credential-bearing
    document: every process rebuilds its lists at its next read. After the commit this
    process rebuilds at once, so the published list is ready for the next verifier."""
    _bump_revocations_version()
    transaction.on_commit(rebuild_all_status_lists)


def rebuild() -> None:
    """For ``transaction.on_commit(status_list.rebuild)`` after a revocation: the same as
    ``status_list_changed`` but after the commit, so a crash between the two leaves other
    processes with the old list until it is re-signed. Prefer ``status_list_changed``."""
    _bump_revocations_version()
    rebuild_all_status_lists()


def revoked_positions(number: int) -> list[int]:
    """Positions of list ``number`` whose documents are revoked, from the registry."""
    size = list_bits()
    start = number * size
    indices = Document.objects.filter(
        status=Status.REVOKED,
        status_list_index__gte=start,
        status_list_index__lt=start + size,
    ).values_list("status_list_index", flat=True)
    return sorted(index - start for index in indices)


def status_list_credential(
    number: int, positions: Iterable[int], *, now: datetime | None = None
) -> dict:
    """The unsigned ``BitstringStatusListCredential`` of list ``number``."""
    from ventanilla.documents.credentials import issuer_id, timestamp

    now = now or timezone.now()
    url = status_list_url(number)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": timestamp(now),
        "validUntil": timestamp(now + list_validity()),
        "credentialSubject": {
            "id": f"{url}#lista",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_bitstring(bitstring_with(positions, list_bits())),
            "ttl": list_ttl_seconds() * 1000,  # milliseconds
        },
    }


def build_status_list(number: int, *, now: datetime | None = None) -> PublishedList:
    """Build and sign list ``number`` from the registry as it is now (not cached)."""
    from ventanilla.documents.credentials import sign_credential

    now = now or timezone.now()
    version = _revocations_version()  # read before the positions: a later bump wins
    positions = revoked_positions(number)
    token = sign_credential(status_list_credential(number, positions, now=now))
    return PublishedList(
        number=number,
        token=token,
        # Read back from the signed list: what this process answers is what it publishes.
        bits=read_status_list_credential(token, expected_url=status_list_url(number)),
        version=version,
        valid_until=now + list_validity(),
    )


def rebuild_status_list(number: int) -> PublishedList:
    """Build list ``number`` again and keep it for this process's next readers."""
    published = build_status_list(number)
    if not connection.in_atomic_block:
        # Only what is committed is kept: a list built inside a transaction could show
        # a revocation that is then rolled back.
        with _lists_lock:
            _lists[number] = published
    return published


def rebuild_all_status_lists() -> None:
    """Bring every list in use up to date (after a revocation commits; several revocations
    in one transaction rebuild once)."""
    counter = StatusListCounter.objects.filter(name=INDEX_COUNTER).first()
    used = counter.next_index if counter else 0
    for number in range(max(1, -(-used // list_bits()))):
        current_status_list(number)


def forget_cached_status_lists() -> None:
    """Drop this process's lists (after restoring a database backup, in tests)."""
    with _lists_lock:
        _lists.clear()


def current_status_list(number: int) -> PublishedList:
    """List ``number`` as it should be published now: this process's copy when no
    revocation happened since it was built and it is not past half its validity."""
    cached = _lists.get(number)
    if (
        cached is not None
        and not connection.in_atomic_block
        and cached.version == _revocations_version()
        and cached.valid_until - timezone.now() > list_validity() / 2
    ):
        return cached
    return rebuild_status_list(number)


def status_list_token(number: int) -> str:
    """What ``/verificar/estado/<number>`` serves, as ``application/vc+jwt``."""
    return current_status_list(number).token


def read_status_list_credential(token: str, *, expected_url: str | None = None) -> bytes:
    """The bitstring of a signed status list credential, after checking its signature
    against our keys, its type, purpose, address and validity. Raises StatusListError."""
    from ventanilla.documents.credentials import CredentialRejected, open_signed_credential

    try:
        credential = open_signed_credential(token)
    except CredentialRejected as rejected:
        raise StatusListError(rejected.reason) from rejected
    if credential.get("@context") != [VC_CONTEXT]:
        raise StatusListError("the status list names other contexts")
    types = credential.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        raise StatusListError("not a BitstringStatusListCredential")
    if expected_url is not None and credential.get("id") != expected_url:
        raise StatusListError("the status list is not the one the credential points to")
    now = timezone.now()
    for name, late in (("validFrom", False), ("validUntil", True)):
        value = credential.get(name)
        if value is None:
            continue
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError) as error:
            raise StatusListError(f"{name} is not a date") from error
        if moment.tzinfo is None or (moment < now if late else moment > now + MAX_SKEW):
            raise StatusListError(f"the status list is outside its validity ({name})")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("the status list's subject is not a BitstringStatusList")
    if subject.get("statusPurpose") != PURPOSE:
        raise StatusListError("the status list's purpose is not revocation")
    return decode_bitstring(subject.get("encodedList"))


def status_of(index: int) -> bool:
    """True when the credential with this global index is revoked, read from the published
    (signed) list it belongs to."""
    number, position = locate(index)
    return bit_is_set(current_status_list(number).bits, position)


def measure(revoked_fraction: float, *, repeat: int = 50) -> dict:
    """Encoded size and encode/decode times of one list with this fraction revoked (spread
    at random), for the benchmark notes."""
    import random

    size = list_bits()
    rng = random.Random(2026)
    positions = rng.sample(range(size), int(size * revoked_fraction))
    bits = bitstring_with(positions, size)
    started = time.perf_counter()
    for _ in range(repeat):
        encoded = encode_bitstring(bits)
    encode_ms = (time.perf_counter() - started) * 1000 / repeat
    started = time.perf_counter()
    for _ in range(repeat):
        decoded = decode_bitstring(encoded)
    decode_ms = (time.perf_counter() - started) * 1000 / repeat
    assert decoded == bits
    return {
        "revoked": len(positions),
        "encoded_chars": len(encoded),
        "encode_ms": round(encode_ms, 3),
        "decode_ms": round(decode_ms, 3),
    }
