"""Diplomas per second for a cohort batch, beside the ceiling measured in the same run, and
the verification portal's latency.

    .venv/bin/python bench/diplomas.py                       # SQLite, scratch data dir
    DATABASE_URL=postgres://postgres:…@127.0.0.1:5432/ventanilla_bench \\
        .venv/bin/python bench/diplomas.py                   # PostgreSQL, scratch database

1. A scratch site (bench/_cases_data.py's ``scratch_environment``): migrations, reference
   data, a signer with the SIGNER role at DIGEACE, a cohort CSV of ``--count`` rows (10,000).
2. One process, 200 diplomas: the cost of each step of one diploma (render; the PAdES
   signature in one pass, as issuing does it, and through pyHanko, as any PDF is signed;
   one raw ECDSA signature), CPU time.
3. **Ceiling**: the same number of diplomas through a pool of the same number of workers,
   each rendering the diploma's PDF (``rendering.render_pdf``) and making one raw ECDSA P-256
   signature over it with the signer's key (``cryptography``, no pyHanko, no database).
   Beside it, a reference: the same with the real PAdES signature (``signing.sign_rendered``,
   as the batch signs) instead of the raw one, ``--pades-count`` diplomas, still no database.
4. **The batch**, through ``ventanilla.documents.batch`` as ``ventanilla diplomas issue``
   runs it: read and check the file, plan the rows, then prepare the documents block by
   block (bulk insert, codes, status list indices) in this process while ``--workers``
   processes sign the blocks already prepared (render, PAdES, store the PDF, credential,
   commit per chunk).
5. Verification: ``--lookups`` GET /verificar/<code>/ and ``--uploads`` POST
   /verificar/archivo/ with real signed PDFs of the batch, through Django's test client
   (each request from its own address, as many visitors would be: the portal limits tries
   per address). p50 and p99.

Goals (issue 5): ≥ 150 diplomas per second and ≥ 70 % of the ceiling; code lookup p99
< 20 ms; upload verification p99 < 100 ms. About 3 minutes with the defaults on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _cases_data as data

GOAL_RATE = 150.0
GOAL_SHARE = 0.70
GOAL_LOOKUP_P99_MS = 20.0
GOAL_UPLOAD_P99_MS = 100.0
COHORT = 150_000
SIGNER_SEQUENCE = 68_000_000
STUDENT_SEQUENCE = 30_000_000
UNIT = "digeace"
CEILING_CHUNK = 50

data.CODE_FILES = [  # the files whose state code_line() reports
    "src/ventanilla/documents/batch.py",
    "src/ventanilla/documents/signing.py",
    "src/ventanilla/documents/pades.py",
    "src/ventanilla/documents/rendering.py",
    "src/ventanilla/documents/credentials.py",
]


def setup_site():
    """Django on the scratch environment: migrated, reference data, the signer."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from ventanilla.catalog.reference import load_reference_data
    from ventanilla.core.models import OrgUnit
    from ventanilla.identity.models import Role

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    load_reference_data()
    (signer,) = data.make_users(SIGNER_SEQUENCE, 1, first_names="Directora", last_names="Firma")
    unit = OrgUnit.objects.get(code=UNIT)
    data.grant([(signer, unit, Role.SIGNER)])
    return unit, signer


def cohort_file(path: Path, count: int) -> Path:
    from ventanilla.core.cui import make_cui

    schools = [f"Instituto Nacional de Educación Diversificada {n}" for n in range(40)]
    degrees = ["Bachiller en Ciencias y Letras", "Perito Contador", "Maestra de Educación Primaria"]
    rng = random.Random(2026)
    with path.open("w", encoding="utf-8") as f:
        f.write(
            "establecimiento;codigo_establecimiento;codigo_estudiante;cui;nombre;titulo;fecha\n"
        )
        for n in range(count):
            school = rng.randrange(len(schools))
            first = rng.choice(["María José", "Juan Carlos", "Ana Lucía", "José Ángel"])
            last = rng.choice(["López Ñáñez", "Pérez García", "Xol Caal", "Día Güiz"])
            f.write(
                f"{schools[school]};00-01-{school:04d}-46;E{n:08d};"
                f"{make_cui(STUDENT_SEQUENCE + 5 * n, '01', '01')};{first} {last};"
                f"{rng.choice(degrees)};{rng.randint(1, 28):02d}/11/2025\n"
            )
    return path


def sample_fields() -> dict:
    from ventanilla.documents import codes

    return {
        "title": "Diploma de Bachiller en Ciencias y Letras",
        "holder_name": "María José López Ñáñez",
        "holder_id": "CUI 3000 00005 0101 · Código de estudiante E00000001",
        "paragraphs": [
            "por haber concluido satisfactoriamente sus estudios en Instituto Nacional de "
            "Educación Diversificada 7, el 15 de noviembre de 2025."
        ],
        "unit": "Dirección General de Acreditación y Certificación",
        "code": codes.new_code(),
        "signer_name": "Directora Firma",
        "establecimiento": "Instituto Nacional de Educación Diversificada 7",
    }


