"""Decision tables (DMN) as Ventanilla runs them: strictly, and with the same meaning at
``procedures check`` time as when a case runs.

SpiffWorkflow 3.2 runs a business rule task's table with ``DMNEngine``, which (FINDINGS.md)
returns the first matching rule under ``UNIQUE`` without checking that only one matches, and
leaves the outputs missing when no rule matches: the diagram then goes on as if nothing
happened. Here a table answers or says why it cannot:

- ``UNIQUE``: exactly one rule must match; none or several stop the case (it is flagged for an
  administrator, with the table, the rows and the inputs in the reason).
- ``FIRST``: the first matching rule, in the table's order; none stops the case. A last rule
  with every input ``-`` is the way to write an explicit fallback.
- ``COLLECT``: every matching rule, each output a list (empty when none matches).

A cell is a Python expression (not FEEL). ``-`` or an empty cell matches anything; a cell
that is a value is compared with ``==``; a cell that starts with an operator continues the
input (``> 5``, ``in ("01", "02")``, ``not in [...]``); ``?`` stands for the input anywhere
in the cell (``? in ("0108", "0109")``). Everything runs in the sandbox.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter

SUPPORTED_HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# "?" outside quotes (the same rule as SpiffWorkflow's).
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


class DecisionFailed(WorkflowTaskException):
    """A table could not answer for this case's data (no rule, or several under UNIQUE)."""


def is_any(cell: str | None) -> bool:
    return cell is None or cell.strip() in {"", "-"}


def cell_expression(input_expression: str, cell: str) -> str:
    """The Python expression an input cell stands for, over the case's data."""
    text = cell.strip()
    if _QUESTION_MARK.search(text):
        return _QUESTION_MARK.sub(f"({input_expression})", text)
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return f"({input_expression}) {text}"  # "> 5", "in (...)", "not in [...]"
    return f"({input_expression}) == ({text})"


def output_key(output) -> str:
    return output.name or output.label


class StrictDMNEngine(DMNEngine):
    """SpiffWorkflow's engine with the hit policies applied strictly (see the module)."""

    def _matches(self, rule, task) -> bool:
        script_engine = task.workflow.script_engine
        for entry in rule.inputEntries:
            for cell in entry.lhs:
                if is_any(cell):
                    continue
                expression = cell_expression(entry.input.expression or "None", cell)
                if not script_engine.evaluate(task, expression):
                    return False
        return True

    def _inputs_of(self, task) -> str:
        shown = []
        for table_input in self.decision_table.inputs:
            try:
                value = task.workflow.script_engine.evaluate(task, table_input.expression)
            except Exception:
                value = "(no se puede calcular)"
            shown.append(f"{table_input.label or table_input.expression} = {value!r}")
        return ", ".join(shown)

    def decide(self, task):
        return [rule for rule in self.decision_table.rules if self._matches(rule, task)]

    def result(self, task):
        table = self.decision_table
        matched = self.decide(task)
        name = table.name or table.id
        if table.hit_policy == "COLLECT":
            result = {output_key(o): [] for o in table.outputs if "." not in output_key(o)}
            for rule in matched:
                for key, value in rule.output_as_dict(task).items():
                    result.setdefault(key, []).append(value)
            return result
        if not matched:
            raise DecisionFailed(
                f"La tabla de decisión «{name}» no tiene ninguna regla para estos datos "
                f"({self._inputs_of(task)}): añada una regla o una regla final con «-» en "
                f"todas las entradas y la política FIRST",
                task=task,
            )
        if table.hit_policy == "UNIQUE" and len(matched) > 1:
            rows = ", ".join(str(rule.row_number) for rule in matched)
            raise DecisionFailed(
                f"En la tabla de decisión «{name}» se cumplen a la vez las reglas {rows} "
                f"({self._inputs_of(task)}); con la política UNIQUE solo puede cumplirse una",
                task=task,
            )
        return matched[0].output_as_dict(task)


