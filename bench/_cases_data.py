"""What the case benchmarks share: a scratch database, the five-task procedure
(bench/five_task_process/), its people, one real case through the actions with its steps
timed, and the stored cases cloned from a real one.

Django is configured in the benchmark's own process (``setup_django``) on a scratch data
directory and, with ``DATABASE_URL``, a scratch PostgreSQL database dropped at the end.
"""

from __future__ import annotations

import math
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCESS_FOLDER = ROOT / "bench" / "five_task_process"
SLUG = PROCESS_FOLDER.name
# FINDINGS.md: "Whole case of 5 tasks with 5 save/load cycles: 6–7 ms" (engine only, no
# database), and "~8 KB state per case, ~1.5 KB gzipped".
ENGINE_ONLY_MS = (6.0, 7.0)
FINDINGS_STATE_BYTES = 8 * 1024
# Sequences for the benchmarks' CUIs, far from the demo's, the tests' and sign_in.py's.
CITIZEN_SEQUENCE = 60_000_000
OFFICIAL_SEQUENCE = 69_000_000

# --- Machine and statistics --------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line(database: str) -> str:
    import django

    return (
        f"machine: {os.cpu_count()} cores, {cpu_model()}; Python {platform.python_version()}; "
        f"Django {django.get_version()}; database: {database}\n{code_line()}"
    )


CODE_FILES = [
    "src/ventanilla/cases/actions.py",
    "src/ventanilla/cases/queries.py",
    "src/ventanilla/cases/office_views.py",
    "src/ventanilla/engine/runtime.py",
]


def code_line() -> str:
    """The code measured: the commit, and whether the files that matter most differ from it
    (others work in the same tree), with a short hash of each so that runs can be matched."""
    import hashlib
    import subprocess

    def git(*args) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip()

    changed = set(git("status", "--porcelain", "--", *CODE_FILES).splitlines())
    parts = []
    for name in CODE_FILES:
        digest = hashlib.sha256((ROOT / name).read_bytes()).hexdigest()[:8]
        mark = "*" if any(line.endswith(name) for line in changed) else ""
        parts.append(f"{Path(name).name}{mark} {digest}")
    return (
        f"code: commit {git('rev-parse', '--short', 'HEAD')}; "
        + ", ".join(parts)
        + (" (* = uncommitted changes)" if changed else "")
    )


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL)"


