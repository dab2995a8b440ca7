"""A real SMS gateway on loopback, and the case fixtures of tests/cases."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cases.conftest import certification, citizen, reviewers  # noqa: F401 (fixtures)


class Gateway:
    """An HTTP server on 127.0.0.1 that answers each POST with the next of ``statuses`` (then
    202), after ``delay`` seconds, and keeps what it was sent."""

    def __init__(self, statuses=(), delay: float = 0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(body),
                    }
                )
                time.sleep(gateway.delay)
                status = gateway.statuses.pop(0) if gateway.statuses else 202
                answer = json.dumps({"id": len(gateway.requests)}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/mensajes"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "Gateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    """A gateway that accepts everything; the platform's settings point at it."""
    server = Gateway().start()
    settings.VENTANILLA_SMS = {
        "BACKEND": "http",
        "URL": server.url,
        "TOKEN": "token-de-prueba",
        "SENDER": "MINEDUC",
        "TIMEOUT": 2,
    }
    yield server
    server.stop()


@pytest.fixture
def console_sms(settings):
    settings.VENTANILLA_SMS = {"BACKEND": "console", "SENDER": "MINEDUC"}
