"""The management view's accounts by score, ties broken by the account: read from an index both ways.

Many accounts share the lowest score, so the index on the score alone left PostgreSQL sorting 55,000 rows
of a million for "worst first". "Best first" reads the index backwards; PostgreSQL gives NULLs first that
way, the view puts unscored accounts last, so there the descending order is indexed on its own (SQLite
keeps NULLs lowest: its ascending index read backwards already serves it).
"""

from django.db import migrations, models

DESCENDING = (
    ("consistency_score_desc", "score DESC NULLS LAST, account_id DESC"),
    ("consistency_band_score_desc", "band, score DESC NULLS LAST, account_id DESC"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in DESCENDING:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON interactions_consistencysnapshot ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _columns in DESCENDING:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0019_join_sort_keys"),
        ("interactions", "0010_account_date_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="consistencysnapshot", name="interaction_score_db952e_idx"),
        migrations.AddIndex(model_name="consistencysnapshot",
                            index=models.Index(fields=["score", "account"], name="consistency_score")),
        migrations.RunPython(create, drop),
    ]