def raw_key():
    from cryptography.hazmat.primitives.serialization import pkcs12

    from ventanilla.documents import pki

    demo = pki.ensure_demo_pki()
    key, _certificate, _others = pkcs12.load_key_and_certificates(
        demo.signer_pkcs12_path.read_bytes(), demo.pkcs12_password()
    )
    return key


# --- One process, step by step --------------------------------------------------------------


def step_costs(count: int = 200) -> dict[str, float]:
    """CPU ms per diploma of each step, in this process."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from ventanilla.documents import batch, rendering, signing

    batch.warm_up()
    key = raw_key()
    fields = sample_fields()
    pdf = rendering.render_pdf("diploma", fields)
    prepared = rendering.render_pdf("diploma", fields, signature=signing.signature_field())

    def cpu_ms(step) -> float:
        began = time.process_time()
        for _ in range(count):
            step()
        return (time.process_time() - began) * 1000 / count

    return {
        "render (PDF)": cpu_ms(lambda: rendering.render_pdf("diploma", fields)),
        "render with an empty signature": cpu_ms(
            lambda: rendering.render_pdf("diploma", fields, signature=signing.signature_field())
        ),
        "PAdES signature, one pass": cpu_ms(lambda: signing.sign_prepared(prepared)),
        "PAdES signature, pyHanko": cpu_ms(lambda: signing.sign_pdf(pdf, reason="x")),
        "raw ECDSA P-256 signature": cpu_ms(lambda: key.sign(pdf, ec.ECDSA(hashes.SHA256()))),
    }


# --- Ceiling ------------------------------------------------------------------------------

_ceiling_key = None


def _ceiling_start() -> None:
    global _ceiling_key
    from ventanilla.documents import rendering

    rendering.warm_up()
    _ceiling_key = raw_key()


def _ceiling_chunk(size: int) -> int:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from ventanilla.documents import codes, rendering

    fields = sample_fields()
    for n in range(size):
        fields["code"] = codes.new_code()
        fields["holder_name"] = f"María José López Ñáñez {n}"
        pdf = rendering.render_pdf("diploma", fields)
        _ceiling_key.sign(pdf, ec.ECDSA(hashes.SHA256()))
    return size


_pades_only = False


def _pades_start(pades: bool) -> None:
    global _pades_only
    from ventanilla.documents import batch

    _ceiling_start()
    _pades_only = pades
    if pades:
        batch.warm_up()


def _pades_chunk(size: int) -> int:
    """The ceiling's work with the real PAdES signature instead of the raw one."""
    from ventanilla.documents import codes, rendering, signing

    fields = sample_fields()
    for n in range(size):
        fields["code"] = codes.new_code()
        fields["holder_name"] = f"María José López Ñáñez {n}"
        signing.sign_rendered(
            lambda field: rendering.render_pdf("diploma", fields, signature=field),
            reason=fields["title"],
        )
    return size


