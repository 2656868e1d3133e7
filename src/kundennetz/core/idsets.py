"""Narrowing a query to a given set of ids: a short set by an IN list, a long one by its id range.

A whole-network run goes through the accounts in ranges of a few thousand consecutive ids; reading such a
range by `BETWEEN` walks an index over exactly those rows, where an IN list of thousands of ids is slow to
plan (and above SQLite's limit on parameters) and reading the whole table, as the code once did above a few
hundred ids, made each range cost as much as the whole network. The caller keeps only the ids it asked
for (the rows of ids between them that it did not ask for are few when the ids are a range)."""

from __future__ import annotations

from collections.abc import Collection

IN_LIMIT = 500


def narrowed(queryset, ids: Collection | None, field: str = "account_id"):
    """`queryset` narrowed to rows whose `field` is among `ids` (None: all) or, for more than `IN_LIMIT`
    ids, lies in their range."""
    if ids is None:
        return queryset
    if len(ids) <= IN_LIMIT:
        return queryset.filter(**{f"{field}__in": list(ids)})
    return queryset.filter(**{f"{field}__gte": min(ids), f"{field}__lte": max(ids)})
