"""A cohort's diplomas from the back office (``/oficina/diplomas/``): the signer loads the CSV,
sees every bad row or a summary, approves the signing with a fresh code from their app, and
the real task worker (``db_worker``) signs the batch; the progress page, its JSON and the
codes file; a run that stops is resumed; only signers of the batch's unit reach any of it."""

from __future__ import annotations

import csv
import datetime
import io
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import force_login_with_second_factor
from tests.documents.conftest import person
from tests.documents.test_batch import cohort_csv
from ventanilla.core.cui import Cui
from ventanilla.core.models import OrgUnit
from ventanilla.documents import batch as batches
from ventanilla.documents import codes, signing, validation
from ventanilla.documents.batch_forms import MAX_CSV_BYTES
from ventanilla.documents.models import DiplomaBatch, Document, Status
from ventanilla.identity.actions import check_second_factor
from ventanilla.identity.models import Membership, Role
from ventanilla.notifications.models import InboxMessage

pytestmark = pytest.mark.django_db

LIST = "/oficina/diplomas/"


@pytest.fixture(autouse=True)
def _one_worker(settings):
    settings.VENTANILLA_DOCUMENTS = {**settings.VENTANILLA_DOCUMENTS, "BATCH_WORKERS": 1}


@pytest.fixture
def unit(certification):
    return certification.responsible_unit


@pytest.fixture
def signed_in(client, signer):
    force_login_with_second_factor(client, signer)
    return client


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def upload(client, content: bytes | str, unit, name="cohorte.csv", mime="text/csv", **fields):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        LIST,
        {"unidad": unit.pk, "archivo": SimpleUploadedFile(name, data, content_type=mime), **fields},
    )


def approve(client, batch, code):
    """The job is queued when the approval commits: tests that approve run in real
    transactions (``transaction=True``), as the worker needs too."""
    return client.post(f"{LIST}{batch.pk}/", {"codigo": code})


def next_code(signer) -> str:
    """The code of the next 30-second step: a second approval in the same test."""
    return signer.totp.at(time.time() + 30)


def problem_rows(html: str) -> list[tuple[int, str]]:
    """(line, column) of each row of the bad-rows table."""
    cells = re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">(\d+)</td>\s*'
        r'<td class="govuk-table__cell">([^<]*)</td>',
        html,
    )
    return [(int(line), column) for line, column in cells]


def jobs() -> int:
    return DBTaskResult.objects.filter(task_path="ventanilla.documents.tasks.issue_batch").count()


def loaded(client, unit, rows=25, text: str = "") -> DiplomaBatch:
    response = upload(client, text or cohort_csv(rows), unit)
    assert response.status_code == 302, response.content.decode()[:2000]
    return DiplomaBatch.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


# --- Loading the file ------------------------------------------------------------------------


def test_a_file_with_bad_rows_answers_400_lists_every_bad_row_and_issues_nothing(signed_in, unit):
    lines = cohort_csv(30).splitlines()
    lines[3] = lines[3].replace("15/11/2025", "31/02/2025")  # line 4
    lines[10] = lines[10].replace("Bachiller en Ciencias y Letras", "")  # line 11
    lines[20] = lines[20].replace("15/11/2025", "15/11/2999").replace("E00000", "E 00")  # 21
    response = upload(signed_in, "\n".join(lines) + "\n", unit)

    assert response.status_code == 400
    html = response.content.decode()
    assert problem_rows(html) == [
        (4, "fecha"),
        (11, "titulo"),
        (21, "codigo_estudiante"),
        (21, "fecha"),
    ]
    assert "no existe" in html and "posterior a hoy" in html
    assert "errores en 3 de sus 30 filas" in html and "No se emitió ningún diploma" in html
    assert 'href="#id_archivo"' in html  # the error summary leads to the file field
    assert "Cargar el archivo corregido" in html
    batch = DiplomaBatch.objects.get()
    assert batch.state == DiplomaBatch.State.REJECTED and not batch.source
    assert [entry["line"] for entry in batch.report] == [4, 11, 21, 21]
    assert not Document.objects.exists() and jobs() == 0

    page = signed_in.get(f"{LIST}{batch.pk}/")  # the rejected batch keeps its report
    assert page.status_code == 200
    assert problem_rows(page.content.decode())[0] == (4, "fecha")
    assert "Firmar los" not in page.content.decode()


