"""Creating many records with their history rows in multi-row INSERTs.

Does what simple-history's `bulk_create_with_history` does (the records, then one "+" history row
each, attributed to the importer with the import's reason, in the caller's transaction), without the
two costs that made up most of an import's CPU time: Django's SQL compiler preparing every value of
every row one call at a time, and a model instance built per history row. Values that the database
driver takes as they are (text, whole numbers, booleans, ids, None) are passed straight through;
every other value goes through its field's own `get_db_prep_save`, as the ORM would.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.expressions import DatabaseDefault
from simple_history.utils import bulk_create_with_history

# Values of these fields reach the driver unchanged when they are of these Python types.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
_PLAIN_VALUES = (str, int, bool, type(None))
# Rows per statement on databases without a parameter limit of their own (PostgreSQL).
ROWS_PER_STATEMENT = 1000


def _adapter(field, connection):
    """A function turning the field's Python value into what the driver is given."""
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        if isinstance(target, (models.AutoField, models.IntegerField)):
            return None  # an id, or None
    if isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.AutoField):
        def plain(value, prep=field.get_db_prep_save):
            return value if type(value) in _PLAIN_VALUES else prep(value, connection)

        return plain
    if isinstance(field, models.DecimalField) and (type(connection.ops).adapt_decimalfield_value
                                                   is BaseDatabaseOperations.adapt_decimalfield_value):
        # The driver takes a Decimal as it is (the database's own operations leave it unchanged).
        def number(value, prep=field.get_db_prep_save):
            return value if type(value) in (Decimal, type(None)) else prep(value, connection)

        return number
    if isinstance(field, models.DateTimeField):
        # The same moment on every row of a chunk (created, updated): adapted once.
        seen = {}

        def moment(value, prep=field.get_db_prep_save):
            if value not in seen:
                seen[value] = prep(value, connection)
            return seen[value]

        return moment
    return lambda value, prep=field.get_db_prep_save: prep(value, connection)


def _insert(connection, table: str, columns: list[str], rows: list[list], returning: str | None) -> list:
    """Multi-row INSERTs of `rows` in statements within the database's parameter limit; the values
    of `returning` for each row, in order, when asked."""
    quote = connection.ops.quote_name
    per_statement = max(1, min(ROWS_PER_STATEMENT, (connection.features.max_query_params or 10**9) // len(columns)))
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(returning)}" if returning else ""
    returned = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            part = rows[start:start + per_statement]
            cursor.execute(head + ", ".join([one] * len(part)) + tail, [value for row in part for value in row])
            if returning:
                returned.extend(row[0] for row in cursor.fetchall())
    return returned


def create_with_history(objects: list, model, *, user, reason: str, when) -> list:
    """Insert `objects` (new, unsaved instances of `model`) and a creation history row for each;
    sets each object's primary key. Falls back to simple-history's own function on a database that
    cannot return the keys of a multi-row INSERT."""
    if not objects:
        return objects
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    pk = meta.pk
    if not connection.features.can_return_rows_from_bulk_insert or not isinstance(pk, models.AutoField):
        return bulk_create_with_history(objects, model, default_user=user, default_change_reason=reason,
                                        default_date=when)
    # What a bulk_create does before it writes: the folded search columns (`SearchableQuerySet`) and
    # each field's pre_save (automatic dates).
    if hasattr(objects[0], "refresh_search_fields"):
        for obj in objects:
            obj.refresh_search_fields()
    fields = [f for f in meta.concrete_fields if f is not pk]
    defaults = {}
    for field in fields:
        if field.has_db_default():
            expression = field._db_default_expression
            if not hasattr(expression, "value"):  # a default the database computes: leave it to the ORM
                return bulk_create_with_history(objects, model, default_user=user, default_change_reason=reason,
                                                default_date=when)
            defaults[field.attname] = expression.value
    # Automatic dates take the import's moment (the one its history rows carry), the same for the
    # whole chunk; any other field's pre_save runs as the ORM would run it.
    moments = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    pre_save = [f for f in fields if type(f).pre_save is not models.Field.pre_save and f.attname not in moments]
    for obj in objects:
        for name in moments:
            setattr(obj, name, when)
        for field in pre_save:
            setattr(obj, field.attname, field.pre_save(obj, True))
        for name, value in defaults.items():
            # A field left to its database default: that default, written out (one statement for all rows).
            if isinstance(getattr(obj, name), DatabaseDefault):
                setattr(obj, name, value)
    adapters = [_adapter(field, connection) for field in fields]
    attnames = [field.attname for field in fields]
    rows = [[value if adapt is None else adapt(value)
             for value, adapt in zip((getattr(obj, name) for name in attnames), adapters)] for obj in objects]
    keys = _insert(connection, meta.db_table, [field.column for field in fields], rows, pk.column)
    state_db = connection.alias
    for obj, key in zip(objects, keys):
        setattr(obj, pk.attname, key)
        obj._state.adding, obj._state.db = False, state_db
    _history(connection, model, objects, dict(zip(attnames, range(len(attnames)))), rows, user=user, reason=reason,
             when=when)
    return objects


def _history(connection, model, objects: list, positions: dict, written: list, *, user, reason: str, when) -> None:
    """One "+" history row per object, as `HistoryManager.bulk_history_create` writes them; the values
    the records were just written with (`written`, by attname at `positions`) are used again."""
    from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

    history = get_history_manager_for_model(model).model
    meta = history._meta
    tracked = list(history.tracked_fields)
    columns = [meta.get_field(field.name).column for field in tracked]
    adapters = [_adapter(meta.get_field(field.name), connection) for field in tracked]
    date_field, user_field = meta.get_field("history_date"), meta.get_field("history_user")
    columns += [date_field.column, meta.get_field("history_change_reason").column,
                meta.get_field("history_type").column, user_field.column]
    relation = hasattr(history, "history_relation")
    if relation:
        columns.append(meta.get_field("history_relation").column)
    default_user = getattr(user, "pk", None)
    pk_name = model._meta.pk.attname
    reused = [positions.get(field.attname) for field in tracked]
    adapt_date = _adapter(date_field, connection)
    rows = []
    for obj, values in zip(objects, written):
        row = [obj.pk if field.attname == pk_name else values[at] if at is not None
               else (getattr(obj, field.attname) if adapt is None else adapt(getattr(obj, field.attname)))
               for field, at, adapt in zip(tracked, reused, adapters)]
        who = getattr(obj, "_history_user", None)
        row += [adapt_date(getattr(obj, "_history_date", when)),
                get_change_reason_from_object(obj) or reason, "+", getattr(who, "pk", default_user)]
        if relation:
            row.append(obj.pk)
        rows.append(row)
    _insert(connection, meta.db_table, columns, rows, None)
