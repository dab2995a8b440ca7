"""Stored bytes per finished case: the Case row (its state JSON above all), its CaseEvents,
and what the database really uses on disk for them, tables, TOAST and indexes.

    .venv/bin/python bench/case_size.py                        # SQLite, scratch data dir
    DATABASE_URL=postgres://postgres:…@127.0.0.1:5432/ventanilla_bench \\
        .venv/bin/python bench/case_size.py                    # PostgreSQL, scratch database

Three kinds of finished case, K of each (default 300), each through the real actions on the
five-task procedure of bench/five_task_process/:

- typical: free texts of 100–250 characters, the usual path (five tasks, eight events);
- long answers: every official's free text at the forms' limit of 2,000 characters and the
  applicant's levels at 500;
- one correction round: typical answers, the reviewer asks for a correction once (seven
  tasks, eleven events).

For each: the state JSON as written and as stored (deflated by core/compressed_json.py; on
PostgreSQL also the bytes it takes in the row and TOAST), the events' JSON and its stored
bytes, the on-disk growth of the two tables with their indexes and TOAST (SQLite: the dbstat
table; PostgreSQL: table, TOAST and index sizes after VACUUM FULL, so that only live rows
count, and after a plain VACUUM, which keeps the space of the row versions each step's update
leaves behind) divided by K, and where the state's bytes go. Goal: at most 10 KB per
finished case. Bounded: about 1 minute on SQLite and 2.5 on PostgreSQL with the defaults.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _cases_data as data

GOAL = 10 * 1024
TABLES = ("cases_case", "cases_caseevent")


def scenarios() -> list[tuple[str, list, dict]]:
    return [
        ("typical", data.STEPS, {}),
        ("long answers (2,000 characters)", data.STEPS, {"long_text": 2000}),
        ("one correction round", data.CORRECTION_STEPS, {}),
    ]


# --- What the database uses -----------------------------------------------------------------


def disk_usage(*, compact: bool = True) -> dict[str, int]:
    """Bytes on disk per part: each table's rows (heap), its TOAST, its indexes. On
    PostgreSQL every step's update leaves the row's previous version (and its TOAST) behind:
    ``compact`` rewrites the tables first (VACUUM FULL), so that only live rows count;
    otherwise a plain VACUUM marks the dead space reusable but the files keep it."""
    from django.db import connection

    usage: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            full = "FULL " if compact else ""
            cursor.execute(f"VACUUM {full}ANALYZE {', '.join(TABLES)}")
            for table in TABLES:
                cursor.execute(
                    "SELECT pg_relation_size(c.oid), "
                    "COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0), "
                    "pg_indexes_size(c.oid) FROM pg_class c WHERE c.relname = %s",
                    [table],
                )
                heap, toast, indexes = cursor.fetchone()
                usage |= {f"{table} rows": heap, f"{table} TOAST": toast}
                usage[f"{table} indexes"] = indexes
        else:
            cursor.execute(
                "SELECT d.name, m.tbl_name, m.type, sum(d.pgsize) FROM dbstat d "
                "JOIN sqlite_schema m ON m.name = d.name WHERE m.tbl_name IN (%s, %s) "
                "GROUP BY d.name",
                list(TABLES),
            )
            for _name, table, kind, size in cursor.fetchall():
                part = f"{table} {'rows' if kind == 'table' else 'indexes'}"
                usage[part] = usage.get(part, 0) + size
    return usage


def stored_json_bytes(case_ids: list[int]) -> dict[str, float]:
    """Mean bytes per case of the state and of the events' JSON, as the database keeps them."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT avg(octet_length(state)), avg(pg_column_size(state)) "
                "FROM cases_case WHERE id = ANY(%s)",
                [case_ids],
            )
            state_text, state_stored = cursor.fetchone()
            cursor.execute(
                "SELECT count(*), sum(octet_length(before) + octet_length(after)), "
                "sum(pg_column_size(before) + pg_column_size(after)), "
                "sum(pg_column_size(e.*)) FROM cases_caseevent e WHERE case_id = ANY(%s)",
                [case_ids],
            )
        else:
            marks = ", ".join(["%s"] * len(case_ids))
            blob = "length(CAST({} AS BLOB))"
            cursor.execute(
                f"SELECT avg({blob.format('state')}), avg({blob.format('state')}) "  # noqa: S608
                f"FROM cases_case WHERE id IN ({marks})",
                case_ids,
            )
            state_text, state_stored = cursor.fetchone()
            events_json = f"{blob.format('before')} + {blob.format('after')}"
            cursor.execute(
                f"SELECT count(*), sum({events_json}), sum({events_json}), NULL "  # noqa: S608
                f"FROM cases_caseevent WHERE case_id IN ({marks})",
                case_ids,
            )
        events, events_text, events_stored, event_rows = cursor.fetchone()
    n = len(case_ids)
    return {
        "state_text": float(state_text),
        "state_stored": float(state_stored),
        "events": events / n,
        "events_text": events_text / n,
        "events_stored": events_stored / n,
        "event_rows": (event_rows or 0) / n,
    }


