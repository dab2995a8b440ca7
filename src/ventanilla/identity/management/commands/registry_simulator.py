from django.core.management.base import BaseCommand

from ventanilla.identity.registry.simulator import RegistrySimulator, synthetic_people


class Command(BaseCommand):
    help = "Inicia el registro de identidad simulado (personas sintéticas) en 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument("--token", default="")
        parser.add_argument("--show", type=int, default=5, help="personas de ejemplo a mostrar")

    def handle(self, *args, port, token, show, **options):
        simulator = RegistrySimulator(port=port, token=token)
        self.stdout.write(
            f"Registro simulado en {simulator.url} con {len(simulator.people)} personas."
        )
        for person in synthetic_people()[:show]:
            self.stdout.write(
                f"  {person.cui}  {person.first_names} {person.last_names}  {person.birth_date}"
            )
        try:
            simulator.serve_forever()
        except KeyboardInterrupt:
            simulator.stop()
