"""Sign-in throughput with the chosen Argon2 parameters, and their cost per login in ms.

    .venv/bin/python bench/sign_in.py

1. The password hasher the settings choose (the first of PASSWORD_HASHERS, Django's
   Argon2PasswordHasher): its parameters, read from the hasher, and the cost of one verify
   (wall and CPU time), which is the cost of one login.
2. The ceiling: verifies per second with 1 and with 2 processes, pure hashing, no web.
3. End to end: a scratch data directory prepared by `ventanilla demo --no-serve`, K accounts
   with known passwords, `ventanilla serve` (gunicorn, 2 sync workers) on loopback, and N
   client threads doing GET /cuenta/entrar/ → POST CUI, password and CSRF token → 302 to
   /cuenta/. Then the same flow with a wrong password (at most 4 failures per CUI, under
   django-axes's limit of 5) and with unknown CUIs (one attempt each), which Django also
   hashes so that a failure takes as long whether or not the account exists.
4. For comparison, the cost per verify and the 2-process ceiling of OWASP's Argon2id
   recommendations (m=19 MiB, t=2, p=1 and m=46 MiB, t=1, p=1).

Prints the figures against the ceiling and writes bench/results/sign_in-<date>.json.
Bounded: about 1.5 minutes on 2 cores with the defaults.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENTANILLA = str(Path(sys.executable).with_name("ventanilla"))
RESULTS = ROOT / "bench" / "results"

PASSWORD = "una frase larga para medir"  # noqa: S105 - the benchmark's own accounts
WRONG_PASSWORD = "otra frase que no es la suya"  # noqa: S105
SIGN_IN = "/cuenta/entrar/"
ACCOUNT = "/cuenta/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_SUMMARY = "govuk-error-summary"  # the refused form, in any language
AXES_LIMIT = 5
# Sequences for the benchmark's CUIs, far from the demo's (10000001…) and the tests'.
ACCOUNT_SEQUENCE = 81_000_000
UNKNOWN_SEQUENCE = 91_000_000
# Compared on every run: Django's defaults (the baseline before identity/hashers.py) and
# OWASP's two Argon2id recommendations (the first is what identity/hashers.py uses).
OWASP = [
    ("Django default m=100 MiB, t=2, p=8 (baseline)", 2, 100 * 1024, 8),
    ("OWASP m=19 MiB, t=2, p=1", 2, 19 * 1024, 1),
    ("OWASP m=46 MiB, t=1, p=1", 1, 46 * 1024, 1),
]
SIMILAR = 0.15  # failures within 15 % of each other count as "similar"
BUSY = 0.10  # other processes using more than 10 % of the machine make the figures suspect


# --- Hashing, in this process ------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def configure_django(data_dir: Path) -> None:
    os.environ["VENTANILLA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()


def _verifier(kind: str, encoded: str):
    """A no-argument callable verifying PASSWORD against ``encoded``: through the Django
    hasher chosen by the settings (``django``) or argon2-cffi directly (``argon2``)."""
    if kind == "django":
        from django.contrib.auth.hashers import get_hasher

        hasher = get_hasher("default")
        return lambda: hasher.verify(PASSWORD, encoded)
    import argon2

    hasher = argon2.PasswordHasher()
    return lambda: hasher.verify(encoded, PASSWORD)


def time_calls(call, samples: int, max_seconds: float) -> tuple[list[float], list[float], float]:
    """Wall and CPU milliseconds of ``samples`` calls (fewer if ``max_seconds`` run out),
    after one warm-up call, and the minor page faults per call. CPU time counts every thread
    of this process, so CPU > wall means the hash used more than one core; a fault per 4 KiB
    of memory_cost means the memory is mapped afresh (and zeroed by the kernel) every time."""
    assert call()
    walls, cpus = [], []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    deadline = time.perf_counter() + max_seconds
    for _ in range(samples):
        if walls and time.perf_counter() > deadline:
            break
        wall, cpu = time.perf_counter(), time.process_time()
        assert call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return walls, cpus, faults / len(walls)


def _verify_loop(kind: str, encoded: str, start_at: float, seconds: float) -> float:
    """Verifies per second in one process over ``seconds``, starting at ``start_at``."""
    verify = _verifier(kind, encoded)
    while time.time() < start_at:
        time.sleep(0.005)
    count, begin = 0, time.perf_counter()
    while time.perf_counter() - begin < seconds:
        verify()
        count += 1
    return count / (time.perf_counter() - begin)


def hashing_ceiling(kind: str, encoded: str, processes: int, seconds: float) -> float:
    """Verifies per second with ``processes`` processes hashing at once (fork: the children
    inherit the configured settings)."""
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        start_at = time.time() + 0.5
        rates = pool.starmap(
            _verify_loop, [(kind, encoded, start_at, seconds)] * processes, chunksize=1
        )
    return sum(rates)


@dataclass
class HashCost:
    label: str
    variant: str
    time_cost: int
    memory_cost_kib: int
    parallelism: int
    samples: int
    verify_p50_ms: float
    verify_p95_ms: float
    verify_cpu_p50_ms: float
    page_faults_per_verify: float
    verifies_per_second_1_process: float | None
    verifies_per_second_2_processes: float


def measure_hasher(samples: int, seconds: float) -> tuple[dict, HashCost, list[float]]:
    """The chosen hasher's parameters and cost, and the wall ms of ``make_password`` (what an
    unknown CUI costs)."""
    from django.conf import settings
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password

    hasher = get_hasher("default")
    if hasher.algorithm != "argon2":
        raise SystemExit(f"the first password hasher is {hasher.algorithm}, not argon2")
    params = hasher.params()
    variant = params.type.name.lower()
    info = {
        "class": settings.PASSWORD_HASHERS[0],
        "algorithm": hasher.algorithm,
        "variant": f"argon2{variant}",
        "version": params.version,
        "time_cost": params.time_cost,
        "memory_cost_kib": params.memory_cost,
        "parallelism": params.parallelism,
        "hash_len": params.hash_len,
    }
    encoded = hasher.encode(PASSWORD, hasher.salt())
    walls, cpus, faults = time_calls(_verifier("django", encoded), samples, 12.0)
    encodes, _, _ = time_calls(lambda: make_password(PASSWORD), max(5, samples // 5), 3.0)
    cost = HashCost(
        label="Django default (in use)" if type(hasher) is Argon2PasswordHasher else "in use",
        variant=info["variant"],
        time_cost=params.time_cost,
        memory_cost_kib=params.memory_cost,
        parallelism=params.parallelism,
        samples=len(walls),
        verify_p50_ms=statistics.median(walls),
        verify_p95_ms=percentile(walls, 95),
        verify_cpu_p50_ms=statistics.median(cpus),
        page_faults_per_verify=faults,
        verifies_per_second_1_process=hashing_ceiling("django", encoded, 1, seconds),
        verifies_per_second_2_processes=hashing_ceiling("django", encoded, 2, seconds),
    )
    return info, cost, encodes


def measure_alternatives(samples: int, seconds: float) -> list[HashCost]:
    import argon2

    costs = []
    for label, time_cost, memory_cost, parallelism in OWASP:
        hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.low_level.Type.ID,
        )
        encoded = hasher.hash(PASSWORD)
        walls, cpus, faults = time_calls(_verifier("argon2", encoded), samples, 3.0)
        costs.append(
            HashCost(
                label=label,
                variant="argon2id",
                time_cost=time_cost,
                memory_cost_kib=memory_cost,
                parallelism=parallelism,
                samples=len(walls),
                verify_p50_ms=statistics.median(walls),
                verify_p95_ms=percentile(walls, 95),
                verify_cpu_p50_ms=statistics.median(cpus),
                page_faults_per_verify=faults,
                verifies_per_second_1_process=None,
                verifies_per_second_2_processes=hashing_ceiling("argon2", encoded, 2, seconds),
            )
        )
    return costs


# --- Accounts, in a Django process on the scratch database --------------------------------


def create_accounts(cuis: list[str], password: str) -> int:
    """Create one account per CUI with ``password``, hashed by the configured hasher on every
    core; run inside a configured Django process."""
    from concurrent.futures import ProcessPoolExecutor

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from ventanilla.identity.models import User

    context = multiprocessing.get_context("fork")  # no connection is open yet
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=context) as pool:
        encoded = list(pool.map(make_password, [password] * len(cuis)))
    with transaction.atomic():
        for n, (cui, hashed) in enumerate(zip(cuis, encoded, strict=True)):
            User(cui=cui, password=hashed, first_names="Prueba", last_names=f"Banco {n}").save()
    return User.objects.filter(cui__in=cuis).count()


def benchmark_cuis(start: int, count: int) -> list[str]:
    """``count`` distinct valid CUIs (make_cui skips a sequence whose check digit is 10)."""
    from ventanilla.core.cui import make_cui, parse_cui

    cuis: list[str] = []
    sequence = start
    while len(cuis) < count:
        cui = make_cui(sequence, "01", "01")
        if cui not in cuis:
            cuis.append(parse_cui(cui).digits)
        sequence += 10
    return cuis


def prepare_server_data(env: dict[str, str], cuis: list[str]) -> None:
    subprocess.run(
        [VENTANILLA, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    code = (
        "import django, json, sys; django.setup();"
        "from bench.sign_in import create_accounts;"
        "print(create_accounts(json.loads(sys.argv[1]), sys.argv[2]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(cuis), PASSWORD],
        env={**env, "DJANGO_SETTINGS_MODULE": "ventanilla.settings", "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    )
    created = int(out.stdout.strip().splitlines()[-1])
    if created != len(cuis):
        raise SystemExit(f"created {created} accounts, expected {len(cuis)}")


# --- The server and its clients -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat; steal excluded)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    """CPU seconds of this process and of the children it has waited for (the servers,
    their workers, the hashing pools, `ventanilla demo`)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        try:
            status, _, _ = http_request(port, "GET", "/salud/", cookies={})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server did not start:\n{log.read_text()}")


