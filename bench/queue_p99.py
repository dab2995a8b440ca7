"""The officials' queue page with 1,000,000 cases on PostgreSQL: p50/p95/p99 through real
HTTP, and EXPLAIN ANALYZE of its queries.

    DATABASE_URL=postgres://postgres:…@127.0.0.1:5432/ventanilla_bench \\
        .venv/bin/python bench/queue_p99.py

1. A scratch PostgreSQL database (named after DATABASE_URL's, dropped at the end) with the
   reference data, the procedures that publish, and the five-task procedure of
   bench/five_task_process/; officials in every unit (reviewers, signers, a supervisor).
2. 1,000,000 cases loaded with COPY (psycopg's ``cursor.copy``), oldest first as a real table
   fills, spread like a ministry's: ~94 % decided over five years, ~6 % open from the last
   three months (in review, waiting for the applicant, drafts, a few flagged); 80 % in the
   DIDEDUCs (the four of Guatemala busiest), 20 % in the central units; in review: 80 % in
   the reviewer lane, 60 % claimed. Every case carries the state JSON of a real case at the
   same point, cloned from one run through the actions; the open ones also their events
   (started, submitted, claimed). Decided cases' events are left out (the page never reads
   them; they would be ~8 million rows). VACUUM ANALYZE afterwards, as autovacuum would.
3. The SQL of one request per scenario (captured in process with Django's test client, which
   also times the whole request in process) and EXPLAIN (ANALYZE, BUFFERS) of the queries
   on the cases tables.
4. ``ventanilla serve`` (gunicorn, 2 workers) and one client on loopback, signed in as an
   official whose session proved a second factor; ``/oficina/expedientes/`` with and
   without filters, the scenarios interleaved, R rounds (default 100).
5. The candidate indexes (CANDIDATES) that the app's migrations do not build yet, built on
   the scratch database one after the other, the queries explained again after each, and
   the requests again with all of them. The application's migrations are not touched.

Goal: p99 under 100 ms. Bounded: about 3 minutes on 2 cores with the defaults (9 with candidate
indexes to try).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _cases_data as data

VENTANILLA = str(Path(sys.executable).with_name("ventanilla"))
GOAL_MS = 100.0
MAX_CASES = 1_000_000  # the bound this benchmark keeps to
QUEUE = "/oficina/expedientes/"
BUSY_UNIT = "dideduc-guatemala-norte"

# Status shares (the rest is decided) and where open cases stand.
SHARES = {"in_review": 0.040, "corrections": 0.010, "draft": 0.006, "flagged": 0.002}
REVIEWER_LANE_SHARE = 0.8
CLAIMED_SHARE = 0.6
# Unit weights: the four DIDEDUCs of Guatemala 8 % each, the other DIDEDUCs share 48 %,
# DIGEACE 10 %, the other central units share 10 %.
OFFICIALS_PER_UNIT = {"reviewer": 6, "signer": 2, "supervisor": 1}


# --- The officials -------------------------------------------------------------------------


@dataclass
class Staff:
    by_unit_lane: dict  # (unit id, lane) -> [user ids]
    reviewer: object  # a reviewer of BUSY_UNIT
    supervisor: object  # the supervisor of BUSY_UNIT
    signer: object  # a signer at DIGEACE


def prepare_staff() -> Staff:
    from ventanilla.core.models import OrgUnit
    from ventanilla.identity.models import Role

    units = list(OrgUnit.objects.order_by("code"))
    per_unit = sum(OFFICIALS_PER_UNIT.values())
    officials = data.make_users(
        data.OFFICIAL_SEQUENCE + 100_000, per_unit * len(units), first_names="Funcionaria"
    )
    grants, by_unit_lane, n = [], defaultdict(list), 0
    for unit in units:
        for role, count in OFFICIALS_PER_UNIT.items():
            for _ in range(count):
                grants.append((officials[n], unit, role))
                by_unit_lane[(unit.pk, role)].append(officials[n].pk)
                n += 1
    data.grant(grants)
    busy = OrgUnit.objects.get(code=BUSY_UNIT)
    digeace = OrgUnit.objects.get(code="digeace")
    pick = {(unit.code, role): user for user, unit, role in grants}
    assert Role.SUPERVISOR == "supervisor" and Role.SIGNER == "signer"
    return Staff(
        by_unit_lane,
        reviewer=pick[(busy.code, Role.REVIEWER)],
        supervisor=pick[(busy.code, Role.SUPERVISOR)],
        signer=pick[(digeace.code, Role.SIGNER)],
    )


# --- The cases -----------------------------------------------------------------------------


def unit_weights() -> list[tuple[object, float]]:
    from ventanilla.core.models import OrgUnit

    departmental = data.dideducs()
    central = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.CENTRAL).order_by("code"))
    guatemala = [u for u in departmental if u.code.startswith("dideduc-guatemala-")]
    others = [u for u in departmental if u not in guatemala]
    rest = [u for u in central if u.code != "digeace"]
    return (
        [(u, 0.08) for u in guatemala]
        + [(u, 0.48 / len(others)) for u in others]
        + [(u, 0.10) for u in central if u.code == "digeace"]
        + [(u, 0.10 / len(rest)) for u in rest]
    )


def steps_of_versions() -> list[tuple[object, object, dict[str, list[str]]]]:
    """(procedure, version, {lane: [user tasks]}) for the latest version of every published
    procedure, read from the stored diagram."""
    import copy

    from SpiffWorkflow.spiff.specs.defaults import UserTask

    from ventanilla.catalog.models import Procedure
    from ventanilla.engine.models import ProcessVersion
    from ventanilla.engine.runtime import SERIALIZER

    result = []
    for version in ProcessVersion.objects.order_by("slug", "-version"):
        if result and result[-1][1].slug == version.slug:
            continue  # the latest version only
        procedure = Procedure.objects.filter(slug=version.slug).first()
        if procedure is None:
            continue
        spec = SERIALIZER.from_dict(copy.deepcopy(version.spec["spec"]))
        lanes = defaultdict(list)
        for task in spec.task_specs.values():
            if isinstance(task, UserTask):
                lanes[task.lane or ""].append(task.name)
        result.append((procedure, version, dict(lanes)))
    return result


def case_columns() -> list:
    from ventanilla.cases.models import Case

    return [f for f in Case._meta.concrete_fields if f.attname != "id"]


@dataclass
class Draw:
    """What the rows are drawn from, read from the database before the COPY starts (the
    connection can send nothing else during it)."""

    rng: random.Random
    units: list
    weights: list[float]
    versions: list
    bench: tuple
    departments: list[str]
    now: datetime
    states: dict[str, object]  # as COPY writes them (see stored_json)
    submitted_event: dict
    result_message: str
    prefix: str
    empty_draft: object
    staff: Staff
    applicants: list[int]


def stored_json(model, name: str, value):
    """A JSON value as COPY writes it into ``model.name``: JSON text for a jsonb column, the
    field's own bytes for a deflated one (core/compressed_json.py)."""
    from django.db import connection

    field = model._meta.get_field(name)
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return field.get_db_prep_save(value, connection)


