"""Background jobs of the documents app (Django Tasks API; `ventanilla worker` runs them):
issuing a diploma batch approved in the back office.

The job does what ``ventanilla diplomas issue`` does, from the file kept with the batch: it
takes the batch's lock first (one run at a time), checks the rows again, prepares the
documents and signs them on all cores. When it cannot go on, the batch keeps a message in
Spanish (``failure``) saying why and what to do, and the page offers to resume it."""

from __future__ import annotations

import contextlib
import os
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from ventanilla.documents import batch as batches
from ventanilla.documents.models import DiplomaBatch

LOCK_TRIES = 5  # the page may hold the lock for an instant to see whether a run is going
LOCK_WAIT_SECONDS = 0.2


class SourceUnreadable(Exception):
    """The file kept with the batch is missing, or is not the one that was checked."""


def batch_workers() -> int:
    """Processes that sign at once: ``VENTANILLA_DOCUMENTS["BATCH_WORKERS"]``, else one per
    core."""
    configured = getattr(settings, "VENTANILLA_DOCUMENTS", {}).get("BATCH_WORKERS")
    return max(1, int(configured or os.cpu_count() or 1))


def read_source(batch: DiplomaBatch) -> bytes:
    """The bytes of the file kept with the batch, checked against its SHA-256."""
    if not batch.source:
        raise SourceUnreadable
    try:
        with batch.source.open("rb") as source:
            data = source.read()
    except OSError as error:
        raise SourceUnreadable from error
    if batches.file_sha256(data) != batch.source_sha256:
        raise SourceUnreadable
    return data


def _stop(batch: DiplomaBatch, message: str) -> None:
    batch.failure = message
    DiplomaBatch.objects.filter(pk=batch.pk).update(failure=message)


def _take_lock(stack: contextlib.ExitStack, batch: DiplomaBatch) -> int | None:
    """The batch's lock file descriptor, or None when another run holds the lock."""
    for attempt in range(LOCK_TRIES):
        try:
            return stack.enter_context(batches.exclusive(batch))
        except batches.BatchRefused:
            if attempt + 1 < LOCK_TRIES:
                time.sleep(LOCK_WAIT_SECONDS)
    return None


def lock_held(batch: DiplomaBatch) -> bool:
    """Whether a run of this batch holds its lock now (on this machine)."""
    try:
        with batches.exclusive(batch):
            return False
    except batches.BatchRefused:
        return True


def queued(batch: DiplomaBatch) -> bool:
    """Whether a job for this batch waits in the database queue for a worker."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover (another tasks backend is configured)
        return False
    if not isinstance(issue_batch.get_backend(), DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.ready().filter(task_path=issue_batch.module_path)
    return any(
        (entry.get("args") or [None])[0] == batch.pk
        for entry in waiting.values_list("args_kwargs", flat=True)
    )


def job_pending(batch: DiplomaBatch) -> bool:
    """A run of this batch is going on, or waits for a worker."""
    return lock_held(batch) or queued(batch)


@task()
def issue_batch(batch_id: int) -> str:
    """Prepare and sign every diploma of an approved batch; tell its signer when done."""
    with translation.override(settings.LANGUAGE_CODE):  # the messages it keeps are read later
        return _issue(batch_id)


def _issue(batch_id: int) -> str:
    batch = DiplomaBatch.objects.select_related("unit").filter(pk=batch_id).first()
    if batch is None:
        return "no such batch"
    if batch.state != DiplomaBatch.State.ISSUING:
        return f"nothing to do: {batch.state}"
    with contextlib.ExitStack() as stack:
        lock_fd = _take_lock(stack, batch)
        if lock_fd is None:
            return "already running"
        batch.refresh_from_db()  # another run may have finished it while this one waited
        if batch.state != DiplomaBatch.State.ISSUING:
            return f"nothing to do: {batch.state}"
        signer = batch.signer
        if signer is None:
            _stop(batch, _("Nadie aprobó la firma de este lote. Apruébela con su código."))
            return "no signer"
        try:
            read = batches.read_rows(read_source(batch))
            if read.problems:
                raise SourceUnreadable
            prepared, blocks = batches.start_preparing(batch, read.rows, signer=signer)
            issued = batches.issue_pending(
                batch,
                signer=signer,
                workers=batch_workers(),
                lock_fd=lock_fd,
                incoming=blocks,  # prepared while the first ones are signed
                expected=prepared.to_create,
            )
        except SourceUnreadable:
            _stop(
                batch,
                _(
                    "El archivo cargado para este lote ya no se puede leer en el servidor. "
                    "Cargue el mismo archivo otra vez en «Diplomas en lote» y reanude la emisión."
                ),
            )
            return "source unreadable"
        except batches.BatchRefused as refused:
            _stop(
                batch,
                str(refused)
                + " "
                + _("Cuando se resuelva, reanude el lote desde esta página con su código."),
            )
            return "refused"
        except PermissionDenied:
            _stop(
                batch,
                _(
                    "%(name)s dejó de tener el rol de firmante en «%(unit)s»: se detuvo el lote. "
                    "Otra persona con ese rol puede reanudarlo aquí con su código."
                )
                % {"name": signer.get_full_name() or signer.cui, "unit": batch.unit.name},
            )
            return "signer lost the role"
        except (KeyboardInterrupt, SystemExit):
            _stop(
                batch,
                _(
                    "La emisión se interrumpió porque se detuvo el proceso de tareas. Lo firmado "
                    "queda firmado: reanude el lote para terminar."
                ),
            )
            raise
        except Exception as error:
            _stop(
                batch,
                _(
                    "La emisión se detuvo por un error: %(error)s. Lo firmado queda firmado. "
                    "Avise a quien administra el sistema y, cuando se corrija, reanude el lote."
                )
                % {"error": error},
            )
            raise
    if issued.pending:
        _stop(
            batch,
            _("Quedan %(pending)s diplomas sin firmar. Reanude el lote para terminar.")
            % {"pending": f"{issued.pending:,}"},
        )
        return f"{issued.signed} signed, {issued.pending} pending"
    if batch.state == DiplomaBatch.State.DONE:
        batches.tell_signer(batch, signer)
    return f"{issued.signed} signed"
