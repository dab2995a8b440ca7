"""RFC 9162 / Certificate Transparency test vectors, and agreement with pymerkle (an
independent implementation) on random trees up to 10,000 leaves."""

import random

import pytest
from pymerkle import InmemoryTree

from ventanilla.ledger import merkle

# The Certificate Transparency reference tree (RFC 6962's tests, kept by RFC 9162).
CT_ENTRIES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [  # (0-based leaf index, tree size, path)
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    # Leaf 2 of 3: its only sibling is the tree of the first two, whose root is published.
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
]
CT_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        2,
        8,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CT_LEAVES = [merkle.leaf_hash(entry) for entry in CT_ENTRIES]
CT_NODES = merkle.nodes_of(CT_LEAVES)


def unhex(values):
    return [bytes.fromhex(v) for v in values]


@pytest.mark.parametrize("size", range(9))
def test_roots_of_the_reference_tree(size):
    assert merkle.root(CT_NODES, size).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION, ids=lambda v: str(v)[:8])
def test_inclusion_proofs_of_the_reference_tree(index, size, path):
    assert [h.hex() for h in merkle.inclusion_proof(CT_NODES, index, size)] == path
    root = bytes.fromhex(CT_ROOTS[size])
    assert merkle.verify_inclusion(CT_LEAVES[index], index, size, unhex(path), root)
    assert not merkle.verify_inclusion(CT_LEAVES[index], index, size + 1, unhex(path), root)
    if path:
        assert not merkle.verify_inclusion(CT_LEAVES[index], index, size, unhex(path[:-1]), root)


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY, ids=lambda v: str(v)[:8])
def test_consistency_proofs_of_the_reference_tree(old, new, proof):
    assert [h.hex() for h in merkle.consistency_proof(CT_NODES, old, new)] == proof
    old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
    assert merkle.verify_consistency(old, new, old_root, new_root, unhex(proof))
    if proof:
        assert not merkle.verify_consistency(old, new, new_root, new_root, unhex(proof))


def test_every_proof_of_every_small_tree_verifies_and_any_change_breaks_it():
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(40)]
    nodes = merkle.nodes_of(leaves)
    roots = [merkle.root(nodes, n) for n in range(41)]
    for size in range(1, 41):
        for index in range(size):
            proof = merkle.inclusion_proof(nodes, index, size)
            assert merkle.verify_inclusion(leaves[index], index, size, proof, roots[size])
            assert not merkle.verify_inclusion(leaves[index], index, size, proof, roots[size - 1])
            if proof:
                bent = [*proof[:-1], bytes([proof[-1][0] ^ 1]) + proof[-1][1:]]
                assert not merkle.verify_inclusion(leaves[index], index, size, bent, roots[size])
                longer = [*proof, b"\xab" * 32]
                assert not merkle.verify_inclusion(leaves[index], index, size, longer, roots[size])
        for old in range(size + 1):
            proof = merkle.consistency_proof(nodes, old, size)
            assert merkle.verify_consistency(old, size, roots[old], roots[size], proof)
            if proof and old:
                bent = [bytes([proof[0][0] ^ 0x80]) + proof[0][1:], *proof[1:]]
                assert not merkle.verify_consistency(old, size, roots[old], roots[size], bent)
                assert not merkle.verify_consistency(old, size, roots[old], roots[size], proof[:-1])


@pytest.mark.parametrize("size", [1, 2, 3, 255, 256, 257, 1000, 4097, 10_000])
def test_roots_and_inclusion_proofs_agree_with_pymerkle(size):
    generator = random.Random(size)
    entries = [generator.randbytes(generator.randint(0, 40)) for _ in range(size)]
    theirs = InmemoryTree(algorithm="sha256")
    for entry in entries:
        theirs.append_entry(entry)
    leaves = [merkle.leaf_hash(entry) for entry in entries]
    nodes = merkle.nodes_of(leaves)
    assert merkle.root(nodes, size) == theirs.get_root()
    for index in generator.sample(range(size), min(size, 25)):
        proof = theirs.prove_inclusion(index + 1, size)  # pymerkle counts from 1
        their_path = [bytes.fromhex(h) for h in proof.serialize()["path"]][1:]
        assert merkle.inclusion_proof(nodes, index, size) == their_path
    old = generator.randint(1, size)
    ours = merkle.consistency_proof(nodes, old, size)
    assert merkle.verify_consistency(old, size, theirs.get_root(old), theirs.get_root(), ours)
