"""Proofs as the public API gives them (JSON, hashes in base64), from the stored tree."""

from __future__ import annotations

import base64

from django.urls import reverse

from ventanilla.ledger import merkle, tree
from ventanilla.ledger.models import Leaf


def links(kind: str, keys: list) -> dict:
    """key -> the address of its inclusion proof, for the keys the log holds (events from
    before the log began have none)."""
    references = {f"{kind}:{key}": key for key in keys}
    found = Leaf.objects.filter(reference__in=list(references)).values_list("reference", flat=True)
    base = reverse("ledger:inclusion")
    return {references[reference]: f"{base}?referencia={reference}" for reference in found}


def inclusion_path(index: int, size: int) -> list[bytes]:
    def prove(nodes):
        return merkle.inclusion_proof(nodes, index, size)

    return prove(tree.StoredNodes.for_(prove))


def consistency_path(old_size: int, new_size: int) -> list[bytes]:
    def prove(nodes):
        return merkle.consistency_proof(nodes, old_size, new_size)

    return prove(tree.StoredNodes.for_(prove))


def _encoded(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def inclusion(leaf: Leaf, size: int) -> dict:
    """That ``leaf`` is in the log of ``size`` entries (a checkpoint's size)."""
    path = inclusion_path(leaf.index, size)
    return {
        "type": "inclusion",
        "leaf_index": leaf.index,
        "tree_size": size,
        "entry": leaf.entry,
        "leaf_hash": base64.b64encode(bytes(leaf.leaf_hash)).decode(),
        "path": _encoded(path),
    }


def consistency(old_size: int, new_size: int) -> dict:
    """That the log of ``new_size`` entries extends the one of ``old_size`` unchanged."""
    path = consistency_path(old_size, new_size)
    return {
        "type": "consistency",
        "old_size": old_size,
        "new_size": new_size,
        "path": _encoded(path),
    }


def document_in_log(code: str) -> dict | None:
    """Where a document's issuance is in the public log, checked here against the latest
    signed checkpoint: {"index", "size", "proof", "included"}; ``included`` is None while
    the entry waits for the next checkpoint. None when the log has no such entry."""
    from ventanilla.ledger import checkpoints

    reference = f"document_issued:{code}"
    leaf = Leaf.objects.filter(reference=reference).first()
    if leaf is None:
        return None
    checkpoint = checkpoints.recent_checkpoint()
    found = {
        "index": leaf.index,
        "size": checkpoint.size,
        "proof": f"{reverse('ledger:inclusion')}?referencia={reference}",
        "included": None,
    }
    if leaf.index < checkpoint.size:
        path = inclusion_path(leaf.index, checkpoint.size)
        found["included"] = merkle.verify_inclusion(
            merkle.leaf_hash(leaf.entry.encode()),
            leaf.index,
            checkpoint.size,
            path,
            bytes(checkpoint.root),
        )
    return found