# --- Where the state's bytes go ---------------------------------------------------------------


def size(value) -> int:
    """Bytes of a value as Django's JSONField writes it (json.dumps, ASCII escapes)."""
    return len(json.dumps(value).encode())


def state_breakdown(state: dict) -> dict[str, int]:
    """The state's JSON bytes by what they hold."""
    tasks = state.get("tasks", {})
    records = sum(
        size({k: v for k, v in t.items() if k not in ("data", "delta")}) for t in tasks.values()
    )
    parts = {
        "case data (workflow 'data')": size(state.get("data", {})),
        "tasks' 'delta' (what each task changed)": sum(
            size(t.get("delta", {})) for t in tasks.values()
        ),
        "tasks' 'data' (full copies)": sum(size(t.get("data", {})) for t in tasks.values()),
        # The task table's keys are the same UUIDs as each record's id.
        "task records: uuids, links, state, time": records
        + size(tasks)
        - sum(size(t) for t in tasks.values()),
    }
    parts["other fields"] = size(state) - sum(parts.values())
    return parts


def occurrences(text: str, *documents) -> list[int]:
    """How many times ``text`` (as JSON escapes it) appears in each document's JSON."""
    needle = json.dumps(text)[1:-1]
    return [json.dumps(document).count(needle) for document in documents]


# --- The run ------------------------------------------------------------------------------


def run_scenario(people, name, steps, answer_options, cases: int, offset: int) -> dict:
    from ventanilla.cases.models import Case

    before = disk_usage()
    ids = []
    for n in range(cases):
        answers = data.answers_for(offset + n, **answer_options)
        case = data.run_case(
            people, people.citizens[n % len(people.citizens)], answers, steps=steps
        )
        assert case.status == "decided", (name, case.status, case.flag_reason)
        ids.append(case.pk)
    grown = disk_usage(compact=False)
    after = disk_usage()
    sample = Case.objects.get(pk=ids[-1])
    events = list(sample.events.values("kind", "before", "after"))
    state = sample.state
    text = json.dumps(state)
    long_answer = data.answers_for(offset + cases - 1, **answer_options)["inspeccion"][
        "informe_inspeccion"
    ]
    in_state, in_events = occurrences(long_answer, state, events)
    return {
        "name": name,
        "cases": cases,
        "tasks": sum(1 for step, _ in steps if not step.startswith(("start", "claim"))),
        "stored": stored_json_bytes(ids),
        "disk": {part: (after.get(part, 0) - before.get(part, 0)) / cases for part in after},
        "grown": sum(grown.values()) - sum(before.values()),
        "state_json": len(text.encode()),
        "state_utf8": len(json.dumps(state, ensure_ascii=False).encode()),
        "state_gzip": len(gzip.compress(text.encode())),
        "state_tasks": len(state.get("tasks", {})),
        "breakdown": state_breakdown(state),
        "events_json": sum(size(e["before"]) + size(e["after"]) for e in events),
        "answers_in_events": sum(size(e["after"].get("answers", {})) for e in events),
        "answer_length": len(long_answer),
        "answer_in_state": in_state,
        "answer_in_events": in_events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300, help="finished cases per scenario")
    options = parser.parse_args()
    began = time.perf_counter()
    with data.scratch_environment("size"):
        print("preparing the scratch database…", flush=True)
        skipped = data.setup_django()
        database = data.database_label()
        people = data.prepare_people(citizens=50)
        data.run_case(people, people.citizens[0], data.answers_for(0))  # warm-up
        results = []
        for number, (name, steps, answer_options) in enumerate(scenarios()):
            print(f"{name}: {options.cases} cases…", flush=True)
            results.append(
                run_scenario(
                    people, name, steps, answer_options, options.cases, 10_000 * (number + 1)
                )
            )
        report(database, skipped, results, time.perf_counter() - began)
        print("dropping the scratch database…", flush=True)


