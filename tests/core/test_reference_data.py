import pytest

from ventanilla.catalog.models import Procedure, Source
from ventanilla.catalog.reference import EDITORS_GROUP, load_reference_data, read_json
from ventanilla.core.models import Department, Municipality, OrgUnit

pytestmark = pytest.mark.django_db


def test_geography_is_in_the_database():
    assert Department.objects.count() == 22
    assert Municipality.objects.count() == 340
    assert Municipality.objects.get(department_id="05", code="14").name == "Sipacate"


def test_org_units_include_the_26_departmental_directorates():
    departmental = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENTAL)
    assert departmental.count() == 26
    assert departmental.filter(department_id="01").count() == 4
    # Every department has at least one directorate.
    assert set(departmental.values_list("department_id", flat=True)) == set(
        Department.objects.values_list("code", flat=True)
    )


def test_the_19_mineduc_procedures_are_loaded_with_their_sources():
    records = {record["slug"]: record for record in read_json("procedures.json")}
    assert Procedure.objects.count() == len(records) == 19
    for procedure in Procedure.objects.all():
        record = records[procedure.slug]
        assert procedure.name == record["name"]
        assert Source.objects.filter(procedure=procedure).count() == len(record["sources"]) > 0
        assert procedure.requirements.count() == len(record["requirements"])
    authentication = Procedure.objects.get(slug="autentica-documentos-educativos")
    assert authentication.cost_quetzales == 10
    assert authentication.legal_deadline_days is None


def test_loading_twice_changes_nothing():
    before = list(Procedure.objects.order_by("slug").values_list("slug", "updated_at"))
    counts = load_reference_data()
    assert counts["procedures_created"] == 0
    assert list(Procedure.objects.order_by("slug").values_list("slug", "updated_at")) == before
    assert Municipality.objects.count() == 340


def test_editors_may_change_but_not_delete_procedures(editor):
    assert editor.groups.filter(name=EDITORS_GROUP).exists()
    assert editor.has_perm("catalog.change_procedure")
    assert editor.has_perm("catalog.add_requirement")
    assert not editor.has_perm("catalog.delete_procedure")
    assert not editor.has_perm("identity.change_user")
