"""A local stand-in for the national identity registry, with synthetic people.

It speaks the same REST protocol as ``http_client`` and runs on loopback, started by
`ventanilla demo`, by the tests, or alone with `ventanilla registry_simulator`. Nobody in it
is real: CUIs are valid by construction, names are drawn from common Guatemalan names.
Tests can make it slow (``delay``) or failing (``fail_status``) to rehearse an outage.

Besides identities it answers the parenthood question (``/v1/filiaciones``): the synthetic
adults have synthetic children born between 2010 and 2024, and tests add their own links
with ``add_parent``.
"""

from __future__ import annotations

import datetime
import json
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ventanilla.core.cui import make_cui, normalize_cui
from ventanilla.core.geography import municipality_rows
from ventanilla.identity.registry.base import same_name

FIRST_NAMES = [
    "María José",
    "Ana Lucía",
    "Carmen",
    "Rosa Elena",
    "Juana",
    "Sofía",
    "Lucía",
    "Andrea",
    "José Luis",
    "Juan Carlos",
    "Pedro",
    "Luis Fernando",
    "Carlos Enrique",
    "Diego",
    "Mateo",
    "Santiago",
    "Ixchel",
    "Tecún",
    "Kevin Josué",
    "Dulce María",
]
LAST_NAMES = [
    "García",
    "López",
    "Pérez",
    "González",
    "Hernández",
    "Rodríguez",
    "Morales",
    "Ramírez",
    "Cux",
    "Tzoc",
    "Ajanel",
    "Xicará",
    "Batz",
    "Chávez",
    "Méndez",
    "Castillo",
    "Ordóñez",
    "Yax",
    "Coyoy",
    "Sic",
]


@dataclass(frozen=True)
class Person:
    cui: str
    first_names: str
    last_names: str
    birth_date: datetime.date


def synthetic_people(count: int = 500, seed: int = 502) -> list[Person]:
    """The same people every time: valid CUIs from every department."""
    rng = random.Random(seed)
    rows = municipality_rows()
    people = []
    for number in range(count):
        row = rows[rng.randrange(len(rows))]
        people.append(
            Person(
                cui=make_cui(30_000_000 + number * 7, row.department_code, row.code),
                first_names=rng.choice(FIRST_NAMES),
                last_names=f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}",
                birth_date=datetime.date(1950, 1, 1)
                + datetime.timedelta(days=rng.randrange(27000)),
            )
        )
    return people


def synthetic_families(
    adults: list[Person], seed: int = 503
) -> tuple[list[Person], list[tuple[str, str]]]:
    """Children for some of the synthetic adults, the same every time: the children (valid
    CUIs from their first parent's municipality) and the (parent CUI, child CUI) links. About
    half the adults born 1970–2000 have one to three children; most children have a second
    parent, and carry the first surname of each."""
    rng = random.Random(seed)
    candidates = [
        adult
        for adult in adults
        if datetime.date(1970, 1, 1) <= adult.birth_date <= datetime.date(2000, 12, 31)
    ]
    earliest, latest = datetime.date(2010, 1, 1), datetime.date(2024, 12, 31)
    children: list[Person] = []
    links: list[tuple[str, str]] = []
    for parent in candidates:
        if rng.random() >= 0.5:
            continue
        other = rng.choice(candidates) if rng.random() < 0.7 else None
        if other is not None and other.cui == parent.cui:
            other = None
        start = max(earliest, parent.birth_date + datetime.timedelta(days=17 * 365))
        if other is not None:
            start = max(start, other.birth_date + datetime.timedelta(days=17 * 365))
        if start > latest:
            continue
        surnames = (
            parent.last_names.split()[0]
            + " "
            + (other.last_names.split()[0] if other else rng.choice(LAST_NAMES))
        )
        for _child in range(rng.randint(1, 3)):
            child = Person(
                cui=make_cui(31_000_000 + len(children) * 7, parent.cui[9:11], parent.cui[11:13]),
                first_names=rng.choice(FIRST_NAMES),
                last_names=surnames,
                birth_date=start
                + datetime.timedelta(days=rng.randrange((latest - start).days + 1)),
            )
            children.append(child)
            links.append((parent.cui, child.cui))
            if other is not None:
                links.append((other.cui, child.cui))
    return children, links