def test_very_many_bad_rows_show_the_first_thousand_and_say_how_many_more(signed_in, unit):
    text = cohort_csv(1200).replace("15/11/2025", "2025/11/15")
    response = upload(signed_in, text, unit)
    assert response.status_code == 400
    html = response.content.decode()
    rows = problem_rows(html)
    assert len(rows) == 1000 and rows[0] == (2, "fecha") and rows[-1] == (1001, "fecha")
    assert "primeros 1,000 errores; hay 200 más" in html
    assert "errores en 1,200 de sus 1,200 filas" in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "cohorte.csv", "Elija el archivo CSV"),  # nothing chosen: the browser sends none
        (b"  \r\n\r\n", "cohorte.csv", "El archivo está vacío"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "cohorte.xlsx", "libro de Excel"),
        (b"%PDF-1.7\n%\xe2\xe3\n" + bytes(100), "cohorte.csv", "Es un PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(300), "cohorte.csv", "no es un CSV"),
        ("nombre;cui\n".encode("utf-16"), "cohorte.csv", "UTF-16"),
        (b"establecimiento;nombre\x00\x01\x02garbage" * 50, "cohorte.csv", "no es un CSV"),
    ],
)
def test_what_is_not_a_cohort_file_is_refused_saying_what_to_do(
    signed_in, unit, content, name, message
):
    if content:
        response = upload(signed_in, content, unit, name=name)
    else:
        response = signed_in.post(LIST, {"unidad": unit.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="id_archivo-error"' in html
    if content.strip(b" \r\n"):
        assert "Guardar como" in html  # what to do next
    assert not DiplomaBatch.objects.exists()


def test_a_file_over_the_limit_is_refused_with_its_size(signed_in, unit):
    header = cohort_csv(1).encode()
    content = header + b"x" * (MAX_CSV_BYTES + 1 - len(header))
    response = upload(signed_in, content, unit)
    assert response.status_code == 400
    html = response.content.decode()
    assert "El archivo pesa 40.0\xa0MB y el máximo es 40.0\xa0MB" in html
    assert "Divídalo" in html
    assert not DiplomaBatch.objects.exists()


def test_a_file_larger_than_an_attachment_goes_through(signed_in, unit, settings):
    """The platform's limit for a case's attachments (10 MB) does not apply to cohorts."""
    remarks = "x" * 100_000
    lines = cohort_csv(120).splitlines()
    text = "\n".join([lines[0] + ";observaciones"] + [line + ";" + remarks for line in lines[1:]])
    assert len(text) > settings.VENTANILLA_UPLOADS["MAX_BYTES"]
    batch = loaded(signed_in, unit, text=text)
    assert batch.state == DiplomaBatch.State.VALIDATED and batch.rows == 120


def test_loading_a_file_still_needs_the_forms_csrf_token(signer, unit):
    """The upload view sets its own upload handler, which Django allows only before the
    CSRF check reads the body: the check is then made in the view, and must still refuse."""
    client = Client(enforce_csrf_checks=True)
    force_login_with_second_factor(client, signer)
    assert upload(client, cohort_csv(3), unit).status_code == 403
    assert not DiplomaBatch.objects.exists()
    page = client.get(LIST).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert upload(client, cohort_csv(3), unit, csrfmiddlewaretoken=token).status_code == 302
    assert DiplomaBatch.objects.count() == 1


def test_a_unit_where_the_official_does_not_sign_and_the_same_file_for_another_unit(
    signed_in, signer, unit
):
    elsewhere = OrgUnit.objects.exclude(pk=unit.pk).first()
    response = upload(signed_in, cohort_csv(3), elsewhere)
    assert response.status_code == 400
    assert "Usted no firma en esa unidad" in response.content.decode()
    assert not DiplomaBatch.objects.exists()

    Membership.objects.create(user=signer, org_unit=elsewhere, role=Role.SIGNER)
    page = signed_in.get(LIST).content.decode()
    assert "Elija la unidad" in page and elsewhere.name in page  # two units: no preselection
    loaded(signed_in, unit, rows=3)
    response = upload(signed_in, cohort_csv(3), elsewhere)
    assert response.status_code == 400
    assert f"Este mismo archivo ya se cargó para «{unit.name}»" in response.content.decode()
    assert DiplomaBatch.objects.count() == 1


# --- A good file, its summary and the approval ----------------------------------------------


def test_a_good_file_shows_its_summary_and_a_wrong_or_used_code_queues_nothing(
    signed_in, signer, unit
):
    page = signed_in.get(LIST).content.decode()
    assert f'<option value="{unit.pk}" selected>' in page  # the only unit, preselected
    assert "Revisar el archivo" in page

    text = cohort_csv(25)
    batch = loaded(signed_in, unit)
    assert batch.state == DiplomaBatch.State.VALIDATED and batch.rows == 25
    with batch.source.open("rb") as kept:
        assert kept.read() == text.encode() and batch.created_by == signer
    summary = batch.summary
    assert summary["rows"] == 25 and summary["schools"] == 7
    assert summary["degrees"] == [["Bachiller en Ciencias y Letras", 25]]
    assert summary["first_date"] == summary["last_date"] == "2025-11-15"
    assert [row["line"] for row in summary["preview"]] == [2, 3, 4, 5, 6]

    html = signed_in.get(f"{LIST}{batch.pk}/").content.decode()
    assert "Firmar los 25 diplomas" in html and "Resumen del archivo" in html
    assert "Bachiller en Ciencias y Letras: 25" in html and "15 de noviembre de 2025" in html
    first = summary["preview"][0]
    assert first["name"] in html and f"CUI {Cui(first['cui']).formatted()}" in html
    assert batch.source_sha256 in html

    wrong = signed_in.post(f"{LIST}{batch.pk}/", {"codigo": "000000"})
    assert wrong.status_code == 400
    assert "Ese código no es correcto o ya se usó" in wrong.content.decode()
    code = signer.totp.now()
    assert check_second_factor(signer, code).accepted  # typed a moment ago, e.g. at sign-in
    used = signed_in.post(f"{LIST}{batch.pk}/", {"codigo": code})
    assert used.status_code == 400 and "ya se usó" in used.content.decode()
    batch.refresh_from_db()
    assert batch.state == DiplomaBatch.State.VALIDATED and batch.signer is None
    assert batch.approved_at is None and jobs() == 0

    again = upload(signed_in, text, unit)  # the same file again: its batch, not a new one
    assert again.status_code == 302 and again.url == f"{LIST}{batch.pk}/"
    assert DiplomaBatch.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_right_code_queues_the_job_and_the_worker_signs_every_diploma(signed_in, signer, unit):
    batch = loaded(signed_in, unit)
    response = approve(signed_in, batch, signer.totp.now())
    assert response.status_code == 302 and response.url == f"{LIST}{batch.pk}/"
    batch.refresh_from_db()
    assert batch.state == DiplomaBatch.State.ISSUING and batch.signer == signer
    assert batch.approved_at is not None and jobs() == 1

    waiting = signed_in.get(f"{LIST}{batch.pk}/").content.decode()
    assert "Aprobó la firma" in waiting
    assert 'aria-live="polite"' in waiting and "<progress" in waiting
    assert "0 de 25 firmados · esperando a que empiece la emisión" in waiting
    assert f'href="{LIST}{batch.pk}/">Actualizar</a>' in waiting
    assert "documents/batch_progress.js" in waiting and "Firmar los" not in waiting
    queued = signed_in.get(f"{LIST}{batch.pk}/progreso.json").json()
    assert queued["stage"] == "running" and queued["reload"] is False
    assert (queued["done"], queued["total"], queued["percent"]) == (0, 25, 0)

    run_worker()

    batch.refresh_from_db()
    assert batch.state == DiplomaBatch.State.DONE and batch.issued == 25
    assert batch.finished_at is not None and batch.failure == ""
    documents = list(batch.documents.order_by("pk"))
    assert len(documents) == 25 and {d.status for d in documents} == {Status.VALID}
    assert {d.signer for d in documents} == {signer}
    with documents[0].pdf.open("rb") as f:
        checked = validation.validate_pdf(f.read())
    assert checked.ok, checked.reasons
    (notice,) = InboxMessage.objects.filter(user=signer)
    assert "25 diplomas" in notice.body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    done = signed_in.get(f"{LIST}{batch.pk}/").content.decode()
    assert "Terminado: 25 diplomas firmados" in done and "Terminó el" in done
    assert f'href="{LIST}{batch.pk}/codigos.csv"' in done
    assert "<progress" not in done and "Firmar los" not in done
    final = signed_in.get(f"{LIST}{batch.pk}/progreso.json").json()
    assert final == {
        "state": "done",
        "stage": "done",
        "done": 25,
        "total": 25,
        "percent": 100,
        "rate": None,
        "seconds_left": None,
        "text": "Terminado: 25 diplomas firmados",
        "reload": True,
    }

    download = signed_in.get(f"{LIST}{batch.pk}/codigos.csv")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="codigos-lote-{batch.pk}.csv"'
    body = b"".join(download.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    header, *lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert header == [
        "linea",
        "nombre",
        "cui",
        "codigo_estudiante",
        "codigo_verificacion",
        "enlace_verificacion",
        "estado",
    ]
    assert [int(line[0]) for line in lines] == list(range(2, 27))
    by_line = {d.data["linea"]: d for d in documents}
    for line in lines:
        document = by_line[int(line[0])]
        assert line[1] == document.holder_name
        assert line[2] == Cui(document.data["cui"]).formatted()
        assert line[3] == document.data["codigo_estudiante"]
        assert line[4] == document.code and line[5] == codes.verification_url(document.code)
        assert line[6] == "Vigente"

    listing = signed_in.get(LIST).content.decode()
    assert f'href="{LIST}{batch.pk}/">cohorte.csv</a>' in listing
    assert "25 de 25" in listing and "Terminado" in listing


@pytest.mark.django_db(transaction=True)
def test_progress_while_a_run_holds_the_batch_and_a_resume_after_a_crash(signed_in, signer, unit):
    batch = loaded(signed_in, unit)
    approve(signed_in, batch, signer.totp.now())
    # A run 10 seconds in, with 5 signed, holds the batch's lock: 0.5 per second, 40 s left.
    DiplomaBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=10), issued=5, issued_before_run=0
    )
    with batches.exclusive(batch):
        data = signed_in.get(f"{LIST}{batch.pk}/progreso.json").json()
        page = signed_in.get(f"{LIST}{batch.pk}/").content.decode()
        run_worker()  # the queued job finds the batch taken and leaves it to the run
    assert (data["done"], data["total"], data["percent"]) == (5, 25, 20)
    assert data["rate"] == pytest.approx(0.5, abs=0.05)
    assert 39 <= data["seconds_left"] <= 41
    assert re.fullmatch(r"5 de 25 firmados · 0\.5 por segundo · faltan (39|40|41) s", data["text"])
    assert data["stage"] == "running" and data["reload"] is False
    assert data["text"] in page and 'value="5"' in page and 'max="25"' in page

    # The run died (the lock is free, no job waits): the page offers to resume.
    DiplomaBatch.objects.filter(pk=batch.pk).update(issued=0)
    stopped = signed_in.get(f"{LIST}{batch.pk}/progreso.json").json()
    assert stopped["stage"] == "stopped" and stopped["reload"] is True
    page = signed_in.get(f"{LIST}{batch.pk}/").content.decode()
    assert "La emisión se detuvo antes de terminar" in page
    assert "Reanudar: firmar los 25 diplomas que faltan" in page
    assert "documents/batch_progress.js" not in page

    response = approve(signed_in, batch, next_code(signer))
    assert response.status_code == 302
    run_worker()
    batch.refresh_from_db()
    assert batch.state == DiplomaBatch.State.DONE and batch.issued == 25
    assert batch.documents.filter(status=Status.VALID).count() == 25
    assert InboxMessage.objects.filter(user=signer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_says_why_and_resumes_and_batch_documents_stay_off_the_queue(
    signed_in, signer, unit, sign_with
):
    batch = loaded(signed_in, unit)
    approve(signed_in, batch, signer.totp.now())
    sign_with(SIGNER="pkcs11", PKCS11_TOKEN_LABEL="", PKCS11_KEY_LABEL="")  # a broken token
    run_worker()

    batch.refresh_from_db()
    assert batch.state == DiplomaBatch.State.ISSUING
    assert batch.failure.startswith("La emisión se detuvo por un error:")
    assert "reanude el lote" in batch.failure
    assert DBTaskResult.objects.get().status == "FAILED"
    # The signer is checked before the documents are prepared: nothing was issued.
    assert not batch.documents.exclude(status=Status.AWAITING_SIGNATURE).exists()
    assert batch.issued == 0
    page = signed_in.get(f"{LIST}{batch.pk}/").content.decode()
    assert "La emisión se detuvo por un error" in page
    assert "Reanudar: firmar los 25 diplomas que faltan" in page
    assert signed_in.get(f"{LIST}{batch.pk}/progreso.json").json()["stage"] == "stopped"
    queue = signed_in.get("/oficina/firmas/").content.decode()  # signed from the batch only
    assert "No hay documentos esperando su firma." in queue
    assert f'href="{LIST}"' in queue

    sign_with(SIGNER="pkcs12")
    signing.reset_signers()
    response = approve(signed_in, batch, next_code(signer))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.failure == "" and batch.state == DiplomaBatch.State.ISSUING
    run_worker()
    batch.refresh_from_db()
    assert batch.state == DiplomaBatch.State.DONE and batch.issued == 25
    assert batch.documents.count() == 25


@pytest.mark.django_db(transaction=True)
def test_a_lost_file_stops_the_batch_and_loading_it_again_resumes_it(signed_in, signer, unit):
    text = cohort_csv(25)
    batch = loaded(signed_in, unit)
    approve(signed_in, batch, signer.totp.now())
    batch.source.storage.delete(batch.source.name)
    run_worker()

    batch.refresh_from_db()
    assert "Cargue el mismo archivo otra vez" in batch.failure
    assert not batch.documents.exists()
    page = signed_in.get(f"{LIST}{batch.pk}/").content.decode()
    assert "Cargue el mismo archivo otra vez" in page
    assert "no está guardado en el servidor" in page and "Reanudar" not in page

    again = upload(signed_in, text, unit)
    assert again.status_code == 302 and again.url == f"{LIST}{batch.pk}/"
    page = signed_in.get(again.url).content.decode()
    assert "ya se había cargado" in page and "Reanudar: firmar los 25" in page
    approve(signed_in, batch, next_code(signer))
    run_worker()
    batch.refresh_from_db()
    assert batch.state == DiplomaBatch.State.DONE and batch.issued == 25


@pytest.mark.django_db(transaction=True)
def test_a_corrected_copy_issues_only_the_new_rows_and_says_so(signed_in, signer, unit):
    first = loaded(signed_in, unit, rows=3)
    approve(signed_in, first, signer.totp.now())
    run_worker()
    corrected = loaded(signed_in, unit, rows=5)  # the same three rows and two more
    assert corrected.pk != first.pk
    approve(signed_in, corrected, next_code(signer))
    run_worker()

    corrected.refresh_from_db()
    assert corrected.state == DiplomaBatch.State.DONE and corrected.issued == 2
    assert Document.objects.filter(status=Status.VALID).count() == 5
    page = signed_in.get(f"{LIST}{corrected.pk}/").content.decode()
    assert "Terminado: 2 diplomas firmados" in page
    assert "3 filas no se emitieron: ya tenían su diploma en otro lote" in page
    progress = signed_in.get(f"{LIST}{corrected.pk}/progreso.json").json()
    assert (progress["done"], progress["total"], progress["percent"]) == (2, 5, 100)
    lines = b"".join(signed_in.get(f"{LIST}{corrected.pk}/codigos.csv").streaming_content)
    assert [row[0] for row in csv.reader(io.StringIO(lines.decode("utf-8-sig")))][1:] == [
        "5",
        "6",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_is_running_or_done_cannot_be_approved_again(signed_in, signer, unit):
    batch = loaded(signed_in, unit)
    approve(signed_in, batch, signer.totp.now())
    again = approve(signed_in, batch, next_code(signer))
    assert again.status_code == 400
    assert "no espera una aprobación" in again.content.decode()
    assert jobs() == 1


# --- Who may see and act ---------------------------------------------------------------------


def test_only_signers_of_the_batch_unit_reach_it(client, signer, unit, reviewers, citizen):
    force_login_with_second_factor(client, signer)
    batch = loaded(client, unit, rows=2)
    routes = [f"{LIST}{batch.pk}/", f"{LIST}{batch.pk}/progreso.json"]
    routes.append(f"{LIST}{batch.pk}/codigos.csv")

    client.logout()
    for route in [LIST, *routes]:
        response = client.get(route)
        assert response.status_code == 302 and "/cuenta/entrar/" in response.url, route
    assert client.post(f"{LIST}{batch.pk}/", {"codigo": "123456"}).status_code == 302

    other_unit = OrgUnit.objects.exclude(pk=unit.pk).first()
    elsewhere = person(81, first_names="Otra", last_names="Firmante")
    Membership.objects.create(user=elsewhere, org_unit=other_unit, role=Role.SIGNER)
    for official in (elsewhere, reviewers[0], citizen):
        if official is citizen:
            client.force_login(citizen)
        else:
            force_login_with_second_factor(client, official)
        for route in routes:
            assert client.get(route).status_code == 403, (official, route)
        assert client.post(f"{LIST}{batch.pk}/", {"codigo": "123456"}).status_code == 403
        listing = client.get(LIST)
        if official is elsewhere:  # a signer elsewhere sees only their units' batches
            assert listing.status_code == 200 and "cohorte.csv" not in listing.content.decode()
        else:
            assert listing.status_code == 403
            assert upload(client, cohort_csv(2, first=50), unit).status_code == 403
    assert DiplomaBatch.objects.count() == 1 and jobs() == 0
