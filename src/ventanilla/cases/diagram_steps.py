"""The steps a person works on in a procedure (its user tasks), in the order the flow reaches
them, read from the published BPMN diagram. The officials' case page lists them beside the
drawing, for screen readers and for browsers without JavaScript."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from lxml import etree  # SpiffWorkflow's XML library

from ventanilla.engine.check import APPLICANT_LANE
from ventanilla.identity.models import Role

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
# Containers whose own flow holds more steps, listed where the outer flow reaches them.
SUBPROCESSES = {f"{BPMN}subProcess", f"{BPMN}transaction", f"{BPMN}adHocSubProcess"}
NOT_FLOW_NODES = {
    f"{BPMN}{tag}"
    for tag in (
        "sequenceFlow",
        "laneSet",
        "extensionElements",
        "documentation",
        "textAnnotation",
        "association",
        "group",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "ioSpecification",
        "property",
    )
}


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    lane: str


def user_tasks_in_order(version) -> list[Step]:
    """The user tasks of a ProcessVersion: breadth-first from the start event along the
    sequence flows, so earlier steps come first; unreachable ones last, as they appear in
    the file."""
    return list(_user_tasks(version.bpmn, version.process_id))


def who_does(lane: str) -> str:
    """A lane's name (a role, or the applicant's lane) in words."""
    if lane == APPLICANT_LANE:
        return _("La persona solicitante")
    if lane in Role.values:
        return str(Role(lane).label)
    return lane


@lru_cache(maxsize=32)
def _user_tasks(bpmn: str, process_id: str) -> tuple[Step, ...]:
    # No entities, no network; no comments or processing instructions (their tag is not a
    # string). A parser per call: lxml parsers are not meant to be shared between threads.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
    )
    root = etree.fromstring(bpmn.encode(), parser)
    processes = root.findall(f"{BPMN}process")
    process = next((p for p in processes if p.get("id") == process_id), None)
    if process is None:
        return ()
    lanes = {}
    for lane in process.iter(f"{BPMN}lane"):  # nested lanes come later: the innermost wins
        for ref in lane.findall(f"{BPMN}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id", "")
    return tuple(_steps_in(process, lanes))


def _steps_in(container, lanes):
    for node in _flow_order(container):
        if node.tag == f"{BPMN}userTask":
            task_id = node.get("id", "")
            yield Step(task_id, (node.get("name") or task_id).strip(), lanes.get(task_id, ""))
        elif node.tag in SUBPROCESSES:
            yield from _steps_in(node, lanes)


def _flow_order(container) -> list:
    nodes = {
        child.get("id"): child
        for child in container
        if child.tag.startswith(BPMN) and child.tag not in NOT_FLOW_NODES and child.get("id")
    }
    following = defaultdict(list)
    targets = set()
    for flow in container.findall(f"{BPMN}sequenceFlow"):
        following[flow.get("sourceRef")].append(flow.get("targetRef"))
        targets.add(flow.get("targetRef"))
    for node_id, node in nodes.items():  # what follows a boundary event follows its task
        if node.tag == f"{BPMN}boundaryEvent":
            following[node.get("attachedToRef")].append(node_id)
            targets.add(node_id)
    starts = [i for i, n in nodes.items() if n.tag == f"{BPMN}startEvent"] or [
        i for i in nodes if i not in targets
    ]
    order, seen, queue = [], set(starts), deque(starts)
    while queue:
        node_id = queue.popleft()
        order.append(nodes[node_id])
        for next_id in following[node_id]:
            if next_id in nodes and next_id not in seen:
                seen.add(next_id)
                queue.append(next_id)
    return order + [node for node_id, node in nodes.items() if node_id not in seen]
