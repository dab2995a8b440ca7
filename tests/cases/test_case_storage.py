"""A case's state and its events are stored deflated (core/compressed_json.py) and come back
exactly as written, in key order, on SQLite and PostgreSQL (the suite runs on both); cases
stored as JSON before the change are converted by the migration and go on running."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ventanilla.cases import actions
from ventanilla.cases.models import Case, CaseEvent, Status
from ventanilla.core.compressed_json import DEFLATED

from .conftest import SOLICITUD


@pytest.mark.django_db
def test_a_case_and_its_events_round_trip_through_the_database(certification, citizen):
    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    case = actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == case.state
    assert list(stored.state["tasks"]) == list(case.state["tasks"])  # tree order kept
    submitted = CaseEvent.objects.get(case=case, kind="submitted")
    assert submitted.after["answers"] == SOLICITUD
    assert CaseEvent.objects.filter(case=case).values_list("after", flat=True)[0] == {
        "channel": "online"
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM cases_case WHERE id = %s", [case.pk])
        raw = bytes(cursor.fetchone()[0])
    assert raw[:1] == DEFLATED
    assert len(raw) < len(json.dumps(case.state)) / 3


@pytest.mark.django_db
def test_dumpdata_writes_json_that_loaddata_reads_back(certification, citizen, tmp_path):
    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    out = io.StringIO()
    call_command("dumpdata", "cases.caseevent", stdout=out)
    [row] = json.loads(out.getvalue())
    assert json.loads(row["fields"]["after"]) == {"channel": "online"}
    CaseEvent.objects.all().delete()
    path = tmp_path / "events.json"
    path.write_text(out.getvalue())
    call_command("loaddata", str(path), stdout=io.StringIO())
    assert CaseEvent.objects.get(case=case).after == {"channel": "online"}


BEFORE, LATEST = ("cases", "0006_queue_indexes"), ("cases", "0009_drop_json_columns")


@pytest.mark.django_db(transaction=True)
def test_cases_stored_as_json_before_the_change_are_converted_and_go_on(
    certification, citizen, reviewers
):
    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    case = actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    columns = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    events = [
        {f.attname: getattr(e, f.attname) for f in CaseEvent._meta.concrete_fields}
        for e in CaseEvent.objects.filter(case=case)
    ]
    Case.objects.filter(pk=case.pk).delete()

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    old.get_model("cases", "Case").objects.create(**columns)
    old.get_model("cases", "CaseEvent").objects.bulk_create(
        old.get_model("cases", "CaseEvent")(**event) for event in events
    )
    with connection.cursor() as cursor:  # stored as JSON text, as before
        cursor.execute("SELECT state FROM cases_case WHERE id = %s", [case.pk])
        assert json.loads(cursor.fetchone()[0]) == case.state

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the apps that depend on cases too

    converted = Case.objects.get(pk=case.pk)
    assert converted.state == case.state  # (jsonb had sorted its keys: runtime.load copes)
    after = dict(CaseEvent.objects.filter(case=case).values_list("kind", "after"))
    assert after["submitted"]["answers"] == SOLICITUD
    # The converted case runs on: a reviewer takes it and decides.
    actions.claim(case.pk, reviewers[0])
    decided = actions.complete_task(
        case.pk, "revision", {"dictamen": "aprobar", "observaciones": ""}, actor=reviewers[0]
    )
    assert decided.status == Status.DECIDED
