"""``ventanilla ledger verify`` and ``check-proof``: the log recomputed from the stored rows,
with tampering done the way an insider would do it (straight SQL on the tables)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.cases.conftest import certification, citizen  # noqa: F401 (fixtures)
from ventanilla.cases import actions as cases
from ventanilla.cases.models import CaseEvent
from ventanilla.ledger import checkpoints, merkle, proofs, tree, verification
from ventanilla.ledger.models import Checkpoint, Leaf

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(certification, citizen):  # noqa: F811
    """A log of real case events: five cases started (one event each), then a checkpoint."""
    for _ in range(5):
        cases.start_case(certification, applicant=citizen, actor=citizen)
    events = list(CaseEvent.objects.order_by("pk"))
    assert tree.size() == len(events) >= 5
    checkpoints.make_checkpoint()
    return events


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def problems():
    report = verification.verify()
    return [(p.where, p.what) for p in report.problems]


def test_every_event_of_a_case_is_in_the_log_in_order(log):
    references = list(Leaf.objects.values_list("reference", flat=True))
    assert references == [f"case_event:{event.pk}" for event in log]
    entry = json.loads(Leaf.objects.get(index=0).entry)
    assert set(entry) == {"kind", "reference", "at", "commitment"}  # nothing personal
    report = verification.verify()
    assert report.ok, report.problems
    assert (report.leaves, report.checkpoints) == (len(log), 1)


def test_a_changed_event_row_is_named(log):
    sql("UPDATE cases_caseevent SET task = %s WHERE id = %s", ["otro paso", log[2].pk])
    assert problems() == [(f"entrada 2 (case_event:{log[2].pk})", "lo que registra cambió después")]


def test_a_deleted_event_row_is_named(log):
    sql("DELETE FROM cases_caseevent WHERE id = %s", [log[3].pk])
    assert problems() == [
        (f"entrada 3 (case_event:{log[3].pk})", "lo que registra ya no existe (se borró)")
    ]


def test_two_swapped_events_are_named(log):
    first, second = log[0], log[1]
    sql("UPDATE cases_caseevent SET case_id = %s WHERE id = %s", [second.case_id, first.pk])
    sql("UPDATE cases_caseevent SET case_id = %s WHERE id = %s", [first.case_id, second.pk])
    named = [where for where, _what in problems()]
    assert named == [f"entrada 0 (case_event:{first.pk})", f"entrada 1 (case_event:{second.pk})"]


def test_two_swapped_log_entries_are_named(log):
    """An insider reorders the log itself (entries, salts and leaf hashes moved together):
    every commitment still matches, but the tree does not."""
    a, b = Leaf.objects.get(index=1), Leaf.objects.get(index=2)
    for leaf, other in ((a, b), (b, a)):
        sql(
            "UPDATE ledger_leaf SET reference = %s, entry = %s, salt = %s, leaf_hash = %s "
            'WHERE "index" = %s',
            [other.reference, other.entry, other.salt, other.leaf_hash, leaf.index],
        )
    found = problems()
    assert ("entradas 0–1", "el nodo guardado no coincide con sus entradas") in found
    assert ("entradas 2–3", "el nodo guardado no coincide con sus entradas") in found
    assert any(where.startswith("punto de control de tamaño") for where, _ in found)


def test_a_changed_log_entry_is_named(log):
    entry = Leaf.objects.get(index=4).entry.replace('"at":"', '"at":"1')
    sql('UPDATE ledger_leaf SET entry = %s WHERE "index" = 4', [entry])
    assert (f"entrada 4 (case_event:{log[4].pk})", "su texto cambió") in problems()


def test_a_deleted_log_entry_is_named(log):
    sql('DELETE FROM ledger_leaf WHERE "index" = 1')
    assert ("entrada 1", "falta (la siguiente guardada es la 2)") in problems()


def test_a_second_checkpoint_of_the_same_size_with_another_root_is_a_fork(log):
    size = tree.size()
    forged = merkle.leaf_hash(b"otra historia")
    fork = Checkpoint.objects.create(
        size=size,
        root=forged,
        note=checkpoints.sign_note(checkpoints.checkpoint_text(size, forged)),
    )
    found = problems()
    assert len(found) == 1
    assert found[0][0] == f"punto de control de tamaño {size} (#{fork.pk})"
    assert "bifurcación" in found[0][1]


def test_the_command_says_so_and_fails(log, capsys):
    call_command("ledger", "verify")
    assert "El registro está íntegro" in capsys.readouterr().out
    sql("UPDATE cases_caseevent SET task = %s WHERE id = %s", ["otro", log[1].pk])
    with pytest.raises(CommandError, match="NO está íntegro"):
        call_command("ledger", "verify")
    assert f"case_event:{log[1].pk}" in capsys.readouterr().out


def test_an_outsider_checks_inclusion_and_consistency_proofs(log, tmp_path, capsys):
    old = Checkpoint.objects.get()
    (tmp_path / "old.txt").write_text(old.note)
    for _ in range(3):
        cases._event(log[0].case, "nota")  # more entries after the first checkpoint
    new = checkpoints.make_checkpoint()
    (tmp_path / "new.txt").write_text(new.note)
    key = checkpoints.verifier_key()

    leaf = Leaf.objects.get(index=2)
    (tmp_path / "inclusion.json").write_text(json.dumps(proofs.inclusion(leaf, new.size)))
    call_command(
        "ledger",
        "check-proof",
        f"--checkpoint={tmp_path / 'new.txt'}",
        f"--proof={tmp_path / 'inclusion.json'}",
        f"--key={key}",
    )
    assert f"OK: the entry is number 2 of the {new.size}" in capsys.readouterr().out

    (tmp_path / "consistency.json").write_text(json.dumps(proofs.consistency(old.size, new.size)))
    call_command(
        "ledger",
        "check-proof",
        f"--checkpoint={tmp_path / 'new.txt'}",
        f"--old-checkpoint={tmp_path / 'old.txt'}",
        f"--proof={tmp_path / 'consistency.json'}",
        f"--key={key}",
    )
    assert "extends the one of" in capsys.readouterr().out

    bent = proofs.inclusion(leaf, new.size)
    bent["entry"] = bent["entry"].replace("case_event", "case_evento")
    (tmp_path / "bent.json").write_text(json.dumps(bent))
    with pytest.raises(CommandError, match="not in the log"):
        call_command(
            "ledger",
            "check-proof",
            f"--checkpoint={tmp_path / 'new.txt'}",
            f"--proof={tmp_path / 'bent.json'}",
            f"--key={key}",
        )


def test_the_case_timeline_links_each_event_to_its_proof(client, log, citizen):  # noqa: F811
    case = log[0].case
    cases._event(case, "submitted", actor=citizen)  # a step the citizen's timeline shows
    event = CaseEvent.objects.get(case=case, kind="submitted")
    client.force_login(citizen)
    page = client.get(f"/mis-tramites/{case.pk}/").content.decode()
    link = f"/registro-publico/inclusion?referencia=case_event:{event.pk}"
    assert link in page and "En el registro público" in page
    checkpoints.make_checkpoint()
    assert client.get(link).json()["leaf_index"] == tree.size() - 1


def test_role_changes_and_catalogue_changes_are_in_the_log(certification, citizen):  # noqa: F811
    from tests.cases.conftest import person
    from ventanilla.catalog import actions as catalog
    from ventanilla.identity.actions import bootstrap_administrator, grant_role, revoke_role
    from ventanilla.identity.models import Role

    unit = certification.responsible_unit
    admin = person(90, first_names="Ada")
    bootstrap_administrator(admin, unit)
    before = tree.size()
    grant_role(citizen, Role.REVIEWER, unit, actor=admin)
    revoke_role(citizen, Role.REVIEWER, unit, actor=admin)
    catalog.set_procedure_online(certification, online=False, actor=admin, reason="prueba")
    kinds = [
        json.loads(entry)["reference"].rpartition(":")[0]
        for entry in Leaf.objects.filter(index__gte=before).values_list("entry", flat=True)
    ]
    assert kinds.count("history:identity.historicalmembership") == 2  # granted, taken away
    assert "history:catalog.historicalprocedure" in kinds
    checkpoints.make_checkpoint()
    assert verification.verify().ok
    sql("UPDATE identity_historicalmembership SET role = %s", ["administrator"])
    found = problems()
    assert found and all("historicalmembership" in where for where, _what in found)


def test_an_event_s_json_is_committed_as_it_reads_back(log):
    """Values that JSON stores differently (a tuple reads back as a list, 1.0 as 1.0) give
    the same commitment when the row is read again."""
    cases._event(log[0].case, "note_added", after={"pair": (1, 2), "ratio": 1.0, "ñ": "sí"})
    checkpoints.make_checkpoint()
    report = verification.verify()
    assert report.ok, report.problems


def test_checkpoints_signed_under_an_earlier_name_still_verify(log, settings):
    """The log's name follows the public address; renaming it must not break the old
    checkpoints, which stay signed by the same key."""
    settings.VENTANILLA_PUBLIC_URL = "https://ventanilla.mineduc.gob.gt"
    checkpoints.make_checkpoint()  # nothing new: the same checkpoint, old name
    cases._event(log[0].case, "nota")
    renamed = checkpoints.make_checkpoint()
    assert renamed.note.startswith("ventanilla.mineduc.gob.gt/registro-publico\n")
    report = verification.verify()
    assert report.ok, report.problems
    assert report.checkpoints == 2
