"""A real server and a real browser.

The server is the production one (`ventanilla serve`, gunicorn) started in a child
process on a free loopback port, after `ventanilla demo --no-serve` prepared its own
database: a temporary SQLite file, or a scratch PostgreSQL database when DATABASE_URL
points at PostgreSQL. The browser is Debian's Chromium driven by Playwright; if it is
missing the tests fail, they never skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = os.environ.get("VENTANILLA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
VENTANILLA = str(Path(sys.executable).with_name("ventanilla"))
SCRATCH_DATABASES: dict[str, str] = {}  # a running server's data directory → its database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _scratch_postgres(url: str, name: str):
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), admin_url


@pytest.fixture(scope="session")
def live_server_url(running_server):
    return running_server[0]


@pytest.fixture(scope="session")
def smtp_inbox():
    """The running server's mail goes to this real SMTP server (aiosmtpd) on loopback."""
    from tests.smtp import start_smtp_server

    handler, controller, port = start_smtp_server()
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def running_server(tmp_path_factory, smtp_inbox):
    """(base URL, data directory) of the running server; its e-mails go to `smtp_inbox`."""
    data_dir = tmp_path_factory.mktemp("live-server")
    env = {
        **os.environ,
        "VENTANILLA_DATA_DIR": str(data_dir),
        "DJANGO_DEBUG": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_inbox.port),
    }
    scratch = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # Unique per server: a module that imports these fixtures starts a second one.
        scratch = f"ventanilla_browser_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        env["DATABASE_URL"], admin_url = _scratch_postgres(os.environ["DATABASE_URL"], scratch)
        SCRATCH_DATABASES[str(data_dir)] = env["DATABASE_URL"]
    subprocess.run(
        [VENTANILLA, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [VENTANILLA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/salud/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data_dir / "server.log").read_text()) from None
            time.sleep(0.2)
    yield url, data_dir
    server.terminate()
    server.wait(timeout=20)
    log.close()
    if scratch:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server_env(running_server):
    """The environment of the running server, to run `ventanilla` commands on its data
    (the same data directory, and the scratch PostgreSQL database running_server made)."""
    _url, data_dir = running_server
    env = {**os.environ, "VENTANILLA_DATA_DIR": str(data_dir), "DJANGO_DEBUG": "0"}
    if str(data_dir) in SCRATCH_DATABASES:
        env["DATABASE_URL"] = SCRATCH_DATABASES[str(data_dir)]
    return env


def run_on_server(env, code: str) -> str:
    """Run Python in `ventanilla shell` against the running server's database."""
    result = subprocess.run(
        [VENTANILLA, "shell", "--no-imports", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is required for browser tests and was not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["phone", "desktop"])
def page(request, browser, live_server_url):
    viewport = PHONE if request.param == "phone" else DESKTOP
    context = browser.new_context(
        viewport=viewport,
        base_url=live_server_url,
        locale="es-GT",
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