def http_request(
    port: int, method: str, path: str, cookies: dict[str, str], body: str | None = None
) -> tuple[int, str | None, str]:
    """One request on a new connection (gunicorn's sync workers close it anyway); keeps the
    cookies the server sets. Returns status, Location and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response.status, response.getheader("Location"), text
    finally:
        connection.close()


@dataclass
class Attempt:
    outcome: str  # signed_in, refused, locked, error
    get_ms: float
    post_ms: float
    flow_ms: float


def sign_in(port: int, cui: str, password: str) -> Attempt:
    """GET the form (CSRF cookie and token), POST the credentials, classify the answer."""
    cookies: dict[str, str] = {}
    start = time.perf_counter()
    status, _, html = http_request(port, "GET", SIGN_IN, cookies)
    got = time.perf_counter()
    token = CSRF_INPUT.search(html)
    if status != 200 or not token:
        return Attempt("error", (got - start) * 1000, 0.0, (got - start) * 1000)
    body = urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": cui, "password": password, "next": ""}
    )
    status, location, html = http_request(port, "POST", SIGN_IN, cookies, body)
    done = time.perf_counter()
    if status == 302 and location == ACCOUNT and "sessionid" in cookies:
        outcome = "signed_in"
    elif status == 200 and ERROR_SUMMARY in html:
        outcome = "refused"
    elif status == 429:
        outcome = "locked"
    else:
        outcome = "error"
    return Attempt(outcome, (got - start) * 1000, (done - got) * 1000, (done - start) * 1000)


@dataclass
class Scenario:
    name: str
    expected: str
    run: str  # the load run it was part of: failures are interleaved in one run
    clients: int
    attempts: int
    as_expected: int
    outcomes: dict[str, int]
    seconds: float
    flows_per_second: float  # flows/s of this kind during the run
    run_flows_per_second: float  # flows/s of every kind in the run
    post_p50_ms: float
    post_p95_ms: float
    post_p99_ms: float
    flow_p50_ms: float
    get_p50_ms: float
    ratio_to_ceiling: float = 0.0


def run_load(
    run: str,
    port: int,
    jobs: list[tuple[str, str, str, str]],
    clients: int,
    max_seconds: float,
) -> list[Scenario]:
    """``clients`` threads share the jobs (kind, CUI, password, expected outcome) until none
    is left or time is up; one Scenario per kind, in the order the kinds first appear."""
    queue, lock, attempts = deque(jobs), threading.Lock(), []
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                kind, cui, password, _ = queue.popleft()
            try:
                attempts.append((kind, sign_in(port, cui, password)))
            except OSError:
                attempts.append((kind, Attempt("error", 0.0, 0.0, 0.0)))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    expected = {kind: outcome for kind, _, _, outcome in jobs}
    return [
        summarise(kind, expected[kind], run, clients, seconds, len(attempts), done)
        for kind in expected
        for done in [[a for k, a in attempts if k == kind]]
    ]


def summarise(
    name: str, expected: str, run: str, clients: int, seconds: float, total: int, attempts
) -> Scenario:
    timed = [a for a in attempts if a.post_ms] or [Attempt("error", 0.0, 0.0, 0.0)]
    posts = [a.post_ms for a in timed]
    outcomes = Counter(a.outcome for a in attempts)
    return Scenario(
        name=name,
        expected=expected,
        run=run,
        clients=clients,
        attempts=len(attempts),
        as_expected=outcomes[expected],
        outcomes=dict(outcomes),
        seconds=seconds,
        flows_per_second=len(attempts) / seconds,
        run_flows_per_second=total / seconds,
        post_p50_ms=statistics.median(posts),
        post_p95_ms=percentile(posts, 95),
        post_p99_ms=percentile(posts, 99),
        flow_p50_ms=statistics.median(a.flow_ms for a in timed),
        get_p50_ms=statistics.median(a.get_ms for a in timed),
    )


def end_to_end(options, env: dict[str, str], scratch: Path) -> list[Scenario]:
    from ventanilla.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    accounts = benchmark_cuis(ACCOUNT_SEQUENCE, options.accounts)
    unknown = benchmark_cuis(UNKNOWN_SEQUENCE, options.failures)
    prepare_server_data(env, accounts)
    port, log_path = free_port(), scratch / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                VENTANILLA,
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.workers),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(port, server, log_path)
            # Warm-up (templates, connections) with the demo citizen, discarded.
            citizen = DEMO_ACCOUNTS[2][1]
            warm_up = [("warm-up", citizen, DEMO_PASSWORD, "signed_in")] * 4
            run_load("warm-up", port, warm_up, options.clients, 20)
            right = [
                ("right password", accounts[n % len(accounts)], PASSWORD, "signed_in")
                for n in range(options.signins)
            ]
            # Each CUI's failures stay under django-axes's limit: the right-password run has
            # just reset every counter (AXES_RESET_ON_SUCCESS). Wrong passwords and unknown
            # CUIs alternate in one run, so that both meet the same conditions.
            rounds = min(AXES_LIMIT - 1, math.ceil(options.failures / len(accounts)))
            wrong = [cui for _ in range(rounds) for cui in accounts][: options.failures]
            failures = [
                job
                for known, nobody in zip(wrong, unknown, strict=False)
                for job in [
                    ("wrong password", known, WRONG_PASSWORD, "refused"),
                    ("unknown CUI", nobody, PASSWORD, "refused"),
                ]
            ]
            remaining = options.deadline - time.perf_counter() - 3.0
            signed_in = run_load(
                "right password",
                port,
                right,
                options.clients,
                max(3.0, min(options.max_seconds, remaining - options.failure_seconds)),
            )
            remaining = options.deadline - time.perf_counter() - 3.0
            refused = run_load(
                "failures, interleaved",
                port,
                failures,
                options.clients,
                max(3.0, min(options.failure_seconds, remaining)),
            )
            return signed_in + refused
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


# --- Report -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verifies", type=int, default=50, help="verifies timed, in process")
    parser.add_argument("--ceiling-seconds", type=float, default=2.5)
    parser.add_argument("--accounts", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--signins", type=int, default=200, help="right-password sign-ins")
    parser.add_argument("--max-seconds", type=float, default=25.0)
    parser.add_argument("--failures", type=int, default=60, help="of each kind")
    parser.add_argument("--failure-seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--budget", type=float, default=110.0, help="seconds for the whole run")
    options = parser.parse_args()
    options.failures = min(options.failures, (AXES_LIMIT - 1) * options.accounts)

    began = time.perf_counter()
    options.deadline = began + options.budget
    busy_before, own_before = machine_busy_seconds(), own_seconds()
    scratch = Path(tempfile.mkdtemp(prefix="ventanilla-bench-signin-"))
    env = {**os.environ, "VENTANILLA_DATA_DIR": str(scratch), "DJANGO_DEBUG": "0"}
    env.pop("DATABASE_URL", None)  # a scratch SQLite database
    os.environ.pop("DATABASE_URL", None)
    try:
        configure_django(scratch)
        print("timing the hasher…", flush=True)
        hasher, cost, encodes = measure_hasher(options.verifies, options.ceiling_seconds)
        alternatives = measure_alternatives(max(10, options.verifies // 2), options.ceiling_seconds)
        print("preparing the server and its accounts…", flush=True)
        scenarios = end_to_end(options, env, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.perf_counter() - began
    others = (machine_busy_seconds() - busy_before) - (own_seconds() - own_before)
    load = {
        "other_cpu_seconds": round(max(0.0, others), 1),
        "share_of_machine": round(max(0.0, others) / (elapsed * (os.cpu_count() or 1)), 3),
    }
    for scenario in scenarios:
        # Every flow of every kind hashes once: the run's rate is what compares.
        scenario.ratio_to_ceiling = (
            scenario.run_flows_per_second / cost.verifies_per_second_2_processes
        )
    report(options, hasher, cost, encodes, alternatives, scenarios, elapsed, load)


def report(options, hasher, cost, encodes, alternatives, scenarios, elapsed, load) -> None:
    import django

    now = datetime.now(UTC)
    right, wrong, nobody = scenarios
    ceiling = cost.verifies_per_second_2_processes
    print(f"\nVentanilla sign-in benchmark · {now:%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}; Python {platform.python_version()}; "
        f"Django {django.get_version()}; argon2-cffi {version('argon2-cffi')}"
    )
    print(
        f"hasher: {hasher['class']} (first of PASSWORD_HASHERS): {hasher['variant']} "
        f"v{hasher['version']}, time_cost {hasher['time_cost']}, memory_cost "
        f"{hasher['memory_cost_kib']} KiB ({hasher['memory_cost_kib'] / 1024:.0f} MiB), "
        f"parallelism {hasher['parallelism']}\n"
    )
    print(
        f"cost per login (one verify, {cost.samples} in a row): p50 {cost.verify_p50_ms:.1f} ms, "
        f"p95 {cost.verify_p95_ms:.1f} ms, CPU {cost.verify_cpu_p50_ms:.1f} ms "
        f"(CPU/wall {cost.verify_cpu_p50_ms / cost.verify_p50_ms:.2f}), "
        f"{cost.page_faults_per_verify:.0f} page faults"
    )
    print(
        f"unknown CUI (make_password, {len(encodes)} in a row): "
        f"p50 {statistics.median(encodes):.1f} ms"
    )
    print(
        f"ceiling, pure hashing, no web: {cost.verifies_per_second_1_process:.1f} verifies/s "
        f"with 1 process, {ceiling:.1f} with 2 (baseline for the figures below)\n"
    )
    print(
        f"end to end: `ventanilla serve`, {options.workers} sync workers, SQLite, "
        f"{options.clients} client threads on the same cores, {options.accounts} accounts"
    )
    print(
        f"{'scenario':<16} {'attempts':>8} {'expected':>8} {'flows/s':>8} {'POST p50':>9} "
        f"{'p95':>7} {'p99':>7} {'flow p50':>9} {'GET p50':>8} {'vs ceiling':>10}"
    )
    for s in scenarios:
        print(
            f"{s.name:<16} {s.attempts:>8} {s.as_expected:>8} {s.run_flows_per_second:>8.2f} "
            f"{s.post_p50_ms:>9.1f} {s.post_p95_ms:>7.1f} {s.post_p99_ms:>7.1f} "
            f"{s.flow_p50_ms:>9.1f} {s.get_p50_ms:>8.1f} {s.ratio_to_ceiling:>10.2f}"
        )
    print(
        "  (ms; 'expected': signed in for the right password, refused for the others; wrong\n"
        "   passwords and unknown CUIs alternate in one run, whose flows/s cover both kinds;\n"
        "   a flow is GET form + POST, and hashes once)"
    )

    def gap(a: Scenario, b: Scenario) -> float:
        return (a.post_p50_ms - b.post_p50_ms) / b.post_p50_ms

    print(
        f"\nfailed paths: wrong password {gap(wrong, right):+.0%} vs right password, "
        f"unknown CUI {gap(nobody, wrong):+.0%} vs wrong password (POST p50)"
    )
    print("\nparameters compared, same machine:")
    print(
        f"{'parameters':<26} {'t':>2} {'m KiB':>7} {'p':>2} {'verify p50':>10} {'p95':>7} "
        f"{'CPU p50':>8} {'faults':>7} {'2-proc verifies/s':>17}"
    )
    for c in [cost, *alternatives]:
        print(
            f"{c.label:<26} {c.time_cost:>2} {c.memory_cost_kib:>7} {c.parallelism:>2} "
            f"{c.verify_p50_ms:>10.1f} {c.verify_p95_ms:>7.1f} {c.verify_cpu_p50_ms:>8.1f} "
            f"{c.page_faults_per_verify:>7.0f} {c.verifies_per_second_2_processes:>17.1f}"
        )
    checks = {
        "every right-password sign-in reached /cuenta/": right.as_expected == right.attempts,
        "every wrong password and unknown CUI refused": wrong.as_expected == wrong.attempts
        and nobody.as_expected == nobody.attempts,
        "no CUI locked": all("locked" not in s.outcomes for s in scenarios),
        f"unknown CUI within {SIMILAR:.0%} of wrong password": abs(gap(nobody, wrong)) <= SIMILAR,
        f"other processes used under {BUSY:.0%} of the machine": load["share_of_machine"] < BUSY,
    }
    print()
    for check, met in checks.items():
        print(f"  {'PASS' if met else 'FAIL'}  {check}")
    print(
        f"\nwhole run: {elapsed:.0f} s; other processes used {load['other_cpu_seconds']:.0f} "
        f"CPU-s meanwhile ({load['share_of_machine']:.0%} of the machine)"
    )
    if load["share_of_machine"] >= BUSY:
        print("  the machine was shared: rerun on an idle machine before quoting these figures")

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"sign_in-{now:%Y-%m-%d}.json"
    path.write_text(
        json.dumps(
            {
                "date": now.isoformat(timespec="seconds"),
                "machine": {
                    "cores": os.cpu_count(),
                    "cpu": cpu_model(),
                    "python": platform.python_version(),
                    "django": django.get_version(),
                    "argon2_cffi": version("argon2-cffi"),
                    "platform": platform.platform(),
                },
                "hasher": hasher,
                "per_login": {
                    **asdict(cost),
                    "make_password_p50_ms": statistics.median(encodes),
                    "make_password_samples": len(encodes),
                },
                "ceiling_verifies_per_second": {
                    "1_process": cost.verifies_per_second_1_process,
                    "2_processes": ceiling,
                },
                "end_to_end": {
                    "server": "ventanilla serve (gunicorn sync), SQLite",
                    "workers": options.workers,
                    "clients": options.clients,
                    "accounts": options.accounts,
                    "scenarios": [asdict(s) for s in scenarios],
                },
                "alternatives": [asdict(c) for c in alternatives],
                "checks": checks,
                "elapsed_s": round(elapsed, 1),
                "other_load": load,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
