"""Store the shipped tunables as version 1, so that their history starts with the defaults."""

from django.db import migrations


def seed(apps, schema_editor):
    from kundennetz.core.tunables import seed_defaults

    seed_defaults(apps.get_model("core", "TunableVersion"))


class Migration(migrations.Migration):
    dependencies = [("core", "0003_tunable_version")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
