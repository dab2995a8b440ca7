"""Batch diplomas for a cohort (``ventanilla diplomas issue``): every bad row reported and
nothing issued while one is bad; a clean file issues one valid, signed diploma per row with
its verifiable credential; a batch killed halfway and run again ends with exactly one
diploma per row, nothing signed twice.

The issuing tests run the real command in real processes (its pool of workers included)
against a scratch site of their own: a data directory with its SQLite database or, when the
tests run on PostgreSQL, a scratch database on the same server, dropped at the end.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ventanilla.core.cui import make_cui
from ventanilla.documents import batch as batches
from ventanilla.documents import validation
from ventanilla.documents.models import DiplomaBatch, Document, Kind, Status
from ventanilla.identity.models import User
from ventanilla.notifications.models import InboxMessage

HEADER = "establecimiento;codigo_establecimiento;codigo_estudiante;cui;nombre;titulo;fecha"


def cohort_csv(rows: int, *, first: int = 0, holder_cui: str = "", separator: str = ";") -> str:
    """A clean cohort file: ``rows`` students with valid CUIs (sequence from ``first``)."""
    lines = [HEADER.replace(";", separator)]
    for n in range(first, first + rows):
        cui = holder_cui if n == first and holder_cui else make_cui(40_000_000 + 5 * n, "01", "01")
        school = f"Instituto Nacional de Educación Diversificada Número {n % 7}"
        lines.append(
            separator.join(
                [
                    school,
                    f"00-01-{n % 7:04d}-46",
                    f"E{n:07d}",
                    cui,
                    f"María José López Ñáñez {n}",
                    "Bachiller en Ciencias y Letras",
                    "15/11/2025",
                ]
            )
        )
    return "\n".join(lines) + "\n"


# --- Checking the file -------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_column_and_what_to_fix():
    good_cui = make_cui(40_000_000, "01", "01")
    bad_check_digit = good_cui[:8] + str((int(good_cui[8]) + 1) % 10) + good_cui[9:]
    text = (
        "\ufeff"  # a BOM, as Excel writes it
        + HEADER
        + "\n"
        + f"INED Mixco;;E1;{good_cui};Ana Pérez;Bachiller en Ciencias y Letras;15/11/2025\n"
        + f"INED Mixco;;;{bad_check_digit};Luis Gómez;Perito Contador;15/11/2025\n"
        + "INED Mixco;;;;Sin Identificación;Perito Contador;15/11/2025\n"
        + "INED Mixco;;E4;;Rosa Díaz;Perito Contador;31/02/2025\n"
        + "INED Mixco;;E5;;Juan Ruiz;;2025/11/15\n"
        + ";;E6;;;Magisterio;01/01/2999\n"
        + f"INED Mixco;;E1;{good_cui};Ana Pérez;Bachiller en Ciencias y Letras;15/11/2025\n"
        + "INED Mixco;;E8;;Ana;Perito\n"
        + "\n"  # blank lines are not rows
        + "INED Mixco;;E9;1234;李小龍;Perito Contador;2025-11-15\n"
        + "INED Mixco;;E12;;Pedro Paz;Perito Contador;\n"
    )
    read = batches.read_rows(text.encode())

    found = {(p.line, p.column) for p in read.problems}
    assert found == {
        (3, "cui"),
        (4, "codigo_estudiante / cui"),
        (5, "fecha"),
        (6, "titulo"),
        (6, "fecha"),
        (7, "establecimiento"),
        (7, "nombre"),
        (7, "fecha"),
        (8, "codigo_estudiante"),
        (9, ""),
        (11, "cui"),
        (11, "nombre"),
        (12, "fecha"),
    }
    assert read.bad_lines == [3, 4, 5, 6, 7, 8, 9, 11, 12]
    assert read.data_lines == 10 and [row.line for row in read.rows] == [2]
    messages = {(p.line, p.column): p.message for p in read.problems}
    assert "noveno número" in messages[(3, "cui")]
    assert "al menos uno" in messages[(4, "codigo_estudiante / cui")]
    assert "no existe" in messages[(5, "fecha")]
    assert "dd/mm/aaaa" in messages[(6, "fecha")]
    assert "posterior a hoy" in messages[(7, "fecha")]
    assert "línea 2" in messages[(8, "codigo_estudiante")]
    assert "6 valores" in messages[(9, "")] and "7" in messages[(9, "")]
    assert "13 números" in messages[(11, "cui")]
    assert "李" in messages[(11, "nombre")]
    assert "Falta la fecha" in messages[(12, "fecha")]


def test_commas_a_bom_iso_dates_and_spelled_headers_are_accepted():
    text = (
        "\ufeffEstablecimiento,Código del establecimiento,CUI,Nombre completo,Título,Fecha\n"
        f'"Colegio San José, Zona 1",01-01-0001-46,{make_cui(40_000_010, "01", "01")},'
        "Ana  Pérez,Perito Contador,2025-10-30\n"
    )
    read = batches.read_rows(text.encode())
    assert read.problems == []
    (row,) = read.rows
    assert row.school == "Colegio San José, Zona 1" and row.name == "Ana Pérez"
    assert row.date.isoformat() == "2025-10-30" and row.key.startswith("cui:")


def test_a_file_that_is_not_utf8_or_lacks_columns_says_how_to_fix_it():
    latin1 = (HEADER + "\nINED;;E1;;Peña;Perito;15/11/2025\n").encode("latin-1")
    (problem,) = batches.read_rows(latin1).problems
    assert problem.line == 2 and "UTF-8" in problem.message

    problems = batches.read_rows(b"nombre;fecha\nAna;15/11/2025\n").problems
    assert {p.column for p in problems} == {"establecimiento", "titulo", "codigo_estudiante"}
    assert batches.read_rows(b"").problems[0].message.startswith("El archivo está vacío")


# --- The command in this process (the test database) -------------------------------------


@pytest.fixture
def unit(certification):
    return certification.responsible_unit


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("diplomas", "issue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_file_with_bad_rows_issues_nothing_and_the_report_names_every_row(tmp_path, unit, signer):
    lines = cohort_csv(6).splitlines()
    lines[2] = lines[2].replace("15/11/2025", "15-13-2025")
    lines[5] = lines[5].replace("Bachiller en Ciencias y Letras", "")
    path = tmp_path / "cohorte.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="No se emitió ningún diploma"):
        call_command(
            "diplomas",
            "issue",
            f"--csv={path}",
            f"--unit={unit.code}",
            f"--signer={signer.cui}",
            stdout=out,
        )
    report = out.getvalue()
    assert "errores en 2 de sus 6 filas" in report
    assert "Línea 3, columna «fecha»" in report and "Línea 6, columna «titulo»" in report
    assert not Document.objects.filter(kind=Kind.DIPLOMA).exists()
    batch = DiplomaBatch.objects.get(source_name="cohorte.csv")
    assert batch.state == DiplomaBatch.State.REJECTED
    assert [entry["line"] for entry in batch.report] == [3, 6]


@pytest.mark.django_db
def test_only_a_signer_of_the_unit_may_issue(tmp_path, unit, citizen):
    path = tmp_path / "cohorte.csv"
    path.write_text(cohort_csv(2), encoding="utf-8")
    with pytest.raises(CommandError, match="no tiene el rol de firmante"):
        run_command(f"--csv={path}", f"--unit={unit.code}", f"--signer={citizen.cui}")
    with pytest.raises(CommandError, match="ninguna unidad"):
        run_command(f"--csv={path}", "--unit=no-existe", f"--signer={citizen.cui}")
    assert not DiplomaBatch.objects.exists()


@pytest.mark.django_db
def test_check_only_issues_nothing(tmp_path, unit, signer):
    path = tmp_path / "cohorte.csv"
    path.write_text(cohort_csv(3), encoding="utf-8")
    out, _err = run_command(
        f"--csv={path}", f"--unit={unit.code}", f"--signer={signer.cui}", "--check-only"
    )
    assert "3 diplomas listos" in out
    assert not DiplomaBatch.objects.exists() and not Document.objects.exists()


@pytest.mark.django_db
def test_issuing_in_one_process_links_holders_and_tells_only_the_signer(tmp_path, unit, signer):
    holder = User.objects.create_user(
        make_cui(40_000_500, "01", "01"), None, first_names="Tita", email="tita@example.org"
    )
    path = tmp_path / "cohorte.csv"
    path.write_text(cohort_csv(4, holder_cui=holder.cui), encoding="utf-8")
    args = (f"--csv={path}", f"--unit={unit.code}", f"--signer={signer.cui}", "--workers=1")
    out, err = run_command(*args)

    batch = DiplomaBatch.objects.get()
    assert "4 diplomas emitidos de 4 filas" in out and "Firmando 4/4" in err
    assert (batch.state, batch.issued, batch.rows) == (DiplomaBatch.State.DONE, 4, 4)
    assert batch.finished_at is not None
    documents = list(batch.documents.order_by("pk"))
    assert all(d.status == Status.VALID and d.signer == signer for d in documents)
    assert documents[0].holder == holder and documents[1].holder is None
    assert documents[0].title == "Diploma de Bachiller en Ciencias y Letras"
    assert documents[0].holder_masked.endswith(holder.cui[-4:] + ")")
    with documents[0].pdf.open("rb") as f:
        assert validation.validate_pdf(f.read()).ok
    # No notice per diploma; one summary for the signer.
    assert not InboxMessage.objects.filter(user=holder).exists()
    (summary,) = InboxMessage.objects.filter(user=signer)
    assert "4 diplomas" in summary.body

    out, _err = run_command(*args)  # the same file again: nothing new, nothing re-signed
    assert "ya estaban firmados" in out and "0 firmados en esta ejecución" in out
    assert batch.documents.count() == 4
    assert [d.sha256 for d in batch.documents.order_by("pk")] == [d.sha256 for d in documents]
    assert InboxMessage.objects.filter(user=signer).count() == 1


@pytest.mark.django_db
def test_a_corrected_copy_of_the_file_does_not_issue_a_second_diploma(tmp_path, unit, signer):
    first = tmp_path / "cohorte.csv"
    first.write_text(cohort_csv(3), encoding="utf-8")
    run_command(f"--csv={first}", f"--unit={unit.code}", f"--signer={signer.cui}", "--workers=1")
    second = tmp_path / "cohorte-corregida.csv"
    second.write_text(cohort_csv(4), encoding="utf-8")  # the same three and one more
    out, _err = run_command(
        f"--csv={second}", f"--unit={unit.code}", f"--signer={signer.cui}", "--workers=1"
    )
    assert "3 filas ya tienen su diploma en otro lote" in out and "Líneas: 2, 3, 4" in out
    assert Document.objects.filter(kind=Kind.DIPLOMA).count() == 4


@pytest.mark.django_db
def test_a_second_run_of_the_same_file_waits_for_the_first(tmp_path, unit, signer):
    path = tmp_path / "cohorte.csv"
    path.write_text(cohort_csv(2), encoding="utf-8")
    content = path.read_bytes()
    batch = batches.open_batch(
        data=content, name=path.name, unit=unit, signer=signer, read=batches.read_rows(content)
    )
    args = (f"--csv={path}", f"--unit={unit.code}", f"--signer={signer.cui}", "--workers=1")
    with batches.exclusive(batch), pytest.raises(CommandError, match="ya se está emitiendo"):
        run_command(*args)
    assert not batch.documents.exists()
    run_command(*args)  # once the first run is over
    assert batch.documents.filter(status=Status.VALID).count() == 2


@pytest.mark.django_db
def test_a_verification_code_drawn_twice_is_drawn_again(tmp_path, unit, signer, monkeypatch):
    """55 random bits make a clash all but impossible; the unique column decides anyway."""
    from ventanilla.documents import codes

    taken = Document.objects.create(
        code=codes.new_code(), kind=Kind.CERTIFICATION, title="Otra", template="x", unit=unit
    )
    drawn = iter([taken.code])
    real = codes.new_code
    monkeypatch.setattr(codes, "new_code", lambda: next(drawn, None) or real())
    path = tmp_path / "cohorte.csv"
    path.write_text(cohort_csv(3), encoding="utf-8")
    content = path.read_bytes()
    read = batches.read_rows(content)
    batch = batches.open_batch(data=content, name=path.name, unit=unit, signer=signer, read=read)

    prepared = batches.prepare_documents(batch, read.rows, signer=signer)

    assert prepared.created == 3 and batch.documents.count() == 3
    assert taken.code not in set(batch.documents.values_list("code", flat=True))


# --- The command in real processes, on a scratch site ------------------------------------

SETUP = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from ventanilla.catalog.reference import load_reference_data
from ventanilla.core.models import OrgUnit
from ventanilla.identity.models import Membership, Role, User
load_reference_data()
signer = User.objects.create_user(sys.argv[1], None, first_names="Ana", last_names="Firmante")
Membership.objects.create(user=signer, org_unit=OrgUnit.objects.get(code="digeace"),
                          role=Role.SIGNER)
User.objects.create_user(sys.argv[2], None, first_names="Tita", last_names="Titular")
"""

