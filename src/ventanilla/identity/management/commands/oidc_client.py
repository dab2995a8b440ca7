"""Register the systems that sign people in with Ventanilla (single sign-on).

    ventanilla oidc_client create --name "Sistema X" --redirect-uri https://x.gob.gt/callback
    ventanilla oidc_client create --name "Sistema X" --redirect-uri … --public
    ventanilla oidc_client create --name "Sistema Y" --client-credentials --owner CUI
    ventanilla oidc_client list
    ventanilla oidc_client rotate-secret CLIENT_ID

The client secret is printed once and kept only as a hash.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AbstractApplication, get_application_model

from ventanilla.api.scopes import API_SCOPES
from ventanilla.identity.models import User
from ventanilla.identity.oidc import PERSON_SCOPES, SERVICE_SCOPES


class Command(BaseCommand):
    help = "Registra y lista los sistemas que inician sesión con Ventanilla (OpenID Connect)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)

        create = actions.add_parser("create", help="registra un sistema")
        create.add_argument("--name", required=True, help="nombre que verán las personas")
        create.add_argument(
            "--redirect-uri",
            action="append",
            default=[],
            dest="redirect_uris",
            help="dirección de vuelta exacta (repetible)",
        )
        kind = create.add_mutually_exclusive_group()
        kind.add_argument(
            "--confidential",
            action="store_true",
            help="sistema con servidor propio que guarda el secreto (predeterminado)",
        )
        kind.add_argument(
            "--public",
            action="store_true",
            help="aplicación sin secreto (en el navegador o el teléfono); solo con PKCE",
        )
        create.add_argument(
            "--client-credentials",
            action="store_true",
            help="sistema de otra institución, sin personas "
            f"({', '.join(SERVICE_SCOPES + API_SCOPES)})",
        )
        create.add_argument(
            "--owner",
            metavar="CUI",
            help="cuenta de la institución con la que actúa el sistema en la API "
            "(solo con --client-credentials)",
        )
        create.add_argument(
            "--trusted",
            action="store_true",
            help="sistema del propio ministerio: no se pide permiso a la persona",
        )
        create.add_argument("--json", action="store_true", help="salida en JSON")

        listing = actions.add_parser("list", help="lista los sistemas registrados")
        listing.add_argument("--json", action="store_true", help="salida en JSON")

        rotate = actions.add_parser("rotate-secret", help="da un secreto nuevo a un sistema")
        rotate.add_argument("client_id")
        rotate.add_argument("--json", action="store_true", help="salida en JSON")

    def handle(self, *args, action, **options):
        if action == "create":
            self.create_client(**options)
        elif action == "list":
            self.list_clients(**options)
        else:
            self.rotate_secret(**options)

    @transaction.atomic
    def create_client(
        self, *, name, redirect_uris, public, client_credentials, trusted, owner, **options
    ):
        Application = get_application_model()
        account = None
        if owner:
            if not client_credentials:
                raise CommandError("--owner es para sistemas con --client-credentials.")
            account = User.objects.filter(cui=owner, is_active=True).first()
            if account is None:
                raise CommandError(f"No hay una cuenta activa con el CUI {owner}.")
        if client_credentials:
            if public:
                raise CommandError("Un sistema con --client-credentials necesita un secreto.")
            if redirect_uris or trusted:
                raise CommandError(
                    "--redirect-uri y --trusted son para sistemas que inician sesión de personas."
                )
            grant, algorithm = Application.GRANT_CLIENT_CREDENTIALS, Application.NO_ALGORITHM
        else:
            if not redirect_uris:
                raise CommandError("Indique al menos una --redirect-uri.")
            grant, algorithm = Application.GRANT_AUTHORIZATION_CODE, Application.RS256_ALGORITHM
        secret = "" if public else generate_client_secret()
        application = Application(
            name=name,
            client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=grant,
            redirect_uris=" ".join(redirect_uris),
            algorithm=algorithm,
            skip_authorization=trusted,
            user=account,
            client_secret=secret,
            hash_client_secret=True,
        )
        try:
            application.full_clean()
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"No se registró el sistema: {problems}") from None
        application.save()
        self._report(application, secret, options["json"])

    def list_clients(self, **options):
        rows = [
            {
                "client_id": application.client_id,
                "name": application.name,
                "client_type": application.client_type,
                "grant_type": application.authorization_grant_type,
                "redirect_uris": application.redirect_uris.split(),
                "trusted": application.skip_authorization,
                "owner": application.user.cui if application.user else None,
            }
            for application in get_application_model()
            .objects.select_related("user")
            .order_by("name", "pk")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No hay sistemas registrados.")
        for row in rows:
            self.stdout.write(
                f"{row['client_id']}  {row['name']}  ({row['client_type']}, {row['grant_type']})"
                f"  {' '.join(row['redirect_uris'])}"
            )

    @transaction.atomic
    def rotate_secret(self, *, client_id, **options):
        application = (
            get_application_model().objects.select_for_update().filter(client_id=client_id).first()
        )
        if application is None:
            raise CommandError(f"No hay un sistema con client_id {client_id}.")
        if application.client_type == AbstractApplication.CLIENT_PUBLIC:
            raise CommandError("Un sistema público no tiene secreto.")
        secret = generate_client_secret()
        application.client_secret = secret
        application.hash_client_secret = True
        application.save()
        self._report(application, secret, options["json"])

    def _report(self, application, secret, as_json):
        scopes = (
            SERVICE_SCOPES
            if application.authorization_grant_type == AbstractApplication.GRANT_CLIENT_CREDENTIALS
            else PERSON_SCOPES
        ) + API_SCOPES
        data = {
            "client_id": application.client_id,
            "client_secret": secret or None,
            "name": application.name,
            "client_type": application.client_type,
            "grant_type": application.authorization_grant_type,
            "redirect_uris": application.redirect_uris.split(),
            "scopes": list(scopes),
            "owner": application.user.cui if application.user else None,
        }
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Sistema registrado: {application.name}")
        self.stdout.write(f"  client_id:     {application.client_id}")
        if secret:
            self.stdout.write(f"  client_secret: {secret}")
            self.stdout.write(
                "  Guarde el secreto ahora: Ventanilla solo guarda una huella y no puede "
                "mostrarlo de nuevo."
            )
        self.stdout.write(f"  alcances que puede pedir: {' '.join(scopes)}")
        if application.user:
            self.stdout.write(f"  actúa en la API como la cuenta: {application.user.cui}")
