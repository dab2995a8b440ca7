"""The registry adapter against the simulated registry, over real HTTP on loopback."""

import datetime
import json
import time
import urllib.request

import pytest

from ventanilla.identity.actions import confirm_identity_with_registry
from ventanilla.identity.models import AssuranceLevel, User
from ventanilla.identity.registry import HttpRegistryClient, IdentityClaim, RegistryAnswer
from ventanilla.identity.registry.simulator import Person, RegistrySimulator, synthetic_people

ROSA = Person("1234567890101", "Rosa Elena", "Cux Tzoc", datetime.date(1990, 5, 17))


@pytest.fixture
def simulator():
    registry = RegistrySimulator(people=[ROSA], token="secreto-de-prueba").start()
    yield registry
    registry.stop()


@pytest.fixture
def client(simulator):
    return HttpRegistryClient(
        url=simulator.url, timeout=0.5, retries=2, backoff=0.01, token="secreto-de-prueba"
    )


def claim(**changes):
    values = {
        "cui": ROSA.cui,
        "first_names": ROSA.first_names,
        "last_names": ROSA.last_names,
        "birth_date": ROSA.birth_date,
    }
    return IdentityClaim(**{**values, **changes})


def test_match_ignores_case_accents_and_spacing(client):
    assert client.verify(claim()) is RegistryAnswer.MATCH
    assert client.verify(claim(first_names="ROSA  ELENA", last_names="cux tzóc")) is (
        RegistryAnswer.MATCH
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"first_names": "Rosa María"},
        {"last_names": "Cux"},
        {"birth_date": datetime.date(1990, 5, 18)},
    ],
)
def test_any_difference_is_a_mismatch(client, changes):
    assert client.verify(claim(**changes)) is RegistryAnswer.MISMATCH


def test_unknown_cui_is_not_found(client):
    assert client.verify(claim(cui="1234567890102")) is RegistryAnswer.NOT_FOUND


def test_the_answer_never_reveals_what_the_registry_holds(simulator):
    body = json.dumps(
        {"cui": ROSA.cui, "nombres": "X", "apellidos": "Y", "fecha_nacimiento": "2000-01-01"}
    ).encode()
    request = urllib.request.Request(
        f"{simulator.url}/v1/verificaciones",
        data=body,
        method="POST",
        headers={"Authorization": "Bearer secreto-de-prueba", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        answer = json.loads(response.read())
    assert answer == {"resultado": "no_coincide"}


def test_a_slow_registry_times_out_and_is_retried(client, simulator):
    simulator.delay = 1.0
    started = time.monotonic()
    assert client.verify(claim()) is RegistryAnswer.UNAVAILABLE
    assert time.monotonic() - started < 3  # 3 attempts × 0.5 s, not the registry's pace
    assert simulator.requests == 3


def test_a_failing_registry_is_retried_then_unavailable(client, simulator):
    simulator.fail_status = 503
    assert client.verify(claim()) is RegistryAnswer.UNAVAILABLE
    assert simulator.requests == 3


def test_a_refused_credential_is_not_retried(simulator):
    client = HttpRegistryClient(url=simulator.url, timeout=0.5, retries=2, token="otro")
    assert client.verify(claim()) is RegistryAnswer.UNAVAILABLE
    assert simulator.requests == 1


def test_a_registry_that_is_down_is_unavailable():
    stopped = RegistrySimulator(people=[ROSA]).start()
    url = stopped.url
    stopped.stop()
    client = HttpRegistryClient(url=url, timeout=0.5, retries=1, backoff=0.01)
    assert client.verify(claim()) is RegistryAnswer.UNAVAILABLE


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError, match="http"):
        HttpRegistryClient(url="file:///etc/passwd")


def test_synthetic_people_are_valid_and_stable():
    from ventanilla.core.cui import parse_cui

    people = synthetic_people()
    assert people == synthetic_people()
    assert len({person.cui for person in people}) == len(people)
    for person in people:
        parse_cui(person.cui)


@pytest.mark.django_db
def test_an_account_rises_to_level_2_when_the_registry_confirms_it(client, simulator):
    user = User.objects.create_user(
        ROSA.cui,
        "una-clave-larga-2026",
        first_names="Rosa Elena",
        last_names="Cux Tzoc",
        birth_date=ROSA.birth_date,
    )
    simulator.fail_status = 503  # an outage: the account stays at level 1
    assert confirm_identity_with_registry(user, registry=client) is RegistryAnswer.UNAVAILABLE
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED

    simulator.fail_status = None  # the registry is back: the retry upgrades it
    assert confirm_identity_with_registry(user, registry=client) is RegistryAnswer.MATCH
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.REGISTRY


@pytest.mark.django_db
def test_a_mismatch_leaves_the_account_at_level_1(client):
    user = User.objects.create_user(
        ROSA.cui,
        "una-clave-larga-2026",
        first_names="Rosa",
        last_names="Cux",
        birth_date=ROSA.birth_date,
    )
    assert confirm_identity_with_registry(user, registry=client) is RegistryAnswer.MISMATCH
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED
