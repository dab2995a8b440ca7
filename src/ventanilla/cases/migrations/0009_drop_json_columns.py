"""Drop the JSON columns and give the deflated ones their names (see 0007)."""

from django.db import migrations, models

import ventanilla.core.compressed_json


def _field(**options):
    return ventanilla.core.compressed_json.CompressedJSONField(**options)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_copy_to_compressed")]

    operations = [
        # A default, so that undoing this migration can add the column back to a full table.
        migrations.AlterField(
            "case", "state", models.JSONField(default=dict, verbose_name="estado del proceso")
        ),
        migrations.RemoveField("case", "state"),
        migrations.RemoveField("caseevent", "before"),
        migrations.RemoveField("caseevent", "after"),
        migrations.RenameField("case", "packed_state", "state"),
        migrations.RenameField("caseevent", "packed_before", "before"),
        migrations.RenameField("caseevent", "packed_after", "after"),
        migrations.AlterField("case", "state", _field(verbose_name="estado del proceso")),
        migrations.AlterField("caseevent", "before", _field(default=dict, verbose_name="antes")),
        migrations.AlterField("caseevent", "after", _field(default=dict, verbose_name="después")),
    ]