def prepare_draw(snapshots, staff: Staff, applicants: list[int], seed: int = 7) -> Draw:
    from ventanilla.cases.models import Case
    from ventanilla.core.models import Department

    units, weights = zip(*unit_weights(), strict=True)
    versions = steps_of_versions()
    return Draw(
        rng=random.Random(seed),
        units=list(units),
        weights=list(weights),
        versions=versions,
        bench=next(v for v in versions if v[1].slug == data.SLUG),
        departments=list(Department.objects.values_list("code", flat=True)),
        now=datetime.now(UTC),
        states={
            kind: stored_json(Case, "state", snapshots[step].row["state"])
            for kind, step in (
                ("decided", "resolucion"),
                ("open", "solicitud"),
                ("draft", "start_case"),
            )
        },
        submitted_event=next(e for e in snapshots["solicitud"].events if e["kind"] == "submitted"),
        result_message=snapshots["resolucion"].row["result_message"],
        prefix=snapshots["solicitud"].row["tracking_number"].split("-", 1)[0],
        empty_draft=stored_json(Case, "draft", {}),
        staff=staff,
        applicants=applicants,
    )


def timeline(draw: Draw, count: int) -> list[tuple[datetime, str]]:
    """(created, status) of every case, oldest first: rows go in as a real table fills, so
    that the open cases (recent) sit together at its end, not scattered through it."""
    rng, thresholds, total = draw.rng, [], 0.0
    for status, share in SHARES.items():
        total += share
        thresholds.append((total, status))
    plan = []
    for _ in range(count):
        draw_status = rng.random()
        status = next((s for t, s in thresholds if draw_status < t), "decided")
        # Open cases come from the last three months, most of them recent.
        days = rng.uniform(20, 5 * 365) if status == "decided" else 90 * rng.random() ** 1.5
        plan.append((draw.now - timedelta(days=days), status))
    plan.sort()
    return plan