class DecisionTaskParser(BusinessRuleTaskParser):
    """A business rule task names its table with ``spiffworkflow:calledDecisionId`` (SpiffArena)
    or ``camunda:decisionRef`` (Camunda Modeler); both are read."""

    @staticmethod
    def get_decision_ref(node):
        return BusinessRuleTaskParser.get_decision_ref(node) or node.get(
            f"{{{CAMUNDA_NS}}}decisionRef"
        )


class StrictBusinessRuleTaskConverter(BusinessRuleTaskConverter):
    """Reads a stored business rule task back with the strict engine (stored specs keep the
    same shape as SpiffWorkflow's, so versions published before stay readable)."""

    def from_dict(self, dct):
        spec = super().from_dict(dct)
        spec.dmnEngine = StrictDMNEngine(spec.dmnEngine.decision_table)
        return spec


# --- Reading the files, for the check ------------------------------------------------------


@dataclass
class DecisionFile:
    filename: str
    decision_id: str = ""
    table: object = None  # SpiffWorkflow's DecisionTable
    problems: list[str] = field(default_factory=list)


@cache
def _validator(schema_path: str) -> BpmnValidator:
    return BpmnValidator(schema_path)


def read_decision(filename: str, text: str) -> DecisionFile:
    """One ``decisions/*.dmn`` file, parsed on its own so that each file's problems are
    named; a file that cannot be read has problems and no table."""
    result = DecisionFile(filename)
    label = f"decisions/{filename}"
    try:
        root = etree.fromstring(text.encode())
    except etree.XMLSyntaxError as error:
        result.problems.append(f"{label} no es XML válido: {error}")
        return result
    namespaces = dict(root.nsmap)
    if None in namespaces:
        namespaces["dmn"] = namespaces.pop(None)
    schema = SCHEMAS.get(namespaces.get("dmn"))
    if schema is None or not root.tag.endswith("definitions"):
        result.problems.append(
            f"{label} no es un archivo DMN (se espera <definitions> con el espacio de nombres "
            "de DMN 1.1, 1.2 o 1.3)"
        )
        return result
    try:
        _validator(schema).validate(root, filename)
    except ValidationException as error:
        result.problems.append(
            f"{label} no sigue el esquema de DMN (línea {error.line_number}): {error.args[0]}"
        )
        return result
    try:
        parser = DMNParser(None, root, namespaces, filename=filename)
        decisions = root.findall("dmn:decision", namespaces)
        if len(decisions) != 1:
            result.problems.append(
                f"{label} debe tener una sola decisión (<decision>), no {len(decisions)}"
            )
            return result
        parser.parse()
    except Exception as error:  # the parser raises many kinds; all mean "fix the file"
        result.problems.append(f"{label} no se puede leer: {str(error).strip() or error!r}")
        return result
    decision = parser.decision
    result.decision_id = decision.id
    if len(decision.decisionTables) != 1:
        result.problems.append(
            f"{label}: la decisión «{decision.id}» debe tener una tabla de decisión, "
            f"no {len(decision.decisionTables)}"
        )
        return result
    result.table = decision.decisionTables[0]
    aggregation = root.xpath("//dmn:decisionTable/@aggregation", namespaces=namespaces)
    if aggregation:
        result.problems.append(
            f"{label}: la agregación {aggregation[0]} no está disponible (use COLLECT sin "
            "agregación y calcule el total en un script)"
        )
    return result


def decision_refs(bpmn: str) -> list[tuple[str, str, str | None]]:
    """(task id, task name, decision id) of every business rule task in the diagram."""
    try:
        root = etree.fromstring(bpmn.encode())
    except etree.XMLSyntaxError:
        return []
    refs = []
    for node in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        called = node.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}calledDecisionId")
        ref = (called.text or "").strip() if called is not None else None
        refs.append(
            (
                node.get("id", ""),
                node.get("name", ""),
                ref or node.get(f"{{{CAMUNDA_NS}}}decisionRef"),
            )
        )
    return refs
