"""The pipeline sorts and filters by the win score (winloss) from the opportunity's own row: the score's
probability and expected value held there by triggers on the score's table (accounts/sortkeys.py, HELD),
filled from the scores there are. Before, sorting by win chance joined and sorted every opportunity
(0.8 s at a million). PostgreSQL reads its ascending indexes backwards with NULLs first, the list puts
opportunities without a score last, so the descending orders are indexed on their own there. On SQLite
the triggers are created after the migrations have run (AccountsConfig)."""

from django.db import migrations, models

from kundennetz.accounts.sortkeys import Held

# As of this migration (accounts.sortkeys.HELD may grow later; its own migrations fill what they add).
HELD = (
    Held("accounts_opportunity", "win_probability", "winloss_dealscore", "opportunity_id", "probability"),
    Held("accounts_opportunity", "win_expected_value", "winloss_dealscore", "opportunity_id", "expected_value"),
)
DESCENDING = (("opportunity_live_win_desc", "win_probability"), ("opportunity_live_win_value_desc", "win_expected_value"))


def hold(apps, schema_editor):
    from kundennetz.accounts import sortkeys

    connection = schema_editor.connection
    sortkeys.fill(connection, (), HELD)
    if connection.vendor == "postgresql":
        sortkeys.install(connection, (), HELD)
        for name, column in DESCENDING:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON accounts_opportunity "
                                  f"({column} DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL")


def let_go(apps, schema_editor):
    from kundennetz.accounts import sortkeys

    connection = schema_editor.connection
    sortkeys.drop(connection, (), HELD)
    if connection.vendor == "postgresql":
        for name, _column in DESCENDING:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0019_join_sort_keys"),
        ("winloss", "0003_record_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="opportunity",
            name="win_expected_value",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=16, null=True),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="win_probability",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)), fields=["win_probability", "id"],
                               name="opportunity_live_win"),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)), fields=["win_expected_value", "id"],
                               name="opportunity_live_win_value"),
        ),
        migrations.RunPython(hold, let_go),
    ]
