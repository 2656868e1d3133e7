"""Store the shipped exchange rates as version 1 of their tunable, so that their history starts with them."""

from django.db import migrations


def seed(apps, schema_editor):
    from kundennetz.core.tunables import seed_defaults

    seed_defaults(apps.get_model("core", "TunableVersion"), names=["exchange_rates"])


class Migration(migrations.Migration):
    dependencies = [("core", "0007_merge_0006_job_file_parts_0006_merge_idempotency_keys")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
