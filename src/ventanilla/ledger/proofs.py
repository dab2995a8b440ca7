"""Proofs as the public API gives them (JSON, hashes in base64), from the stored tree."""

from __future__ import annotations

import base64

from ventanilla.ledger import merkle, tree
from ventanilla.ledger.models import Leaf


def _encoded(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def inclusion(leaf: Leaf, size: int) -> dict:
    """That ``leaf`` is in the log of ``size`` entries (a checkpoint's size)."""
    path = merkle.inclusion_proof(tree.StoredNodes(), leaf.index, size)
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
    path = merkle.consistency_proof(tree.StoredNodes(), old_size, new_size)
    return {
        "type": "consistency",
        "old_size": old_size,
        "new_size": new_size,
        "path": _encoded(path),
    }
