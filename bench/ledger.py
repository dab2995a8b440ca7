"""The public log's costs: appends (batched, and the time a case action pays), proofs in a
large log, and verifying it, each beside raw SHA-256 hashing of the same data.

    .venv/bin/python bench/ledger.py                       # SQLite, scratch data dir
    DATABASE_URL=postgres://postgres:…@127.0.0.1:5432/ventanilla_bench \\
        .venv/bin/python bench/ledger.py                   # PostgreSQL, scratch database

1. Ceiling: SHA-256 of each entry's canonical JSON (its leaf hash) plus one node hash per
   entry (a tree of n leaves has n - 1 nodes), in one process.
2. Batched appends: ``--leaves`` entries (1,000,000) through ``ledger.tree.append`` in
   transactions of ``--batch`` (1,000): entries per second.
3. Inside a case action: a case event written in its transaction without the log, and the
   same with its entry appended (``cases.actions._event``), ``--actions`` times each,
   alternating: the milliseconds the log adds (median and p99).
4. Proofs at the size reached: ``--proofs`` inclusion proofs of random entries and
   consistency proofs between random sizes, read from the stored subtrees: p50 / p99 ms.
5. ``ventanilla ledger verify`` over the whole log: seconds, and leaves per second (the
   bench's entries are of a kind that records no row: their leaves, the stored subtrees and
   the checkpoint are checked; commitments only for the case's own events).

Goals (issue 6): ≥ 20,000 appends/s batched, < 1 ms added per case action, proofs < 1 ms;
the issue asks for proofs at 10,000,000 leaves (``--leaves 10000000``: ~10 minutes here).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _cases_data as data

GOAL_APPENDS = 20_000
GOAL_ACTION_MS = 1.0
GOAL_PROOF_MS = 1.0

data.CODE_FILES = [
    "src/ventanilla/ledger/tree.py",
    "src/ventanilla/ledger/merkle.py",
    "src/ventanilla/ledger/record.py",
    "src/ventanilla/ledger/verification.py",
]


def entry_data(n: int) -> dict:
    return {
        "at": f"2026-11-28T18:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000000:06d}+00:00",
        "commitment": hashlib.sha256(n.to_bytes(8, "big")).hexdigest(),
    }


def ceiling(count: int) -> float:
    from ventanilla.ledger import merkle, tree

    began = time.process_time()
    previous = merkle.EMPTY_ROOT
    for n in range(count):
        body = tree.canonical({"kind": "prueba", "reference": f"prueba:{n}", **entry_data(n)})
        leaf = merkle.leaf_hash(body)
        previous = merkle.node_hash(previous, leaf)
    return count / (time.process_time() - began)


def batched_appends(count: int, batch: int) -> float:
    from ventanilla.ledger import tree

    began = time.perf_counter()
    for start in range(0, count, batch):
        tree.append(
            [
                tree.Entry("prueba", f"prueba:{n}", entry_data(n))
                for n in range(start, min(count, start + batch))
            ]
        )
    return count / (time.perf_counter() - began)


def action_cost(actions: int) -> tuple[list[float], list[float]]:
    """Milliseconds of one case event's transaction without and with the log."""
    from django.db import transaction

    from ventanilla.cases import actions as cases
    from ventanilla.cases.models import Case, CaseEvent

    case = Case.objects.order_by("pk").first()
    without, with_log = [], []
    for n in range(actions + 20):
        began = time.perf_counter()
        with transaction.atomic():
            CaseEvent.objects.create(case=case, kind="note_added", after={"n": n})
        middle = time.perf_counter()
        with transaction.atomic():
            cases._event(case, "note_added", after={"n": n})
        ended = time.perf_counter()
        if n >= 20:  # warmed up
            without.append((middle - began) * 1000)
            with_log.append((ended - middle) * 1000)
    return without, with_log


def proof_times(count: int) -> tuple[list[float], list[float]]:
    from ventanilla.ledger import proofs, tree

    size = tree.size()
    generator = random.Random(9)
    inclusion, consistency = [], []
    for _ in range(count):
        index = generator.randrange(size)
        began = time.perf_counter()
        proofs.inclusion_path(index, size)
        inclusion.append((time.perf_counter() - began) * 1000)
        old = generator.randrange(1, size)
        began = time.perf_counter()
        proofs.consistency_path(old, size)
        consistency.append((time.perf_counter() - began) * 1000)
    return inclusion, consistency


def make_case() -> None:
    from ventanilla.cases import actions as cases

    (applicant,) = data.make_users(50_000_000, 1, first_names="Ana", last_names="Prueba")
    cases.start_case(data.bench_procedure(), applicant=applicant, actor=applicant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument(
        "--scratch-dir", type=Path, default=Path(__file__).resolve().parent.parent / "var" / "bench"
    )
    options = parser.parse_args()

    with data.scratch_environment("ledger", parent=options.scratch_dir):
        data.setup_django()
        print(data.machine_line(data.database_label()))
        make_case()

        rate = ceiling(min(options.leaves, 200_000))
        print(f"\nceiling: SHA-256 of the entry + one node hash, one process: {rate:,.0f}/s")

        with data.OtherLoad(data.database_server_seconds) as load:
            appended = batched_appends(options.leaves, options.batch)
        verdict = "met" if appended >= GOAL_APPENDS else "MISSED"
        print(
            f"batched appends ({options.leaves:,} in transactions of {options.batch:,}): "
            f"{appended:,.0f}/s, {appended / rate:.0%} of the ceiling "
            f"(goal ≥ {GOAL_APPENDS:,}: {verdict})"
        )
        print(f"  {load.line()}")

        with data.OtherLoad(data.database_server_seconds) as load:
            without, with_log = action_cost(options.actions)
        added = data.percentile(with_log, 50) - data.percentile(without, 50)
        verdict = "met" if added < GOAL_ACTION_MS else "MISSED"
        print(
            f"\na case event's transaction, ×{options.actions}: without the log p50 "
            f"{data.percentile(without, 50):.2f} / p99 {data.percentile(without, 99):.2f} ms; "
            f"with it p50 {data.percentile(with_log, 50):.2f} / p99 "
            f"{data.percentile(with_log, 99):.2f} ms"
        )
        print(f"  added per action (p50): {added:.2f} ms (goal < {GOAL_ACTION_MS}: {verdict})")
        print(f"  {load.line()}")

        from ventanilla.ledger import tree

        size = tree.size()
        inclusion, consistency = proof_times(options.proofs)
        for name, times in (("inclusion", inclusion), ("consistency", consistency)):
            p50, p99 = data.percentile(times, 50), data.percentile(times, 99)
            verdict = "met" if p99 < GOAL_PROOF_MS else "MISSED"
            print(
                f"\n{name} proofs at {size:,} leaves ×{options.proofs}: p50 {p50:.3f} / "
                f"p99 {p99:.3f} ms (goal < {GOAL_PROOF_MS}: {verdict})"
            )

        from ventanilla.ledger import checkpoints, verification

        checkpoints.make_checkpoint()
        began = time.perf_counter()
        report = verification.verify()
        seconds = time.perf_counter() - began
        assert report.leaves == size, (report.leaves, size)
        assert report.ok, report.problems[:3]
        print(
            f"\nledger verify over {size:,} leaves: {seconds:.1f} s ({size / seconds:,.0f}/s; "
            "the bench's entries record no rows: the tree and checkpoints are checked, the "
            "commitments only for the case's events)"
        )
        print(f"  {os.cpu_count()} cores; verification runs in one process")


if __name__ == "__main__":
    main()
