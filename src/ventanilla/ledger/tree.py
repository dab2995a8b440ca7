"""The log's tree in the database: appending leaves under the sequencer's lock, and the
hashes proofs need, read from the stored complete subtrees."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import rfc8785
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.ledger import merkle
from ventanilla.ledger.models import Leaf, Node, TreeHead


@dataclass(frozen=True)
class Entry:
    """What to append: its kind, what it refers to (e.g. ``case_event:41``) and the JSON
    object committed to (no personal data in clear)."""

    kind: str
    reference: str
    data: dict


def canonical(data: dict) -> bytes:
    """RFC 8785 (JCS) canonical JSON: the bytes anyone recomputes from the published entry."""
    return rfc8785.dumps(data)


def _head_for_update() -> TreeHead:
    head = TreeHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        TreeHead.objects.get_or_create(pk=1)
        head = TreeHead.objects.select_for_update().get(pk=1)
    return head


def append(
    entries: Sequence[Entry],
    *,
    salts: Sequence[bytes] | None = None,
    at: datetime.datetime | None = None,
) -> list[Leaf]:
    """Append ``entries`` in order, in the caller's transaction (or one of their own). The
    tree head is locked first: concurrent appends wait for each other and take consecutive
    indices, and an append rolled back with its transaction leaves no gap."""
    if not entries:
        return []
    at = at or timezone.now()
    with transaction.atomic():
        head = _head_for_update()
        first = head.size
        leaves = []
        for offset, entry in enumerate(entries):
            body = canonical({"kind": entry.kind, "reference": entry.reference, **entry.data})
            leaves.append(
                Leaf(
                    index=first + offset,
                    kind=entry.kind,
                    reference=entry.reference,
                    entry=body.decode(),
                    salt=salts[offset] if salts else b"",
                    leaf_hash=merkle.leaf_hash(body),
                    appended_at=at,
                )
            )
        Leaf.objects.bulk_create(leaves)
        Node.objects.bulk_create(_new_nodes(first, [leaf.leaf_hash for leaf in leaves]))
        head.size = first + len(leaves)
        head.save(update_fields=["size"])
    return leaves


def _new_nodes(first: int, hashes: list[bytes]) -> list[Node]:
    """The complete subtrees that appending ``hashes`` at position ``first`` completes:
    at each level, the parents from ``first >> level`` to ``size >> level``. A parent's
    right child is always new; its left child may be older (at most one per level), and
    those are read in one query."""
    size = first + len(hashes)
    known: dict[tuple[int, int], bytes] = {(0, first + i): h for i, h in enumerate(hashes)}
    older = []
    level = 1
    while (1 << level) <= size:
        for index in range(first >> level, size >> level):
            left = 2 * index
            if (left + 1) << (level - 1) <= first:  # the left child ends before ``first``
                older.append((level - 1, left))
        level += 1
    known.update(_stored(older))
    nodes = []
    level = 1
    while (1 << level) <= size:
        for index in range(first >> level, size >> level):
            digest = merkle.node_hash(
                known[(level - 1, 2 * index)], known[(level - 1, 2 * index + 1)]
            )
            known[(level, index)] = digest
            nodes.append(Node(level=level, index=index, hash=digest))
        level += 1
    return nodes


def _stored(positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    positions = list(positions)
    found: dict[tuple[int, int], bytes] = {}
    leaves = [index for level, index in positions if level == 0]
    for index, digest in Leaf.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
        found[(0, index)] = bytes(digest)
    inner = [(level, index) for level, index in positions if level > 0]
    if inner:
        condition = Q()
        for level, index in inner:
            condition |= Q(level=level, index=index)
        for level, index, digest in Node.objects.filter(condition).values_list(
            "level", "index", "hash"
        ):
            found[(level, index)] = bytes(digest)
    missing = set(positions) - set(found)
    if missing:
        raise LookupError(f"The log's stored tree lacks {sorted(missing)[:5]}")
    return found


def size() -> int:
    head = TreeHead.objects.filter(pk=1).first()
    return head.size if head else 0


class StoredNodes:
    """``merkle.NodeHashes`` from the database, each hash read once per instance. ``warm``
    reads, in one query each, every node a set of proofs will ask for."""

    def __init__(self):
        self._known: dict[tuple[int, int], bytes] = {}

    def __call__(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._known:
            self._known.update(_stored([key]))
        return self._known[key]

    def warm(self, positions: Iterable[tuple[int, int]]) -> None:
        wanted = [p for p in positions if p not in self._known]
        if wanted:
            self._known.update(_stored(wanted))


def new_salt() -> bytes:
    return os.urandom(16)