def now_utc() -> datetime:
    return datetime.now(UTC)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat; steal excluded)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    """CPU seconds of this process and of the children it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_server_seconds() -> float:
    """CPU seconds of the PostgreSQL backends connected to our scratch database now (ours
    and the server's); 0 on SQLite, which runs inside the processes already counted."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return sum(process_cpu_seconds(pid) for (pid,) in cursor.fetchall())


class OtherLoad:
    """How much of the machine other processes used while the block ran (as sign_in.py):
    figures taken beside other work move a lot, so the report says so. ``extra_own`` is a
    callable giving CPU seconds of our own that os.times() does not see (a server we did not
    wait for, the PostgreSQL backends serving us)."""

    BUSY = 0.10

    def __init__(self, extra_own=None):
        self.extra_own = extra_own or (lambda: 0.0)

    def __enter__(self):
        self.began = time.perf_counter()
        self.busy, self.own, self.extra = machine_busy_seconds(), own_seconds(), self.extra_own()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.began
        mine = own_seconds() - self.own + self.extra_own() - self.extra
        self.other_cpu = max(0.0, machine_busy_seconds() - self.busy - mine)
        self.share = self.other_cpu / (self.seconds * (os.cpu_count() or 1))

    def line(self) -> str:
        text = (
            f"other processes used {self.other_cpu:.0f} CPU-s meanwhile "
            f"({self.share:.0%} of the machine)"
        )
        if self.share >= self.BUSY:
            text += ": the machine was shared, rerun on an idle machine before quoting"
        return text


# --- Scratch database and Django ---------------------------------------------------------


@contextmanager
def scratch_environment(tag: str, *, require_postgres: bool = False, parent: Path | None = None):
    """A scratch data directory (SQLite inside it; under ``parent``, else the system's
    temporary directory) or, with DATABASE_URL=postgres://…, a scratch database named after
    the URL's (``<name>_<tag>_<pid>``) on the same server; both removed at the end. Yields
    the database URL in use (None for SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    if require_postgres and not url.startswith("postgres"):
        raise SystemExit(
            "this benchmark needs PostgreSQL: DATABASE_URL=postgres://user:pass@host:5432/name"
        )
    # A `kill` or `timeout` still drops the scratch database (gigabytes for queue_p99.py).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"ventanilla-bench-{tag}-", dir=parent))
    os.environ["VENTANILLA_DATA_DIR"] = str(scratch)
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.pop("EMAIL_HOST", None)  # e-mails go to files in the scratch directory
    admin = name = None
    if url.startswith("postgres"):
        import psycopg

        parts = urllib.parse.urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'ventanilla_bench'}_{tag}_{os.getpid()}"
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        yield os.environ.get("DATABASE_URL")
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        try:
            if name:
                import psycopg

                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def setup_django() -> list[str]:
    """Configure Django on the scratch environment, migrate it and load the reference data,
    the packaged procedures and the benchmark's own one. Returns the packaged definitions
    that could not be published (others may be editing them): the benchmarks need only
    their own."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from ventanilla.catalog.reference import load_reference_data
    from ventanilla.engine.actions import DefinitionRejected, publish
    from ventanilla.engine.definitions import load_definition, packaged_definitions

    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    publish(load_definition(PROCESS_FOLDER))
    skipped = []
    for folder in packaged_definitions():
        try:
            publish(load_definition(folder))
        except DefinitionRejected:
            skipped.append(folder.name)
    return skipped


# --- The procedure and its people ---------------------------------------------------------


@dataclass
class People:
    procedure: object
    citizens: list
    reviewer: object  # reviewer in every DIDEDUC
    signer: object  # signer at DIGEACE


def bench_procedure():
    from ventanilla.catalog.models import Procedure
    from ventanilla.core.models import OrgUnit

    procedure, _created = Procedure.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Autorización de funcionamiento de un centro educativo privado (pruebas)",
            "summary": "El procedimiento de cinco pasos de los bancos de pruebas.",
            "who_may_apply": "Propietarios o representantes legales de centros privados.",
            "responsible_unit": OrgUnit.objects.get(code="digeace"),
            "available_online": True,
            "legal_deadline_days": 15,
        },
    )
    return procedure


def make_users(start: int, count: int, **fields) -> list:
    """``count`` accounts with valid CUIs from sequence ``start`` on (no password)."""
    from django.contrib.auth.hashers import make_password

    from ventanilla.core.cui import make_cui, parse_cui
    from ventanilla.identity.models import User

    unusable = make_password(None)
    users, sequence, seen = [], start, set()
    while len(users) < count:
        digits = parse_cui(make_cui(sequence, "01", "01")).digits
        sequence += 10
        if digits in seen:
            continue
        seen.add(digits)
        n = len(users)
        users.append(
            User(
                cui=digits,
                password=unusable,
                first_names=fields.get("first_names", "Persona"),
                last_names=f"{fields.get('last_names', 'Banco')} {n}",
                email=fields.get("email", "").format(n=n),
                is_staff=fields.get("is_staff", False),
            )
        )
    return User.objects.bulk_create(users, batch_size=1000)


def grant(users_units_roles) -> None:
    """Memberships written directly (the benchmark's setup, not what it measures)."""
    from ventanilla.identity.models import Membership

    Membership.objects.bulk_create(
        [Membership(user=u, org_unit=unit, role=role) for u, unit, role in users_units_roles],
        batch_size=1000,
        ignore_conflicts=True,
    )


def dideducs() -> list:
    from ventanilla.core.models import OrgUnit

    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENTAL).order_by("code"))


def prepare_people(citizens: int = 50) -> People:
    from ventanilla.core.models import OrgUnit
    from ventanilla.identity.models import Role

    procedure = bench_procedure()
    people = make_users(
        CITIZEN_SEQUENCE, citizens, first_names="Solicitante", email="persona{n}@example.org"
    )
    reviewer, signer = make_users(OFFICIAL_SEQUENCE, 2, first_names="Funcionario")
    grant([(reviewer, unit, Role.REVIEWER) for unit in dideducs()])
    grant([(signer, OrgUnit.objects.get(code="digeace"), Role.SIGNER)])
    return People(procedure, people, reviewer, signer)


