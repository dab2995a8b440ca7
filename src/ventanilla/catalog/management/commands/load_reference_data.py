from pathlib import Path

from django.core.management.base import BaseCommand

from ventanilla.catalog.reference import load_reference_data


class Command(BaseCommand):
    help = "Carga departamentos, municipios, unidades, metas y el inventario de trámites."

    def add_arguments(self, parser):
        parser.add_argument(
            "--procedures",
            type=Path,
            default=None,
            help="Otro inventario en JSON (el formato de catalog/data/procedures.json).",
        )

    def handle(self, *args, procedures=None, **options):
        counts = load_reference_data(procedures)
        self.stdout.write(
            "Datos de referencia: {departments} departamentos, {municipalities} municipios, "
            "{org_units} unidades, {procedures_created} trámites nuevos.".format(**counts)
        )
