"""The BPMN engine: definitions as files, checks, publishing, running with the state stored
apart from the diagram, and a sandbox that diagrams cannot escape."""

import datetime
import json
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ventanilla.engine import runtime, sandbox
from ventanilla.engine.actions import DefinitionRejected, publish
from ventanilla.engine.business_days import add_business_days
from ventanilla.engine.check import check_definition
from ventanilla.engine.definitions import load_definition, packaged_definitions
from ventanilla.engine.models import ProcessVersion

pytestmark = pytest.mark.django_db

PROCESS = (Path(__file__).parent / "process_template.bpmn").read_text()
FORM = {"title": "x", "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}


def write_definition(folder, *, script="doble = n * 2", applicant_lane="applicant", forms=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "process.bpmn").write_text(
        PROCESS.format(process_id="nuevo", script=script, applicant_lane=applicant_lane)
    )
    (folder / "forms").mkdir(exist_ok=True)
    for name, form in (forms if forms is not None else {"pedido": FORM, "visto": FORM}).items():
        (folder / "forms" / f"{name}.json").write_text(
            form if isinstance(form, str) else json.dumps(form)
        )
    return folder


def test_every_shipped_definition_passes_the_check():
    folders = packaged_definitions()
    assert [f.name for f in folders] == [
        "autentica-documentos-educativos",
        "autorizacion-funcionamiento-centro-privado",
        "certificacion-de-estudios",
        "emision-titulos-diplomas",
        "equiparacion-estudios-extranjero",
        "razonamiento-documentos-departamental",
    ]
    for folder in folders:
        assert check_definition(load_definition(folder)) == []


def test_a_diagram_drawn_in_a_new_file_runs_after_publish_without_code(tmp_path):
    folder = write_definition(tmp_path / "tramite-nuevo")
    call_command("procedures", "publish", str(folder))
    version = ProcessVersion.objects.get(slug="tramite-nuevo")
    workflow = runtime.start(version)
    assert [t.name for t in runtime.ready_tasks(workflow)] == ["pedido"]
    runtime.complete(workflow, "pedido", {"n": 21})
    state = runtime.dump(workflow)
    workflow = runtime.load(version, state)  # as if read back from the database
    [task] = runtime.ready_tasks(workflow)
    assert (task.name, task.lane) == ("visto", "reviewer")
    runtime.complete(workflow, "visto", {})
    assert workflow.is_completed()
    assert workflow.data["doble"] == 42


def test_certification_runs_through_a_correction_and_is_decided():
    call_command("procedures", "publish")
    version = ProcessVersion.objects.get(slug="certificacion-de-estudios")
    steps = [
        (
            "solicitud",
            "applicant",
            {"nivel": "basico", "grado": "3o", "anio": 2019, "establecimiento": "INEB"},
        ),
        ("revision", "reviewer", {"dictamen": "corregir", "observaciones": "Falta la sección"}),
        ("correccion", "applicant", {"respuesta": "Era la sección B", "grado": "3o B"}),
        # Rejected: approving issues a document, a service about the case (tests/cases).
        ("revision", "reviewer", {"dictamen": "rechazar", "observaciones": "No consta"}),
    ]
    workflow = runtime.start(version)
    sizes = []
    for name, lane, answers in steps:
        [task] = runtime.ready_tasks(workflow)
        assert (task.name, task.lane) == (name, lane)
        runtime.complete(workflow, name, answers)
        state = runtime.dump(workflow)
        sizes.append(len(json.dumps(state)))
        workflow = runtime.load(version, state)
    assert workflow.is_completed()
    assert workflow.data["resultado"] == "rechazada"
    deadline = datetime.date.fromisoformat(workflow.data["fecha_limite"])
    assert deadline > datetime.date.today()
    assert max(sizes) < 10_000  # bytes per case: the diagram is stored once, per version
    assert "spec" not in runtime.dump(workflow)


def test_the_check_names_every_problem(tmp_path):
    folder = write_definition(
        tmp_path / "malo",
        script="import os",
        applicant_lane="jefe_supremo",
        forms={"pedido": "{no es json", "visto": {"schema": {"type": "objeto"}}},
    )
    problems = "\n".join(check_definition(load_definition(folder)))
    assert "forms/pedido.json no es JSON válido" in problems
    assert "La tarea «Pedido» (pedido) no tiene formulario" in problems
    assert "«Visto bueno» (visto) no es un JSON Schema válido" in problems
    assert "carril 'jefe_supremo', que no es un rol" in problems
    assert "El script de «Cálculo» (calculo)" in problems and "import" in problems.lower()
    with pytest.raises(CommandError):
        call_command("procedures", "check", str(folder))
    with pytest.raises(DefinitionRejected):
        publish(load_definition(folder))
    assert not ProcessVersion.objects.filter(slug="malo").exists()


def test_pages_and_order_must_name_every_question_once(tmp_path):
    paged = {
        **FORM,
        "ui": {"order": ["n", "m"], "pages": [{"title": "Uno", "fields": ["n", "n"]}]},
    }
    folder = write_definition(tmp_path / "paginas", forms={"pedido": paged, "visto": FORM})
    problems = "\n".join(check_definition(load_definition(folder)))
    assert "ui.order debe nombrar cada pregunta una vez (sobran ['m']" in problems
    assert "cada pregunta debe estar en una sola página de ui.pages" in problems


def test_a_broken_diagram_is_reported_not_raised(tmp_path):
    folder = tmp_path / "roto"
    folder.mkdir()
    (folder / "process.bpmn").write_text("<bpmn:definitions>sin cerrar")
    [problem] = check_definition(load_definition(folder))
    assert problem.startswith("process.bpmn no se puede leer")


def test_an_unknown_service_is_named(tmp_path):
    folder = write_definition(tmp_path / "servicio")
    bpmn = (
        (folder / "process.bpmn")
        .read_text()
        .replace(
            '<bpmn:scriptTask id="calculo" name="Cálculo">',
            '<bpmn:serviceTask id="calculo" name="Cálculo"><bpmn:extensionElements>'
            '<spiffworkflow:serviceTaskOperator id="enviar_paloma" resultVariable="r" />'
            "</bpmn:extensionElements>",
        )
        .replace(
            "<bpmn:script>doble = n * 2</bpmn:script></bpmn:scriptTask>", "</bpmn:serviceTask>"
        )
    )
    (folder / "process.bpmn").write_text(bpmn)
    problems = check_definition(load_definition(folder))
    assert any("'enviar_paloma', que no existe" in p for p in problems)


def test_workflows_of_one_version_share_its_parsed_diagram_but_never_their_data(tmp_path):
    folder = write_definition(tmp_path / "compartido")
    version, _ = publish(load_definition(folder))
    first, second = runtime.start(version), runtime.start(version)
    assert first.spec is second.spec  # parsed once per version, not at every start and load
    runtime.complete(first, "pedido", {"n": 1})
    runtime.complete(second, "pedido", {"n": 50})
    first = runtime.load(version, runtime.dump(first))
    second = runtime.load(version, runtime.dump(second))
    assert first.spec is second.spec
    runtime.complete(second, "visto", {})
    runtime.complete(first, "visto", {})
    assert (first.data["doble"], second.data["doble"]) == (2, 100)
    third = runtime.start(version)
    assert [t.name for t in runtime.ready_tasks(third)] == ["pedido"]
    assert "doble" not in third.data


def test_a_new_version_leaves_running_cases_on_theirs(tmp_path):
    folder = write_definition(tmp_path / "versionado")
    first, _ = publish(load_definition(folder))
    workflow = runtime.start(first)
    runtime.complete(workflow, "pedido", {"n": 1})
    state = runtime.dump(workflow)
    write_definition(folder, script="doble = n * 3")
    second, created = publish(load_definition(folder))
    assert created and second.version == 2
    same, created = publish(load_definition(folder))
    assert not created and same.pk == second.pk
    old_case = runtime.load(first, state)
    runtime.complete(old_case, "visto", {})
    assert old_case.data["doble"] == 2  # computed by version 1's script


@pytest.mark.parametrize(
    "script",
    [
        "x = ().__class__.__bases__[0].__subclasses__()",
        "import os",
        "x = __import__('os')",
        "x = open('/etc/passwd').read()",
        "x = [i for i in range(10**9)]",
        "x = getattr(n, '__class__')",
    ],
)
def test_scripts_cannot_escape_the_sandbox(tmp_path, script):
    folder = write_definition(tmp_path / "escape", script=script)
    definition = load_definition(folder)
    version = None
    try:
        version, _ = publish(definition)
    except DefinitionRejected:
        return  # refused before it could ever run
    workflow = runtime.start(version)
    with pytest.raises(runtime.StepFailed):
        runtime.complete(workflow, "pedido", {"n": 1})


def test_an_endless_loop_is_stopped(tmp_path):
    folder = write_definition(tmp_path / "bucle", script="while True:\n    n = n + 1")
    version, _ = publish(load_definition(folder))
    workflow = runtime.start(version)
    began = time.monotonic()
    with pytest.raises(runtime.StepFailed, match="ran for more than"):
        runtime.complete(workflow, "pedido", {"n": 1})
    assert time.monotonic() - began < 3


def test_sandbox_evaluates_plain_expressions():
    assert sandbox.evaluate("dictamen == 'corregir'", {"dictamen": "corregir"}) is True
    assert sandbox.execute("total = sum([a, b])", {"a": 1, "b": 2})["total"] == 3


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-27", 1, "2026-11-30"),  # Friday → Monday
        ("2026-09-14", 2, "2026-09-17"),  # 15 September, Independence Day, does not count
        ("2026-12-23", 2, "2026-12-28"),  # Christmas Eve afternoon? 24 is worked; 25 is not
    ],
)
def test_business_days_skip_weekends_and_guatemalan_holidays(start, days, expected):
    assert add_business_days(datetime.date.fromisoformat(start), days).isoformat() == expected
