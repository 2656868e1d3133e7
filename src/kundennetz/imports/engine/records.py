"""Writing the import's own records, and folding case as the database does."""

from __future__ import annotations

from django.db import models

from ..models import ImportedRecord


def insert_records(records: list[tuple]) -> None:
    """The undo log of a chunk — (batch id, model, object id, action, previous, values) each — in one
    `executemany`: a plain table of our own, written on every row, where building a model instance and
    the ORM's per-value preparation would cost more than the insert itself."""
    from django.db import connection

    table = ImportedRecord._meta.db_table
    columns = ("batch_id", "model", "object_id", "action", "previous", "values")
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    as_json = ImportedRecord._meta.get_field("previous")
    empty = as_json.get_db_prep_save({}, connection)
    params = [(batch_id, model, object_id, action,
               as_json.get_db_prep_save(previous, connection) if previous else empty,
               as_json.get_db_prep_save(values, connection) if values else empty)
              for batch_id, model, object_id, action, previous, values in records]
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


def pk_of(value):
    """A record's id, any other value as it is."""
    return value.pk if isinstance(value, models.Model) else value
