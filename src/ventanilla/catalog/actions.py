"""Every change to the catalogue goes through these functions.

Each runs in one transaction, records who acted (``actor``) in the history kept by
django-simple-history, and keeps the search index in step with the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history, update_change_reason

from ventanilla.catalog import search
from ventanilla.catalog.models import (
    Audience,
    Procedure,
    Requirement,
    Simplification,
    Source,
    Step,
    StrategicGoal,
)
from ventanilla.core.models import OrgUnit
from ventanilla.core.page_cache import bump_content_version
from ventanilla.ledger import record as ledger_record


def _bulk_create_with_history(objects, model, **options):
    """``bulk_create_with_history``, with the history rows in the public log (the bulk path
    sends no signal)."""
    created = bulk_create_with_history(objects, model, **options)
    ledger_record.history_of_bulk(model, created)
    return created


def _with_history_user(instance, actor):
    instance._history_user = actor
    return instance


@transaction.atomic
def record_procedure_edit(procedure: Procedure, *, actor) -> None:
    """Called after an editor saved a procedure and its parts in the admin."""
    search.reindex_procedures([procedure.pk])
    bump_content_version()


@transaction.atomic
def set_procedure_online(procedure: Procedure, *, online: bool, actor, reason: str = "") -> None:
    """Mark a procedure as (not) available online; the indicators follow at once."""
    procedure.available_online = online
    _with_history_user(procedure, actor).save(update_fields=["available_online", "updated_at"])
    if reason:
        update_change_reason(procedure, reason)
    bump_content_version()


@transaction.atomic
def import_procedures(records: Iterable[dict], *, actor, update: bool = False) -> list[Procedure]:
    """Create procedures from inventory records (the shape of catalog/data/procedures.json).

    Existing slugs are left alone unless ``update`` is true, so that loading the
    reference data twice never overwrites what editors changed.
    """
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    audiences = {audience.slug: audience for audience in Audience.objects.all()}
    touched: list[Procedure] = []
    for record in records:
        procedure = Procedure.objects.filter(slug=record["slug"]).first()
        if procedure is not None and not update:
            continue
        procedure = procedure or Procedure(slug=record["slug"])
        procedure.name = record["name"]
        procedure.summary = record["summary"]
        procedure.who_may_apply = record["who_may_apply"]
        procedure.responsible_unit = units[record["responsible_unit"]]
        procedure.responsible_unit_note = record.get("responsible_unit_note", "")
        procedure.legal_deadline_days = record.get("legal_deadline_days")
        cost = record.get("cost_quetzales")
        procedure.cost_quetzales = None if cost is None else Decimal(str(cost))
        procedure.cost_note = record.get("cost_note", "")
        procedure.available_online = record.get("online", False)
        procedure.available_in_person = record.get("in_person", True)
        procedure.maturity_level = record.get("maturity_level", 0)
        procedure.is_prioritised = record.get("prioritised", False)
        procedure.stage = record.get("stage", "inventoried")
        procedure.legal_basis = "\n".join(record.get("legal_basis", []))
        procedure.notes = record.get("notes", "")
        _with_history_user(procedure, actor).save()
        procedure.audiences.set([audiences[slug] for slug in record.get("audiences", [])])
        procedure.requirements.all().delete()
        procedure.steps.all().delete()
        procedure.sources.all().delete()
        _bulk_create_with_history(
            [
                Requirement(
                    procedure=procedure,
                    order=index,
                    text=item["text"],
                    is_required=item.get("required", True),
                    held_by_state=item.get("held_by_state", False),
                    state_holder=item.get("state_holder", ""),
                    legal_basis=item.get("legal_basis", ""),
                )
                for index, item in enumerate(record.get("requirements", []), start=1)
            ],
            Requirement,
            default_user=actor,
        )
        _bulk_create_with_history(
            [
                Step(
                    procedure=procedure,
                    order=index,
                    title=item["title"],
                    description=item.get("description", ""),
                )
                for index, item in enumerate(record.get("steps", []), start=1)
            ],
            Step,
            default_user=actor,
        )
        _bulk_create_with_history(
            [
                Source(procedure=procedure, title=item["title"][:300], url=item.get("url", ""))
                for item in record.get("sources", [])
            ],
            Source,
            default_user=actor,
        )
        if simplification := record.get("simplification"):
            Simplification.objects.update_or_create(procedure=procedure, defaults=simplification)
        touched.append(procedure)
    search.reindex_procedures([procedure.pk for procedure in touched])
    bump_content_version()
    return touched


@transaction.atomic
def ensure_strategic_goals(goals: Iterable[dict], *, actor) -> None:
    """Create the programme's goals that are missing (editors may change them later)."""
    for goal in goals:
        if not StrategicGoal.objects.filter(code=goal["code"]).exists():
            _with_history_user(StrategicGoal(**goal), actor).save()
    bump_content_version()
