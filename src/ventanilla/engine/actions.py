"""Publishing a definition: the only way a new version comes to exist."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.db.models import Max

from ventanilla.core.page_cache import bump_content_version
from ventanilla.engine.check import check_definition
from ventanilla.engine.definitions import Definition
from ventanilla.engine.models import ProcessVersion
from ventanilla.engine.parsing import parse
from ventanilla.engine.runtime import spec_to_dict


class DefinitionRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def fingerprint(definition: Definition) -> str:
    payload = json.dumps(
        [definition.bpmn, definition.forms, definition.decisions], sort_keys=True
    ).encode()
    return hashlib.sha256(payload).hexdigest()


@transaction.atomic
def publish(definition: Definition, *, actor=None) -> tuple[ProcessVersion, bool]:
    """Check and publish a definition as the next version of its procedure. Publishing the
    same files again returns the current version (created=False)."""
    if problems := check_definition(definition):
        raise DefinitionRejected(problems)
    digest = fingerprint(definition)
    # Lock the procedure's versions so two publishers cannot take the same number.
    existing = ProcessVersion.objects.select_for_update().filter(slug=definition.slug)
    latest = existing.order_by("-version").first()
    if latest is not None and latest.sha256 == digest:
        return latest, False
    process_id, spec, subprocess_specs = parse(definition)
    version = ProcessVersion.objects.create(
        slug=definition.slug,
        version=(existing.aggregate(Max("version"))["version__max"] or 0) + 1,
        process_id=process_id,
        bpmn=definition.bpmn,
        decisions=definition.decisions,
        forms=definition.forms,
        spec=spec_to_dict(spec, subprocess_specs),
        sha256=digest,
        published_by=actor,
    )
    bump_content_version()  # the procedure's public page now offers the online application
    return version, True
