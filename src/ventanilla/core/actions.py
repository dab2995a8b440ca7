"""Loading and changing the reference data: geography and org units."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from ventanilla.core.geography import municipality_rows
from ventanilla.core.models import Department, Municipality, OrgUnit
from ventanilla.core.page_cache import bump_content_version

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def load_geography() -> tuple[int, int]:
    """Departments and municipalities from the packaged table; idempotent."""
    rows = municipality_rows()
    departments = {row.department_code: row.department_name for row in rows}
    for code, name in departments.items():
        Department.objects.update_or_create(code=code, defaults={"name": name})
    for row in rows:
        Municipality.objects.update_or_create(
            department_id=row.department_code, code=row.code, defaults={"name": row.name}
        )
    return len(departments), len(rows)


@transaction.atomic
def load_org_units(path: Path = DATA_DIR / "org_units.json") -> int:
    """Create or update the institution's units from a JSON list; idempotent."""
    units = json.loads(path.read_text(encoding="utf-8"))
    for unit in units:
        OrgUnit.objects.update_or_create(
            code=unit["code"],
            defaults={
                "name": unit["name"],
                "short_name": unit.get("short_name", ""),
                "kind": unit["kind"],
                "department_id": unit.get("department_code"),
            },
        )
    bump_content_version()
    return len(units)


@transaction.atomic
def record_public_content_edit(*, actor) -> None:
    """Called after an editor changed data that public pages show, so that they refresh."""
    bump_content_version()
