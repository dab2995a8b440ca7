"""The log's tree in the database: appends take consecutive indices, the stored complete
subtrees give the same roots and proofs as the tree computed from scratch."""

import random

import pytest
from django.db import transaction

from ventanilla.ledger import merkle, tree
from ventanilla.ledger.models import Leaf, Node

pytestmark = pytest.mark.django_db


def entries(count, start=0):
    return [
        tree.Entry(kind="prueba", reference=f"prueba:{start + n}", data={"n": start + n})
        for n in range(count)
    ]


def leaves_from_scratch() -> list[bytes]:
    return [
        merkle.leaf_hash(entry.encode())
        for entry in Leaf.objects.order_by("index").values_list("entry", flat=True)
    ]


def test_appends_one_by_one_and_in_blocks_store_the_tree_computed_from_scratch():
    generator = random.Random(7)
    appended = 0
    while appended < 300:
        count = generator.choice([1, 1, 2, 3, 7, 16, 33])
        tree.append(entries(count, appended))
        appended += count
    assert tree.size() == appended
    assert list(Leaf.objects.values_list("index", flat=True)) == list(range(appended))
    expected = merkle.nodes_of(leaves_from_scratch())
    stored = tree.StoredNodes()
    for size in range(1, appended + 1):
        assert merkle.root(stored, size) == merkle.root(expected, size)
    for index in generator.sample(range(appended), 40):
        assert merkle.inclusion_proof(stored, index, appended) == merkle.inclusion_proof(
            expected, index, appended
        )
    for old in generator.sample(range(appended + 1), 40):
        assert merkle.consistency_proof(stored, old, appended) == merkle.consistency_proof(
            expected, old, appended
        )
    # Exactly the complete subtrees are stored: n - popcount(n) of them.
    assert Node.objects.count() == appended - bin(appended).count("1")


def test_the_entry_is_canonical_json_and_the_leaf_hash_commits_to_it():
    (leaf,) = tree.append(
        [tree.Entry(kind="prueba", reference="prueba:1", data={"b": 1, "a": "ñ", "c": 1.0})]
    )
    assert leaf.entry == '{"a":"ñ","b":1,"c":1,"kind":"prueba","reference":"prueba:1"}'
    assert leaf.leaf_hash == merkle.leaf_hash(leaf.entry.encode())
    stored = Leaf.objects.get(index=leaf.index)
    assert (stored.entry, bytes(stored.leaf_hash)) == (leaf.entry, leaf.leaf_hash)


def test_an_append_rolled_back_with_its_transaction_leaves_no_gap():
    tree.append(entries(3))
    with pytest.raises(RuntimeError), transaction.atomic():
        tree.append(entries(2, 3))
        raise RuntimeError("the action failed")
    tree.append(entries(1, 5))
    assert list(Leaf.objects.values_list("index", "reference")) == [
        (0, "prueba:0"),
        (1, "prueba:1"),
        (2, "prueba:2"),
        (3, "prueba:5"),
    ]
    assert tree.size() == 4
