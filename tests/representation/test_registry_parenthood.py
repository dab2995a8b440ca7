"""The registry's second question, "is this CUI a parent of that CUI?", over real HTTP against
the simulated registry on loopback."""

import json
import urllib.request

import pytest

from tests.representation.conftest import CHILD, MOTHER, STRANGER_CHILD
from ventanilla.core.cui import make_cui, parse_cui
from ventanilla.identity.registry import HttpRegistryClient, RegistryAnswer
from ventanilla.identity.registry.simulator import (
    RegistrySimulator,
    synthetic_families,
    synthetic_people,
)


@pytest.fixture
def simulator():
    registry = RegistrySimulator(
        people=[MOTHER, CHILD, STRANGER_CHILD],
        token="secreto-de-prueba",
        parents=[(MOTHER.cui, CHILD.cui)],
    ).start()
    yield registry
    registry.stop()


@pytest.fixture
def client(simulator):
    return HttpRegistryClient(
        url=simulator.url, timeout=0.5, retries=2, backoff=0.01, token="secreto-de-prueba"
    )


def test_a_parent_of_the_child_matches(client):
    assert client.verify_parenthood(MOTHER.cui, CHILD.cui) is RegistryAnswer.MATCH


def test_someone_who_is_not_the_parent_is_a_mismatch(client):
    assert client.verify_parenthood(MOTHER.cui, STRANGER_CHILD.cui) is RegistryAnswer.MISMATCH
    # the question has a direction: the child is not the mother's parent
    assert client.verify_parenthood(CHILD.cui, MOTHER.cui) is RegistryAnswer.MISMATCH


def test_an_unknown_cui_is_not_found(client):
    unknown = make_cui(91_000_001, "01", "01")
    assert client.verify_parenthood(unknown, CHILD.cui) is RegistryAnswer.NOT_FOUND
    assert client.verify_parenthood(MOTHER.cui, unknown) is RegistryAnswer.NOT_FOUND


def test_tests_can_add_a_parent_child_link(client, simulator):
    assert client.verify_parenthood(MOTHER.cui, STRANGER_CHILD.cui) is RegistryAnswer.MISMATCH
    simulator.add_parent(MOTHER.cui, STRANGER_CHILD.cui)
    assert client.verify_parenthood(MOTHER.cui, STRANGER_CHILD.cui) is RegistryAnswer.MATCH


def test_the_answer_never_reveals_who_the_parents_are(simulator):
    body = json.dumps({"cui_progenitor": STRANGER_CHILD.cui, "cui_hijo": CHILD.cui}).encode()
    request = urllib.request.Request(
        f"{simulator.url}/v1/filiaciones",
        data=body,
        method="POST",
        headers={"Authorization": "Bearer secreto-de-prueba", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        answer = json.loads(response.read())
    assert answer == {"resultado": "no_coincide"}


def test_the_same_retries_apply_to_both_questions(client, simulator):
    simulator.fail_status = 503
    assert client.verify_parenthood(MOTHER.cui, CHILD.cui) is RegistryAnswer.UNAVAILABLE
    assert simulator.requests == 3  # the first try and two retries


def test_the_same_credential_is_sent(simulator):
    wrong = HttpRegistryClient(url=simulator.url, timeout=0.5, retries=2, token="otra")
    assert wrong.verify_parenthood(MOTHER.cui, CHILD.cui) is RegistryAnswer.UNAVAILABLE
    assert simulator.requests == 1  # a refused credential is not retried


def test_a_registry_that_is_down_is_unavailable():
    stopped = RegistrySimulator(people=[MOTHER]).start()
    url = stopped.url
    stopped.stop()
    client = HttpRegistryClient(url=url, timeout=0.5, retries=1, backoff=0.01)
    assert client.verify_parenthood(MOTHER.cui, CHILD.cui) is RegistryAnswer.UNAVAILABLE


def test_synthetic_adults_have_synthetic_children():
    adults = synthetic_people()
    children, links = synthetic_families(adults)
    assert (children, links) == synthetic_families(adults)  # the same every time
    assert len(children) > 50
    everyone = {person.cui: person for person in adults + children}
    assert len(everyone) == len(adults) + len(children)
    for child in children:
        parse_cui(child.cui)
    for parent_cui, child_cui in links:
        parent, child = everyone[parent_cui], everyone[child_cui]
        assert parent.birth_date < child.birth_date


def test_the_default_simulator_answers_for_its_synthetic_families():
    simulator = RegistrySimulator().start()
    try:
        client = HttpRegistryClient(url=simulator.url, timeout=0.5, retries=0)
        _children, links = synthetic_families(synthetic_people())
        parent_cui, child_cui = links[0]
        assert client.verify_parenthood(parent_cui, child_cui) is RegistryAnswer.MATCH
        assert client.verify_parenthood(child_cui, parent_cui) is RegistryAnswer.MISMATCH
    finally:
        simulator.stop()
