"""Publishes the seed's ASCOTSMAN catalogue as version 1. Catalogue files are never edited once released:
a changed catalogue ships as a new file and a new version."""

import json
from importlib import resources

from django.db import migrations
from django.utils import timezone


def publish(apps, schema_editor):
    Catalogue = apps.get_model("qualification", "Catalogue")
    text = resources.files("kundennetz.qualification").joinpath("catalogues/ascotsman-v1.json").read_text("utf-8")
    definition = json.loads(text)
    Catalogue.objects.get_or_create(key=definition["id"], version=definition["version"], defaults={
        "status": "published", "definition": definition, "threshold": 3, "published_at": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [("qualification", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
