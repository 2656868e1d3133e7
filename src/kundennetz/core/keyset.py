"""Keyset ("seek") paging: the next page starts after the last row shown, not after N skipped rows.

`OFFSET 250000` makes the database read and throw away a quarter of a million rows; a page that says
``WHERE (name, id) > ('Müller AG', 4711)`` reads only its own rows through the sort's index. The list's
"next" link carries the last row's sort values as an opaque token (``after=…``); any ordering of plain
columns works, ascending or descending, with empty values last as the lists sort them.
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
    return Q(**{beyond: value}) | (Q(**{key.path: value}) & rest)
