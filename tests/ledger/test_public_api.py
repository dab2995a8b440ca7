"""``/registro-publico/``: the page, the checkpoint, the key, entries and proofs, as an
outsider fetches them; bad parameters get a 400 that says what to send."""

import json

import pytest

from tests.ledger.test_tree import entries
from ventanilla.ledger import checkpoints, proof_check, tree
from ventanilla.ledger.models import Checkpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    tree.append(entries(21))
    return checkpoints.make_checkpoint()


def test_the_page_explains_the_log_and_shows_its_state(client, log):
    page = client.get("/registro-publico/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Registro público de actuaciones" in text
    assert "No publica datos personales" in text
    assert bytes(log.root).hex() in text and ">21<" in text
    assert checkpoints.verifier_key() in text


def test_an_outsider_fetches_a_checkpoint_and_a_proof_and_checks_them(client, log):
    note = client.get("/registro-publico/checkpoint")
    assert note["Content-Type"].startswith("text/plain") and note.content.decode() == log.note
    key = client.get("/registro-publico/clave").content.decode().strip()
    assert key == checkpoints.verifier_key()
    proof = client.get("/registro-publico/inclusion?referencia=prueba:7").json()
    assert proof["leaf_index"] == 7 and proof["checkpoint"] == log.note
    assert "OK" in proof_check.check(checkpoint=log.note, proof=proof, key=key)
    entry = client.get("/registro-publico/entradas/7").json()
    assert entry["entry"] == proof["entry"]

    tree.append(entries(5, 21))
    old_note = log.note
    new = checkpoints.make_checkpoint()
    consistency = client.get(f"/registro-publico/consistencia?desde=21&hasta={new.size}").json()
    checked = proof_check.check(
        checkpoint=new.note, proof=consistency, key=key, old_checkpoint=old_note
    )
    assert "extends" in checked
    tampered = dict(consistency, path=consistency["path"][::-1])
    with pytest.raises(ValueError):
        proof_check.check(checkpoint=new.note, proof=tampered, key=key, old_checkpoint=old_note)


def test_visitors_cannot_make_a_checkpoint_per_request(client, log):
    tree.append(entries(2, 21))
    for _ in range(3):
        client.get("/registro-publico/checkpoint")
    assert Checkpoint.objects.count() == 1  # the latest is under a minute old
    recent = client.get("/registro-publico/inclusion?indice=22")
    assert recent.status_code == 409 and "muy reciente" in recent.json()["error"]


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/registro-publico/inclusion", 400, "referencia"),
        ("/registro-publico/inclusion?indice=abc", 400, "número entero"),
        ("/registro-publico/inclusion?indice=99999", 404, "no está en el registro"),
        ("/registro-publico/inclusion?indice=3&tamano=2", 400, "no está en un registro de 2"),
        ("/registro-publico/inclusion?indice=3&tamano=500", 400, "no está en un registro"),
        ("/registro-publico/consistencia?desde=30&hasta=21", 400, "desde ≤ hasta"),
        ("/registro-publico/consistencia", 400, "desde"),
        ("/registro-publico/entradas/500", 404, "No hay ninguna entrada 500"),
    ],
    ids=[
        "nothing",
        "not-a-number",
        "unknown",
        "too-small",
        "too-big",
        "backwards",
        "no-from",
        "no-entry",
    ],
)
def test_bad_parameters_say_what_to_send(client, log, url, status, says):
    answer = client.get(url)
    assert answer.status_code == status
    assert says in json.loads(answer.content)["error"]
