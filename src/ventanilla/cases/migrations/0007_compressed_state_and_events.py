"""Case.state and CaseEvent.before/after move from JSON columns to deflated JSON in binary
columns (core/compressed_json.py), in three steps, each its own transaction (PostgreSQL
refuses to alter a table with pending trigger events from updates in the same transaction):
new columns here, the values copied in Python in 0008 (PostgreSQL has no cast from jsonb to
bytea that deflates), the old columns dropped in 0009."""

from django.db import migrations

import ventanilla.core.compressed_json


def _field(**options):
    return ventanilla.core.compressed_json.CompressedJSONField(**options)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_queue_indexes")]

    operations = [
        migrations.AddField("case", "packed_state", _field(default=dict)),
        migrations.AddField("caseevent", "packed_before", _field(default=dict)),
        migrations.AddField("caseevent", "packed_after", _field(default=dict)),
    ]
