"""`ventanilla procedures check`: will this definition run here?

Checks that the diagram parses, every user task has a form that is a valid JSON Schema, every
lane is a role (or the applicant's lane), every service task names a registered service, and
every script and condition compiles in the sandbox. Messages are in Spanish, for analysts.
"""

from __future__ import annotations

from jsonschema import Draft202012Validator, SchemaError
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.spiff.specs.defaults import ScriptTask, ServiceTask, UserTask

from ventanilla.engine import sandbox, services
from ventanilla.engine.definitions import Definition
from ventanilla.engine.parsing import DefinitionError, parse
from ventanilla.identity.models import Role

APPLICANT_LANE = "applicant"  # the citizen (or whoever acts for them)
LANES = {APPLICANT_LANE, *Role.values}


def task_specs(spec, subprocess_specs):
    yield from spec.task_specs.values()
    for sub in subprocess_specs.values():
        yield from sub.task_specs.values()


def check_definition(definition: Definition) -> list[str]:
    problems = [
        f"forms/{name}.json no es JSON válido: {error}"
        for name, error in definition.unreadable_forms.items()
    ]
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
