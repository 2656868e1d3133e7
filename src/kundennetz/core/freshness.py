"""Live or stored, and as of when: whether a stored figure still matches the inputs it was computed from.

Each stored figure (a portfolio snapshot, a planning scenario, the consistency rows) keeps the
*fingerprint* of its inputs taken when it was computed. Comparing it with the fingerprint of the inputs
now says whether it is out of date. A fingerprint is a hash over, per input table, its number of rows
and its newest change (``updated_at``, else ``created_at``, else the highest id), and over the version
in force of each tunable the figure reads. It costs one query of scalar subqueries whatever the size of
the network: no per-account work on a page.

API:

``register(kind, models=(), tunables=())``
    Declare (or extend: several apps add to one kind) what a kind of stored figure is computed from.
    ``models`` are ``"app_label.Model"`` names, ``tunables`` classes from ``core.tunables.schemas``.
``fingerprint(kind) -> str``
    The inputs' fingerprint now.
``status(kind, computed_at, stored) -> AsOf``
    What a page says about a stored figure: as of when, and out of date or not.
``register_refresh(kind, refresh, order)`` / ``refresh(kind)`` / ``refresh_stale()``
    How to recompute a kind, and recomputing every stale kind in dependency order (the demo does this
    last, so that nothing it stored shows "out of date").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.db import connection

# What each kind of stored figure reads: kind -> (model labels, tunable names).
_INPUTS: dict[str, tuple[set[str], set[str]]] = {}
# How to bring a kind up to date: kind -> (order, function returning True when it recomputed something).
_REFRESH: dict[str, tuple[int, Callable[[], bool]]] = {}


@dataclass(frozen=True)
class AsOf:
    """What a page and the API say about a figure: when it was computed, and whether inputs changed since.

    A live figure (computed on the spot) has ``live`` set and is never out of date.
    """

    when: datetime | None
    out_of_date: bool = False
    live: bool = False


def register(kind: str, *, models: tuple[str, ...] = (), tunables: tuple = ()) -> None:
    """Add ``models`` and ``tunables`` to the inputs of ``kind`` (call from an ``AppConfig.ready``)."""
    model_labels, tunable_names = _INPUTS.setdefault(kind, (set(), set()))
    model_labels.update(models)
    tunable_names.update(t if isinstance(t, str) else t.NAME for t in tunables)


def inputs(kind: str) -> tuple[list[str], list[str]]:
    """The model labels and tunable names ``kind`` is computed from, sorted."""
    model_labels, tunable_names = _INPUTS.get(kind, (set(), set()))
    return sorted(model_labels), sorted(tunable_names)


def _change_column(model) -> str:
    names = {f.name: f for f in model._meta.concrete_fields}
    for name in ("updated_at", "created_at"):
        if name in names:
            return names[name].column
    return model._meta.pk.column


def _parts(kind: str) -> tuple[list[str], list]:
    from kundennetz.core.tunables.models import TunableVersion

    quote = connection.ops.quote_name
    model_labels, tunable_names = inputs(kind)
    parts, params = [], []
    for label in model_labels:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app that is not installed contributes nothing
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        parts.append(f"(SELECT MAX({quote(_change_column(model))}) FROM {table})")
    table = quote(TunableVersion._meta.db_table)
    for name in tunable_names:
        parts.append(f"(SELECT MAX({quote('version')}) FROM {table} WHERE {quote('name')} = %s)")
        params.append(name)
    return parts, params


def fingerprint(kind: str) -> str:
    """The fingerprint of the inputs of ``kind`` as they are now (one query)."""
    parts, params = _parts(kind)
    if not parts:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    # Timestamps come back as datetimes (PostgreSQL) or text (SQLite); either way the same text for the
    # same value on one database, which is all a comparison needs.
    text = "|".join("" if value is None else str(value) for value in row)
    return hashlib.sha256(f"{kind}|{text}".encode()).hexdigest()[:32]


def status(kind: str, computed_at: datetime | None, stored: str | None, *, current: str | None = None) -> AsOf:
    """As of ``computed_at``, out of date when ``stored`` differs from the inputs' fingerprint now.

    A figure stored before fingerprints existed (``stored`` empty) counts as out of date: nobody can say
    what it was computed from. ``current`` saves the query when the caller has the fingerprint already.
    """
    if computed_at is None:
        return AsOf(when=None, out_of_date=False)
    current = fingerprint(kind) if current is None else current
    return AsOf(when=computed_at, out_of_date=not stored or stored != current)


def register_refresh(kind: str, refresh: Callable[..., bool], order: int) -> None:
    """``refresh(today)`` recomputes ``kind`` when it is out of date and says whether it did; lower ``order``
    runs first (what others are computed from first)."""
    _REFRESH[kind] = (order, refresh)


def refresh(kind: str, today: date | None = None) -> bool:
    """Recompute ``kind`` if it is out of date; True when it did."""
    entry = _REFRESH.get(kind)
    return bool(entry and entry[1](today))


def refresh_stale(today: date | None = None) -> list[str]:
    """Recompute every kind that is out of date, inputs before what is computed from them; returns the kinds
    recomputed."""
    return [kind for kind, _entry in sorted(_REFRESH.items(), key=lambda item: item[1][0]) if refresh(kind, today)]
