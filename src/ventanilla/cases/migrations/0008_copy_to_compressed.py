"""Copy Case.state and CaseEvent.before/after into their deflated columns (see 0007)."""

from django.db import migrations

BATCH = 500


def _copy(model, pairs):
    def run(apps, schema_editor):
        rows = apps.get_model("cases", model)
        batch = []
        for row in rows.objects.order_by("pk").iterator(chunk_size=BATCH):
            for old, new in pairs:
                setattr(row, new, getattr(row, old))
            batch.append(row)
            if len(batch) == BATCH:
                rows.objects.bulk_update(batch, [new for _, new in pairs])
                batch = []
        if batch:
            rows.objects.bulk_update(batch, [new for _, new in pairs])

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_compressed_state_and_events")]

    operations = [
        migrations.RunPython(
            _copy("Case", [("state", "packed_state")]),
            _copy("Case", [("packed_state", "state")]),
        ),
        migrations.RunPython(
            _copy("CaseEvent", [("before", "packed_before"), ("after", "packed_after")]),
            _copy("CaseEvent", [("packed_before", "before"), ("packed_after", "after")]),
        ),
    ]