# --- Answers ------------------------------------------------------------------------------

DEPARTMENTS = [f"{n:02d}" for n in range(1, 23)]

_SENTENCES = [
    "Se revisó la certificación municipal de ubicación y coincide con la dirección declarada.",
    "El contrato de arrendamiento está vigente y cubre el plazo de la autorización.",
    "El plan de mitigación de riesgos identifica rutas de evacuación y puntos de reunión.",
    "Los planos muestran aulas con ventilación natural y servicios sanitarios separados.",
    "La certificación sanitaria del inmueble fue emitida por el centro de salud del municipio.",
    "El representante legal presentó su documento personal de identificación y antecedentes.",
    "Las aulas del segundo nivel tienen barandas a la altura que pide el reglamento.",
    "El patio tiene superficie suficiente para el número de estudiantes previsto.",
]


# Words for the rest of a long answer, drawn at random: text that compresses about as well
# as people's writing (deflate: ~0.47 of its size at 2,000 characters), where repeating the
# sentences above would compress three times better and flatter the database's TOAST.
_WORDS = """
    a abandonos abra abrir acreditan al altura amplíe ante antecedentes antes apostilla
    aprobado arrendamiento asigna asignación aspiran aulas autentica autenticar
    autenticarlos autorización autorizadas barandas básico cada cambia cambiar cambie
    carrera carreras central centro centros cerrar certificación certificado certificados
    ciclo ciclos cierre cobrar coincide como comprobar comunicación con constancia
    contrato convoca cuadros cualquier cubre cuotas cursando cursos código de debe decide
    declarada del departamental departamentales después digeace diploma diplomas
    direcciones dirección director diversificado docente docentes documento documentos
    donde dueña educación educativo egresados el embajadas emiten emitida empleadores en
    encargado enseñanza es eso esos estaba este estrategias estudiando estudiante
    estudiantes estudio estudios estudió está evacuación exteriores extiende extranjero
    finales firma fue funcionamiento gestión grado grados graduando guatemala guatemalteco
    guía haber hechos hija hijo identifica identificación igual ingresa ingreso inmueble
    inscribir inscripción inscrito instalaciones interesados interés jornada jurada jurado
    jurados la las le legal lo los línea madre maestras maestros matemáticas medio
    migrantes mineduc ministerio mitigación muestran municipal municipio nacimiento
    nacional natural necesita necesitan nivel niveles nombre notas nueva número o
    obligatoria obtener ocupar ocurren oficial oposición optan otro padre para paso patio
    país pedirlo permiso persona personal personas pide piden plan planos planta plaza
    plazas plazo por portal preprimaria presentó previo previsto primaria primer privado
    privados proceso propia propietaria propietario propio prueba puede pueden puesto
    puntos público que queda quien razonamiento recibe reconoce refugiadas registra
    registrado registro reglamento reingreso relaciones renap representante reunión
    revalide revisó riesgos ruce rutas salud sanitaria sanitarios se sector sede seguir
    segundo según selección separados ser servicios si siguiente sire sirve sistema sola
    solo su suelen suficiente superficie sus también tcep tenga tiempo tiene tienen
    traducción traductor traductoras traductores tramitarlos traslados trámite tutor
    título títulos ubicación un una universidades usar usted va ventilación vez vigente
    voluntad válido y último único
""".split()


def prose(length: int, seed: int = 0) -> str:
    """Spanish text of exactly ``length`` characters: one realistic sentence, then
    sentences of random words from a realistic vocabulary."""
    rng = random.Random(seed)
    parts = [_SENTENCES[seed % len(_SENTENCES)]]
    while sum(len(p) + 1 for p in parts) < length:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 18))]
        parts.append(" ".join([words[0].capitalize(), *words[1:]]) + ".")
    text = " ".join(parts)[: length - 1].rstrip(" .") + "."
    return text.ljust(length, ".")


