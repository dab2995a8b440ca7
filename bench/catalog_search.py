"""Catalogue search and detail pages under the production server, against the framework's
ceiling, at concurrency 50.

    .venv/bin/python bench/catalog_search.py                      # SQLite
    .venv/bin/python bench/catalog_search.py --database postgres  # needs DATABASE_URL

Loads the reference data plus 5,000 synthetic procedures into a scratch database, starts
`ventanilla serve` (gunicorn) and, with the same settings, middleware and worker count, a
second gunicorn whose only view returns "ok" (the ceiling). Load comes from wrk on loopback.
Prints requests/s, p50 and p99 per scenario, the ratio to the ceiling and the goals:
search p99 under 50 ms and at least half the ceiling's throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENTANILLA = str(Path(sys.executable).with_name("ventanilla"))
RESULTS = ROOT / "bench" / "results"

SEARCHES = [
    "inscripcion",
    "inscripción",
    "certificados",
    "certificación de estudios",
    "titulo",
    "títulos",
    "diploma",
    "equiparacion",
    "autorizacion centro",
    "renovación de beca",
    "constancia de notas",
    "registro docente",
    "traslado",
    "cuotas",
    "sede",
    "extranjero",
    "reposición de título",
    "educación bilingüe",
    "jornada nivel medio",
    "zzzqqq sin resultado",
]
GOAL_P99_MS = 50.0
GOAL_RATIO = 0.5


@dataclass
class Result:
    scenario: str
    concurrency: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def prepare_database(env: dict[str, str], count: int) -> int:
    subprocess.run([VENTANILLA, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [VENTANILLA, "load_reference_data"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    code = (
        "import django, sys; django.setup();"
        "from bench.loader import load; print(load(int(sys.argv[1])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(count)],
        env={**env, "DJANGO_SETTINGS_MODULE": "ventanilla.settings", "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def start_server(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start:\n{log.read_text()}")


def lua_rotation(paths: list[str], directory: Path, unique: bool = False) -> Path:
    """A wrk script cycling through paths; with ``unique``, each request appends its own
    number to the path, so that no two requests are the same (cache misses)."""
    script = directory / f"rotate-{len(paths)}-{unique}-{abs(hash(tuple(paths)))}.lua"
    quoted = ", ".join(json.dumps(path) for path in paths)
    suffix = " .. '+' .. tostring(i)" if unique else ""
    script.write_text(
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n"
        f"  return wrk.format('GET', paths[(i % #paths) + 1]{suffix})\nend\n"
    )
    return script


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(name: str, base: str, script: Path, concurrency: int, duration: int) -> Result:
    threads = str(min(2, concurrency))
    warm = ["wrk", "-t", threads, "-c", str(concurrency), "-d", "2s", "-s", str(script), base]
    subprocess.run(warm, check=True, capture_output=True)
    command = [
        "wrk",
        "-t",
        threads,
        "-c",
        str(concurrency),
        "-d",
        f"{duration}s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(
        scenario=name,
        concurrency=concurrency,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=to_ms(latency["50"]),
        p99_ms=to_ms(latency["99"]),
        errors=errors,
    )


def scratch_postgres(url: str) -> tuple[str, str, str]:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"ventanilla_bench_{os.getpid()}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), admin, name


def drop_postgres(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    scratch = Path(tempfile.mkdtemp(prefix="ventanilla-bench-"))
    env = {**os.environ, "VENTANILLA_DATA_DIR": str(scratch), "DJANGO_DEBUG": "0"}
    env.pop("DATABASE_URL", None)
    pg = None
    if options.database == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            raise SystemExit("--database postgres needs DATABASE_URL=postgres://…")
        env["DATABASE_URL"], admin, name = scratch_postgres(url)
        pg = (admin, name)
    servers: list[subprocess.Popen] = []
    try:
        total = prepare_database(env, options.procedures)
        app_port, ceiling_port = free_port(), free_port()
        app_log, ceiling_log = scratch / "app.log", scratch / "ceiling.log"
        servers.append(
            start_server(
                [
                    VENTANILLA,
                    "serve",
                    "--bind",
                    f"127.0.0.1:{app_port}",
                    "--workers",
                    str(options.workers),
                ],
                env,
                app_log,
            )
        )
        app, ceiling = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{ceiling_port}"
        # `ventanilla serve` collects the static files first; the ceiling shares the data
        # directory, and WhiteNoise would scan it mid-write.
        wait_until_up(f"{app}/salud/", servers[0], app_log)
        servers.append(
            start_server(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "ventanilla.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{ceiling_port}",
                    "--workers",
                    str(options.workers),
                    "--no-control-socket",
                ],
                {
                    **env,
                    "DJANGO_SETTINGS_MODULE": "bench.ceiling_settings",
                    "PYTHONPATH": str(ROOT),
                },
                ceiling_log,
            )
        )
        wait_until_up(f"{ceiling}/salud/", servers[1], ceiling_log)

        search_paths = [f"/tramites/?q={urllib.parse.quote(q)}" for q in SEARCHES]
        detail_paths = [f"/tramites/sintetico-{n:05d}/" for n in range(1, 5000, 100)]
        detail_paths += ["/tramites/autentica-documentos-educativos/"]
        c, d = options.concurrency, options.duration
        results = [
            run_wrk("ceiling (minimal view)", ceiling, lua_rotation(["/"], scratch), c, d),
            run_wrk("search /tramites/?q=", app, lua_rotation(search_paths, scratch), c, d),
            run_wrk("detail /tramites/<slug>/", app, lua_rotation(detail_paths, scratch), c, d),
            run_wrk(
                "search, every query new",
                app,
                lua_rotation(search_paths[:-1], scratch, unique=True),
                c,
                d,
            ),
            run_wrk("search, one client", app, lua_rotation(search_paths, scratch), 1, d),
            run_wrk(
                "search new, one client",
                app,
                lua_rotation(search_paths[:-1], scratch, unique=True),
                1,
                d,
            ),
        ]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        if pg:
            drop_postgres(*pg)
        shutil.rmtree(scratch, ignore_errors=True)

    report(options, total, results)


def report(options, total: int, results: list[Result]) -> None:
    ceiling = results[0].requests_per_second
    search, detail = results[1], results[2]
    print(f"\nVentanilla catalogue benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}; Python {platform.python_version()}")
    print(
        f"database: {options.database}; procedures: {total}; gunicorn workers: "
        f"{options.workers} (sync); wrk on the same machine, {options.duration} s per run\n"
    )
    print(
        f"{'scenario':<28} {'conc':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>6} {'vs ceiling':>10}"
    )
    for r in results:
        ratio = f"{r.requests_per_second / ceiling:.2f}" if r is not results[0] else "1.00"
        print(
            f"{r.scenario:<28} {r.concurrency:>4} {r.requests_per_second:>9.1f} "
            f"{r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>6} {ratio:>10}"
        )
    goals = {
        f"search p99 < {GOAL_P99_MS:.0f} ms at concurrency {options.concurrency}": search.p99_ms
        < GOAL_P99_MS,
        f"search throughput >= {GOAL_RATIO} x ceiling": search.requests_per_second
        >= GOAL_RATIO * ceiling,
        f"detail throughput >= {GOAL_RATIO} x ceiling": detail.requests_per_second
        >= GOAL_RATIO * ceiling,
        "no errors": all(r.errors == 0 for r in results),
    }
    print()
    for goal, met in goals.items():
        print(f"  {'PASS' if met else 'FAIL'}  {goal}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"catalog_search-{options.database}.json").write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"cores": os.cpu_count(), "cpu": cpu_model()},
                "database": options.database,
                "procedures": total,
                "workers": options.workers,
                "duration_s": options.duration,
                "results": [asdict(r) for r in results],
                "goals": goals,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
