"""Run a published version: start a workflow, list its ready tasks, complete one, and store
its state without the diagram (FINDINGS.md: the spec is ~half of a serialized case)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException as WorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from SpiffWorkflow.util.task import TaskState

from ventanilla.engine.decisions import StrictBusinessRuleTaskConverter
from ventanilla.engine.script_engine import SCRIPT_ENGINE

# Business rule tasks read back with the strict decision engine (``engine.decisions``).
_CONFIG = {**SPIFF_CONFIG, BusinessRuleTask: StrictBusinessRuleTaskConverter}
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))


class StepFailed(Exception):
    """The engine could not go on (a script broke the sandbox's rules, ran too long, or a
    service failed). The case is flagged for an administrator; the message says why."""


@dataclass(frozen=True)
class ReadyTask:
    name: str  # the task's id in the diagram, which names its form
    title: str
    lane: str | None
    data: dict  # the case's data as this task sees it


def spec_to_dict(spec, subprocess_specs) -> dict:
    return {
        "spec": SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: SERIALIZER.to_dict(s) for name, s in subprocess_specs.items()},
    }


def _run_engine(workflow: BpmnWorkflow) -> None:
    try:
        workflow.do_engine_steps()
    except WorkflowException as error:
        raise StepFailed(str(error)) from error


# Parsed diagrams by (version id, files' hash). Rebuilding a spec from its dict took ~1 ms at
# every start and load (bench/results/case_throughput.md); a spec is only read while a
# workflow runs, so every workflow of a version shares one. A published version never
# changes; the hash keeps a reused id (a rolled-back test database) from meeting an old entry.
_PARSED: dict[tuple[int, str], tuple] = {}
_PARSED_MAX = 256


def _parsed(version) -> tuple:
    key = (version.pk, version.sha256)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = (
            SERIALIZER.from_dict(copy.deepcopy(version.spec["spec"])),
            {
                name: SERIALIZER.from_dict(copy.deepcopy(value))
                for name, value in version.spec["subprocess_specs"].items()
            },
        )
        if version.pk is not None:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.pop(next(iter(_PARSED)))
            _PARSED[key] = parsed
    return parsed


def start(version) -> BpmnWorkflow:
    spec, subprocess_specs = _parsed(version)
    workflow = BpmnWorkflow(spec, dict(subprocess_specs), script_engine=SCRIPT_ENGINE)
    _run_engine(workflow)
    return workflow


def dump(workflow: BpmnWorkflow) -> dict:
    state = SERIALIZER.to_dict(workflow)
    state.pop("spec")
    state.pop("subprocess_specs")
    return state


def _parents_first(tasks: dict, root: str) -> dict:
    """The tasks in the order the serializer needs: each after its parent. A task stores its
    data as a change from its parent's, rebuilt while the tasks are read in order; PostgreSQL's
    jsonb keeps an object's keys sorted, not in the order they were written, and a task read
    before its parent would lose every answer given before it."""
    ordered, pending = {}, [root]
    while pending:
        task_id = pending.pop()
        if task_id in tasks and task_id not in ordered:
            ordered[task_id] = tasks[task_id]
            pending.extend(reversed(tasks[task_id].get("children", [])))
    return {**ordered, **tasks}  # keys already placed keep their place


def _in_tree_order(state: dict) -> dict:
    state["tasks"] = _parents_first(state["tasks"], state["root"])
    for subprocess in state.get("subprocesses", {}).values():
        subprocess["tasks"] = _parents_first(subprocess["tasks"], subprocess["root"])
    return state


def load(version, state: dict) -> BpmnWorkflow:
    # The serializer consumes what it is given: always hand it copies. The parsed specs pass
    # through its restore unchanged (it rebuilds only dicts that name a type).
    spec, subprocess_specs = _parsed(version)
    whole = {
        **_in_tree_order(copy.deepcopy(state)),
        "spec": spec,
        "subprocess_specs": dict(subprocess_specs),
    }
    workflow = SERIALIZER.from_dict(whole)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def ready_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    return [
        ReadyTask(
            task.task_spec.name, task.task_spec.bpmn_name or "", task.task_spec.lane, task.data
        )
        for task in workflow.get_tasks(state=TaskState.READY, manual=True)
    ]


def complete(workflow: BpmnWorkflow, task_name: str, data: dict) -> None:
    """Complete the ready user task ``task_name`` with the answers, then run the engine until
    it waits for a person again."""
    matches = [
        task
        for task in workflow.get_tasks(state=TaskState.READY, manual=True)
        if task.task_spec.name == task_name
    ]
    if not matches:
        raise LookupError(f"no ready task {task_name!r}")
    task = matches[0]
    task.data.update(data)
    try:
        task.run()
    except WorkflowException as error:
        raise StepFailed(str(error)) from error
    _run_engine(workflow)
