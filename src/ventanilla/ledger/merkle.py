"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0, section 2.1), standard library
only, so that anyone can check the public log's proofs with this file alone.

Leaves are hashed ``SHA-256(0x00 || data)`` and interior nodes ``SHA-256(0x01 || left ||
right)``; the tree over ``n`` leaves splits at the largest power of two below ``n``. Proofs
are computed from a function that gives the hash of any *complete* subtree (``2**level``
leaves starting at ``index * 2**level``): a list of leaf hashes in tests, stored nodes in the
database (``ledger.tree``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# (level, index) -> the hash of leaves [index * 2**level, (index + 1) * 2**level)
NodeHashes = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtree_hash(nodes: NodeHashes, start: int, end: int) -> bytes:
    """MTH of leaves [start, end): complete subtrees come from ``nodes``, the rest is split
    as RFC 9162 splits it (``start`` is always a multiple of the split here)."""
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return nodes(level, start >> level)
    k = _split(size)
    return node_hash(subtree_hash(nodes, start, start + k), subtree_hash(nodes, start + k, end))


def root(nodes: NodeHashes, size: int) -> bytes:
    return subtree_hash(nodes, 0, size)


def inclusion_proof(nodes: NodeHashes, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(nodes, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(nodes, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(nodes: NodeHashes, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162, section 2.1.4.1."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    return _subproof(nodes, old_size, 0, new_size, True)


def _subproof(nodes: NodeHashes, m: int, start: int, end: int, complete: bool) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [subtree_hash(nodes, start, end)]
    k = _split(n)
    if m <= k:
        right = subtree_hash(nodes, start + k, end)
        return [*_subproof(nodes, m, start, start + k, complete), right]
    left = subtree_hash(nodes, start, start + k)
    return [*_subproof(nodes, m - k, start + k, end, False), left]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162, section 2.1.3.2."""
    if not 0 <= index < size or any(len(h) != HASH_SIZE for h in (leaf, expected_root, *proof)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162, section 2.1.4.2 (with the trivial cases: equal sizes, an empty old tree)."""
    if not 0 <= old_size <= new_size:
        return False
    if any(len(h) != HASH_SIZE for h in (old_root, new_root, *proof)):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root starts the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def nodes_of(leaves: Sequence[bytes]) -> NodeHashes:
    """Complete-subtree hashes over a list of leaf hashes, computed as asked (tests, small
    trees, an outsider rebuilding the tree from the published leaves)."""
    cache: dict[tuple[int, int], bytes] = {}

    def nodes(level: int, index: int) -> bytes:
        if level == 0:
            return leaves[index]
        key = (level, index)
        if key not in cache:
            cache[key] = node_hash(nodes(level - 1, 2 * index), nodes(level - 1, 2 * index + 1))
        return cache[key]

    return nodes
