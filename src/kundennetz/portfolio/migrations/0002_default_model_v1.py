"""Publishes the shipped default scoring model as version 1. The file is never edited once released:
changes made in the product are saved as new versions of the model."""

import json
from importlib import resources

from django.db import migrations


def publish(apps, schema_editor):
    ScoringModel = apps.get_model("portfolio", "ScoringModel")
    text = resources.files("kundennetz.portfolio").joinpath("default_model.json").read_text("utf-8")
    definition = json.loads(text)
    ScoringModel.objects.get_or_create(version=definition["version"], defaults={
        "definition": definition, "comment": "Default model shipped with Kundennetz"})


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
