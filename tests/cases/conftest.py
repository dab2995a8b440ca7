import pytest
from django.core.management import call_command

from ventanilla.catalog.models import Procedure
from ventanilla.core.cui import make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import AssuranceLevel, Role, User

SOLICITUD = {"nivel": "basico", "grado": "3o", "anio": 2019, "establecimiento": "INEB Mixco"}


def person(n, **fields):
    return User.objects.create_user(make_cui(71_000_000 + n, "01", "01"), None, **fields)


@pytest.fixture
def certification(db):
    from ventanilla.catalog.reference import load_reference_data

    load_reference_data()  # idempotent; transactional tests start from an empty database
    call_command("procedures", "publish", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Procedure.objects.get(slug="certificacion-de-estudios")


@pytest.fixture
def citizen(db):
    return person(1, first_names="Marta")


@pytest.fixture
def reviewers(certification):
    unit = certification.responsible_unit
    admin = person(90, first_names="Ada")
    bootstrap_administrator(admin, OrgUnit.objects.get(code="dinfo"))
    bootstrap_administrator(admin, unit)
    officials = []
    for n in (2, 3):
        official = person(n, first_names=f"Revisor {n}")
        grant_role(official, Role.REVIEWER, unit, actor=admin)
        officials.append(official)
    return officials


@pytest.fixture
def confirmed_citizen(citizen):
    """The citizen with the registry's confirmation (level 2) and an e-mail address."""
    User.objects.filter(pk=citizen.pk).update(
        assurance_level=AssuranceLevel.REGISTRY, email="marta@example.org"
    )
    citizen.refresh_from_db()
    return citizen
