"""The back office's steps for a diploma batch (``/oficina/diplomas/``): receive the cohort
file (every row checked; a good file is kept with a summary for the signer), approve its
signing with a fresh code from the signer's authenticator app (the background job is queued
when the approval commits), and what the batch's page shows while and after it runs: the
progress in words and the file of verification codes for the schools."""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ventanilla.core.cui import Cui
from ventanilla.documents import batch as batches
from ventanilla.documents import codes, tasks
from ventanilla.documents.models import DiplomaBatch, Status
from ventanilla.identity.actions import check_second_factor
from ventanilla.identity.permissions import Action, can

PREVIEW_ROWS = 5
TOP_DEGREES = 12
State = DiplomaBatch.State


# --- Receiving the file ----------------------------------------------------------------------


@dataclass
class Received:
    batch: DiplomaBatch
    problems: list[batches.Problem] = field(default_factory=list)
    data_lines: int = 0
    resumed: bool = False  # the same file was loaded before: its batch goes on


def summarize(read: batches.ReadFile) -> dict:
    """What the signer checks before approving: schools, degrees with counts, the span of
    graduation dates and the first rows."""
    rows = read.rows
    degrees = Counter(row.degree for row in rows)
    dates = [row.date for row in rows]
    return {
        "rows": len(rows),
        "schools": len({(row.school_code or row.school).casefold() for row in rows}),
        "degree_count": len(degrees),
        "degrees": degrees.most_common(TOP_DEGREES),
        "first_date": min(dates).isoformat() if dates else None,
        "last_date": max(dates).isoformat() if dates else None,
        "with_cui": sum(1 for row in rows if row.cui),
        "preview": [
            {
                "line": row.line,
                "name": row.name,
                "cui": row.cui,
                "student_code": row.student_code,
                "school": row.school,
                "degree": row.degree,
                "date": row.date.isoformat(),
            }
            for row in rows[:PREVIEW_ROWS]
        ],
    }


def _keep_source(batch: DiplomaBatch, data: bytes, read: batches.ReadFile | None) -> None:
    """The file's bytes kept (privately) for the job, and its summary, unless already there."""
    fields = []
    if not batch.source or not batch.source.storage.exists(batch.source.name):
        batch.source.save(
            f"lote-{batch.pk}-{batch.source_sha256[:16]}.csv", ContentFile(data), save=False
        )
        fields.append("source")
    if not batch.summary:
        batch.summary = summarize(read or batches.read_rows(data))
        fields.append("summary")
    if fields:
        batch.save(update_fields=fields)


def receive_file(*, data: bytes, name: str, unit, user) -> Received:
    """The batch of this file: a new one, or the one loaded earlier from the same bytes (a
    resume). A file with bad rows is recorded as rejected, with its report, and comes back
    with every problem. Raises ``BatchRefused`` (e.g. the same file for another unit)."""
    digest = batches.file_sha256(data)
    earlier = DiplomaBatch.objects.filter(source_sha256=digest).select_related("unit").first()
    if earlier is not None and earlier.unit_id == unit.pk and earlier.state != State.REJECTED:
        _keep_source(earlier, data, None)
        return Received(earlier, resumed=True)
    read = batches.read_rows(data)
    batch = batches.open_batch(data=data, name=name, unit=unit, signer=user, read=read)
    if read.problems:
        return Received(batch, problems=read.problems, data_lines=read.data_lines)
    _keep_source(batch, data, read)
    return Received(batch)


# --- Approving the signing -------------------------------------------------------------------


class ApprovalRefused(Exception):
    """The batch cannot be approved now; the message says why, in Spanish."""


class WrongCode(Exception):
    """The authenticator code is wrong, malformed or already used."""


def stage(batch: DiplomaBatch, running: bool | None = None) -> str:
    """Where the batch is, for its page: rejected, validated (waiting for approval), running
    (a job signs it or waits for a worker), stopped (a run ended before the end: resumable)
    or done."""
    if batch.state == State.REJECTED:
        return "rejected"
    if batch.state == State.DONE:
        return "done"
    if batch.state == State.VALIDATED:
        return "validated"
    if batch.failure:
        return "stopped"
    if running is None:
        running = tasks.job_pending(batch)
    return "running" if running else "stopped"


def has_source(batch: DiplomaBatch) -> bool:
    return bool(batch.source) and batch.source.storage.exists(batch.source.name)


def may_approve(batch: DiplomaBatch, current_stage: str) -> bool:
    return current_stage in ("validated", "stopped") and has_source(batch)


