"""PostgreSQL: descending sorts with empty values last ("largest revenue first") read an index of their own.

A b-tree read backwards gives NULLs first; the lists put them last, so PostgreSQL needs the columns
indexed DESC NULLS LAST. SQLite keeps NULLs lowest, so its ascending indexes read backwards already do.
"""

from django.db import migrations

INDEXES = (
    ("account_live_revenue_desc", "accounts_account", "annual_revenue"),
    ("account_live_potential_desc", "accounts_account", "potential"),
    ("opportunity_live_volume_desc", "accounts_opportunity", "expected_volume"),
    ("opportunity_live_decision_desc", "accounts_opportunity", "expected_decision_date"),
    ("opportunity_live_open_desc", "accounts_opportunity", "open_points"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} DESC NULLS LAST, id DESC) "
                              f"WHERE deleted_at IS NULL")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_merge_20261204_1316")]

    operations = [migrations.RunPython(create, drop)]
