from django.core.management.base import BaseCommand

from ventanilla.representation.actions import end_representations_of_adults


class Command(BaseCommand):
    help = (
        "Termina las representaciones de las personas que cumplieron 18 años. "
        "Ejecútelo una vez al día (cron o un temporizador de systemd)."
    )

    def handle(self, *args, **options):
        ended = end_representations_of_adults()
        if options["verbosity"]:
            self.stdout.write(f"Representaciones terminadas por mayoría de edad: {ended}")
