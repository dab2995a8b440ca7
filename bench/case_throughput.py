"""Whole five-task cases per second through the engine and the database, with 100,000 cases
already stored.

    .venv/bin/python bench/case_throughput.py                  # SQLite, scratch data dir
    DATABASE_URL=postgres://postgres:…@127.0.0.1:5432/ventanilla_bench \\
        .venv/bin/python bench/case_throughput.py              # PostgreSQL, scratch database

1. A scratch database with the reference data and the five-task procedure of
   bench/five_task_process/ published through the engine's own publish action.
2. The baseline on this machine: the same case through the engine alone (start, then five
   load → complete → dump cycles, the state through JSON in between, no database), which is
   what FINDINGS.md measured at 6–7 ms.
3. 100,000 stored cases (bulk_create): 95 % finished, cloned from a real finished case (its
   row, state JSON and eight events), 5 % waiting for review, spread over four years.
4. N whole cases (default 500), one after the other, through the real actions:
   start_case, the applicant's solicitud (tracking number, deadline, routing to the DIDEDUC),
   a reviewer's claim, revision, inspeccion, dictamen (the case moves to DIGEACE), a signer's
   claim and resolucion: eight transactions, each locking the case's row and writing its
   CaseEvent, with the applicant's two e-mails (file backend). Timed per case and per step,
   with the time spent inside the engine (ventanilla.engine.runtime) measured apart.

Prints cases/s, ms per case and per step, SQL queries per case, and the baseline. Bounded:
about 2.5 minutes on SQLite and 5 on PostgreSQL with the defaults on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _cases_data as data

ENGINE_FUNCTIONS = ("start", "load", "complete", "dump", "ready_tasks")


def engine_only(version, answers: dict[str, dict], cases: int) -> list[float]:
    """ms per case through the engine alone: start + dump, then load → complete → dump for
    each of the five tasks, the state going through JSON each time (what the database
    would store)."""
    from ventanilla.engine import runtime

    order = ["solicitud", "revision", "inspeccion", "dictamen", "resolucion"]
    times = []
    for _ in range(cases):
        began = time.perf_counter()
        workflow = runtime.start(version)
        state = json.dumps(runtime.dump(workflow))
        for task in order:
            workflow = runtime.load(version, json.loads(state))
            runtime.complete(workflow, task, answers[task])
            state = json.dumps(runtime.dump(workflow))
        assert workflow.is_completed()
        times.append((time.perf_counter() - began) * 1000)
    return times


def diagram_restore(version, samples: int) -> list[float]:
    """ms to rebuild the diagram's spec from its stored dict (deep copy included), which
    runtime.start and runtime.load both do before touching the case's state."""
    import copy

    from ventanilla.engine.runtime import SERIALIZER

    times = []
    for _ in range(samples):
        began = time.perf_counter()
        spec = copy.deepcopy(version.spec)
        SERIALIZER.from_dict(spec["spec"])
        for sub in spec["subprocess_specs"].values():
            SERIALIZER.from_dict(sub)
        times.append((time.perf_counter() - began) * 1000)
    return times


class EngineClock:
    """Adds up the time spent in ventanilla.engine.runtime's functions while installed (the
    actions call them through the module, so wrapping the module's names catches them)."""

    def __init__(self):
        from ventanilla.engine import runtime

        self.runtime, self.spent = runtime, 0.0
        self.originals = {name: getattr(runtime, name) for name in ENGINE_FUNCTIONS}

    def _wrap(self, function):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - began

        return timed

    def __enter__(self):
        for name, function in self.originals.items():
            setattr(self.runtime, name, self._wrap(function))
        return self

    def __exit__(self, *exc):
        for name, function in self.originals.items():
            setattr(self.runtime, name, function)


