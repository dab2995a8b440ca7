"""Decision tables (DMN) run strictly: one answer, or the case stops and says why; and
``procedures check`` refuses what would not run the way the analyst meant it."""

import json
from pathlib import Path

import pytest

from ventanilla.engine import runtime
from ventanilla.engine.actions import DefinitionRejected, publish
from ventanilla.engine.check import check_definition
from ventanilla.engine.decisions import cell_expression
from ventanilla.engine.definitions import load_definition

pytestmark = pytest.mark.django_db

BPMN = (Path(__file__).parent / "process_with_table.bpmn").read_text()
SPIFF_REF = (
    "<bpmn:extensionElements><spiffworkflow:calledDecisionId>{ref}"
    "</spiffworkflow:calledDecisionId></bpmn:extensionElements>"
)
FORM = {
    "title": "x",
    "schema": {"type": "object", "properties": {"nota": {"type": "integer"}}},
}


def dmn(rules, *, policy="UNIQUE", decision="calificacion", output="resultado"):
    """A one-input table over ``nota``; rules are (cell, output cell)."""
    body = "".join(
        f'<rule id="r{n}"><inputEntry id="i{n}"><text>{cell}</text></inputEntry>'
        f'<outputEntry id="o{n}"><text>{out}</text></outputEntry></rule>'
        for n, (cell, out) in enumerate(rules, start=1)
    )
    return (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" '
        f'name="Calificación" namespace="n"><decision id="{decision}" name="Calificación">'
        f'<decisionTable id="t" hitPolicy="{policy}"><input id="in" label="Nota">'
        '<inputExpression id="e" typeRef="integer"><text>nota</text></inputExpression></input>'
        f'<output id="out" name="{output}" typeRef="string" />{body}</decisionTable>'
        "</decision></definitions>"
    )


PASS_FAIL = [("&gt;= 61", '"aprobado"'), ("&lt; 61", '"reprobado"')]


def write(folder, tables=None, *, ref="calificacion", camunda=False):
    folder.mkdir(parents=True, exist_ok=True)
    spiff = "" if camunda or ref is None else SPIFF_REF.format(ref=ref)
    attribute = f' camunda:decisionRef="{ref}"' if camunda else ""
    (folder / "process.bpmn").write_text(BPMN.format(spiff=spiff, camunda=attribute))
    (folder / "forms").mkdir(exist_ok=True)
    for name in ("pedido", "visto"):
        (folder / "forms" / f"{name}.json").write_text(json.dumps(FORM))
    (folder / "decisions").mkdir(exist_ok=True)
    for name, text in (tables if tables is not None else {"t.dmn": dmn(PASS_FAIL)}).items():
        (folder / "decisions" / name).write_text(text)
    return folder


def decide(folder, nota):
    """Publish, answer ``pedido`` with the note, read the state back, return the data the
    reviewer's step sees."""
    version, _ = publish(load_definition(folder))
    workflow = runtime.start(version)
    runtime.complete(workflow, "pedido", {"nota": nota})
    workflow = runtime.load(version, runtime.dump(workflow))
    [task] = runtime.ready_tasks(workflow)
    return task.data


@pytest.mark.parametrize(("nota", "expected"), [(61, "aprobado"), (60, "reprobado")])
def test_a_table_decides(tmp_path, nota, expected):
    assert decide(write(tmp_path / "tabla"), nota)["resultado"] == expected


def test_a_table_named_the_camunda_way_runs_too(tmp_path):
    folder = write(tmp_path / "camunda", camunda=True)
    assert check_definition(load_definition(folder)) == []
    assert decide(folder, 90)["resultado"] == "aprobado"


def test_no_rule_for_the_data_stops_the_case_and_says_why(tmp_path):
    folder = write(tmp_path / "hueco", {"t.dmn": dmn([("&gt;= 61", '"aprobado"')])})
    with pytest.raises(runtime.StepFailed) as failed:
        decide(folder, 40)
    message = str(failed.value)
    assert "«Calificación» no tiene ninguna regla para estos datos" in message
    assert "Nota = 40" in message


def test_two_rules_at_once_under_unique_stop_the_case(tmp_path):
    rules = [("&gt;= 50", '"aprobado"'), ("&gt;= 61", '"excelente"')]
    folder = write(tmp_path / "doble", {"t.dmn": dmn(rules)})
    with pytest.raises(runtime.StepFailed, match="se cumplen a la vez las reglas 1, 2"):
        decide(folder, 70)


def test_first_takes_the_first_rule_and_a_final_dash_is_the_fallback(tmp_path):
    rules = [("&gt;= 90", '"excelente"'), ("&gt;= 61", '"aprobado"'), ("-", '"revisar"')]
    folder = write(tmp_path / "primera", {"t.dmn": dmn(rules, policy="FIRST")})
    assert check_definition(load_definition(folder)) == []
    assert decide(folder, 95)["resultado"] == "excelente"
    assert decide(folder, 10)["resultado"] == "revisar"