def generate_cases(draw: Draw, count: int):
    """Yield (values by attname, events) for ``count`` cases, oldest first; deterministic
    for a seed."""
    rng, staff = draw.rng, draw.staff
    unit_choices = rng.choices(range(len(draw.units)), weights=draw.weights, k=count)
    sequence: Counter = Counter()
    for n, (created, status) in enumerate(timeline(draw, count)):
        unit = draw.units[unit_choices[n]]
        procedure, version, lanes = draw.bench if rng.random() < 0.5 else rng.choice(draw.versions)
        official_lanes = [lane for lane in lanes if lane in ("reviewer", "signer")]
        submitted = None if status == "draft" else created + timedelta(minutes=rng.uniform(5, 90))
        department = unit.department_id or rng.choice(draw.departments)
        lane, task, assignee = "", "", None
        if status == "in_review":
            lane = "reviewer" if rng.random() < REVIEWER_LANE_SHARE else "signer"
            if lane not in official_lanes:
                lane = official_lanes[0] if official_lanes else "reviewer"
            task = rng.choice(lanes.get(lane) or ["revision"])
            if rng.random() < CLAIMED_SHARE:
                assignee = rng.choice(staff.by_unit_lane[(unit.pk, lane)])
        elif status in ("corrections", "draft"):
            lane = "applicant"
            task = rng.choice(lanes.get("applicant") or ["solicitud"])
        elif status == "flagged":
            lane = "reviewer"
            task = rng.choice(lanes.get("reviewer") or ["revision"])
        paused = None
        if status == "corrections" and submitted:
            paused = min(draw.now, submitted + timedelta(days=rng.uniform(1, 10))).date()
        tracking = None
        if submitted:
            sequence[submitted.year] += 1
            tracking = f"{draw.prefix}-{submitted.year}-{sequence[submitted.year]:06d}"
        applicant = draw.applicants[n % len(draw.applicants)]
        decided = status == "decided"
        channel = "online" if rng.random() < 0.85 else "counter"
        values = {
            "tracking_number": tracking,
            "procedure_id": procedure.pk,
            "process_version_id": version.pk,
            "applicant_id": applicant,
            "started_by_id": applicant,
            "channel": channel,
            "status": status,
            "current_task": task,
            "current_lane": lane,
            "unit_id": unit.pk,
            "assignee_id": assignee,
            "department_id": department,
            "due_date": submitted.date() + timedelta(days=21) if submitted else None,
            "paused_since": paused,
            "result": ("aprobada" if rng.random() < 0.9 else "rechazada") if decided else "",
            "result_message": draw.result_message if decided else "",
            "flag_reason": "El servicio de plazos no respondió." if status == "flagged" else "",
            "state": draw.states[
                "decided" if decided else "draft" if status == "draft" else "open"
            ],
            "draft": draw.empty_draft,
            "created_at": created,
            "submitted_at": submitted,
            "decided_at": submitted + timedelta(days=rng.uniform(2, 40)) if decided else None,
        }
        events = []
        if not decided:  # the page reads open cases' events; decided ones' are left out
            events.append(("started", applicant, "", {}, {"channel": channel}, created))
            if submitted:
                e = draw.submitted_event
                events.append(
                    ("submitted", applicant, e["task"], e["before"], e["after"], submitted)
                )
            if assignee:
                claimed = submitted + timedelta(hours=rng.uniform(1, 48))
                events.append(("claimed", assignee, "", {}, {"assignee": assignee}, claimed))
        yield values, events