def approve(batch_id: int, *, user, code: str) -> DiplomaBatch:
    """The signer approves the signing with a fresh code from their app: the batch records
    who and when, and its job is queued once this commits. Raises ``PermissionDenied``,
    ``ApprovalRefused`` or ``WrongCode`` (then nothing changes)."""
    with transaction.atomic():
        batch = DiplomaBatch.objects.select_for_update().select_related("unit").get(pk=batch_id)
        if not can(user, Action.SIGN_DOCUMENTS, org_unit=batch.unit):
            raise PermissionDenied
        if not may_approve(batch, stage(batch)):
            raise ApprovalRefused(
                _(
                    "Este lote no espera una aprobación: ya se está emitiendo o ya terminó. "
                    "Revise su estado en esta página."
                )
            )
        if not check_second_factor(user, code).accepted:
            raise WrongCode(_("Ese código no es correcto o ya se usó. Espere el siguiente."))
        batch.signer, batch.approved_at = user, timezone.now()
        batch.failure, batch.started_at, batch.state = "", None, State.ISSUING
        batch.save(update_fields=["signer", "approved_at", "failure", "started_at", "state"])
        transaction.on_commit(lambda: tasks.issue_batch.enqueue(batch_id))
    return batch


# --- What the page shows ---------------------------------------------------------------------


def count(value: int) -> str:
    return number_format(value, 0, force_grouping=True)


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds >= 3600:
        return _("%(hours)s h %(minutes)s min") % {
            "hours": seconds // 3600,
            "minutes": f"{seconds % 3600 // 60:02d}",
        }
    if seconds >= 60:
        return _("%(minutes)s min %(seconds)s s") % {
            "minutes": seconds // 60,
            "seconds": f"{seconds % 60:02d}",
        }
    return _("%(seconds)s s") % {"seconds": seconds}


def progress_text(batch: DiplomaBatch, progress: batches.Progress) -> str:
    """ "X de N firmados · Y por segundo · faltan Z", or what is known so far."""
    if batch.state == State.DONE:
        return _("Terminado: %(count)s diplomas firmados") % {"count": count(batch.issued)}
    done = _("%(done)s de %(total)s firmados") % {
        "done": count(progress.done),
        "total": count(progress.total),
    }
    if batch.state != State.ISSUING:
        return done
    if batch.started_at is None:
        return done + " · " + _("esperando a que empiece la emisión")
    if progress.rate is None:
        return done + " · " + _("calculando la velocidad")
    return " · ".join(
        [
            done,
            _("%(rate)s por segundo")
            % {"rate": number_format(round(progress.rate, 1), 1, force_grouping=True)},
            _("faltan %(time)s") % {"time": duration(progress.seconds_left or 0)},
        ]
    )


def progress_json(batch: DiplomaBatch) -> dict:
    """The progress page's live data (``progreso.json``)."""
    progress = batches.progress(batch)
    current = stage(batch)
    return {
        "state": batch.state,
        "stage": current,
        "done": progress.done,
        "total": progress.total,
        "percent": 100 if batch.state == State.DONE else progress.percent,
        "rate": round(progress.rate, 1) if progress.rate is not None else None,
        "seconds_left": round(progress.seconds_left) if progress.seconds_left is not None else None,
        "text": progress_text(batch, progress),
        "reload": current != "running",  # the page has something else to show
    }


def page_summary(summary: dict) -> dict:
    """The stored summary with its dates as dates and the CUIs as printed on the DPI."""
    shown = dict(summary)
    for key in ("first_date", "last_date"):
        if shown.get(key):
            shown[key] = datetime.date.fromisoformat(shown[key])
    shown["preview"] = [
        {
            **row,
            "date": datetime.date.fromisoformat(row["date"]),
            "cui": Cui(row["cui"]).formatted() if row.get("cui") else "",
        }
        for row in summary.get("preview", [])
    ]
    return shown


# --- The codes file --------------------------------------------------------------------------

CODES_CHUNK = 2000


def _cell(value) -> str:
    """A spreadsheet must not take a name for a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Line:
    def write(self, value: str) -> str:
        return value


def codes_csv(batch: DiplomaBatch) -> Iterator[str]:
    """One line per signed diploma, in the order of the file: what a school needs to print
    or send each code (UTF-8 with a BOM, so that a spreadsheet shows the accents)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(
        [
            _("linea"),
            _("nombre"),
            _("cui"),
            _("codigo_estudiante"),
            _("codigo_verificacion"),
            _("enlace_verificacion"),
            _("estado"),
        ]
    )
    documents = (
        batch.documents.exclude(status=Status.AWAITING_SIGNATURE)
        .order_by("data__linea", "pk")
        .values_list("data", "holder_name", "code", "status")
    )
    statuses = dict(Status.choices)
    for data, name, code, status in documents.iterator(chunk_size=CODES_CHUNK):
        cui = data.get("cui") or ""
        yield writer.writerow(
            [
                data.get("linea", ""),
                _cell(name),
                Cui(cui).formatted() if cui else "",
                _cell(data.get("codigo_estudiante") or ""),
                code,
                codes.verification_url(code),
                statuses.get(status, status),
            ]
        )