def kb(value: float) -> str:
    return f"{value / 1024:.1f}"


def report(database, skipped, results, elapsed) -> None:
    print(f"\nVentanilla stored bytes per finished case · {data.now_utc():%Y-%m-%d %H:%M} UTC")
    print(data.machine_line(database))
    if skipped:
        print(f"(packaged definitions not publishable right now, not needed: {skipped})")
    print(
        f"goal: at most {GOAL / 1024:.0f} KB per finished case on disk; baseline, FINDINGS.md: "
        f"~{data.FINDINGS_STATE_BYTES / 1024:.0f} KB of state per case, ~1.5 KB gzipped"
    )
    for r in results:
        s, disk = r["stored"], r["disk"]
        total = sum(disk.values())
        print(f"\n## {r['name']}: {r['cases']} cases, {r['tasks']} tasks each")
        print(
            f"state JSON: {kb(r['state_json'])} KB as Django writes it (ASCII escapes; "
            f"{kb(r['state_utf8'])} KB as UTF-8), {kb(r['state_gzip'])} KB gzipped, "
            f"{r['state_tasks']} task records"
        )
        print(f"  as stored (deflated): {kb(s['state_text'])} KB")
        if s["state_stored"] != s["state_text"]:
            print(f"  in the row and its TOAST: {kb(s['state_stored'])} KB")
        print(
            f"events: {s['events']:.0f} per case, {kb(r['events_json'])} KB of JSON "
            f"({kb(r['answers_in_events'])} KB of it the answers), stored deflated "
            f"{kb(s['events_text'])} KB"
            + (
                f", {kb(s['events_stored'])} KB in the rows and TOAST"
                if s["events_stored"] != s["events_text"]
                else ""
            )
        )
        print(
            f"a {r['answer_length']}-character answer (the inspection report) appears "
            f"{r['answer_in_state']}× in the state and {r['answer_in_events']}× in the events"
        )
        print("where the state's bytes go (JSON as written):")
        for part, value in r["breakdown"].items():
            print(f"  {part:<42} {kb(value):>6} KB  {value / r['state_json']:>4.0%}")
        print("on disk per case (growth of tables, TOAST and indexes / cases):")
        for part, value in sorted(disk.items()):
            print(f"  {part:<42} {kb(value):>6} KB")
        verdict = "meets" if total <= GOAL else "misses"
        print(f"  {'total':<42} {kb(total):>6} KB  → {verdict} the {GOAL // 1024} KB goal")
        if r["grown"] != total * r["cases"]:
            print(
                f"  before VACUUM FULL (dead versions of each step's update still in the "
                f"files): {kb(r['grown'] / r['cases'])} KB per case"
            )
    print(f"\nwhole run: {elapsed:.0f} s")


if __name__ == "__main__":
    main()