def test_collect_gives_every_match_and_an_empty_list_for_none(tmp_path):
    rules = [("&gt;= 50", '"beca_parcial"'), ("&gt;= 90", '"beca_completa"')]
    folder = write(tmp_path / "todas", {"t.dmn": dmn(rules, policy="COLLECT")})
    assert decide(folder, 95)["resultado"] == ["beca_parcial", "beca_completa"]
    assert decide(folder, 10)["resultado"] == []


def test_cells_continue_the_input_or_use_a_question_mark():
    assert cell_expression("nota", '"a"') == '(nota) == ("a")'
    assert cell_expression("nota", "> 5") == "(nota) > 5"
    assert cell_expression("municipio", 'in ("0101", "0108")') == '(municipio) in ("0101", "0108")'
    assert cell_expression("municipio", 'not in ["0101"]') == '(municipio) not in ["0101"]'
    assert cell_expression("nota", "1 < ? < 5") == "1 < (nota) < 5"
    assert cell_expression("pregunta", '"¿?"') == '(pregunta) == ("¿?")'  # quoted: a value


def test_a_cell_cannot_escape_the_sandbox(tmp_path):
    rules = [("? .__class__.__bases__", '"x"')]
    folder = write(tmp_path / "escape", {"t.dmn": dmn(rules)})
    problems = check_definition(load_definition(folder))
    assert any("regla 1, entrada «Nota»" in p for p in problems), problems
    with pytest.raises(DefinitionRejected):
        publish(load_definition(folder))


@pytest.mark.parametrize(
    ("tables", "ref", "expected"),
    [
        pytest.param(None, None, "no dice qué tabla de decisión usa", id="no-ref"),
        pytest.param(None, "otra", "usa la tabla de decisión «otra», que no está", id="unknown"),
        pytest.param({}, "calificacion", "ninguna: falta la carpeta decisions/", id="no-files"),
        pytest.param(
            {"t.dmn": dmn(PASS_FAIL), "u.dmn": dmn(PASS_FAIL, decision="sobra")},
            "calificacion",
            "decisions/u.dmn: ninguna tarea de reglas de negocio usa la decisión «sobra»",
            id="unused",
        ),
        pytest.param(
            {"t.dmn": dmn(PASS_FAIL, policy="ANY")},
            "calificacion",
            "la política ANY no está disponible",
            id="policy",
        ),
        pytest.param(
            {"t.dmn": dmn([("&gt;= 61", "")])},
            "calificacion",
            "regla 1: la salida «resultado» está vacía",
            id="empty-output",
        ),
        pytest.param(
            {"t.dmn": dmn([("&gt;= 61", '"a"'), ("&gt;=  61", '"b"')])},
            "calificacion",
            "regla 2: tiene las mismas condiciones que la regla 1",
            id="same-conditions",
        ),
        pytest.param(
            {"t.dmn": dmn([("[1..5]", '"a"')])},
            "calificacion",
            "celda '[1..5]'",  # FEEL, not Python
            id="feel",
        ),
        pytest.param(
            {"t.dmn": dmn([("-", '"dideduc-atlantida"')], output="unidad_responsable")},
            "calificacion",
            "unidad_responsable = 'dideduc-atlantida' no es el código de ninguna unidad",
            id="unknown-unit",
        ),
        pytest.param(
            {"t.dmn": dmn(PASS_FAIL).replace("<decisionTable", "<rule/><decisionTable")},
            "calificacion",
            "decisions/t.dmn no sigue el esquema de DMN",
            id="schema",
        ),
        pytest.param(
            {"t.dmn": "<definitions>sin cerrar"},
            "calificacion",
            "decisions/t.dmn no es XML válido",
            id="not-xml",
        ),
    ],
)
def test_the_check_names_each_problem_of_a_table(tmp_path, tables, ref, expected):
    folder = write(tmp_path / "mala", tables, ref=ref)
    problems = check_definition(load_definition(folder))
    assert any(expected in problem for problem in problems), problems


def test_the_shipped_routing_table_knows_every_unit_it_names(tmp_path):
    """A unit code the table names but the database lacks would leave the case where it was
    (``cases.actions._route``): the check compares them with the org units."""
    from ventanilla.core.models import OrgUnit
    from ventanilla.engine.definitions import PACKAGED

    definition = load_definition(PACKAGED / "autorizacion-funcionamiento-centro-privado")
    assert check_definition(definition) == []
    OrgUnit.objects.filter(code="dideduc-peten").update(is_active=False)
    problems = check_definition(definition)
    assert problems == [
        "decisions/dideduc.dmn, regla 20: unidad_responsable = 'dideduc-peten' no es el "
        "código de ninguna unidad activa (vea Unidades en la administración)"
    ]
