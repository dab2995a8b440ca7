"""Registration while the registry is down: the account starts at level 1 and the background
worker (django-tasks-db, run here in-process) upgrades it once the registry answers again."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.registry import TOKEN, use_simulator
from ventanilla.core.cui import make_cui
from ventanilla.identity.models import AssuranceLevel, RegistryStatus, User
from ventanilla.identity.registry.simulator import Person, RegistrySimulator
from ventanilla.identity.tasks import RETRY_DELAYS_MINUTES, retry_delay

ANA = Person(make_cui(70_000_001, "01", "01"), "Ana Lucía", "Pop Caal", datetime.date(1988, 2, 29))


@pytest.fixture
def registry(settings):
    simulator = RegistrySimulator(people=[ANA], token=TOKEN).start()
    use_simulator(settings, simulator)
    yield simulator
    simulator.stop()


def register(client, **changes):
    data = {
        "cui": ANA.cui,
        "first_names": ANA.first_names,
        "last_names": ANA.last_names,
        "birth_date": "29/02/1988",
        "email": "ana@example.org",
        "password": "una frase larga y mía",
        **changes,
    }
    response = client.post("/cuenta/registro/", data)
    assert response.status_code == 302, response.content.decode()
    return User.objects.get(cui=ANA.cui)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def make_queued_jobs_due():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_registration_during_an_outage_is_upgraded_when_the_registry_returns(client, registry):
    registry.fail_status = 503
    user = register(client)
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED
    assert user.registry_status == RegistryStatus.PENDING

    run_worker()  # the first attempt meets the outage and schedules the next one
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED
    assert user.registry_status == RegistryStatus.UNAVAILABLE
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["args"] == [user.pk, 2]
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=50)

    run_worker()  # not due yet: nothing runs
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    registry.fail_status = None  # the registry is back
    make_queued_jobs_due()
    run_worker()
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.REGISTRY
    assert user.registry_status == RegistryStatus.CONFIRMED
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_mismatch_is_recorded_once_and_not_retried(client, registry):
    user = register(client, first_names="Ana María")
    run_worker()
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED
    assert user.registry_status == RegistryStatus.MISMATCH
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_retries_back_off_and_stop_after_two_days():
    assert retry_delay(1) == datetime.timedelta(minutes=1)
    assert retry_delay(5) == datetime.timedelta(minutes=30)
    assert retry_delay(len(RETRY_DELAYS_MINUTES) + 1) is None
    total = sum(RETRY_DELAYS_MINUTES, 0)
    assert 48 * 60 <= total <= 50 * 60