def queries_per_step(people, citizen) -> dict[str, int]:
    """SQL queries each step of one whole case sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    with CaptureQueriesContext(connection) as captured:
        seen = 0

        def count(step: str) -> None:
            nonlocal seen
            counts[step] = len(captured.captured_queries) - seen
            seen = len(captured.captured_queries)

        data.run_case(people, citizen, data.answers_for(7), after_step=count)
    return counts


def commit_cost(samples: int = 200) -> list[float]:
    """ms of the smallest write transaction: one UPDATE of one row, committed (PostgreSQL
    with synchronous_commit on waits for the WAL to reach the disk; SQLite in WAL mode with
    synchronous=NORMAL does not sync on commit)."""
    from django.db import transaction

    from ventanilla.cases.models import TrackingCounter

    counter = TrackingCounter.objects.first()
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        with transaction.atomic():
            TrackingCounter.objects.filter(pk=counter.pk).update(last=counter.last)
        times.append((time.perf_counter() - began) * 1000)
    return times


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stored", type=int, default=100_000, help="cases stored beforehand")
    parser.add_argument("--cases", type=int, default=500, help="whole cases timed")
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--engine-cases", type=int, default=200, help="engine-only baseline")
    options = parser.parse_args()

    began = time.perf_counter()
    with data.scratch_environment("throughput"):
        print("preparing the scratch database…", flush=True)
        skipped = data.setup_django()
        from django.db import connection

        from ventanilla.cases.models import Case, CaseEvent
        from ventanilla.engine.models import ProcessVersion

        database = data.database_label()
        people = data.prepare_people(citizens=200)
        version = ProcessVersion.objects.get(slug=data.SLUG)
        typical = data.answers_for(0)

        print("engine-only baseline…", flush=True)
        engine_only(version, typical, 10)  # warm-up
        with data.OtherLoad() as baseline_load:
            baseline = engine_only(version, typical, options.engine_cases)
            restore = diagram_restore(version, options.engine_cases)

        print(f"storing {options.stored:,} cases…", flush=True)
        snapshots = data.reference_case(people, typical)
        load_began = time.perf_counter()
        stored, events = data.bulk_store_cases(
            snapshots, options.stored, applicants=people.citizens
        )
        load_seconds = time.perf_counter() - load_began
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
        size_before = database_bytes()

        per_step = data.new_timings()
        queries = queries_per_step(people, people.citizens[1])
        commits = commit_cost()
        for n in range(options.warm_up):
            data.run_case(people, people.citizens[n % 200], data.answers_for(n))

        print(f"timing {options.cases} whole cases…", flush=True)
        walls, engine_ms = [], []
        clock = EngineClock()
        load = data.OtherLoad(data.database_server_seconds)
        run_began = time.perf_counter()
        with clock, load:
            for n in range(options.cases):
                spent_before = clock.spent
                case_began = time.perf_counter()
                case = data.run_case(
                    people,
                    people.citizens[n % 200],
                    data.answers_for(1000 + n),
                    timings=per_step,
                )
                walls.append((time.perf_counter() - case_began) * 1000)
                engine_ms.append((clock.spent - spent_before) * 1000)
        run_seconds = time.perf_counter() - run_began
        assert case.status == "decided" and case.result == "aprobada", case.status
        total_cases = Case.objects.count()
        total_events = CaseEvent.objects.count()
        size_after = database_bytes()

        report(
            options=options,
            database=database,
            skipped=skipped,
            baseline=baseline,
            baseline_load=baseline_load,
            commits=commits,
            restore=restore,
            load=load,
            stored=stored,
            events=events,
            load_seconds=load_seconds,
            walls=walls,
            engine_ms=engine_ms,
            run_seconds=run_seconds,
            per_step=per_step,
            queries=queries,
            totals=(total_cases, total_events),
            sizes=(size_before, size_after),
            elapsed=time.perf_counter() - began,
        )
        print("dropping the scratch database…", flush=True)


def report(**r) -> None:
    options, walls, per_step = r["options"], r["walls"], r["per_step"]
    baseline, engine_ms = r["baseline"], r["engine_ms"]
    cases_per_second = len(walls) / r["run_seconds"]
    mean = statistics.mean(walls)
    engine_mean = statistics.mean(engine_ms)
    print(f"\nVentanilla case throughput benchmark · {data.now_utc():%Y-%m-%d %H:%M} UTC")
    print(data.machine_line(r["database"]))
    if r["skipped"]:
        print(f"(packaged definitions not publishable right now, not needed: {r['skipped']})")
    print(
        f"stored beforehand: {r['stored']:,} cases and {r['events']:,} events, bulk-loaded in "
        f"{r['load_seconds']:.0f} s; database {r['sizes'][0] / 2**20:,.0f} MiB"
    )
    print(
        f"\nbaseline, FINDINGS.md: whole case of 5 tasks, engine only: "
        f"{data.ENGINE_ONLY_MS[0]:.0f}–{data.ENGINE_ONLY_MS[1]:.0f} ms"
    )
    print(
        f"baseline, this machine, this procedure, engine only ({len(baseline)} cases): "
        f"mean {statistics.mean(baseline):.1f} ms, p50 {statistics.median(baseline):.1f} ms, "
        f"p95 {data.percentile(baseline, 95):.1f} ms; {r['baseline_load'].line()}"
    )
    restore = statistics.mean(r["restore"])
    print(
        f"  rebuilding the diagram from its stored dict costs {restore:.1f} ms; runtime does it "
        f"once per version and process (it did at every start and load: {6 * restore:.1f} ms "
        f"a case)"
    )
    print(
        f"\nwhole cases through engine and database, one after the other ({len(walls)}): "
        f"**{cases_per_second:.1f} cases/s**"
    )
    print(
        f"ms per case: mean {mean:.1f}, p50 {statistics.median(walls):.1f}, "
        f"p95 {data.percentile(walls, 95):.1f}, p99 {data.percentile(walls, 99):.1f}, "
        f"max {max(walls):.1f}"
    )
    print(
        f"of which inside the engine (runtime.start/load/complete/dump/ready_tasks): "
        f"{engine_mean:.1f} ms ({engine_mean / mean:.0%}); everything else (ORM, SQL, "
        f"commits, permissions, routing, validation, e-mails): {mean - engine_mean:.1f} ms"
    )
    print(
        f"vs baseline: {mean / statistics.mean(baseline):.1f}× this machine's engine-only "
        f"case, {mean / data.ENGINE_ONLY_MS[1]:.1f}× FINDINGS' 7 ms"
    )
    print(f"\n{'step':<16} {'mean ms':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'queries':>8}")
    for step, _who in data.STEPS:
        values = per_step[step]
        print(
            f"{step:<16} {statistics.mean(values):>8.2f} {statistics.median(values):>7.2f} "
            f"{data.percentile(values, 95):>7.2f} {data.percentile(values, 99):>7.2f} "
            f"{r['queries'].get(step, 0):>8}"
        )
    tasks = [
        v
        for step, _ in data.STEPS
        if not step.startswith(("claim", "start"))
        for v in per_step[step]
    ]
    print(
        f"{'complete_task':<16} {statistics.mean(tasks):>8.2f} {statistics.median(tasks):>7.2f} "
        f"{data.percentile(tasks, 95):>7.2f} {data.percentile(tasks, 99):>7.2f}   (the five)"
    )
    print(
        f"per step (8 transactions a case): {mean / len(data.STEPS):.1f} ms; SQL queries per "
        f"case: {sum(r['queries'].values())}"
    )
    print(
        f"the smallest write transaction (one UPDATE, committed): p50 "
        f"{statistics.median(r['commits']):.2f} ms, × 8 transactions = "
        f"{8 * statistics.median(r['commits']):.1f} ms of each case"
    )
    total_cases, total_events = r["totals"]
    grown = (r["sizes"][1] - r["sizes"][0]) / (len(walls) + options.warm_up + 1)
    print(
        f"\nafter the run: {total_cases:,} cases, {total_events:,} events; the database grew "
        f"{grown / 1024:.1f} KiB per new case"
    )
    print(f"timed run: {r['load'].line()}")
    print(f"whole run: {r['elapsed']:.0f} s")


if __name__ == "__main__":
    main()
