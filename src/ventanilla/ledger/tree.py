"""The log's tree in the database: appending leaves under the sequencer's lock, and the
hashes proofs need, read from the stored complete subtrees."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import rfc8785
from django.db import connections, transaction
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


@dataclass(frozen=True)
class Appended:
    index: int
    reference: str
    entry: str
    leaf_hash: bytes


def append(
    entries: Sequence[Entry],
    *,
    salts: Sequence[bytes] | None = None,
    at: datetime.datetime | None = None,
) -> list[Appended]:
    """Append ``entries`` in order, in the caller's transaction (or one of their own). The
    tree head is locked first: concurrent appends wait for each other and take consecutive
    indices, and an append rolled back with its transaction leaves no gap."""
    if not entries:
        return []
    at = at or timezone.now()
    with transaction.atomic():
        head = _head_for_update()
        first = head.size
        appended = []
        for offset, entry in enumerate(entries):
            body = canonical({"kind": entry.kind, "reference": entry.reference, **entry.data})
            appended.append(
                Appended(first + offset, entry.reference, body.decode(), merkle.leaf_hash(body))
            )
        kinds = [entry.kind for entry in entries]
        _insert_leaves(appended, kinds, salts or [b""] * len(entries), at)
        _insert_nodes(_new_nodes(first, [leaf.leaf_hash for leaf in appended]))
        head.size = first + len(appended)
        head.save(update_fields=["size"])
    return appended


def _insert(model, columns: list[str], rows: list[list]) -> None:
    """Rows inserted with one ``executemany``: Django's ``bulk_create`` spends ~30 µs of
    Python per row compiling its SQL, more than the rest of an append."""
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_leaves(appended: list[Appended], kinds, salts, at) -> None:
    connection = connections[Leaf.objects.db]
    when = Leaf._meta.get_field("appended_at").get_db_prep_value(at, connection)
    columns = ["index", "kind", "reference", "entry", "salt", "leaf_hash", "appended_at"]
    rows = [
        [leaf.index, kind, leaf.reference, leaf.entry, salt, leaf.leaf_hash, when]
        for leaf, kind, salt in zip(appended, kinds, salts, strict=True)
    ]
    _insert(Leaf, columns, rows)


def _insert_nodes(nodes: list[tuple[int, bytes]]) -> None:
    if nodes:
        _insert(Node, ["position", "hash"], [list(node) for node in nodes])


def _new_nodes(first: int, hashes: list[bytes]) -> list[tuple[int, bytes]]:
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
            nodes.append((Node.position_of(level, index), digest))
        level += 1
    return nodes


def _stored(positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    positions = list(positions)
    found: dict[tuple[int, int], bytes] = {}
    leaves = [index for level, index in positions if level == 0]
    if leaves:
        rows = Leaf.objects.filter(index__in=leaves).values_list("index", "leaf_hash")
        found.update(((0, index), bytes(digest)) for index, digest in rows)
    inner = {Node.position_of(level, index): (level, index) for level, index in positions if level}
    if inner:
        rows = Node.objects.filter(position__in=list(inner)).values_list("position", "hash")
        found.update((inner[position], bytes(digest)) for position, digest in rows)
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

    @classmethod
    def for_(cls, compute: Callable[[merkle.NodeHashes], object]) -> StoredNodes:
        """Nodes with everything ``compute`` will ask for already read, in one query per
        kind of row (a proof asks for ~2 log2(n) of them; one query each costs ~0.2 ms)."""
        wanted: list[tuple[int, int]] = []

        def record(level: int, index: int) -> bytes:
            wanted.append((level, index))
            return bytes(merkle.HASH_SIZE)

        compute(record)
        nodes = cls()
        nodes.warm(wanted)
        return nodes


def new_salt() -> bytes:
    return os.urandom(16)