def copy_cases(count: int, snapshots, staff: Staff, applicants: list[int]) -> tuple[int, int]:
    """COPY the cases, then their events (ids read back in the same order)."""
    from django.db import connection

    from ventanilla.cases.models import CaseEvent

    columns = case_columns()
    names = [f.column for f in columns]
    known = {f.attname for f in columns}
    pending_events = []
    rows = generate_cases(prepare_draw(snapshots, staff, applicants), count)  # reads the DB now
    connection.ensure_connection()
    pg = connection.connection
    with pg.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        first_id = cursor.fetchone()[0] + 1
        # Foreign keys are right by construction: skip their per-row checks while loading.
        cursor.execute("SET session_replication_role = replica")
        with cursor.copy(f"COPY cases_case (id, {', '.join(names)}) FROM STDIN") as copy:
            for n, (values, events) in enumerate(rows):
                missing = known - values.keys()
                for attname in missing:  # columns added since: their defaults
                    field = next(f for f in columns if f.attname == attname)
                    values[attname] = field.get_db_prep_save(field.get_default(), connection)
                copy.write_row([first_id + n, *(values[f.attname] for f in columns)])
                for event in events:
                    pending_events.append((first_id + n, *event))
        with cursor.copy(
            "COPY cases_caseevent (case_id, kind, actor_id, task, before, after, at) FROM STDIN"
        ) as copy:
            for case_id, kind, actor, task, before, after, at in pending_events:
                copy.write_row(
                    [
                        case_id,
                        kind,
                        actor,
                        task,
                        stored_json(CaseEvent, "before", before),
                        stored_json(CaseEvent, "after", after),
                        at,
                    ]
                )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), max(id)) FROM cases_case"
        )
    return count, len(pending_events)


# --- Signing in and requesting ------------------------------------------------------------


