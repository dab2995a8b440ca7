"""Checking a proof from the public API against signed checkpoints: standard library only
(``merkle`` and ``outsider``), so that this file and those two are all a verifier needs."""

from __future__ import annotations

import base64

from ventanilla.ledger import merkle, outsider


def _hashes(values) -> list[bytes]:
    if not isinstance(values, list):
        raise ValueError("the proof's path is not a list")
    return [base64.b64decode(value, validate=True) for value in values]


def check(*, checkpoint: str, proof: dict, key: str, old_checkpoint: str | None = None) -> str:
    """What the proof proves, in a sentence; ValueError (NoteError) when it does not."""
    head = outsider.open_checkpoint(checkpoint, key)
    if proof.get("type") == "inclusion":
        index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        entry = proof["entry"].encode()
        if size != head.size:
            raise ValueError(f"the proof is for size {size}, the checkpoint says {head.size}")
        leaf = merkle.leaf_hash(entry)
        if not merkle.verify_inclusion(leaf, index, size, _hashes(proof["path"]), head.root):
            raise ValueError("the entry is not in the log the checkpoint describes")
        return f"OK: the entry is number {index} of the {size} the checkpoint signs."
    if proof.get("type") == "consistency":
        if old_checkpoint is None:
            raise ValueError("a consistency proof needs the older checkpoint too")
        old = outsider.open_checkpoint(old_checkpoint, key)
        if (int(proof["old_size"]), int(proof["new_size"])) != (old.size, head.size):
            raise ValueError("the proof is not between these two checkpoints")
        path = _hashes(proof["path"])
        if not merkle.verify_consistency(old.size, head.size, old.root, head.root, path):
            raise ValueError("the log was changed between the two checkpoints")
        return (
            f"OK: the log of {head.size} entries extends the one of {old.size} "
            "without changing any of them."
        )
    raise ValueError("the proof's type is neither inclusion nor consistency")