CHECK = """
import json, sys
import django
django.setup()
from ventanilla.documents import validation, verification
from ventanilla.documents.credentials import verify_credential
from ventanilla.documents.models import DiplomaBatch
batch = DiplomaBatch.objects.get(source_name=sys.argv[1])
documents = list(batch.documents.select_related("holder").order_by("pk"))
result = {"pdf_ok": 0, "credential_ok": 0, "by_code": [], "holders": []}
for document in documents:
    with document.pdf.open("rb") as f:
        data = f.read()
    result["pdf_ok"] += validation.validate_pdf(data).ok
    result["credential_ok"] += verify_credential(document.credential).ok
    result["by_code"].append(str(verification.by_code(document.code).verdict))
    result["holders"].append(document.holder.cui if document.holder else None)
print(json.dumps(result))
"""


class ScratchSite:
    """A site of its own for the command's processes: data directory, database, signer."""

    SIGNER_CUI = make_cui(40_900_000, "01", "01")
    HOLDER_CUI = make_cui(40_900_100, "01", "01")

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("VENTANILLA_MEDIA_ROOT", "VENTANILLA_STATIC_ROOT", "DATABASE_URL")
        }
        self.env.update(
            VENTANILLA_DATA_DIR=str(folder),
            DJANGO_SETTINGS_MODULE="ventanilla.settings",
            DJANGO_DEBUG="0",
        )
        self.env.pop("EMAIL_HOST", None)
        self.postgres_admin = self.postgres_name = None
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            import psycopg

            parts = urllib.parse.urlsplit(url)
            base = parts.path.lstrip("/") or "ventanilla"
            self.postgres_name = f"{base}_lote_{os.getpid()}"
            self.postgres_admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(self.postgres_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.postgres_name}"')
            self.env["DATABASE_URL"] = urllib.parse.urlunsplit(
                parts._replace(path=f"/{self.postgres_name}")
            )
        self.python([SETUP, self.SIGNER_CUI, self.HOLDER_CUI])

    def close(self) -> None:
        if self.postgres_name:
            import psycopg

            with psycopg.connect(self.postgres_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')

    def python(self, args: list[str]) -> str:
        result = subprocess.run(
            [sys.executable, "-c", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def command(self, csv_path: Path, *extra: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "ventanilla.cli",
            "diplomas",
            "issue",
            f"--csv={csv_path}",
            "--unit=digeace",
            f"--signer={self.SIGNER_CUI}",
            *extra,
        ]

    def issue(self, csv_path: Path, *extra: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(csv_path, *extra),
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def start(self, csv_path: Path, log: Path) -> subprocess.Popen:
        """The command in a process group of its own (its workers with it)."""
        return subprocess.Popen(
            self.command(csv_path, "--workers=2"),
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def sql(self, query: str) -> list[tuple]:
        """Read the scratch database directly (while the command writes to it)."""
        if self.postgres_name:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"]) as conn:
                return conn.execute(query).fetchall()
        import sqlite3

        with sqlite3.connect(self.folder / "ventanilla.sqlite3", timeout=30) as conn:
            return conn.execute(query).fetchall()

    def documents(self, source_name: str) -> list[tuple]:
        return self.sql(
            "SELECT d.code, d.status, d.sha256, d.status_list_index, d.batch_key, d.pdf "
            "FROM documents_document d JOIN documents_diplomabatch b ON d.batch_id = b.id "
            f"WHERE b.source_name = '{source_name}' ORDER BY d.id"
        )

    def signed(self, source_name: str) -> int:
        return sum(1 for row in self.documents(source_name) if row[1] == "valid")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    scratch = ScratchSite(tmp_path_factory.mktemp("sitio-lotes"))
    yield scratch
    scratch.close()


def test_a_clean_file_issues_one_valid_diploma_per_row_on_all_cores(site, tmp_path):
    path = tmp_path / "cohorte-50.csv"
    path.write_text("\ufeff" + cohort_csv(50, first=100, holder_cui=site.HOLDER_CUI), "utf-8")
    result = site.issue(path, "--workers=2")
    assert result.returncode == 0, result.stderr
    assert "50 diplomas emitidos de 50 filas" in result.stdout
    assert "Firmando 50/50" in result.stderr and "por segundo" in result.stderr

    rows = site.documents("cohorte-50.csv")
    assert len(rows) == 50 and {row[1] for row in rows} == {"valid"}
    assert len({row[0] for row in rows}) == len({row[3] for row in rows}) == 50
    checked = json.loads(site.python([CHECK, "cohorte-50.csv"]))
    assert checked["pdf_ok"] == 50 and checked["credential_ok"] == 50
    assert set(checked["by_code"]) == {"valido"}
    assert checked["holders"][0] == site.HOLDER_CUI and checked["holders"][1:] == [None] * 49
    state, issued, finished = site.sql(
        "SELECT state, issued, finished_at FROM documents_diplomabatch "
        "WHERE source_name = 'cohorte-50.csv'"
    )[0]
    assert (state, issued) == ("done", 50) and finished is not None


def test_a_signer_that_cannot_sign_stops_the_batch_with_a_message_and_a_rerun_finishes(
    site, tmp_path
):
    path = tmp_path / "cohorte-token.csv"
    path.write_text(cohort_csv(6, first=500), encoding="utf-8")
    # A PKCS#11 token named without the key to use: every worker fails to start signing.
    broken = site.issue(path, "--workers=2", VENTANILLA_SIGNER="pkcs11")
    assert broken.returncode == 1
    assert "El lote se detuvo por un error" in broken.stderr
    assert "VENTANILLA_PKCS11_KEY_LABEL" in broken.stderr
    assert "0 de 6 diplomas quedaron firmados" in broken.stderr
    assert [row[1] for row in site.documents("cohorte-token.csv")] == ["awaiting_signature"] * 6

    fixed = site.issue(path, "--workers=2")
    assert fixed.returncode == 0, fixed.stderr
    assert {row[1] for row in site.documents("cohorte-token.csv")} == {"valid"}


def _wait_until_signed(site, name, process, at_least, timeout=120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the command ended before it could be interrupted"
        signed = site.signed(name)
        if signed >= at_least:
            return signed
        time.sleep(0.1)
    raise AssertionError(f"fewer than {at_least} signed after {timeout} s")


def _group_is_gone(pgid: int) -> bool:
    for _ in range(50):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_batch_of_2000_killed_halfway_and_run_again_ends_with_exactly_2000(site, tmp_path):
    name = "cohorte-2000.csv"
    path = tmp_path / name
    path.write_text(cohort_csv(2000, first=10_000), encoding="utf-8")
    log = tmp_path / "salida.txt"

    # A crash: the command and its workers killed at once, about a quarter in.
    process = site.start(path, log)
    _wait_until_signed(site, name, process, 500)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert _group_is_gone(process.pid), "a worker outlived the killed command"
    after_crash = {row[0]: row for row in site.documents(name) if row[1] == "valid"}
    assert 500 <= len(after_crash) < 2000
    assert len(site.documents(name)) <= 2000

    # Ctrl-C: the command stops its workers and says how to go on.
    process = site.start(path, log)
    _wait_until_signed(site, name, process, min(len(after_crash) + 300, 1800))
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=60) == 130
    assert "Ejecute el mismo comando para terminar" in log.read_text()
    assert _group_is_gone(process.pid)

    result = site.issue(path, "--workers=2")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "2,000 diplomas emitidos de 2,000 filas" in result.stdout

    rows = site.documents(name)
    assert len(rows) == 2000 and {row[1] for row in rows} == {"valid"}
    assert len({row[0] for row in rows}) == 2000  # codes
    assert len({row[3] for row in rows}) == 2000 and None not in {row[3] for row in rows}
    assert len({row[4] for row in rows}) == 2000  # one per row of the file
    # What was signed before the crash was not signed again.
    now = {row[0]: row for row in rows}
    assert all(now[code][2] == before[2] for code, before in after_crash.items())
    # Every stored PDF is there, with the SHA-256 the registry has.
    media = site.folder / "archivos"
    assert all(hashlib.sha256((media / row[5]).read_bytes()).hexdigest() == row[2] for row in rows)
    state, issued = site.sql(
        f"SELECT state, issued FROM documents_diplomabatch WHERE source_name = '{name}'"
    )[0]
    assert (state, issued) == ("done", 2000)
