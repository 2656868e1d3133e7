"""Writing many rows of one model at once, set-based: stored figures recomputed for a whole network.

The ORM's `bulk_create(update_conflicts=True)` builds a model instance per row and prepares every value
through the field and the insert compiler one by one; for a million rows of forty columns that machinery
cost more than the database's work. Here a row is a plain dict, values are adapted only where the
database needs it (dates, timestamps, JSON, decimals) and one prepared `INSERT … ON CONFLICT … DO UPDATE`
runs through `executemany` (SQLite 3.24+ and PostgreSQL both know it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, models, transaction

# Values of these fields go to the database as the field prepares them; every other kind as it is.
_PREPARED = {"DecimalField", "UUIDField", "TimeField",
             "DurationField", "BinaryField"}


def _converter(field: models.Field) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    ops = connection.ops
    # The backend's own adapters, without the field's checks of each value (the rows come from our code):
    # through the field, a day cost ten times its insert. A run has few distinct days: adapted once each.
    if kind == "DateField":
        return _once(ops.adapt_datefield_value)
    if kind == "DateTimeField":
        return _once(ops.adapt_datetimefield_value)
    if kind == "JSONField":
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if kind in _PREPARED:
        return lambda value: field.get_db_prep_save(value, connection)
    if kind == "FloatField":
        return lambda value: None if value is None else float(value)
    if kind.endswith("IntegerField") or kind in {"AutoField", "BigAutoField", "SmallAutoField"}:
        return lambda value: None if value is None else int(value)
    if kind == "BooleanField":
        return lambda value: None if value is None else bool(value)
    return lambda value: value


def _once(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict = {}

    def adapted(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = adapt(value)
            return result

    return adapted


def upsert(model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, key: str, batch: int = 1000) -> int:
    """Insert each row of `model` or, where a row with the same `key` (a unique field) exists, overwrite
    every other column of it; returns how many rows were written.

    A row names fields by attribute name (`account_id` or `account`); a concrete field it leaves out gets
    its default as the ORM gives it (a text field "", others None, which a NOT NULL column refuses).
    Runs in one transaction: a refused row leaves none of the call's rows written."""
    # An id the database hands out is not written: the conflict is on `key`.
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    key_field = model._meta.get_field(key)
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    updates = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in columns if c != key_field.column)
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({quote(key_field.column)}) "
           + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING"))
    plan = [(f.attname, f.name, _converter(f), f) for f in fields]

    def adapted(row: Mapping[str, Any]) -> tuple:
        values = []
        for attname, name, convert, field in plan:
            if attname in row:
                value = row[attname]
            elif name in row:
                value = row[name]
                value = value.pk if isinstance(value, models.Model) else value
            else:
                value = field.get_default()
            values.append(convert(value))
        return tuple(values)

    if connection.vendor == "postgresql":
        return _upsert_by_copy(model, columns, key_field.column, updates, map(adapted, rows))
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        pending: list[tuple] = []
        for row in rows:
            pending.append(adapted(row))
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                written += len(pending)
                pending = []
        if pending:
            cursor.executemany(sql, pending)
            written += len(pending)
    return written



def _upsert_by_copy(model, columns: list[str], key: str, updates: str, rows: Iterable[tuple]) -> int:
    """PostgreSQL: the rows COPYed into a temporary table, then one `INSERT … SELECT … ON CONFLICT` (a
    statement per row, even pipelined, cost five times as much)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staging = quote(f"bulk_{model._meta.db_table}")
    listed = ", ".join(quote(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} (LIKE {table}) ON COMMIT DROP")
        written = 0
        # The driver's own cursor (Django's has no COPY): its errors as Django's, like every other query's.
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {staging} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {staging} "
                       f"ON CONFLICT ({quote(key)}) " + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING"))
        # Gone now, not at the outer transaction's end: a second call in the same transaction makes it anew.
        cursor.execute(f"DROP TABLE {staging}")
    return written
