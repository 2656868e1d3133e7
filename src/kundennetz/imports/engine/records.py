"""Writing the import's own records, and folding case as the database does."""

from __future__ import annotations

from django.db import models

from ..models import ImportedRecord


def _insert_records(records: list[ImportedRecord]) -> None:
    """The undo log of a chunk in one `executemany`: a plain table of our own, written on every row,
    where the ORM's per-value preparation would cost more than the insert itself."""
    from django.db import connection

    table = ImportedRecord._meta.db_table
    columns = ("batch_id", "model", "object_id", "action", "previous", "values")
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    as_json = ImportedRecord._meta.get_field("previous")
    params = [(r.batch_id, r.model, r.object_id, r.action, as_json.get_db_prep_save(r.previous, connection),
               as_json.get_db_prep_save(r.values, connection)) for r in records]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",
                           params)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def db_lower(text: str) -> str:
    """`text` as the database's LOWER() writes it: SQLite lowers only A–Z, PostgreSQL every letter.
    Names are then compared exactly (case and whitespace aside) in Python."""
    from django.db import connection

    text = " ".join(str(text or "").split())
    return text.translate(_ASCII_LOWER) if connection.vendor == "sqlite" else text.lower()


def _pk(value):
    return value.pk if isinstance(value, models.Model) else value
