"""SQLite: FTS5 trigram indexes of the folded search text of accounts, contacts and opportunities, kept
in step by triggers (see accounts/fts.py). PostgreSQL keeps its pg_trgm GIN indexes; nothing runs there."""

from django.db import migrations


def create(apps, schema_editor):
    from kundennetz.accounts import fts

    fts.ensure(schema_editor.connection, fts.OWN_TABLES)


def drop(apps, schema_editor):
    from kundennetz.accounts import fts

    fts.drop(schema_editor.connection, fts.OWN_TABLES)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0013_descending_figures_postgresql")]

    operations = [migrations.RunPython(create, drop)]