def signed_in_client(user):
    """Django's test client signed in as ``user`` with a second factor proved in the session
    (as tests/conftest.py's force_login_with_second_factor); the session is stored in the
    database, where the server finds it too."""
    from django.test import Client

    from ventanilla.identity import sessions, two_factor
    from ventanilla.identity.models import TotpDevice

    TotpDevice.objects.get_or_create(
        user=user,
        defaults={"encrypted_secret": two_factor.encrypt_secret(two_factor.new_secret())},
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[sessions.SECOND_FACTOR_KEY] = "totp"
    session.save()
    return client


def session_cookie(user) -> tuple[str, str]:
    from django.conf import settings

    client = signed_in_client(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def process_tree_seconds(pid: int) -> float:
    """CPU seconds of a process and of its living descendants (the server's workers)."""
    children = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += data.process_cpu_seconds(current)
        todo += children.get(current, [])
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One client keeping its connection when the server allows it."""

    def __init__(self, port: int, cookie: tuple[str, str]):
        self.port, self.cookie = port, f"{cookie[0]}={cookie[1]}"

    def get(self, path: str) -> tuple[int, str, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            began = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": self.cookie})
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, body, (time.perf_counter() - began) * 1000
        finally:
            connection.close()


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        [VENTANILLA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env={**os.environ, "DJANGO_DEBUG": "0"},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        try:
            status, _body, _ms = Browser(port, ("x", "y")).get("/salud/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server did not start:\n{log.read_text()}")


ROWS = re.compile(r'href="/oficina/expedientes/(\d+)/"')  # each case row links its case


@dataclass
class Scenario:
    name: str
    who: str
    path: str


def scenarios(procedure_id: int) -> list[Scenario]:
    return [
        Scenario("queue, first page", "reviewer", QUEUE),
        Scenario("mine", "reviewer", f"{QUEUE}?asignacion=mios"),
        Scenario("overdue", "reviewer", f"{QUEUE}?plazo=vencido"),
        Scenario("mine and overdue", "reviewer", f"{QUEUE}?asignacion=mios&plazo=vencido"),
        Scenario("due soon", "reviewer", f"{QUEUE}?plazo=vence-pronto"),
        Scenario("unassigned, page 10", "reviewer", f"{QUEUE}?asignacion=sin-asignar&pagina=10"),
        Scenario("number (last digits)", "reviewer", f"{QUEUE}?numero=1234"),
        Scenario(
            "procedure and department",
            "reviewer",
            f"{QUEUE}?tramite={procedure_id}&departamento=01",
        ),
        Scenario("supervisor: whole unit", "supervisor", QUEUE),
        Scenario("supervisor: waiting for applicant", "supervisor", f"{QUEUE}?a_cargo=applicant"),
        Scenario("signer at DIGEACE", "signer", QUEUE),
    ]


# --- Query plans ------------------------------------------------------------------------------


def captured_queries(path: str, user) -> tuple[list[dict], float]:
    """The SQL one request sends, in process (Django's test client, same settings), and the
    request's time in process (ms, the best of three)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(user)
    client.get(path)  # warm
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        response = client.get(path)
        best = min(best, (time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return captured.captured_queries, best


def profile_request(path: str, user, top: int = 8) -> list[str]:
    """Where one request's time goes in process (cProfile, which slows everything down about
    alike: read the shares): the view, the template, the SQL, and the project's functions
    that take longest."""
    import cProfile
    import pstats

    client = signed_in_client(user)
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)

    def cumulative(match) -> float:
        return max((v[3] for k, v in stats.items() if match(k)), default=0.0)

    whole = cumulative(lambda k: k[0].endswith("cases/office_views.py") and k[2] == "queue")
    parts = {
        "the template (render)": cumulative(
            lambda k: k[0].endswith("django/template/base.py") and k[2] == "render"
        ),
        "SQL (execute_sql, fetching included)": sum(
            v[3]
            for k, v in stats.items()
            if k[0].endswith("db/models/sql/compiler.py") and k[2] == "execute_sql"
        ),
    }
    lines = [f"view: {whole * 1000:.1f} ms under the profiler"]
    lines += [f"  {name}: {t * 1000:.1f} ms ({t / whole:.0%})" for name, t in parts.items()]
    ours = sorted(
        (
            (v[3], f"{Path(k[0]).parent.name}/{Path(k[0]).name}:{k[2]}")
            for k, v in stats.items()
            if "/ventanilla/" in k[0]
            and "middleware" not in k[0]
            and k[2] not in ("queue", "_queue_page")
        ),
        reverse=True,
    )[:top]
    lines += [f"  {name}: {t * 1000:.1f} ms ({t / whole:.0%})" for t, name in ours]
    return lines


def explain(sql: str) -> tuple[list[str], float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        lines = [row[0] for row in cursor.fetchall()]
    took = next(
        (
            float(m.group(1))
            for line in lines
            if (m := re.search(r"Execution Time: ([\d.]+)", line))
        ),
        0.0,
    )
    return lines, took


def explain_cases_queries(plans: dict[str, list[str]], runs: int = 5) -> dict[str, list[tuple]]:
    """EXPLAIN ANALYZE of each scenario's queries on the cases tables, after a warm-up run:
    the last plan, and the median execution time of ``runs``."""
    explained = {}
    for name, queries in plans.items():
        explained[name] = []
        for sql in queries:
            if "cases_case" in sql:
                explain(sql)
                results = [explain(sql) for _ in range(runs)]
                took = statistics.median(t for _lines, t in results)
                explained[name].append((sql, results[-1][0], took))
    return explained


# Indexes tried on the scratch database after the first measurement, as the Django
# ``Meta.indexes`` entries they would be in cases/models.py, and the SQL that builds them.
CANDIDATES = [
    (
        'models.Index(fields=["assignee", "status"], name="case_assignee_status_idx")',
        "CREATE INDEX case_assignee_status_idx ON cases_case (assignee_id, status)",
    ),
    (
        'models.Index(fields=["unit", "current_lane", "submitted_at"], '
        'condition=Q(status="in_review"), name="case_lane_queue_idx")',
        "CREATE INDEX case_lane_queue_idx ON cases_case (unit_id, current_lane, submitted_at) "
        "WHERE status = 'in_review'",
    ),
]


def missing_candidates() -> list[tuple[str, str]]:
    """The candidate indexes the app's migrations have not built already."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cases_case'")
        present = {name for (name,) in cursor.fetchall()}
    return [(django, sql) for django, sql in CANDIDATES if sql.split()[2] not in present]


def measure(chosen, browsers, requests: int, server) -> tuple[dict, object]:
    """``requests`` rounds over the scenarios, interleaved; ms per scenario."""
    timings: dict[str, list[float]] = defaultdict(list)
    load = data.OtherLoad(lambda: data.database_server_seconds() + process_tree_seconds(server.pid))
    with load:
        for _ in range(requests):
            for scenario in chosen:
                status, _body, ms = browsers[scenario.who].get(scenario.path)
                if status != 200:
                    raise SystemExit(f"{scenario.path}: HTTP {status}")
                timings[scenario.name].append(ms)
    return timings, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=MAX_CASES)
    parser.add_argument("--requests", type=int, default=100, help="per scenario and pass")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--plans", action="store_true", help="print every plan in full")
    parser.add_argument(
        "--no-candidates", action="store_true", help="skip trying the candidate indexes"
    )
    options = parser.parse_args()
    if options.cases > MAX_CASES:
        raise SystemExit(f"at most {MAX_CASES:,} cases")
    began = time.perf_counter()
    with data.scratch_environment("queue", require_postgres=True):
        print("preparing the scratch database…", flush=True)
        r = {"options": options, "skipped": data.setup_django()}
        from django.core.management import call_command
        from django.db import connection

        from ventanilla.cases.models import Case

        r["database"] = data.database_label()
        people = data.prepare_people(citizens=2000)
        staff = prepare_staff()
        snapshots = data.reference_case(people, data.answers_for(0))
        Case.objects.all().delete()  # the reference case was only a template

        print(f"loading {options.cases:,} cases with COPY…", flush=True)
        load_began = time.perf_counter()
        applicants = [c.pk for c in people.citizens]
        r["cases"], r["events"] = copy_cases(options.cases, snapshots, staff, applicants)
        r["copy_seconds"] = time.perf_counter() - load_began
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute(
                "SELECT pg_total_relation_size('cases_case'), pg_indexes_size('cases_case'),"
                " pg_total_relation_size('cases_caseevent')"
            )
            r["sizes"] = cursor.fetchone()
            cursor.execute(
                "SELECT status, count(*) FROM cases_case GROUP BY status ORDER BY 2 DESC"
            )
            r["statuses"] = cursor.fetchall()
        r["load_seconds"] = time.perf_counter() - load_began

        users = {"reviewer": staff.reviewer, "supervisor": staff.supervisor, "signer": staff.signer}
        r["visible"] = {who: office_case_count(user) for who, user in users.items()}
        call_command("collectstatic", interactive=False, verbosity=0)  # as `ventanilla serve`
        r["chosen"] = chosen = scenarios(data.bench_procedure().pk)
        plans, r["in_process"], r["sql_count"] = {}, {}, {}
        for scenario in chosen:
            queries, best = captured_queries(scenario.path, users[scenario.who])
            plans[scenario.name] = [q["sql"] for q in queries]
            r["in_process"][scenario.name] = best
            r["sql_count"][scenario.name] = len(queries)
        r["explained"] = explain_cases_queries(plans)
        r["profile"] = profile_request(chosen[0].path, users[chosen[0].who])

        print("serving and requesting…", flush=True)
        cookies = {who: session_cookie(user) for who, user in users.items()}
        port = free_port()
        log = Path(os.environ["VENTANILLA_DATA_DIR"]) / "server.log"
        server = start_server(port, options.workers, log)
        r["rows"], r["after"] = {}, None
        try:
            wait_until_up(port, server, log)
            browsers = {who: Browser(port, cookie) for who, cookie in cookies.items()}
            for scenario in chosen:  # warm-up: templates, connections, caches
                for _ in range(3):
                    status, body, _ms = browsers[scenario.who].get(scenario.path)
                    if status != 200:
                        raise SystemExit(f"{scenario.path}: HTTP {status}\n{body[:2000]}")
                r["rows"][scenario.name] = len(set(ROWS.findall(body)))
            r["timings"], r["load"] = measure(chosen, browsers, options.requests, server)
            r["candidates"] = missing_candidates()
            if r["candidates"] and not options.no_candidates:
                print("trying the candidate indexes…", flush=True)
                r["with_candidates"] = []
                with connection.cursor() as cursor:
                    for django_index, sql in r["candidates"]:
                        began_index = time.perf_counter()
                        cursor.execute(sql)
                        cursor.execute("ANALYZE cases_case")
                        built = time.perf_counter() - began_index
                        r["with_candidates"].append(
                            (django_index, built, explain_cases_queries(plans))
                        )
                r["after"] = measure(chosen, browsers, options.requests, server)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        r["elapsed"] = time.perf_counter() - began
        report(**r)
        print("dropping the scratch database…", flush=True)


def office_case_count(user) -> int:
    from ventanilla.cases import queries

    return queries.office_cases(user).count()


def sql_ms(explained: dict[str, list[tuple]], name: str) -> float:
    return sum(took for _sql, _lines, took in explained.get(name, []))


def percentiles(values: list[float]) -> str:
    return (
        f"{statistics.median(values):>7.1f} {data.percentile(values, 95):>7.1f} "
        f"{data.percentile(values, 99):>7.1f} {max(values):>7.1f}"
    )


# The page's own files beyond those ``data.code_line`` names.
QUEUE_FILES = [
    "src/ventanilla/cases/office_forms.py",
    "src/ventanilla/cases/deadlines.py",
    "src/ventanilla/cases/templates/cases/office_queue.html",
    "src/ventanilla/engine/business_days.py",
]


def queue_code_line() -> str:
    """Short hashes of the queue's other files (* = uncommitted changes), to match runs."""
    import hashlib

    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", *QUEUE_FILES],
        cwd=data.ROOT,
        capture_output=True,
        text=True,
    ).stdout
    parts = []
    for name in QUEUE_FILES:
        digest = hashlib.sha256((data.ROOT / name).read_bytes()).hexdigest()[:8]
        parts.append(f"{Path(name).name}{'*' if name in changed else ''} {digest}")
    return "queue files: " + ", ".join(parts)


def report(**r) -> None:
    options, chosen, timings = r["options"], r["chosen"], r["timings"]
    print(f"\nVentanilla queue page benchmark · {data.now_utc():%Y-%m-%d %H:%M} UTC")
    print(data.machine_line(r["database"]))
    print(queue_code_line())
    if r["skipped"]:
        print(f"(packaged definitions not publishable right now: {r['skipped']})")
    table, indexes, event_bytes = r["sizes"]
    print(
        f"cases: {r['cases']:,} (COPY {r['copy_seconds']:.0f} s, with VACUUM ANALYZE "
        f"{r['load_seconds']:.0f} s), events of open cases: {r['events']:,}; cases table "
        f"{table / 2**30:.2f} GiB with TOAST and indexes ({indexes / 2**20:.0f} MiB of "
        f"indexes), events {event_bytes / 2**20:.0f} MiB"
    )
    print("by status: " + ", ".join(f"{s} {n:,}" for s, n in r["statuses"]))
    print(
        "cases each official finds in the office (queries.office_cases): "
        + ", ".join(f"{who} {n:,}" for who, n in r["visible"].items())
    )
    print(
        f"\n`ventanilla serve`, {options.workers} workers, one client on loopback, "
        f"{options.requests} requests per scenario, interleaved; goal p99 < {GOAL_MS:.0f} ms"
    )
    print(
        f"{'scenario':<34} {'rows':>4} {'p50 ms':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'SQL':>4} {'SQL ms':>7} {'in proc':>7}"
    )
    everything = []
    for scenario in chosen:
        values = timings[scenario.name]
        everything += values
        print(
            f"{scenario.name:<34} {r['rows'][scenario.name]:>4} {percentiles(values)} "
            f"{r['sql_count'][scenario.name]:>4} {sql_ms(r['explained'], scenario.name):>7.1f} "
            f"{r['in_process'][scenario.name]:>7.1f}"
        )
    print(f"{'all requests':<34} {'':>4} {percentiles(everything)}")
    worst = max(data.percentile(timings[s.name], 99) for s in chosen)
    p99 = data.percentile(everything, 99)
    print(
        f"→ p99 over all requests {p99:.1f} ms, worst scenario p99 {worst:.1f} ms: "
        f"{'meets' if worst < GOAL_MS else 'misses'} the {GOAL_MS:.0f} ms goal"
    )
    print(
        "  (SQL: queries per request; SQL ms: EXPLAIN ANALYZE execution time of those on the "
        "cases tables, median of 5;\n   in proc: the whole request in process, best of 3; "
        f"{r['load'].line()})"
    )

    if not r.get("candidates"):
        print("\ncandidate indexes: none left to try, the app's migrations build them all")
    if r.get("with_candidates"):
        print("\ncandidate indexes, added one after the other (SQL ms of the cases queries):")
        for n, (django_index, built, _explained) in enumerate(r["with_candidates"], start=1):
            print(f"  I{n}: {django_index}  (built in {built:.1f} s)")
        header = " ".join(f"{'+I' + str(n):>7}" for n in range(1, len(r["with_candidates"]) + 1))
        print(f"{'scenario':<34} {'now':>7} {header}")
        for scenario in chosen:
            after = " ".join(
                f"{sql_ms(explained, scenario.name):>7.1f}"
                for _i, _b, explained in r["with_candidates"]
            )
            print(f"{scenario.name:<34} {sql_ms(r['explained'], scenario.name):>7.1f} {after}")
        after_timings, after_load = r["after"]
        print("\nthe page again with all candidate indexes:")
        print(f"{'scenario':<34} {'p50 ms':>7} {'p95':>7} {'p99':>7} {'max':>7}   before p99")
        everything_after = []
        for scenario in chosen:
            values = after_timings[scenario.name]
            everything_after += values
            print(
                f"{scenario.name:<34} {percentiles(values)}   "
                f"{data.percentile(timings[scenario.name], 99):>7.1f}"
            )
        print(
            f"{'all requests':<34} {percentiles(everything_after)}   {p99:>7.1f}\n"
            f"  ({after_load.line()})"
        )

    print(f"\nwhere the time of one request goes in process ({chosen[0].name}, cProfile):")
    for line in r["profile"]:
        print(f"   {line}")

    print("\nEXPLAIN (ANALYZE, BUFFERS) of the queries on the cases tables, one request each:")
    final = r["with_candidates"][-1][2] if r.get("with_candidates") else None
    for scenario in chosen:
        print(f"\n### {scenario.name}: {scenario.path}")
        for sql, lines, execution in r["explained"][scenario.name]:
            print(f"-- {execution:.2f} ms: {shorten(sql)}")
            for line in lines if options.plans else key_lines(lines):
                print(f"   {line}")
        before, after = sql_ms(r["explained"], scenario.name), sql_ms(final or {}, scenario.name)
        if final and (options.plans or after < 0.7 * before):
            print(f"   with the candidate indexes ({before:.1f} → {after:.1f} ms):")
            for _sql, lines, execution in final[scenario.name]:
                print(f"-- {execution:.2f} ms")
                for line in key_lines(lines):
                    print(f"   {line}")
    print(f"\nwhole run: {r['elapsed']:.0f} s")


KEY = re.compile(r"cases_case|Index|Seq Scan|Sort|Limit|Aggregate|Rows Removed|Execution Time")


def key_lines(lines: list[str], limit: int = 18) -> list[str]:
    """The plan's lines about the cases tables, their indexes, sorting and the time."""
    return [line for line in lines if KEY.search(line)][:limit]


def shorten(sql: str, limit: int = 400) -> str:
    sql = re.sub(r"\s+", " ", sql)
    if len(sql) <= limit:
        return sql
    return sql[: limit // 2] + " … " + sql[-limit // 2 :]


if __name__ == "__main__":
    main()