def ceiling(count: int, workers: int, *, pades: bool = False) -> float:
    """PDF + one raw signature per diploma (or, with ``pades``, the real PAdES signature), per
    second, on ``workers`` processes; pool start and warm-up included, as in the batch."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    chunks = [CEILING_CHUNK] * (count // CEILING_CHUNK) + [count % CEILING_CHUNK] * bool(
        count % CEILING_CHUNK
    )
    began = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_pades_start, initargs=(pades,)) as pool:
        done = sum(pool.imap_unordered(_pades_chunk if pades else _ceiling_chunk, chunks))
    assert done == count
    return count / (time.perf_counter() - began)


# --- The batch ----------------------------------------------------------------------------


def run_batch(path: Path, unit, signer, workers: int) -> dict:
    from ventanilla.documents import batch

    content = path.read_bytes()
    began = time.perf_counter()
    read = batch.read_rows(content)
    assert not read.problems, read.problems[:5]
    checked = time.perf_counter()
    record = batch.open_batch(data=content, name=path.name, unit=unit, signer=signer, read=read)
    with batch.exclusive(record) as lock_fd:
        prepared, blocks = batch.start_preparing(record, read.rows, signer=signer)
        ready = time.perf_counter()
        issued = batch.issue_pending(
            record,
            signer=signer,
            workers=workers,
            lock_fd=lock_fd,
            incoming=blocks,
            expected=prepared.to_create,
        )
    ended = time.perf_counter()
    assert prepared.created == len(read.rows) and issued.signed == len(read.rows)
    assert issued.pending == 0 and record.state == record.State.DONE
    return {
        "rows": len(read.rows),
        "check_s": checked - began,
        "prepare_s": ready - checked,
        "sign_s": ended - ready,
        "total_s": ended - began,
        "batch": record,
    }


# --- Verification ---------------------------------------------------------------------------


def _address(n: int) -> str:
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def lookups(codes: list[str], count: int) -> list[float]:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    rng = random.Random(7)
    times = []
    for n in range(count + 50):
        code = rng.choice(codes)
        began = time.perf_counter()
        response = client.get(f"/verificar/{code}/", REMOTE_ADDR=_address(n))
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200 and "VÁLIDO".encode() in response.content
        if n >= 50:  # the first ones warm up templates and caches
            times.append(elapsed)
    return times


def uploads(documents: list, count: int) -> list[float]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    files = []
    for document in documents[: count + 10]:
        with document.pdf.open("rb") as f:
            files.append((document.code, f.read()))
    times = []
    for n, (code, content) in enumerate(files):
        upload = SimpleUploadedFile(f"{code}.pdf", content, content_type="application/pdf")
        began = time.perf_counter()
        response = client.post(
            "/verificar/archivo/", {"archivo": upload}, REMOTE_ADDR=_address(100_000 + n)
        )
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200 and "VÁLIDO".encode() in response.content
        if n >= 10:
            times.append(elapsed)
    return times


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {seconds:02d} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="diplomas in the batch")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--uploads", type=int, default=300)
    parser.add_argument(
        "--pades-count", type=int, help="diplomas for the PDF + PAdES reference (--count)"
    )
    parser.add_argument(
        "--scratch-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "var" / "bench",
        help="where the scratch data directory (database, signed PDFs) goes: by default the "
        "project's var/, where an installation keeps its data; /tmp on this machine creates "
        "files ~15 times slower",
    )
    options = parser.parse_args()
    options.pades_count = options.pades_count or options.count

    with data.scratch_environment("diplomas", parent=options.scratch_dir) as url:
        unit, signer = setup_site()
        print(data.machine_line(data.database_label()))
        scratch = os.environ["VENTANILLA_DATA_DIR"]
        print(f"scratch: {'PostgreSQL database' if url else 'SQLite'} in {scratch}")
        path = cohort_file(Path(os.environ["VENTANILLA_DATA_DIR"]) / "cohorte.csv", options.count)
        print(f"cohort: {options.count:,} rows; workers: {options.workers}\n")

        steps = step_costs()
        print("one process, CPU ms per diploma:")
        for name, ms in steps.items():
            print(f"  {name:<32} {ms:7.2f}")

        with data.OtherLoad() as ceiling_load:
            ceiling_rate = ceiling(options.count, options.workers)
        print(f"\nceiling (PDF + raw ECDSA, {options.workers} processes): {ceiling_rate:,.1f}/s")
        print(f"  {ceiling_load.line()}")
        with data.OtherLoad() as pades_load:
            pades_rate = ceiling(options.pades_count, options.workers, pades=True)
        print(
            f"reference (PDF + PAdES, no credential, no database, {options.pades_count:,}): "
            f"{pades_rate:,.1f}/s"
        )
        print(f"  {pades_load.line()}")

        with data.OtherLoad(data.database_server_seconds) as batch_load:
            figures = run_batch(path, unit, signer, options.workers)
        rate = figures["rows"] / figures["total_s"]
        sign_rate = figures["rows"] / figures["sign_s"]
        print(f"\nbatch of {figures['rows']:,} (PDF + PAdES + credential, stored, committed):")
        print(f"  check the file      {figures['check_s']:7.1f} s")
        print(f"  plan the rows       {figures['prepare_s']:7.1f} s")
        print(
            f"  prepare in blocks while {options.workers} workers sign: "
            f"{figures['sign_s']:.1f} s  {sign_rate:,.1f}/s"
        )
        print(f"  whole batch         {figures['total_s']:7.1f} s  {rate:,.1f}/s")
        print(f"  {batch_load.line()}")
        share = rate / ceiling_rate
        cohort = COHORT / rate
        print(
            f"\n  diplomas per second: {rate:,.1f} (goal ≥ {GOAL_RATE:.0f}: "
            f"{'met' if rate >= GOAL_RATE else 'MISSED'})"
        )
        print(
            f"  share of the ceiling: {share:.0%} (goal ≥ {GOAL_SHARE:.0%}: "
            f"{'met' if share >= GOAL_SHARE else 'MISSED'})"
        )
        print(f"  share of PDF + PAdES alone: {rate / pades_rate:.0%}")
        print(f"  a cohort of {COHORT:,} at this rate: {_duration(cohort)}")

        from ventanilla.documents.models import Document

        documents = list(
            Document.objects.filter(batch=figures["batch"]).order_by("?")[: options.uploads + 10]
        )
        codes = list(Document.objects.filter(batch=figures["batch"]).values_list("code", flat=True))
        looked = lookups(codes, options.lookups)
        checked = uploads(documents, options.uploads)
        for name, times, goal in (
            (f"GET /verificar/<code>/ ×{len(looked)}", looked, GOAL_LOOKUP_P99_MS),
            (f"POST /verificar/archivo/ ×{len(checked)}", checked, GOAL_UPLOAD_P99_MS),
        ):
            p50, p99 = data.percentile(times, 50), data.percentile(times, 99)
            verdict = "met" if p99 < goal else "MISSED"
            print(f"\n{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal < {goal:.0f}: {verdict})")


if __name__ == "__main__":
    main()