class RegistrySimulator:
    """A threaded HTTP server on loopback; ``url`` once started.

    With no ``people``, it holds the synthetic adults and their synthetic children (and the
    links between them); with ``people``, only those, linked as ``parents`` says: pairs of
    (parent CUI, child CUI).
    """

    def __init__(
        self,
        people: list[Person] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "",
        parents: Iterable[tuple[str, str]] = (),
    ):
        links = list(parents)
        if not people:
            adults = synthetic_people()
            children, family_links = synthetic_families(adults)
            people = adults + children
            links += family_links
        self.people = {person.cui: person for person in people}
        # child CUI → the CUIs of the parents on the birth record
        self.parents: dict[str, set[str]] = {}
        for parent_cui, child_cui in links:
            self.add_parent(parent_cui, child_cui)
        self.token = token
        self.delay = 0.0
        self.fail_status: int | None = None
        self.requests = 0
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, person: Person) -> None:
        self.people[person.cui] = person

    def add_parent(self, parent_cui: str, child_cui: str) -> None:
        """Record that ``parent_cui`` is a parent of ``child_cui`` (both should be people of
        the registry, or the answer is no_encontrado)."""
        self.parents.setdefault(normalize_cui(child_cui), set()).add(normalize_cui(parent_cui))

    def answer(self, payload: dict) -> str:
        person = self.people.get(normalize_cui(payload.get("cui", "")))
        if person is None:
            return "no_encontrado"
        matches = (
            same_name(payload.get("nombres", ""), person.first_names)
            and same_name(payload.get("apellidos", ""), person.last_names)
            and payload.get("fecha_nacimiento") == person.birth_date.isoformat()
        )
        return "coincide" if matches else "no_coincide"

    def answer_parenthood(self, payload: dict) -> str:
        parent = normalize_cui(payload.get("cui_progenitor", ""))
        child = normalize_cui(payload.get("cui_hijo", ""))
        if parent not in self.people or child not in self.people:
            return "no_encontrado"
        return "coincide" if parent in self.parents.get(child, set()) else "no_coincide"

    def start(self) -> RegistrySimulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: tests and the demo share the terminal
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/salud":
                    self._send(HTTPStatus.OK, {"estado": "ok", "personas": len(simulator.people)})
                else:
                    self._send(HTTPStatus.NOT_FOUND, {"error": "no existe"})

            def do_POST(self):
                simulator.requests += 1
                if simulator.delay:
                    threading.Event().wait(simulator.delay)
                if simulator.fail_status:
                    self._send(simulator.fail_status, {"error": "falla simulada"})
                    return
                if (
                    simulator.token
                    and self.headers.get("Authorization") != f"Bearer {simulator.token}"
                ):
                    self._send(HTTPStatus.UNAUTHORIZED, {"error": "credencial inválida"})
                    return
                questions = {
                    "/v1/verificaciones": simulator.answer,
                    "/v1/filiaciones": simulator.answer_parenthood,
                }
                if self.path not in questions:
                    self._send(HTTPStatus.NOT_FOUND, {"error": "no existe"})
                    return
                try:
                    length = min(int(self.headers.get("Content-Length", "0")), 10_000)
                    payload = json.loads(self.rfile.read(length))
                    if not isinstance(payload, dict):
                        raise ValueError
                except ValueError:
                    self._send(HTTPStatus.BAD_REQUEST, {"error": "JSON inválido"})
                    return
                self._send(HTTPStatus.OK, {"resultado": questions[self.path](payload)})

        return Handler
