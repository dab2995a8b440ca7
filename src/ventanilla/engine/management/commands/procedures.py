"""ventanilla procedures check [FOLDER…]   will these definitions run here?
ventanilla procedures publish [FOLDER…] publish them as new versions

Without folders, both work on the definitions shipped in ventanilla/procedures/.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ventanilla.engine.actions import DefinitionRejected, publish
from ventanilla.engine.check import check_definition
from ventanilla.engine.definitions import load_definition, packaged_definitions


class Command(BaseCommand):
    help = "Comprueba o publica definiciones de procedimientos (BPMN, formularios, DMN)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "publish"])
        parser.add_argument("folders", nargs="*", type=Path)

    def handle(self, *args, action, folders, **options):
        folders = folders or packaged_definitions()
        failed = 0
        for folder in folders:
            try:
                definition = load_definition(folder)
            except FileNotFoundError as error:
                failed += 1
                self.stderr.write(f"✗ {error}")
                continue
            if action == "check":
                problems = check_definition(definition)
                if problems:
                    failed += 1
                    self.stderr.write(f"✗ {definition.slug}")
                    for problem in problems:
                        self.stderr.write(f"    - {problem}")
                else:
                    self.stdout.write(f"✓ {definition.slug}")
                continue
            try:
                version, created = publish(definition)
            except DefinitionRejected as rejected:
                failed += 1
                self.stderr.write(f"✗ {definition.slug}: no se publicó")
                for problem in rejected.problems:
                    self.stderr.write(f"    - {problem}")
                continue
            state = "publicada" if created else "sin cambios, sigue"
            self.stdout.write(f"✓ {definition.slug}: versión {version.version} {state}")
        if failed:
            raise CommandError(f"{failed} definición(es) con problemas")
