"""Concurrent writers on PostgreSQL: the tree head's row lock makes one sequence of
indices, with no gap, no duplicate and one consistent tree. (CI runs this in its PostgreSQL
pass; SQLite has a single writer anyway.)"""

import threading

import pytest
from django.db import connection, connections

from ventanilla.ledger import merkle, tree
from ventanilla.ledger.models import Leaf, Node

WRITERS, EACH = 8, 5000


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under real concurrency need PostgreSQL (CI runs the suite on both)",
)
@pytest.mark.django_db(transaction=True)
def test_eight_writers_appending_5000_each_make_one_tree_of_40000():
    start = threading.Barrier(WRITERS)
    failures = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for n in range(EACH):
                tree.append([tree.Entry(kind="prueba", reference=f"w{number}:{n}", data={"n": n})])
        except Exception as error:  # reported below: a thread's error would be lost
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]

    total = WRITERS * EACH
    assert tree.size() == total
    indices = list(Leaf.objects.order_by("index").values_list("index", flat=True))
    assert indices == list(range(total))  # no gap, no duplicate
    references = Leaf.objects.values_list("reference", flat=True)
    assert len(set(references)) == total
    for number in range(WRITERS):  # each writer's entries in the order it wrote them
        mine = list(
            Leaf.objects.filter(reference__startswith=f"w{number}:")
            .order_by("index")
            .values_list("reference", flat=True)
        )
        assert mine == [f"w{number}:{n}" for n in range(EACH)]
    leaves = [
        merkle.leaf_hash(entry.encode())
        for entry in Leaf.objects.order_by("index").values_list("entry", flat=True)
    ]
    assert merkle.root(tree.StoredNodes(), total) == merkle.root(merkle.nodes_of(leaves), total)
    assert Node.objects.count() == total - bin(total).count("1")
