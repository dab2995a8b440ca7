"""Bitstring Status List v1.0: the bitstring, its encoding, the signed list credential, index
allocation (also under real concurrency on PostgreSQL) and the per-process cache."""

import base64
import gzip
import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.documents.test_credentials import make_diploma, parts
from ventanilla.documents import credentials, status_list
from ventanilla.documents.models import Document, Status
from ventanilla.documents.status_list import (
    MIN_LIST_BITS,
    StatusListError,
    bit_is_set,
    bitstring_with,
    decode_bitstring,
    encode_bitstring,
)


def set_positions(bits: bytes) -> list[int]:
    return [p for p in range(len(bits) * 8) if bits[p >> 3] & (0x80 >> (p & 7))]


def test_an_empty_list_round_trips_and_is_tiny():
    bits = bitstring_with([], MIN_LIST_BITS)
    encoded = encode_bitstring(bits)

    assert len(bits) == 16 * 1024
    assert encoded.startswith("u") and "=" not in encoded
    assert len(encoded) == 69
    assert decode_bitstring(encoded) == bits
    assert set_positions(decode_bitstring(encoded)) == []


def test_a_list_with_one_percent_revoked_round_trips():
    positions = sorted(random.Random(7).sample(range(MIN_LIST_BITS), MIN_LIST_BITS // 100))
    encoded = encode_bitstring(bitstring_with(positions, MIN_LIST_BITS))

    decoded = decode_bitstring(encoded)

    assert set_positions(decoded) == positions
    assert 2_000 < len(encoded) < 3_000  # ~2.5 KB, as measured in FINDINGS.md


def test_the_first_and_the_highest_positions():
    bits = bitstring_with([0, MIN_LIST_BITS - 1], MIN_LIST_BITS)
    decoded = decode_bitstring(encode_bitstring(bits))

    assert decoded[0] == 0x80  # position 0 is the left-most bit
    assert decoded[-1] == 0x01
    assert bit_is_set(decoded, MIN_LIST_BITS - 1) and bit_is_set(decoded, 0)
    assert not bit_is_set(decoded, 1) and not bit_is_set(decoded, MIN_LIST_BITS - 2)
    with pytest.raises(StatusListError):
        bit_is_set(decoded, MIN_LIST_BITS)
    with pytest.raises(StatusListError):
        bitstring_with([MIN_LIST_BITS], MIN_LIST_BITS)


def b64(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "H4sIAAAAAAAC",  # no multibase prefix
        "zQmNotBase64url",  # another multibase
        "u!!!!",
        b64(b"not gzip at all"),
        b64(gzip.compress(bytes(100), mtime=0)),  # shorter than 131,072 bits
        b64(gzip.compress(bytes(100 * 1024 * 1024), mtime=0)[:-20]),  # truncated
        b64(gzip.compress(bytes(100 * 1024 * 1024), mtime=0)),  # 100 MB of zeros: a bomb
        None,
    ],
    # Stable names: pytest-xdist's workers must collect the same tests.
    ids=[
        "empty",
        "no-prefix",
        "base58",
        "not-base64",
        "not-gzip",
        "short",
        "truncated",
        "bomb",
        "none",
    ],
)
def test_a_bad_encoded_list_is_refused(encoded):
    with pytest.raises(StatusListError):
        decode_bitstring(encoded)


def test_indices_map_to_lists_of_the_minimum_size(settings):
    assert status_list.locate(0) == (0, 0)
    assert status_list.locate(MIN_LIST_BITS - 1) == (0, MIN_LIST_BITS - 1)
    assert status_list.locate(MIN_LIST_BITS + 5) == (1, 5)
    assert status_list.status_list_url(1) == "http://127.0.0.1:8000/verificar/estado/1"
    assert status_list.list_number_from_url(status_list.status_list_url(12)) == 12
    for foreign in (
        "https://example.org/verificar/estado/1",
        f"{status_list.status_list_url(1)}/x",
    ):
        assert status_list.list_number_from_url(foreign) is None
    assert status_list.list_number_from_url(status_list.status_list_url(0) + "7") is None
    settings.VENTANILLA_CREDENTIALS = {"STATUS_LIST_BITS": 1024}
    with pytest.raises(StatusListError):
        status_list.list_bits()


def test_the_signed_list_carries_the_revoked_documents(unit):
    revoked = [make_diploma(unit, f"DIP-R{n}", index=n) for n in (0, 3, MIN_LIST_BITS - 1)]
    make_diploma(unit, "DIP-VIGENTE", index=7)
    make_diploma(unit, "DIP-OTRA-LISTA", index=MIN_LIST_BITS + 3)
    Document.objects.filter(pk__in=[d.pk for d in revoked]).update(
        status=Status.REVOKED, revoked_at=timezone.now()
    )
    Document.objects.filter(code="DIP-OTRA-LISTA").update(status=Status.REVOKED)

    published = status_list.build_status_list(0)

    header, payload, _ = parts(published.token)
    assert header["typ"] == "vc+jwt" and header["alg"] == "Ed25519"
    assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert payload["id"] == payload["credentialSubject"]["id"].split("#")[0]
    assert payload["credentialSubject"]["statusPurpose"] == "revocation"
    assert payload["credentialSubject"]["type"] == "BitstringStatusList"
    assert credentials.unmapped_properties(payload) == []
    bits = status_list.read_status_list_credential(published.token)
    assert set_positions(bits) == [0, 3, MIN_LIST_BITS - 1]
    assert published.bits == bits
    assert status_list.status_of(3) and status_list.status_of(MIN_LIST_BITS - 1)
    assert not status_list.status_of(7)
    assert status_list.status_of(MIN_LIST_BITS + 3)  # list 1
    assert not status_list.status_of(MIN_LIST_BITS + 4)


def test_a_list_signed_by_someone_else_or_altered_is_refused(unit):
    published = status_list.build_status_list(0)
    header, payload, signature = published.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["encodedList"] = encode_bitstring(
        bitstring_with([1], MIN_LIST_BITS)
    )
    altered = ".".join(
        [header, base64.urlsafe_b64encode(json.dumps(claims).encode()).decode(), signature]
    )
    with pytest.raises(StatusListError):
        status_list.read_status_list_credential(altered)
    with pytest.raises(StatusListError):
        status_list.read_status_list_credential(
            published.token, expected_url=status_list.status_list_url(1)
        )


def test_indices_are_consecutive_and_never_repeat(db):
    first = status_list.allocate_status_index()
    block = status_list.allocate_status_indices(100)
    last = status_list.allocate_status_index()
    assert list(block) == list(range(first + 1, first + 101))
    assert last == first + 101
    with pytest.raises(ValueError):
        status_list.allocate_status_indices(0)


@pytest.mark.django_db(transaction=True)
def test_lists_are_kept_until_a_revocation_and_rebuilt_after_it(unit):
    """Outside a transaction (as in a web request) the signed list is built once and served
    again; a committed revocation changes it on the next read, here and in other processes."""
    document = make_diploma(unit, "DIP-CACHE", index=42)
    first = status_list.current_status_list(0)
    assert status_list.current_status_list(0) is first  # kept
    assert status_list.status_list_token(0) == first.token
    assert not status_list.status_of(42)

    Document.objects.filter(pk=document.pk).update(status=Status.REVOKED)
    assert status_list.current_status_list(0) is first  # nothing said a revocation happened
    status_list.status_list_changed()  # in autocommit: its on_commit rebuild runs at once

    rebuilt = status_list.current_status_list(0)
    assert rebuilt is not first and rebuilt.version == first.version + 1
    assert status_list.status_of(42)

    status_list._lists.clear()  # another process, which never saw the revocation happen here
    assert status_list.status_of(42)


pytestmark_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under real concurrency need PostgreSQL (CI runs the suite on both)",
)


@pytestmark_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_get_distinct_indices():
    start = threading.Barrier(10)

    def allocate(_):
        try:
            start.wait()
            singles = [status_list.allocate_status_index() for _ in range(20)]
            block = list(status_list.allocate_status_indices(30))
            return singles + block
        finally:
            connections.close_all()

    with ThreadPoolExecutor(10) as pool:
        taken = [index for indices in pool.map(allocate, range(10)) for index in indices]

    assert len(taken) == 10 * 50
    assert len(set(taken)) == len(taken)
    assert sorted(taken) == list(range(min(taken), min(taken) + len(taken)))  # no gap either


@pytest.mark.django_db(transaction=True)
def test_rebuild_after_the_commit_also_reaches_other_processes(unit):
    """``actions.revoke`` calls ``status_list.rebuild`` on commit: the version still moves."""
    document = make_diploma(unit, "DIP-ONCOMMIT", index=9)
    first = status_list.current_status_list(0)
    Document.objects.filter(pk=document.pk).update(status=Status.REVOKED)

    status_list.rebuild()

    status_list._lists.clear()  # another process
    assert status_list.current_status_list(0).version == first.version + 1
    assert status_list.status_of(9)
