"""ventanilla ledger verify | checkpoint | key | check-proof

- ``verify``: recompute the whole public log from the stored rows and check every saved
  checkpoint; names the first problems; exit status 1 when there is one.
- ``checkpoint``: sign a checkpoint of the log as it is now (the periodic job does the same).
- ``key``: print the log's verifier key (what outsiders keep).
- ``check-proof --checkpoint FILE --key KEY --proof FILE [--old-checkpoint FILE]``: check an
  inclusion or consistency proof (as the public API gives it) against signed checkpoints,
  with the standard library only, as an outsider would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

SHOWN = 20


class Command(BaseCommand):
    help = _("Verifica el registro público o una prueba, y firma puntos de control.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "key", "check-proof"])
        parser.add_argument("--checkpoint", type=Path, help=_("punto de control firmado"))
        parser.add_argument("--old-checkpoint", type=Path, help=_("el punto de control anterior"))
        parser.add_argument("--proof", type=Path, help=_("la prueba, en JSON"))
        parser.add_argument("--key", help=_("la clave de verificación del registro"))

    def handle(self, *args, action, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _verify(self, **options):
        from ventanilla.ledger.verification import verify

        report = verify()
        if report.ok:
            self.stdout.write(
                _(
                    "El registro está íntegro: %(leaves)s entradas y %(checkpoints)s puntos de "
                    "control comprobados."
                )
                % {"leaves": f"{report.leaves:,}", "checkpoints": f"{report.checkpoints:,}"}
            )
            return
        for problem in report.problems[:SHOWN]:
            self.stdout.write(f"{problem.where}: {problem.what}")
        if len(report.problems) > SHOWN:
            self.stdout.write(_("… y %(n)s problemas más.") % {"n": len(report.problems) - SHOWN})
        raise CommandError(
            _("El registro NO está íntegro: %(n)s problemas (el primero arriba).")
            % {"n": len(report.problems)}
        )

    def _checkpoint(self, **options):
        from ventanilla.ledger.checkpoints import make_checkpoint

        self.stdout.write(make_checkpoint().note, ending="")

    def _key(self, **options):
        from ventanilla.ledger.checkpoints import verifier_key

        self.stdout.write(verifier_key())

    def _check_proof(self, *, checkpoint, old_checkpoint, proof, key, **options):
        from ventanilla.ledger import proof_check

        if not (checkpoint and proof and key):
            raise CommandError(_("Indique --checkpoint, --proof y --key."))
        try:
            message = proof_check.check(
                checkpoint=checkpoint.read_text(),
                proof=json.loads(proof.read_text()),
                key=key,
                old_checkpoint=old_checkpoint.read_text() if old_checkpoint else None,
            )
        except (OSError, ValueError) as error:
            raise CommandError(_("La prueba NO es válida: %(error)s") % {"error": error}) from error
        sys.stdout.write(message + "\n")
