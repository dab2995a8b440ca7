"""`ventanilla procedures check`: will this definition run here?

Checks that the diagram parses, every user task has a form that is a valid JSON Schema, every
lane is a role (or the applicant's lane), every service task names a registered service, every
script and condition compiles in the sandbox, and every decision table (DMN) is one the strict
decision engine can run (``engine.decisions``): a supported hit policy, cells that compile, no
empty output, no two rules with the same conditions, a table for every business rule task and
a task for every table, and org units that exist. Messages are in Spanish, for analysts.
"""

from __future__ import annotations

import ast

from jsonschema import Draft202012Validator, SchemaError
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.spiff.specs.defaults import ScriptTask, ServiceTask, UserTask

from ventanilla.engine import sandbox, services
from ventanilla.engine.decisions import (
    SUPPORTED_HIT_POLICIES,
    cell_expression,
    decision_refs,
    is_any,
    output_key,
    read_decision,
)
from ventanilla.engine.definitions import Definition
from ventanilla.engine.parsing import DefinitionError, parse
from ventanilla.identity.models import Role

APPLICANT_LANE = "applicant"  # the citizen (or whoever acts for them)
LANES = {APPLICANT_LANE, *Role.values}
# The output a diagram routes a case with (``cases.actions._route``): an org unit's code.
UNIT_OUTPUT = "unidad_responsable"


def task_specs(spec, subprocess_specs):
    yield from spec.task_specs.values()
    for sub in subprocess_specs.values():
        yield from sub.task_specs.values()


def check_definition(definition: Definition) -> list[str]:
    problems = [
        f"forms/{name}.json no es JSON válido: {error}"
        for name, error in definition.unreadable_forms.items()
    ]
    decision_problems = check_decisions(definition)
    if decision_problems:
        # The diagram cannot be parsed without its tables: report them, not the parser's error.
        return [*problems, *decision_problems]
    try:
        _process_id, spec, subprocess_specs = parse(definition)
    except DefinitionError as error:
        return [*problems, f"process.bpmn no se puede leer: {error}"]
    for task in task_specs(spec, subprocess_specs):
        label = f"«{task.bpmn_name or task.name}» ({task.name})"
        if isinstance(task, UserTask):
            form = definition.forms.get(task.name)
            if form is None:
                problems.append(
                    f"La tarea {label} no tiene formulario: falta forms/{task.name}.json"
                )
            else:
                try:
                    Draft202012Validator.check_schema(form.get("schema", {}))
                except SchemaError as error:
                    problems.append(
                        f"El formulario de {label} no es un JSON Schema válido: {error.message}"
                    )
                problems += _layout_problems(label, form)
            if task.lane not in LANES:
                problems.append(
                    f"La tarea {label} está en el carril {task.lane!r}, que no es un rol "
                    f"({', '.join(sorted(LANES))})"
                )
        if isinstance(task, ServiceTask) and task.operation_name not in services.SERVICES:
            problems.append(
                f"La tarea {label} llama al servicio {task.operation_name!r}, que no existe "
                f"(hay: {', '.join(sorted(services.SERVICES))})"
            )
        if isinstance(task, ScriptTask):
            problems += [f"El script de {label}: {p}" for p in sandbox.check(task.script)]
        if isinstance(task, ExclusiveGateway):
            for condition, _target in task.cond_task_specs:
                condition = condition.args[0] if condition is not None else None
                if condition:
                    problems += [
                        f"La condición {condition!r} de {label}: {p}"
                        for p in sandbox.check(condition, "eval")
                    ]
    return problems


def _layout_problems(label: str, form: dict) -> list[str]:
    """The display hints must name the schema's questions: each once in ``ui.order`` and, when
    the form has pages, each on exactly one page (``cases.form_builder.pages``)."""
    properties = set(form.get("schema", {}).get("properties", {}))
    ui = form.get("ui", {})

    def difference(named) -> str:
        return f"sobran {sorted(set(named) - properties)}, faltan {sorted(properties - set(named))}"

    problems = []
    order = ui.get("order")
    if order is not None and sorted(order) != sorted(properties):
        problems.append(
            f"El formulario de {label}: ui.order debe nombrar cada pregunta una vez "
            f"({difference(order)})"
        )
    pages = ui.get("pages")
    if pages is not None:
        on_pages = [name for page in pages for name in page.get("fields", [])]
        if sorted(on_pages) != sorted(properties) or not all(p.get("title") for p in pages):
            problems.append(
                f"El formulario de {label}: cada pregunta debe estar en una sola página de "
                f"ui.pages y cada página necesita un título ({difference(on_pages)})"
            )
    return problems


