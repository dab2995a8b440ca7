"""The `ventanilla` command.

ventanilla demo      migrate, load reference and demo data, serve on 127.0.0.1:8000
ventanilla serve     production server (gunicorn) with the same settings
ventanilla worker    runs background jobs (registry retries, e-mails, …) as they come, and
                     every minute the case timers (escalation of overdue cases);
                     `--no-timers` for extra workers
ventanilla timers    runs the case timers once (for a cron entry, or by hand)
ventanilla <other>   any Django management command (migrate, createsuperuser, …)
"""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_BIND = "127.0.0.1:8000"
TIMERS_EVERY_SECONDS = 60


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()


def _gunicorn_args(bind: str, workers: int, extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "ventanilla.wsgi:application",
        "--bind",
        bind,
        # One shared control socket per user would let two servers (demo and tests,
        # or a benchmark's pair) trip over each other; nothing here uses it.
        "--no-control-socket",
        # A search box pasted full of text makes a long URL; Django answers it with a
        # proper page (the query is cut and the page says so), while gunicorn's own limit
        # (8 KB at most) would answer with a bare 414. The reverse proxy in front bounds
        # request size in production (docs: large_client_header_buffers).
        "--limit-request-line",
        "0",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        *extra,
    ]


def _default_workers() -> int:
    return int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))


def demo(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="ventanilla demo")
    parser.add_argument("--bind", default=os.environ.get("VENTANILLA_BIND", DEFAULT_BIND))
    parser.add_argument("--no-serve", action="store_true", help="prepare the data and stop")
    options = parser.parse_args(argv)

    _setup_django()
    from django.core.management import call_command

    from ventanilla.catalog.reference import load_reference_data
    from ventanilla.identity.demo import ensure_demo_accounts

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    counts = load_reference_data()
    accounts = ensure_demo_accounts()
    call_command("procedures", "publish")
    from django.conf import settings

    from ventanilla.catalog.models import Procedure

    signer = settings.VENTANILLA_DOCUMENTS
    demo_signer = signer["SIGNER"] == "pkcs12" and not signer["PKCS12_FILE"]
    if demo_signer:  # no FEA certificate configured: the demo's own test PKI, made now
        from ventanilla.documents.pki import ensure_demo_pki

        demo_pki = ensure_demo_pki()

    print(
        f"Ventanilla lista: {Procedure.objects.count()} trámites en el inventario "
        f"({counts['municipalities']} municipios, {counts['org_units']} unidades)."
    )
    print(f"\nCuentas de demostración (contraseña para todas: {accounts[0].password}):")
    for account in accounts:
        print(f"  {account.role:<22} CUI {account.cui}  {account.name}")
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(
            f"\nLos correos (por ejemplo, para confirmar una cuenta) se guardan en "
            f"{settings.EMAIL_FILE_PATH}"
        )
    if demo_signer:
        print(
            f"\nDocumentos firmados con una PKI de prueba ({demo_pki.directory}): dicen «NO "
            f"VÁLIDO PARA PRODUCCIÓN». Verifíquelos en /verificar/."
        )
    site = _public_address(options.bind)
    print(
        f"\nAbra {site}/  ·  cree una cuenta en {site}/cuenta/registro/  ·  "
        f"oficina: {site}/oficina/  ·  administración: {site}/admin/"
    )
    print(
        "El personal configura una aplicación de códigos (verificación en dos pasos) la "
        "primera vez que entra a la oficina o a la administración.\n"
    )
    if not options.no_serve:
        _serve_with_simulated_registry(options.bind)


def _public_address(bind: str) -> str:
    """The address people type: "localhost" rather than 127.0.0.1, because passkeys
    (WebAuthn) only work on a domain name."""
    host, _sep, port = bind.rpartition(":")
    if host in {"127.0.0.1", "0.0.0.0"}:  # noqa: S104 - only a name for printing
        host = "localhost"
    return f"http://{host}:{port}"


