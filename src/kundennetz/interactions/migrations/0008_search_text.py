"""Interactions become searchable as accounts, contacts and opportunities are: a folded ``search_text`` of
their topics and note (``domain.text``), a trigram GIN index on it (PostgreSQL) or an FTS5 trigram index
kept by triggers (SQLite, ``accounts/fts.py``).

Written for ten million rows: the column is added without rewriting the table, filled only where there is
text (set-based on SQLite, in id ranges on PostgreSQL), and the indexes are built once, afterwards.
"""

from django.db import migrations, models

from kundennetz.domain.text import search_text

TABLE = "interactions_interaction"
INDEX = f"{TABLE}_search_trgm"
CHUNK = 20_000


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # ADD COLUMN with a constant default touches no row; Django's AddField would copy the whole table
        # on SQLite (it cannot drop a column default there, so it rebuilds the table instead).
        schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN search_text text NOT NULL DEFAULT ''")
        return
    field = models.TextField(blank=True, default="", editable=False)
    field.set_attributes_from_name("search_text")
    schema_editor.add_field(apps.get_model("interactions", "Interaction"), field)


def drop_column(apps, schema_editor):
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN search_text")


def fold(topics, note):
    return search_text(topics, note, limit=None)


def fill(apps, schema_editor):
    """The folded text of every interaction that has topics or a note (the others keep '')."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # One UPDATE: SQLite calls the domain's folding for each row itself.
            connection.connection.create_function("kundennetz_fold", 2, fold, deterministic=True)
            cursor.execute(f"UPDATE {TABLE} SET search_text = kundennetz_fold(topics, note) "
                           f"WHERE topics <> '' OR note <> ''")
            return
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {TABLE}")
        low, high = cursor.fetchone()
        if low is None:
            return
        # By id range (the primary key's index), so that each round reads and writes one slice of the table.
        for start in range(low, high + 1, CHUNK):
            cursor.execute(f"SELECT id, topics, note FROM {TABLE} WHERE id >= %s AND id < %s "
                           f"AND (topics <> '' OR note <> '')", [start, start + CHUNK])
            rows = [(pk, fold(topics, note)) for pk, topics, note in cursor.fetchall()]
            if not rows:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(f"UPDATE {TABLE} AS i SET search_text = v.text "
                               f"FROM unnest(%s::bigint[], %s::text[]) AS v(id, text) WHERE i.id = v.id",
                               [[pk for pk, _text in rows], [text for _pk, text in rows]])
            else:
                cursor.executemany(f"UPDATE {TABLE} SET search_text = %s WHERE id = %s",
                                   [(text, pk) for pk, text in rows])


def indexes(apps, schema_editor):
    """PostgreSQL: a trigram GIN index on the folded column; SQLite: the FTS5 index and its triggers,
    filled from the column in one pass ('rebuild')."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin (search_text gin_trgm_ops)")
        return
    from kundennetz.accounts import fts

    fts.ensure(connection, (TABLE,))


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        return
    from kundennetz.accounts import fts

    fts.drop(connection, (TABLE,))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0014_sqlite_fts5_search"),
        ("interactions", "0007_latest_change_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="interaction",
                    name="search_text",
                    field=models.TextField(blank=True, default="", editable=False),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(indexes, drop_indexes),
    ]