def check_decisions(definition: Definition) -> list[str]:
    """Every problem of the decision tables and of the business rule tasks that use them."""
    problems: list[str] = []
    tables = {}
    for filename, text in definition.decisions.items():
        read = read_decision(filename, text)
        problems += read.problems
        if not read.decision_id:
            continue
        if read.decision_id in tables:
            problems.append(
                f"decisions/{filename}: la decisión «{read.decision_id}» ya está en "
                f"decisions/{tables[read.decision_id][0]}"
            )
            continue
        tables[read.decision_id] = (filename, read.table)
        if read.table is not None:
            problems += _table_problems(f"decisions/{filename}", read.table)
    used = set()
    for task_id, name, ref in decision_refs(definition.bpmn):
        label = f"«{name or task_id}» ({task_id})"
        if not ref:
            problems.append(
                f"La tarea de reglas de negocio {label} no dice qué tabla de decisión usa: "
                "escriba su id en <spiffworkflow:calledDecisionId> o en camunda:decisionRef"
            )
        elif ref not in tables:
            available = ", ".join(sorted(tables)) or "ninguna: falta la carpeta decisions/"
            problems.append(
                f"La tarea de reglas de negocio {label} usa la tabla de decisión «{ref}», que "
                f"no está en decisions/*.dmn (hay: {available})"
            )
        used.add(ref)
    for decision_id, (filename, _table) in sorted(tables.items()):
        if decision_id not in used:
            problems.append(
                f"decisions/{filename}: ninguna tarea de reglas de negocio usa la decisión "
                f"«{decision_id}»"
            )
    return problems


def _table_problems(label: str, table) -> list[str]:
    problems = []
    policy = table.hit_policy
    if policy not in SUPPORTED_HIT_POLICIES:
        problems.append(
            f"{label}: la política {policy} no está disponible (use "
            f"{', '.join(SUPPORTED_HIT_POLICIES)})"
        )
    if not table.outputs:
        problems.append(f"{label}: la tabla no tiene ninguna salida (<output>)")
    if not table.rules:
        problems.append(f"{label}: la tabla no tiene reglas, así que nunca daría una respuesta")
    for table_input in table.inputs:
        what = f"{label}: la entrada «{table_input.label or table_input.id}»"
        if not (table_input.expression or "").strip():
            problems.append(f"{what} no tiene expresión (<inputExpression><text>)")
        else:
            problems += [
                f"{what}, {table_input.expression!r}: {p}"
                for p in sandbox.check(table_input.expression, "eval")
            ]
    for table_output in table.outputs:
        key = output_key(table_output)
        if not key or not all(part.isidentifier() for part in key.split(".")):
            problems.append(
                f"{label}: la salida «{table_output.label or table_output.id}» necesita un "
                f"nombre (name) que sea un nombre de variable, como unidad_responsable"
            )
    known_units = _active_unit_codes()
    seen: dict[tuple, int] = {}
    for rule in table.rules:
        where = f"{label}, regla {rule.row_number}"
        if len(rule.inputEntries) != len(table.inputs) or len(rule.outputEntries) != len(
            table.outputs
        ):
            problems.append(f"{where}: no tiene una celda por cada entrada y cada salida")
            continue
        conditions = []
        for entry in rule.inputEntries:
            for cell in entry.lhs:
                conditions.append(_same_meaning(cell))
                if is_any(cell) or not (entry.input.expression or "").strip():
                    continue
                expression = cell_expression(entry.input.expression, cell)
                problems += [
                    f"{where}, entrada «{entry.input.label or entry.input.id}», celda "
                    f"{cell.strip()!r}: {p}"
                    for p in sandbox.check(expression, "eval")
                ]
        key = tuple(conditions)
        if key in seen and policy == "UNIQUE":
            problems.append(
                f"{where}: tiene las mismas condiciones que la regla {seen[key]}; con UNIQUE "
                "solo una regla puede cumplirse"
            )
        seen.setdefault(key, rule.row_number)
        for entry in rule.outputEntries:
            name = output_key(entry.output)
            text = (entry.text or "").strip()
            if not text:
                problems.append(
                    f"{where}: la salida «{name}» está vacía; escriba su valor (si de verdad "
                    'no hay valor, escriba "" o None)'
                )
                continue
            problems += [
                f"{where}, salida «{name}», {text!r}: {p}" for p in sandbox.check(text, "eval")
            ]
            if name == UNIT_OUTPUT and known_units is not None:
                problems += _unit_problems(where, text, known_units)
    return problems


def _same_meaning(cell: str | None) -> str:
    """A cell written so that two spellings of one condition compare equal."""
    if is_any(cell):
        return "-"
    try:
        return ast.dump(ast.parse(cell_expression("entrada", cell), mode="eval"))
    except SyntaxError:
        return cell.strip()


def _unit_problems(where: str, text: str, known_units: set[str]) -> list[str]:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return []  # computed: it can only be checked when it runs
    if isinstance(value, str) and value not in known_units:
        return [
            f"{where}: {UNIT_OUTPUT} = {value!r} no es el código de ninguna unidad activa "
            "(vea Unidades en la administración)"
        ]
    return []


def _active_unit_codes() -> set[str] | None:
    """Codes of the active org units, or None when there are none yet (a fresh database):
    then a unit's code cannot be checked."""
    from django.db import DatabaseError

    from ventanilla.core.models import OrgUnit

    try:
        codes = set(OrgUnit.objects.filter(is_active=True).values_list("code", flat=True))
    except DatabaseError:
        return None
    return codes or None