def _free_loopback_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_with_simulated_registry(bind: str) -> None:
    """The demo's server, its background worker (which also runs the case timers) and a
    simulated national identity registry on loopback; all stop together."""
    import signal
    import subprocess

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # `kill` stops all three, like Ctrl-C
    port = _free_loopback_port()
    registry = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "ventanilla.cli", "registry_simulator", "--port", str(port)]
    )
    env = {
        "VENTANILLA_PUBLIC_URL": _public_address(bind),  # links in e-mails
        **os.environ,
        "VENTANILLA_REGISTRY_URL": f"http://127.0.0.1:{port}",
    }
    worker = subprocess.Popen([sys.executable, "-m", "ventanilla.cli", "worker"], env=env)
    server = subprocess.Popen(_gunicorn_args(bind, workers=2, extra=[]), env=env)  # noqa: S603
    try:
        server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
    finally:
        for process in (worker, registry):
            process.terminate()
            process.wait()


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="ventanilla serve")
    parser.add_argument("--bind", default=os.environ.get("VENTANILLA_BIND", DEFAULT_BIND))
    parser.add_argument("--workers", type=int, default=_default_workers())
    options, extra = parser.parse_known_args(argv)
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print(
            "Hay migraciones pendientes: ejecute `ventanilla migrate` antes de servir.",
            file=sys.stderr,
        )
        sys.exit(2)
    call_command("collectstatic", interactive=False, verbosity=0)
    args = _gunicorn_args(options.bind, options.workers, extra)
    os.execv(sys.executable, args)  # noqa: S606 - replaces this process with the server


def _run_timers_forever(every: float) -> None:
    """The case timers and the public log's checkpoint, every ``every`` seconds, in a thread
    of the worker. A failed run is logged and the next one tries again; the thread's
    database connection is closed between runs."""
    import logging
    import time

    from django.db import connections

    from ventanilla.cases.timers import run_due_timers
    from ventanilla.ledger.checkpoints import make_checkpoint

    log = logging.getLogger("ventanilla.cases.timers")
    while True:
        try:
            if escalated := run_due_timers():
                log.info("%s overdue case(s) escalated", escalated)
        except Exception:
            log.exception("The case timers failed; trying again in %s s", every)
        try:
            make_checkpoint()  # the public log's signed checkpoint, when it grew
        except Exception:
            log.exception("The public log's checkpoint failed; trying again in %s s", every)
        finally:
            connections.close_all()
        time.sleep(every)


def worker(argv: list[str]) -> None:
    """Django's task worker (``db_worker``) plus a thread that runs the case timers every
    minute. With several workers, the timers may run in each: every case is locked while it
    is looked at, so none is escalated twice; ``--no-timers`` leaves them to the others."""
    import threading

    from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

    run_timers = "--no-timers" not in argv
    argv = [arg for arg in argv if arg != "--no-timers"]
    _setup_django()
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # With --reload (the default under DEBUG) a watching parent restarts a child that works:
    # only the child runs the timers.
    reloads = "--reload" in argv or (settings.DEBUG and "--no-reload" not in argv)
    if run_timers and (not reloads or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
        threading.Thread(
            target=_run_timers_forever, args=(TIMERS_EVERY_SECONDS,), name="timers", daemon=True
        ).start()
    # One second between polls: a registration's registry check runs almost at once.
    execute_from_command_line(["ventanilla", "db_worker", "--interval", "1", *argv])


def timers(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="ventanilla timers")
    parser.parse_args(argv)
    _setup_django()
    from ventanilla.cases.timers import run_due_timers

    print(f"Expedientes vencidos escalados: {run_due_timers()}")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command == "demo":
        demo(argv[1:])
    elif command == "serve":
        serve(argv[1:])
    elif command == "worker":
        worker(argv[1:])
    elif command == "timers":
        timers(argv[1:])
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ventanilla", *argv])


if __name__ == "__main__":
    main()
