"""Model rows as the API's bodies (``api.schemas``)."""

from __future__ import annotations

from django.urls import reverse

from ventanilla.api import queries
from ventanilla.api.queries import OnlineProcedure
from ventanilla.cases.models import Case, CaseFile, Status
from ventanilla.engine.models import ProcessVersion


def task_form(version: ProcessVersion, task: str | None) -> dict | None:
    if not task:
        return None
    definition = version.forms.get(task, {})
    return {
        "task": task,
        "title": definition.get("title", task),
        "schema": definition.get("schema", {"type": "object"}),
        "ui": definition.get("ui", {}),
    }


def procedure(request, online: OnlineProcedure) -> dict:
    row, version = online.procedure, online.version
    return {
        "slug": row.slug,
        "name": row.name,
        "summary": row.summary,
        "url": request.build_absolute_uri(reverse("catalog:detail", args=[row.slug])),
        "unit": {"code": row.responsible_unit.code, "name": row.responsible_unit.name},
        "deadline_business_days": row.legal_deadline_days,
        "cost_quetzales": row.cost_quetzales,
        "cost_note": row.cost_note,
        "minimum_assurance_level": row.minimum_assurance_level,
        "version": version.version,
        "first_task": task_form(version, queries.first_task(version)),
    }


def case_summary(case: Case) -> dict:
    return {
        "id": case.pk,
        "tracking_number": case.tracking_number,
        "procedure": {"slug": case.procedure.slug, "name": case.procedure.name},
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "your_turn": queries.is_applicants_turn(case),
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
        "due_date": case.due_date,
    }


def case(case: Case) -> dict:
    your_turn = queries.is_applicants_turn(case)
    return {
        **case_summary(case),
        "decided_at": case.decided_at,
        "result": case.result,
        "result_message": case.result_message,
        "current_task": task_form(case.process_version, case.current_task) if your_turn else None,
    }


def case_file(attached: CaseFile) -> dict:
    return {
        "id": str(attached.pk),
        "task": attached.task,
        "field": attached.field,
        "name": attached.name,
        "content_type": attached.content_type,
        "size": attached.size,
        "sha256": attached.sha256,
        "uploaded_at": attached.uploaded_at,
    }
