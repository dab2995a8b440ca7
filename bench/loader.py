"""Bulk-load synthetic procedures (run inside a configured Django process)."""

from __future__ import annotations

from django.db import transaction


def load(count: int) -> int:
    from bench.synthetic import synthetic_procedures
    from ventanilla.catalog.models import Audience, Procedure, Requirement
    from ventanilla.catalog.search import reindex_procedures
    from ventanilla.core.models import OrgUnit

    units = list(OrgUnit.objects.all())
    audiences = list(Audience.objects.all())
    records = synthetic_procedures(count)
    with transaction.atomic():
        procedures = Procedure.objects.bulk_create(
            [
                Procedure(
                    slug=r["slug"],
                    name=r["name"],
                    summary=r["summary"],
                    who_may_apply=r["who_may_apply"],
                    responsible_unit=units[i % len(units)],
                    available_online=r["online"],
                    is_prioritised=r["prioritised"],
                    maturity_level=3 if r["online"] else i % 3,
                )
                for i, r in enumerate(records)
            ],
            batch_size=500,
        )
        Requirement.objects.bulk_create(
            [
                Requirement(procedure=p, order=n, text=text)
                for p, r in zip(procedures, records, strict=True)
                for n, text in enumerate(r["requirements"], start=1)
            ],
            batch_size=1000,
        )
        through = Procedure.audiences.through
        through.objects.bulk_create(
            [
                through(procedure_id=p.pk, audience_id=audiences[i % len(audiences)].pk)
                for i, p in enumerate(procedures)
            ],
            batch_size=1000,
        )
        reindex_procedures([p.pk for p in procedures])
    return Procedure.objects.count()
