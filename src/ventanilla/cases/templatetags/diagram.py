"""{% process_steps case as diagram %}: the steps of a case's procedure for the diagram's
text alternative (cases/includes/process_diagram.html)."""

from __future__ import annotations

from django import template

from ventanilla.cases.diagram_steps import user_tasks_in_order, who_does

register = template.Library()


@register.simple_tag
def process_steps(case) -> dict:
    """{"steps": [{id, name, who, current}], "current": the current step or None}."""
    steps = [
        {
            "id": step.id,
            "name": step.name,
            "who": who_does(step.lane),
            "current": step.id == case.current_task,
        }
        for step in user_tasks_in_order(case.process_version)
    ]
    return {"steps": steps, "current": next((s for s in steps if s["current"]), None)}
