"""ventanilla diplomas issue --csv FILE --unit CODE --signer CUI [--workers N] [--check-only]

Issues a cohort's diplomas from a CSV file (UTF-8, with a header; comma or semicolon): the
columns establecimiento, codigo_establecimiento (optional), codigo_estudiante and/or cui,
nombre, titulo and fecha (dd/mm/aaaa or aaaa-mm-dd). Every row is checked first and every
bad row reported; nothing is issued while one is bad. Then one diploma per row, signed on
all cores with a progress line on stderr. Running the same file again resumes it: a crash or
Ctrl-C, then the same command, finishes without duplicates. No notice per diploma: the
signer gets one when the batch is done.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ventanilla.documents import batch as batches

INTERRUPTED = 130  # the shell's exit status after Ctrl-C


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


class Progress:
    """One line on stderr: done/total, a bar, diplomas per second in this run, time left.
    Redrawn in place on a terminal; elsewhere (a log file) a new line every few seconds."""

    def __init__(self, stream, *, total: int, done: int):
        self.stream, self.total, self.done = stream, total, done
        self.signed = 0
        self.began = self.drawn = time.perf_counter()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.every = 0.25 if self.tty else 5.0
        self.shown = -1

    def advance(self, count: int) -> None:
        self.done += count
        self.signed += count
        now = time.perf_counter()
        if now - self.drawn >= self.every or self.done >= self.total:
            self.drawn = now
            self.draw()

    def text(self) -> str:
        elapsed = time.perf_counter() - self.began
        rate = self.signed / elapsed if elapsed > 0 else 0.0
        share = self.done / self.total if self.total else 1.0
        filled = int(share * 24)
        left = _duration((self.total - self.done) / rate) if rate else "…"
        return _(
            "Firmando %(done)s/%(total)s [%(bar)s] %(share)3.0f %% · %(rate).1f por segundo · "
            "faltan %(left)s"
        ) % {
            "done": f"{self.done:,}",
            "total": f"{self.total:,}",
            "bar": "#" * filled + "." * (24 - filled),
            "share": share * 100,
            "rate": rate,
            "left": left,
        }

    def draw(self) -> None:
        self.shown = self.done
        if self.tty:
            self.stream.write("\r" + self.text() + "\x1b[K")
        else:
            self.stream.write(self.text() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.shown != self.done:
            self.draw()
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = _("Emite los diplomas de una cohorte desde un archivo CSV, firmados, en lote.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["issue"])
        parser.add_argument("--csv", required=True, type=Path, help=_("el archivo de la cohorte"))
        parser.add_argument("--unit", required=True, help=_("código de la unidad que emite"))
        parser.add_argument("--signer", required=True, help=_("CUI de quien firma"))
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help=_("procesos que firman a la vez (por omisión, uno por núcleo)"),
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help=_("solo revisa el archivo: no emite nada"),
        )

    def handle(self, *args, action, csv, unit, signer, workers, check_only, **options):
        data = self._read(csv)
        unit, signer = self._unit(unit), self._signer(signer)
        from ventanilla.identity.permissions import Action, can

        if not can(signer, Action.SIGN_DOCUMENTS, org_unit=unit):
            raise CommandError(
                _(
                    "%(name)s no tiene el rol de firmante en «%(unit)s». Pida a quien administra "
                    "la unidad que se lo asigne, o indique otra persona con --signer."
                )
                % {"name": signer.get_full_name() or signer.cui, "unit": unit.name}
            )
        read = batches.read_rows(data)
        if read.problems:
            if not check_only:
                with contextlib.suppress(batches.BatchRefused):  # the report is what matters
                    batches.open_batch(
                        data=data, name=csv.name, unit=unit, signer=signer, read=read
                    )
            self._report(read)
            raise CommandError(
                _("No se emitió ningún diploma. Corrija esas filas y ejecute el comando otra vez.")
            )
        if check_only:
            self.stdout.write(
                _("El archivo está bien: %(rows)s diplomas listos para emitir. No se emitió nada.")
                % {"rows": f"{len(read.rows):,}"}
            )
            return
        try:
            self._issue(data, csv.name, unit, signer, read, max(1, workers))
        except batches.BatchRefused as refused:
            raise CommandError(str(refused)) from refused
        except PermissionDenied as denied:
            raise CommandError(
                _("%(name)s dejó de tener el rol de firmante en «%(unit)s»: se detuvo el lote.")
                % {"name": signer.get_full_name(), "unit": unit.name}
            ) from denied

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("No se puede leer el archivo %(path)s: %(error)s. Revise la ruta.")
                % {"path": path, "error": error.strerror or error}
            ) from error

    def _unit(self, code: str):
        from ventanilla.core.models import OrgUnit

        unit = OrgUnit.objects.filter(code=code.strip()).first()
        if unit is None:
            raise CommandError(
                _("No hay ninguna unidad con el código «%(code)s». Revise el código en la lista.")
                % {"code": code}
            )
        return unit

    def _signer(self, cui: str):
        from ventanilla.core.cui import normalize_cui
        from ventanilla.identity.models import User

        user = User.objects.filter(cui=normalize_cui(cui), is_active=True).first()
        if user is None:
            raise CommandError(
                _("No hay ninguna cuenta activa con el CUI «%(cui)s». Revise el número.")
                % {"cui": cui}
            )
        return user

    def _report(self, read: batches.ReadFile) -> None:
        lines = read.bad_lines
        self.stdout.write(
            _("El archivo tiene errores en %(bad)s de sus %(rows)s filas:")
            % {"bad": f"{len(lines):,}", "rows": f"{read.data_lines:,}"}
        )
        for problem in sorted(read.problems, key=lambda p: p.line):
            where = _("Línea %(line)s") % {"line": problem.line}
            if problem.column:
                where += ", " + _("columna «%(column)s»") % {"column": problem.column}
            self.stdout.write(f"  {where}: {problem.message}")

    def _issue(self, data, name, unit, signer, read, workers: int) -> None:
        batch = batches.open_batch(data=data, name=name, unit=unit, signer=signer, read=read)
        with batches.exclusive(batch) as lock_fd:
            prepared, blocks = batches.start_preparing(batch, read.rows, signer=signer)
            total = prepared.already + prepared.to_create
            pending = batch.documents.filter(status="awaiting_signature").count()
            pending += prepared.to_create
            if prepared.already:
                self.stdout.write(
                    _("Se retoma el lote «%(name)s»: %(issued)s de %(total)s ya estaban firmados.")
                    % {
                        "name": batch.source_name,
                        "issued": f"{total - pending:,}",
                        "total": f"{total:,}",
                    }
                )
            if prepared.elsewhere:
                self.stdout.write(
                    _(
                        "%(count)s filas ya tienen su diploma en otro lote (el mismo estudiante, "
                        "título y establecimiento): no se emiten otra vez. Líneas: %(lines)s"
                    )
                    % {
                        "count": f"{len(prepared.elsewhere):,}",
                        "lines": ", ".join(map(str, prepared.elsewhere[:50]))
                        + ("…" if len(prepared.elsewhere) > 50 else ""),
                    }
                )
            if prepared.holders_linked:
                self.stdout.write(
                    _("%(count)s titulares tienen cuenta: verán su diploma en «Mis documentos».")
                    % {"count": f"{prepared.holders_linked:,}"}
                )
            progress = Progress(
                getattr(self.stderr, "_out", sys.stderr), total=total, done=total - pending
            )
            was_done = batch.state == batch.State.DONE
            try:
                issued = batches.issue_pending(
                    batch,
                    signer=signer,
                    workers=workers,
                    lock_fd=lock_fd,
                    on_progress=progress.advance,
                    incoming=blocks,  # prepared while the first ones are signed
                    expected=prepared.to_create,
                )
            except KeyboardInterrupt:
                progress.close()
                self.stderr.write(
                    _(
                        "Interrumpido. %(issued)s de %(total)s diplomas quedaron firmados. "
                        "Ejecute el mismo comando para terminar: no se repite ninguno."
                    )
                    % {"issued": f"{batch.issued:,}", "total": f"{total:,}"}
                )
                sys.exit(INTERRUPTED)
            except (batches.BatchRefused, PermissionDenied):
                progress.close()
                raise
            except Exception as error:
                progress.close()
                raise CommandError(
                    _(
                        "El lote se detuvo por un error: %(error)s. %(issued)s de %(total)s "
                        "diplomas quedaron firmados; corrija la causa y ejecute el mismo comando "
                        "para continuar."
                    )
                    % {"error": error, "issued": f"{batch.issued:,}", "total": f"{total:,}"}
                ) from error
            if issued.signed:
                progress.close()
        self.stdout.write(
            _(
                "Lote «%(name)s» (%(unit)s): %(issued)s diplomas emitidos de %(rows)s filas; "
                "%(signed)s firmados en esta ejecución en %(time)s (%(rate).1f por segundo)."
            )
            % {
                "name": batch.source_name,
                "unit": unit.name,
                "issued": f"{batch.issued:,}",
                "rows": f"{read.data_lines:,}",
                "signed": f"{issued.signed:,}",
                "time": _duration(issued.seconds),
                "rate": issued.signed / issued.seconds if issued.seconds else 0.0,
            }
        )
        if issued.pending:
            raise CommandError(
                _("Quedan %(pending)s diplomas sin firmar: ejecute el mismo comando otra vez.")
                % {"pending": f"{issued.pending:,}"}
            )
        if not was_done and batch.state == batch.State.DONE:
            batches.tell_signer(batch, signer)
