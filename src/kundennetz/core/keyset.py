"""Keyset ("seek") paging: the next page starts after the last row shown, not after N skipped rows.

`OFFSET 250000` makes the database read and throw away a quarter of a million rows; a page that says
``WHERE (name, id) > ('Müller AG', 4711)`` reads only its own rows through the sort's index. The list's
"next" link carries the last row's sort values as an opaque token (``after=…``); any ordering of plain
columns works, ascending or descending, with empty values last as the lists sort them.

Exports read a whole list the same way, batch by batch (`batches`): each batch a bounded query that seeks
after the last row of the one before, so that no export skips rows with OFFSET or holds one cursor open
across a million rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, OrderBy, Q


@dataclass(frozen=True)
class Key:
    path: str  # field path, e.g. "account__name_sort"
    descending: bool
    nulls_last: bool


def ordering_of(queryset) -> list[Key]:
    """The queryset's ordering as keys, ending with the primary key (added if missing)."""
    raw = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    keys = []
    for item in raw:
        if isinstance(item, str):
            descending = item.startswith("-")
            keys.append(Key(item.lstrip("-").replace("pk", queryset.model._meta.pk.name) if item.lstrip("-") == "pk"
                            else item.lstrip("-"), descending, False))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            keys.append(Key(item.expression.name, item.descending, bool(item.nulls_last)))
        elif isinstance(item, F):
            keys.append(Key(item.name, False, False))
        else:
            return []  # an ordering by an expression: no keyset paging
    pk = queryset.model._meta.pk.name
    if not keys or keys[-1].path not in (pk, "pk", "id"):
        keys.append(Key(pk, keys[-1].descending if keys else False, False))
    return keys


def _field(model, path: str):
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field("id" if parts[-1] == "pk" else parts[-1])


def _value(obj, path: str):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _plain(value):
    if isinstance(value, (Decimal, date, datetime)):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    return value


def token_after(obj, keys: list[Key]) -> str:
    """The token for the page after `obj` (the last row shown)."""
    data = [_plain(_value(obj, key.path)) for key in keys]
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def seek(queryset, keys: list[Key], token: str):
    """The rows after the token's row in the keys' order, or None for a token that does not fit."""
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(raw, list) or len(raw) != len(keys) or not keys:
        return None
    values = []
    try:
        for key, value in zip(keys, raw, strict=True):
            if value is not None and not isinstance(value, (str, int, float)):
                return None
            field = _field(queryset.model, key.path)
            if getattr(field, "related_model", None) is not None and field.is_relation:
                field = field.target_field
            values.append(None if value is None else field.to_python(value))
    except (FieldDoesNotExist, ValidationError, TypeError, ValueError, AttributeError):
        return None
    return queryset.filter(_after(keys, values))


def _after(keys: list[Key], values: list) -> Q:
    """Rows after `values`: later in the first key, or equal in it and after in the rest."""
    key, value = keys[0], values[0]
    rest = _after(keys[1:], values[1:]) if len(keys) > 1 else Q(pk__in=[])
    beyond = f"{key.path}__{'lt' if key.descending else 'gt'}"
    if key.nulls_last:
        if value is None:  # among the empty values at the end: only equal (empty) and after in the rest
            return Q(**{f"{key.path}__isnull": True}) & rest
        return (Q(**{beyond: value}) | Q(**{f"{key.path}__isnull": True})
                | (Q(**{key.path: value}) & rest))
    if value is None:
        return Q(pk__in=[])
    if len(keys) == 1:
        return Q(**{beyond: value})
    # The bound is implied by what follows; said on its own, it lets the sort's index start at the last row
    # (an OR alone makes the database read the index from its start on every page).
    bound = Q(**{f"{key.path}__{'lte' if key.descending else 'gte'}": value})
    return bound & (Q(**{beyond: value}) | (Q(**{key.path: value}) & rest))


# -- reading a whole list batch by batch (exports) ------------------------------------------------


def nullable(model, path: str) -> bool:
    """Whether the column at `path` (through relations) may be empty; an annotation may always be."""
    try:
        for index, name in enumerate(path.split("__")):
            if name == "pk":
                return False
            field = model._meta.get_field(name)
            if field.null:
                return True
            if index < len(path.split("__")) - 1:
                model = field.related_model
    except FieldDoesNotExist:
        return True
    return False


def batch_keys(queryset) -> list[Key]:
    """The keys `batches` reads `queryset` by: its ordering up to the primary key, which ends it (added in
    the last key's direction if missing); keys that may be empty placed last."""
    meta = queryset.model._meta
    pk_names = {"pk", meta.pk.name, meta.pk.attname}
    keys = []
    for key in ordering_of(queryset):
        if key.path in pk_names:
            keys.append(Key("pk", key.descending, False))
            break
        keys.append(Key(key.path, key.descending, key.nulls_last or nullable(queryset.model, key.path)))
    else:
        keys.append(Key("pk", keys[-1].descending if keys else False, False))
    return keys


def _order(key: Key):
    expression = F(key.path)
    if key.nulls_last:
        return expression.desc(nulls_last=True) if key.descending else expression.asc(nulls_last=True)
    return expression.desc() if key.descending else expression.asc()


def batches(queryset, size: int):
    """All rows of `queryset`, in its order, as lists of at most `size` rows.

    Each batch is read by keyset: ``ORDER BY`` the queryset's ordering and its primary key, ``WHERE (key,
    pk) > (the last row's)``, ``LIMIT size`` — first the keys and ids alone (what the sort's index can
    answer), then those rows with their related records. No OFFSET, so a batch deep in a million rows
    costs what the first one does; and no cursor stays open between batches, so a long export holds
    neither the table nor more than one batch in memory. Works for model rows and for ``values()`` and
    ``values_list()`` rows alike; `prefetch_related` runs per batch.

    Empty values (a nullable column, one across a nullable relation, an annotation) come last whichever
    way a key sorts, as the lists sort them; a key that may be empty goes first through the rows that
    have a value, then through those that do not, so that each part is a plain range the index serves.
    An ordering by an expression other than a column (which no keyset can seek in) is read by primary
    key instead: the same rows, in the order of their ids.
    """
    if size < 1:
        raise ValueError("A batch holds at least one row.")
    yield from _batches(queryset, batch_keys(queryset), size)


def _batches(queryset, keys: list[Key], size: int):
    first = keys[0]
    if first.nulls_last:
        # The rows with a value in the first key, then those without (ordered by the other keys).
        yield from _batches(queryset.filter(**{f"{first.path}__isnull": False}),
                            [Key(first.path, first.descending, False), *keys[1:]], size)
        yield from _batches(queryset.filter(**{f"{first.path}__isnull": True}), keys[1:], size)
        return
    ordered = queryset.order_by(*(_order(key) for key in keys))
    # Keys and ids alone (values_list leaves out the related records; nothing to prefetch for them).
    seeking = ordered.prefetch_related(None).values_list(*(key.path for key in keys))
    last = None
    while True:
        found = list((seeking if last is None else seeking.filter(_after(keys, last)))[:size])
        if not found:
            return
        # The same order again, so that the rows come as their keys did.
        yield list(ordered.filter(pk__in=[values[-1] for values in found]))
        if len(found) < size:
            return
        last = list(found[-1])
