"""Routing by decision table: a case goes to the DIDEDUC of the department concerned (in the
department of Guatemala, by municipality) and, for the private school authorisation, on to
DIGEACE for the resolution; a location the table has no rule for stops the case, flagged."""

import re
import shutil

import pytest

from tests.cases.conftest import person
from ventanilla.cases import actions
from ventanilla.cases.models import Status
from ventanilla.catalog.models import Procedure
from ventanilla.core.models import OrgUnit
from ventanilla.engine.actions import publish
from ventanilla.engine.definitions import PACKAGED, load_definition
from ventanilla.identity.actions import bootstrap_administrator, grant_role
from ventanilla.identity.models import Role

CENTRO = {
    "nombre_centro": "Colegio Mixto El Roble",
    "calidad": "propietario",
    "direccion": "4a calle 3-10, zona 1",
    "inmueble": "propio",
    "niveles": "Preprimaria y primaria",
}
RAZONAMIENTO = {
    "tipo_documento": "diploma",
    "cantidad_documentos": 1,
    "nombre_en_documentos": "Juana Xol Caal",
    "nivel": "primaria",
    "anio": 2012,
    "establecimiento": "EORM Cobán",
}

# (department, municipality) → (DIDEDUC, department's name)
LOCATIONS = [
    pytest.param("09", "0901", "dideduc-quetzaltenango", "Quetzaltenango", id="quetzaltenango"),
    pytest.param("01", "0101", "dideduc-guatemala-norte", "Guatemala", id="ciudad-de-guatemala"),
    pytest.param("01", "0108", "dideduc-guatemala-occidente", "Guatemala", id="mixco"),
    pytest.param("01", "0115", "dideduc-guatemala-sur", "Guatemala", id="villa-nueva"),
    pytest.param("16", "1601", "dideduc-alta-verapaz", "Alta Verapaz", id="coban"),
]


def official(n, role, unit_code):
    unit = OrgUnit.objects.get(code=unit_code)
    admin = person(900 + n, first_names="Ada")
    bootstrap_administrator(admin, unit)
    bootstrap_administrator(admin, OrgUnit.objects.get(code="dinfo"))
    user = person(n, first_names=f"{role} {unit_code}")
    grant_role(user, role, unit, actor=admin)
    return user


@pytest.fixture
def school(certification):  # certification: reference data loaded, every definition published
    return Procedure.objects.get(slug="autorizacion-funcionamiento-centro-privado")


def submit(procedure, citizen, answers):
    case = actions.start_case(procedure, applicant=citizen, actor=citizen)
    assert case.unit.code == procedure.responsible_unit.code  # a draft waits where it starts
    return actions.complete_task(case.pk, "solicitud", answers, actor=citizen)


@pytest.mark.parametrize(("departamento", "municipio", "unit", "department"), LOCATIONS)
def test_a_private_school_goes_to_the_dideduc_of_its_location(
    school, citizen, departamento, municipio, unit, department
):
    answers = {**CENTRO, "departamento": departamento, "municipio": municipio}
    case = submit(school, citizen, answers)
    case.refresh_from_db()
    assert (case.status, case.current_task) == (Status.IN_REVIEW, "revision")
    assert case.unit.code == unit
    assert case.department.name == department


@pytest.mark.parametrize(("departamento", "municipio", "unit", "department"), LOCATIONS[:3])
def test_a_razonamiento_goes_to_the_dideduc_of_the_school(
    certification, citizen, departamento, municipio, unit, department
):
    procedure = Procedure.objects.get(slug="razonamiento-documentos-departamental")
    answers = {**RAZONAMIENTO, "departamento": departamento, "municipio": municipio}
    case = submit(procedure, citizen, answers)
    assert (case.unit.code, case.department.name) == (unit, department)


def test_the_dideduc_reviews_and_inspects_then_digeace_resolves(school, citizen):
    reviewer = official(10, Role.REVIEWER, "dideduc-guatemala-occidente")
    elsewhere = official(11, Role.REVIEWER, "dideduc-guatemala-norte")
    signer = official(12, Role.SIGNER, "digeace")
    case = submit(school, citizen, {**CENTRO, "departamento": "01", "municipio": "0108"})

    with pytest.raises(actions.CaseError):  # another DIDEDUC's queue
        actions.claim(case.pk, elsewhere)
    actions.claim(case.pk, reviewer)
    case = actions.complete_task(
        case.pk, "revision", {"dictamen": "completo", "observaciones": "Completo"}, actor=reviewer
    )
    assert (case.current_task, case.unit.code) == ("inspeccion", "dideduc-guatemala-occidente")
    assert case.assignee_id == reviewer.pk  # same lane, same unit: still theirs
    case = actions.complete_task(
        case.pk,
        "inspeccion",
        {"resultado_inspeccion": "favorable", "informe_inspeccion": "Aulas en orden"},
        actor=reviewer,
    )
    assert (case.current_task, case.current_lane) == ("resolucion", "signer")
    assert case.unit.code == "digeace"
    assert case.department.name == "Guatemala"  # the case still says where the school is
    assert case.assignee is None  # back to a queue: DIGEACE's

    with pytest.raises(actions.CaseError):  # the DIDEDUC reviewer cannot resolve
        actions.complete_task(
            case.pk, "resolucion", {"resolucion": "autorizar", "observaciones": "x"}, actor=reviewer
        )
    case = actions.complete_task(
        case.pk, "resolucion", {"resolucion": "autorizar", "observaciones": "Procede"}, actor=signer
    )
    assert (case.status, case.result) == (Status.DECIDED, "aprobada"), case.flag_reason


def test_a_location_without_a_rule_stops_the_case_for_an_administrator(
    certification, citizen, tmp_path
):
    """A table with a gap: the case is flagged with the reason, never left in the unit where
    it started as if it had been routed."""
    folder = tmp_path / "inscripcion-ruce"  # a catalogue procedure without a definition yet
    shutil.copytree(PACKAGED / "autorizacion-funcionamiento-centro-privado", folder)
    table = folder / "decisions" / "dideduc.dmn"
    without_quetzaltenango = re.sub(
        r"<rule id=\"regla_\d+\">(?:(?!</rule>).)*dideduc-quetzaltenango.*?</rule>",
        "",
        table.read_text(),
        flags=re.DOTALL,
    )
    assert "dideduc-quetzaltenango" not in without_quetzaltenango
    table.write_text(without_quetzaltenango)
    publish(load_definition(folder))
    procedure = Procedure.objects.get(slug="inscripcion-ruce")

    case = submit(procedure, citizen, {**CENTRO, "departamento": "09", "municipio": "0901"})
    case.refresh_from_db()
    assert case.status == Status.FLAGGED
    assert "no tiene ninguna regla para estos datos" in case.flag_reason
    assert "Departamento = '09'" in case.flag_reason
    assert case.events.filter(kind="flagged").exists()
