"""Demo accounts for `ventanilla demo`. Never run this on a real deployment."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from ventanilla.catalog.reference import ensure_editor_group
from ventanilla.core.cui import make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import AssuranceLevel, RegistryStatus, Role, User

DEMO_PASSWORD = "demo-ventanilla-2026"  # noqa: S105 - printed by `ventanilla demo`


@dataclass(frozen=True)
class DemoAccount:
    role: str
    cui: str
    name: str
    password: str = DEMO_PASSWORD


DEMO_ACCOUNTS = [
    # Sequences chosen so the check digit exists; departments/municipalities are real.
    ("Administración", make_cui(10000001, "01", "01"), "Ana", "Administradora", "admin"),
    ("Editor del catálogo", make_cui(10000002, "09", "01"), "Edgar", "Editor", "editor"),
    ("Ciudadana", make_cui(10000003, "16", "01"), "Carmen", "Ciudadana", "citizen"),
    ("Revisor (DIDEDUC)", make_cui(10000004, "01", "01"), "Rubén", "Revisor", "reviewer"),
    ("Jefa de unidad (firma)", make_cui(10000005, "01", "01"), "Sara", "Supervisora", "supervisor"),
]


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    ensure_editor_group()
    accounts = []
    users = {}
    for role, cui, first, last, kind in DEMO_ACCOUNTS:
        user = User.objects.filter(cui=cui).first()
        if user is None:
            user = User.objects.create_user(
                cui,
                DEMO_PASSWORD,
                first_names=first,
                last_names=f"{last} (demo)",
                email=f"{kind}@demo.ventanilla.invalid",
                is_staff=kind in {"admin", "editor"},
                is_superuser=kind == "admin",
                birth_date=datetime.date(1990, 1, 15),
                # Officials were confirmed in person when hired; the citizen by the registry.
                assurance_level=(
                    AssuranceLevel.REGISTRY if kind == "citizen" else AssuranceLevel.IN_PERSON
                ),
                registry_status=RegistryStatus.CONFIRMED,
            )
        users[kind] = user
        accounts.append(DemoAccount(role=role, cui=cui, name=user.get_full_name()))
    admin = users["admin"]
    bootstrap_administrator(admin, OrgUnit.objects.get(code="dinfo"))
    grant_role(
        users["editor"], Role.CATALOGUE_EDITOR, OrgUnit.objects.get(code="digeace"), actor=admin
    )
    # Rubén works every step the shipped procedures have, wherever a case is routed: the
    # review in every DIDEDUC (the decision tables send cases to the one of the school's
    # department), in DIGEACE and in Atención al Ciudadano (the auténtica), and DIGEACE's
    # resolution of a private school's authorisation (signer lane). At a counter he can also
    # register cases brought in person.
    reviewer_units = OrgUnit.objects.filter(
        Q(kind=OrgUnit.Kind.DEPARTMENTAL) | Q(code__in=["digeace", "atencion-ciudadano"]),
        is_active=True,
    )
    for unit in reviewer_units:
        grant_role(users["reviewer"], Role.REVIEWER, unit, actor=admin)
    grant_role(users["reviewer"], Role.SIGNER, OrgUnit.objects.get(code="digeace"), actor=admin)
    # Sara, as the head of a directorate, signs the documents the procedures issue
    # (/oficina/firmas/) wherever they are issued; she receives the escalations of Guatemala
    # Norte's overdue cases.
    for unit in reviewer_units:
        grant_role(users["supervisor"], Role.SIGNER, unit, actor=admin)
    grant_role(
        users["supervisor"],
        Role.SUPERVISOR,
        OrgUnit.objects.get(code="dideduc-guatemala-norte"),
        actor=admin,
    )
    return accounts
