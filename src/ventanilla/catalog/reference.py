"""The catalogue's reference data shipped with the package (MINEDUC's by default)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from ventanilla.catalog import actions
from ventanilla.catalog.models import Audience
from ventanilla.core import actions as core_actions

DATA_DIR = Path(__file__).resolve().parent / "data"
EDITORS_GROUP = "Editores del catálogo"

# What a catalogue editor may do in the admin. No deleting procedures: an editor
# unpublishes one, so its history and the indicators' past stay meaningful.
EDITOR_PERMISSIONS = {
    "catalog": {
        "procedure": ["add", "change", "view"],
        "requirement": ["add", "change", "delete", "view"],
        "step": ["add", "change", "delete", "view"],
        "source": ["add", "change", "delete", "view"],
        "simplification": ["add", "change", "delete", "view"],
        "audience": ["view"],
        "strategicgoal": ["view"],
    },
    "core": {"orgunit": ["view"]},
}


def read_json(name: str, directory: Path = DATA_DIR):
    return json.loads((directory / name).read_text(encoding="utf-8"))


@transaction.atomic
def ensure_editor_group() -> Group:
    from django.apps import apps

    for app_label in EDITOR_PERMISSIONS:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    group, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    codenames = [
        (app_label, f"{action}_{model}")
        for app_label, models in EDITOR_PERMISSIONS.items()
        for model, model_actions in models.items()
        for action in model_actions
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.set(permissions)
    return group


@transaction.atomic
def load_reference_data(procedures_file: Path | None = None) -> dict[str, int]:
    """Everything the platform needs before its first page: idempotent."""
    departments, municipalities = core_actions.load_geography()
    units = core_actions.load_org_units()
    for order, audience in enumerate(read_json("audiences.json"), start=1):
        Audience.objects.update_or_create(
            slug=audience["slug"], defaults={"name": audience["name"], "order": order}
        )
    actions.ensure_strategic_goals(read_json("strategic_goals.json"), actor=None)
    records = (
        json.loads(procedures_file.read_text(encoding="utf-8"))
        if procedures_file
        else read_json("procedures.json")
    )
    created = actions.import_procedures(records, actor=None)
    ensure_editor_group()
    return {
        "departments": departments,
        "municipalities": municipalities,
        "org_units": units,
        "procedures_created": len(created),
    }
