"""Store the shipped weighting of derived relationship strengths as version 1 of its tunable."""

from django.db import migrations


def seed(apps, schema_editor):
    from kundennetz.core.tunables import seed_defaults

    seed_defaults(apps.get_model("core", "TunableVersion"), names={"network_strength"})


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial"), ("core", "0005_merge_tunables_jobs")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
