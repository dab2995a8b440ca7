"""The `ventanilla` command.

ventanilla demo      migrate, load reference and demo data, serve on 127.0.0.1:8000
ventanilla serve     production server (gunicorn) with the same settings
ventanilla worker    runs background jobs (registry retries, e-mails, …) as they come
ventanilla <other>   any Django management command (migrate, createsuperuser, …)
"""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_BIND = "127.0.0.1:8000"


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
    from ventanilla.catalog.models import Procedure

    print(
        f"Ventanilla lista: {Procedure.objects.count()} trámites en el inventario "
        f"({counts['municipalities']} municipios, {counts['org_units']} unidades)."
    )
    print(f"\nCuentas de demostración (contraseña para todas: {accounts[0].password}):")
    for account in accounts:
        print(f"  {account.role:<22} CUI {account.cui}  {account.name}")
    from django.conf import settings

    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(
            f"\nLos correos (por ejemplo, para confirmar una cuenta) se guardan en "
            f"{settings.EMAIL_FILE_PATH}"
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
    """The demo's server, its background worker and a simulated national identity registry
    on loopback; all stop together."""
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


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command == "demo":
        demo(argv[1:])
    elif command == "serve":
        serve(argv[1:])
    elif command == "worker":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
        from django.core.management import execute_from_command_line

        # One second between polls: a registration's registry check runs almost at once.
        execute_from_command_line(["ventanilla", "db_worker", "--interval", "1", *argv[1:]])
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ventanilla", *argv])


if __name__ == "__main__":
    main()
