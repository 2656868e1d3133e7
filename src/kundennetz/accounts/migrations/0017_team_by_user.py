"""The account team read by user, covering both columns: an account manager's list of ids (their own
accounts UNION ALL those they are on the team of) reads the team part from this index alone.

The table is Django's own many-to-many table, so the index is plain SQL (the same on SQLite and PostgreSQL).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0016_updated_at_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS accounts_account_team_user_account "
            "ON accounts_account_team (user_id, account_id)",
            "DROP INDEX IF EXISTS accounts_account_team_user_account",
        ),
    ]