def answers_for(n: int, *, long_text: int = 0) -> dict[str, dict]:
    """The five steps' answers for case ``n``. Typical: free texts of 100–250 characters (what
    an official writes); ``long_text``: every official's free text that long (2,000 is the
    forms' maxLength) and the applicant's levels 500."""

    def free(typical: int, seed: int) -> str:
        return prose(long_text or typical, seed + n)

    return {
        "solicitud": {
            "nombre_centro": f"Colegio Mixto Bilingüe Nuevo Amanecer {n}",
            "calidad": "propietario" if n % 3 else "representante_legal",
            "departamento": DEPARTMENTS[n % len(DEPARTMENTS)],
            "municipio": "San Juan Sacatepéquez",
            "direccion": "4a. avenida 12-35, zona 1, colonia El Milagro",
            "inmueble": "arrendado" if n % 2 else "propio",
            "niveles": prose(500, n)
            if long_text
            else "Preprimaria, primaria y ciclo básico, jornada matutina",
            "telefono": "2434 5678",
        },
        "revision": {"dictamen": "completo", "observaciones": free(150, 1)},
        "correccion": {"respuesta": free(120, 5)},
        "inspeccion": {"resultado_inspeccion": "favorable", "informe_inspeccion": free(250, 2)},
        "dictamen": {"recomendacion": "autorizar", "dictamen_tecnico": free(250, 3)},
        "resolucion": {"resolucion": "autorizar", "observaciones": free(120, 4)},
    }


# --- One real case, step by step ------------------------------------------------------------


@dataclass
class Snapshot:
    """The case's row and events after a step, to clone stored cases from."""

    after: str
    row: dict
    events: list[dict] = field(default_factory=list)


STEPS = [  # (name, who) on the usual path
    ("start_case", "citizen"),
    ("solicitud", "citizen"),
    ("claim reviewer", "reviewer"),
    ("revision", "reviewer"),
    ("inspeccion", "reviewer"),
    ("dictamen", "reviewer"),
    ("claim signer", "signer"),
    ("resolucion", "signer"),
]
CORRECTION_STEPS = [  # one correction round, then the usual path
    ("start_case", "citizen"),
    ("solicitud", "citizen"),
    ("claim reviewer", "reviewer"),
    ("revision:corregir", "reviewer"),
    ("correccion", "citizen"),
    ("claim reviewer", "reviewer"),
    ("revision", "reviewer"),
    ("inspeccion", "reviewer"),
    ("dictamen", "reviewer"),
    ("claim signer", "signer"),
    ("resolucion", "signer"),
]


def run_case(
    people: People,
    citizen,
    answers: dict[str, dict],
    *,
    steps=STEPS,
    timings: dict[str, list[float]] | None = None,
    snapshots: list[Snapshot] | None = None,
    after_step=None,
):
    """Take one case through ``steps`` with the real actions (each its own transaction,
    with its row lock, its event and, on submission, its tracking number)."""
    from ventanilla.cases import actions

    who = {"citizen": citizen, "reviewer": people.reviewer, "signer": people.signer}
    case = None
    for step, role in steps:
        actor = who[role]
        began = time.perf_counter()
        if step == "start_case":
            case = actions.start_case(people.procedure, applicant=citizen, actor=actor)
        elif step.startswith("claim"):
            actions.claim(case.pk, actor)
        else:
            task, _sep, choice = step.partition(":")
            given = dict(answers[task])
            if choice:
                given = {"dictamen": choice, "observaciones": answers["revision"]["observaciones"]}
            case = actions.complete_task(case.pk, task, given, actor=actor)
        if timings is not None:
            timings[step].append((time.perf_counter() - began) * 1000)
        if snapshots is not None:
            snapshots.append(snapshot(case.pk, step))
        if after_step is not None:
            after_step(step)
    return case


def snapshot(case_id: int, after: str) -> Snapshot:
    from django.forms.models import model_to_dict

    from ventanilla.cases.models import Case

    case = Case.objects.get(pk=case_id)
    row = model_to_dict(case)
    row.update(
        state=case.state,  # not editable, so model_to_dict leaves it out
        created_at=case.created_at,
        submitted_at=case.submitted_at,
        decided_at=case.decided_at,
        next_timer_at=case.next_timer_at,
        escalated_at=case.escalated_at,
    )
    events = [
        {
            "kind": e.kind,
            "actor_id": e.actor_id,
            "on_behalf_of_id": e.on_behalf_of_id,
            "task": e.task,
            "before": e.before,
            "after": e.after,
            "offset": (e.at - case.created_at).total_seconds(),
        }
        for e in case.events.order_by("at", "id")
    ]
    return Snapshot(after, row, events)


