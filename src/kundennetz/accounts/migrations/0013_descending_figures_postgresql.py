"""PostgreSQL: "largest first" on the revenue in francs and on the planned contacts reads an index of its
own (DESC NULLS LAST, as 0007 does for the other columns); SQLite reads its ascending indexes backwards."""

from django.db import migrations

INDEXES = (
    ("account_live_revenue_base_desc", "accounts_account", "revenue_base"),
    ("account_live_planned_desc", "accounts_account", "planned_contacts"),
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
    dependencies = [("accounts", "0012_revenue_in_francs")]

    operations = [migrations.RunPython(create, drop)]
