"""``ventanilla ledger verify``: the whole log recomputed from the stored rows.

In one pass over the leaves, in order: no index missing or repeated; each entry still hashes
to its leaf; each entry's commitment still matches the row it records (a changed or deleted
case event, document issuance or revocation); the complete subtrees stored for the proofs
equal the ones recomputed; and every saved checkpoint is signed by the log's key and states
the root recomputed at its size (a second checkpoint of the same size with another root is
a fork). Each problem names the entry or checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ventanilla.ledger import checkpoints, merkle, outsider, record
from ventanilla.ledger.models import Checkpoint, Leaf, Node

CHUNK = 5000


@dataclass(frozen=True)
class Problem:
    where: str  # "entrada 41 (case_event:17)", "punto de control de tamaño 120 (#3)"
    what: str


@dataclass
class Report:
    leaves: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Compact:
    """The hashes of the perfect subtrees covering the leaves seen so far (largest first):
    the root at any size, and each complete subtree as it completes."""

    def __init__(self, on_node: Callable[[int, int, bytes], None]):
        self.stack: list[tuple[int, bytes]] = []
        self.size = 0
        self.on_node = on_node

    def push(self, leaf_hash: bytes) -> None:
        level, digest = 0, leaf_hash
        while self.stack and self.stack[-1][0] == level:
            _level, left = self.stack.pop()
            digest = merkle.node_hash(left, digest)
            level += 1
            self.on_node(level, self.size >> level, digest)
        self.stack.append((level, digest))
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return merkle.EMPTY_ROOT
        digest = self.stack[-1][1]
        for _level, left in reversed(self.stack[:-1]):
            digest = merkle.node_hash(left, digest)
        return digest


def verify(*, on_progress: Callable[[int], None] | None = None) -> Report:
    report = Report()
    saved = list(Checkpoint.objects.order_by("size", "created_at", "pk"))
    report.checkpoints = len(saved)
    public_key = checkpoints.public_key()
    for checkpoint in saved:
        # Signed under the log's name then (VENTANILLA_LEDGER["ORIGIN"] or the public
        # address may have changed since): the key is what must match.
        origin = checkpoint.note.split("\n", 1)[0]
        _check_signature(checkpoint, outsider.verifier_key(origin, public_key), report)
    by_size: dict[int, list[Checkpoint]] = {}
    for checkpoint in saved:
        by_size.setdefault(checkpoint.size, []).append(checkpoint)

    stored: dict[tuple[int, int], bytes] = {}

    def compare_node(level: int, index: int, digest: bytes) -> None:
        kept = stored.pop((level, index), None)
        first = index << level
        if kept is None:
            report.problems.append(
                Problem(_leaves(first, level), _("falta el nodo guardado de este tramo"))
            )
        elif kept != digest:
            report.problems.append(
                Problem(_leaves(first, level), _("el nodo guardado no coincide con sus entradas"))
            )

    compact = _Compact(compare_node)
    expected = 0
    last = Leaf.objects.order_by("-index").values_list("index", flat=True).first()
    end = -1 if last is None else last
    start = 0
    while start <= end:
        chunk = list(Leaf.objects.filter(index__gte=start, index__lt=start + CHUNK))
        stored.update(_stored_nodes(start, start + CHUNK))
        _check_commitments(chunk, report)
        for leaf in chunk:
            if leaf.index != expected:
                report.problems.append(
                    Problem(
                        _("entrada %(index)s") % {"index": expected},
                        _("falta (la siguiente guardada es la %(next)s)") % {"next": leaf.index},
                    )
                )
                expected = leaf.index
            _check_entry(leaf, report)
            compact.push(merkle.leaf_hash(leaf.entry.encode()))
            expected += 1
            for checkpoint in by_size.pop(compact.size, []):
                if bytes(checkpoint.root) != compact.root():
                    report.problems.append(
                        Problem(
                            _checkpoint(checkpoint),
                            _(
                                "su raíz no es la de las entradas: el registro cambió después, "
                                "o se firmó otra versión (una bifurcación)"
                            ),
                        )
                    )
        report.leaves += len(chunk)
        if on_progress is not None:
            on_progress(report.leaves)
        start += CHUNK
    for size, left in by_size.items():
        for checkpoint in left:
            if size == 0 and bytes(checkpoint.root) == merkle.EMPTY_ROOT:
                continue
            report.problems.append(
                Problem(
                    _checkpoint(checkpoint),
                    _("afirma %(size)s entradas; hay %(count)s")
                    % {"size": size, "count": compact.size},
                )
            )
    return report


def _leaves(first: int, level: int) -> str:
    return _("entradas %(first)s–%(last)s") % {"first": first, "last": first + (1 << level) - 1}


def _where(index: int, reference: str) -> str:
    return _("entrada %(index)s (%(reference)s)") % {"index": index, "reference": reference}


def _checkpoint(checkpoint: Checkpoint) -> str:
    return _("punto de control de tamaño %(size)s (#%(id)s)") % {
        "size": checkpoint.size,
        "id": checkpoint.pk,
    }


def _check_signature(checkpoint: Checkpoint, key: str, report: Report) -> None:
    try:
        opened = outsider.open_checkpoint(checkpoint.note, key)
    except outsider.NoteError as error:
        report.problems.append(
            Problem(_checkpoint(checkpoint), _("firma no válida: %(error)s") % {"error": error})
        )
        return
    if opened.size != checkpoint.size or opened.root != bytes(checkpoint.root):
        report.problems.append(
            Problem(
                _checkpoint(checkpoint), _("la nota firmada no dice el tamaño y la raíz guardados")
            )
        )


def _check_entry(leaf: Leaf, report: Report) -> None:
    if merkle.leaf_hash(leaf.entry.encode()) != bytes(leaf.leaf_hash):
        report.problems.append(Problem(_where(leaf.index, leaf.reference), _("su texto cambió")))


def _check_commitments(chunk: list[Leaf], report: Report) -> None:
    wanted: dict[str, list[tuple[Leaf, str, dict]]] = {}
    for leaf in chunk:
        try:
            entry = json.loads(leaf.entry)
        except ValueError:
            continue  # reported by _check_entry: its hash no longer matches
        kind, key = record.key_of(entry.get("reference", ""))
        if kind in record.SOURCES:
            wanted.setdefault(kind, []).append((leaf, key, entry))
    for kind, items in wanted.items():
        source = record.SOURCES[kind]
        rows = source.load([key for _leaf, key, _entry in items])
        for leaf, key, entry in items:
            where = _where(leaf.index, entry.get("reference", ""))
            row = rows.get(key)
            if row is None:
                report.problems.append(Problem(where, _("lo que registra ya no existe (se borró)")))
            elif record.commitment(bytes(leaf.salt), source.facts(row)) != entry.get("commitment"):
                report.problems.append(Problem(where, _("lo que registra cambió después")))


def _stored_nodes(first: int, end: int) -> dict[tuple[int, int], bytes]:
    """The stored nodes that complete within leaves [first, end)."""
    found: dict[tuple[int, int], bytes] = {}
    level = 1
    while (1 << level) <= end:
        low, high = first >> level, end >> level
        if high > low:
            rows = Node.objects.filter(
                position__gte=Node.position_of(level, low),
                position__lt=Node.position_of(level, high),
            ).values_list("position", "hash")
            found.update(
                ((level, position - Node.position_of(level, 0)), bytes(digest))
                for position, digest in rows
            )
        level += 1
    return found
