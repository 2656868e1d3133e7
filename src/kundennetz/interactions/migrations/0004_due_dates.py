"""Stored due dates per account, from which My week picks its accounts.

Rows written before have none: their inputs mark is cleared so that they count as out of date and the
next recompute (nightly, "Recompute now", or at once for a small network) fills the dates in.
"""

from django.db import migrations, models


def mark_out_of_date(apps, schema_editor):
    apps.get_model("interactions", "ConsistencySnapshot").objects.update(inputs="")


class Migration(migrations.Migration):

    dependencies = [
        ('interactions', '0003_consistency_inputs_fingerprint'),
    ]

    operations = [
        migrations.AddField(
            model_name='consistencysnapshot',
            name='due_dates',
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name='consistencysnapshot',
            name='next_due',
            field=models.DateField(null=True),
        ),
        migrations.RunPython(mark_out_of_date, migrations.RunPython.noop),
    ]
