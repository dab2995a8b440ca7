"""People, a simulated registry that knows them, and helpers for the representation tests."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.registry import TOKEN, use_simulator
from ventanilla.core.cui import make_cui
from ventanilla.identity.models import AssuranceLevel, RegistryStatus, User
from ventanilla.identity.registry.simulator import Person, RegistrySimulator


def years_ago(years: int, days: int = 0) -> datetime.date:
    """A date of birth that makes someone ``years`` old today (plus ``days``)."""
    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - datetime.timedelta(days=days)


MOTHER = Person(make_cui(90_000_001, "01", "01"), "Marta Lucía", "Pop Caal", years_ago(38, 40))
CHILD = Person(make_cui(90_100_001, "16", "01"), "Juan Pablo", "Tzoc Pop", years_ago(9, 100))
STRANGER_CHILD = Person(make_cui(90_100_002, "01", "01"), "Ana", "Xicará Batz", years_ago(6))


def form_data(child: Person = CHILD, **changes) -> dict:
    """What a parent types in "Agregar a una persona menor de edad"."""
    return {
        "cui": f"{child.cui[:4]} {child.cui[4:9]} {child.cui[9:]}",  # as printed
        "first_names": child.first_names,
        "last_names": child.last_names,
        "birth_date": child.birth_date.strftime("%d/%m/%Y"),
        "relationship": "madre",
        **changes,
    }


def make_adult(person: Person = MOTHER, level: int = AssuranceLevel.REGISTRY, **fields) -> User:
    return User.objects.create_user(
        person.cui,
        "una-clave-larga-2026",
        first_names=person.first_names,
        last_names=person.last_names,
        birth_date=person.birth_date,
        assurance_level=level,
        registry_status=(
            RegistryStatus.CONFIRMED if level >= AssuranceLevel.REGISTRY else RegistryStatus.PENDING
        ),
        **fields,
    )


@pytest.fixture
def mother(db):
    return make_adult()


@pytest.fixture
def registry(settings):
    """The simulated registry on loopback, knowing the mother, her child and an unrelated
    child; the platform's settings point at it."""
    simulator = RegistrySimulator(
        people=[MOTHER, CHILD, STRANGER_CHILD],
        token=TOKEN,
        parents=[(MOTHER.cui, CHILD.cui)],
    ).start()
    use_simulator(settings, simulator)
    yield simulator
    simulator.stop()


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def make_queued_jobs_due():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