def reference_case(people: People, answers: dict[str, dict]) -> dict[str, Snapshot]:
    """One real case along the usual path, and its row and events after every step."""
    snapshots: list[Snapshot] = []
    run_case(people, people.citizens[0], answers, snapshots=snapshots)
    return {s.after: s for s in snapshots}


def new_timings() -> dict[str, list[float]]:
    return defaultdict(list)


# --- Stored cases, cloned from the real one -----------------------------------------------


def clone_row(template: Snapshot, *, n: int, year: int, created: datetime, **overrides) -> dict:
    """A Case row like ``template``'s, moved in time, with its own tracking number."""
    row = dict(template.row)
    shift = created - row["created_at"]
    for name in ("submitted_at", "decided_at"):
        if row[name] is not None:
            row[name] = row[name] + shift
    if row["due_date"] is not None:
        row["due_date"] = row["due_date"] + timedelta(days=shift.days)
    if row["paused_since"] is not None:
        row["paused_since"] = row["paused_since"] + timedelta(days=shift.days)
    row["created_at"] = created
    if row["tracking_number"]:
        prefix = row["tracking_number"].split("-", 1)[0]
        row["tracking_number"] = f"{prefix}-{year}-{n:06d}"
    row.update(overrides)
    return row


def bulk_store_cases(
    snapshots: dict[str, Snapshot],
    count: int,
    *,
    applicants: list,
    open_share: float = 0.05,
    with_events: bool = True,
    seed: int = 1,
) -> tuple[int, int]:
    """``count`` stored cases with bulk_create: ``1 - open_share`` finished (the reference
    case's final row, state and eight events), the rest waiting for the DIDEDUC's review
    (its row, state and events after submission), spread over the last four years. Returns
    (cases, events) written."""
    from django.db import transaction

    from ventanilla.cases.models import Case, CaseEvent, TrackingCounter

    rng = random.Random(seed)
    finished, waiting = snapshots["resolucion"], snapshots["solicitud"]
    now = datetime.now(UTC)
    case_fields = {f.attname for f in Case._meta.concrete_fields} - {"id"}
    batch = 2000
    written_cases = written_events = 0
    last: dict[int, int] = defaultdict(int)  # tracking numbers given, per year
    last.update(TrackingCounter.objects.values_list("year", "last"))
    for start in range(0, count, batch):
        rows, templates = [], []
        for n in range(start, min(count, start + batch)):
            template = waiting if rng.random() < open_share else finished
            days = rng.uniform(1, 4 * 365) if template is finished else rng.uniform(0, 20)
            created = now - timedelta(days=days)
            last[created.year] += 1
            row = clone_row(template, n=last[created.year], year=created.year, created=created)
            row["applicant"] = row["started_by"] = applicants[n % len(applicants)].pk
            values = {
                name: row.get(name.removesuffix("_id"), row.get(name)) for name in case_fields
            }
            rows.append(Case(**values))
            templates.append(template)
        with transaction.atomic():
            created_cases = Case.objects.bulk_create(rows, batch_size=500)
            written_cases += len(created_cases)
            if with_events:
                events = [
                    CaseEvent(
                        case_id=case.pk,
                        kind=e["kind"],
                        actor_id=case.applicant_id
                        if e["actor_id"] == template.row["applicant"]
                        else e["actor_id"],
                        on_behalf_of_id=e["on_behalf_of_id"],
                        task=e["task"],
                        before=e["before"],
                        after=e["after"],
                        at=case.created_at + timedelta(seconds=e["offset"]),
                    )
                    for case, template in zip(created_cases, templates, strict=True)
                    for e in template.events
                ]
                written_events += len(CaseEvent.objects.bulk_create(events, batch_size=1000))
    set_tracking_counters(last)
    return written_cases, written_events


def set_tracking_counters(last: dict[int, int]) -> None:
    """New cases go on from the stored ones' numbers, as on a real server."""
    from django.conf import settings

    from ventanilla.cases.models import TrackingCounter

    prefix = settings.VENTANILLA["INSTITUTION_SHORT_NAME"]
    for year, number in last.items():
        TrackingCounter.objects.update_or_create(
            prefix=prefix, year=year, defaults={"last": number}
        )
