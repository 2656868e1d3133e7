"""Live or stored, and as of when: whether a stored figure still matches the inputs it was computed from.

Each stored figure (a portfolio snapshot, a planning scenario, the consistency rows) keeps the
*fingerprint* of its inputs taken when it was computed. Comparing it with the fingerprint of the inputs
now says whether it is out of date. It costs one query whatever the size of the network, and that query
reads each input table by index only (a few index pages, never the rows: O(log n) per table, checked by
EXPLAIN in tests/core/test_freshness.py). Per registered input table it reads:

``MAX(id)``
    moves with every insert (primary-key index);
``MAX(updated_at)``
    moves with every change saved through the ORM (``auto_now``), soft deletes and restores included, and
    with every bulk write that sets ``updated_at`` (import commit and undo do). Each input model with an
    ``updated_at`` has an index on it (named ``…_changed``). The stored per-account figures
    (``planning.stored``) do not set it on purpose: a copy of computed figures is not an input change;
``ChangeCounter.changes`` of the table (unique label)
    moves with every transaction that hard-deletes rows of the table, and with every saved change of a
    table that has no ``updated_at`` (stages, customer groups, periods, snapshots, scoring models: small
    catalogues). Raised by ``post_delete``/``post_save`` receivers this module connects for every
    registered model, at most once per table per transaction (see ``changed``); only those writes touch
    the counter row, so ordinary edits never queue behind each other on it.

and, per tunable the figure reads, the version in force. A path that deletes rows without the ORM's
signals (raw SQL, ``QuerySet._raw_delete``, kept for speed where a million rows go at once) calls
``changed(model)`` in its transaction: applying a plan deletes the period's account plans so (a receiver
costs Django's one-statement delete of a model that has no other receivers or dependants; the other
input models have those anyway). A ``QuerySet.update()`` that leaves ``updated_at`` alone is not
seen, as before: a path that changes an input that way sets ``updated_at`` too.

Known limit, as with any "newest" column: two transactions writing at the same moment can commit in
the other order than their ids or timestamps were taken; a figure computed exactly in between may miss
the earlier one's rows until the next change.

API:

``register(kind, models=(), tunables=())``
    Declare (or extend: several apps add to one kind) what a kind of stored figure is computed from.
    ``models`` are ``"app_label.Model"`` names, ``tunables`` classes from ``core.tunables.schemas``.
``fingerprint(kind) -> str``
    The inputs' fingerprint now.
``changed(model)``
    Count a change the columns above cannot show (a delete that bypasses the ORM's signals).
``status(kind, computed_at, stored) -> AsOf``
    What a page says about a stored figure: as of when, and out of date or not.
``register_refresh(kind, refresh, order)`` / ``refresh(kind)`` / ``refresh_stale()``
    How to recompute a kind, and recomputing every stale kind in dependency order (the demo does this
    last, so that nothing it stored shows "out of date").
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.signals import post_delete, post_save

# What each kind of stored figure reads: kind -> (model labels, tunable names).
_INPUTS: dict[str, tuple[set[str], set[str]]] = {}
# How to bring a kind up to date: kind -> (order, function returning True when it recomputed something).
_REFRESH: dict[str, tuple[int, Callable[[], bool]]] = {}
# Labels registered before the models were loaded, whose receivers wait for ``connect_receivers``.
_UNCONNECTED: set[str] = set()


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
    _UNCONNECTED.update(models)
    if apps.models_ready:
        connect_receivers()


def inputs(kind: str) -> tuple[list[str], list[str]]:
    """The model labels and tunable names ``kind`` is computed from, sorted."""
    model_labels, tunable_names = _INPUTS.get(kind, (set(), set()))
    return sorted(model_labels), sorted(tunable_names)


def _has_updated_at(model) -> bool:
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


# --------------------------------------------------------------------------------------------------
# The change counters: raised at most once per table per transaction
# --------------------------------------------------------------------------------------------------


class _Counted:
    """Left in the transaction's on-commit hooks: the counter of ``label`` is raised in this transaction.

    Django drops the hook when the transaction or the savepoint it was raised in rolls back (and with it
    the raise): then the next change raises the counter again. ``spent`` once the fingerprint was read
    in the transaction: a change after that reading must move the counter again."""

    __slots__ = ("label", "spent")

    def __init__(self, label: str):
        self.label, self.spent = label, False

    def __call__(self) -> None:
        pass


# Per connection: (the on-commit list the marks were found in, label -> mark). Django replaces that list
# on commit, rollback and savepoint rollback, so while it is the same object no mark has been dropped and
# a check costs a dictionary lookup, not a walk over the hooks (a delete of 100,000 rows checks 100,000 times).
_COUNTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _marks(conn) -> dict[str, _Counted]:
    entry = _COUNTED.get(conn)
    if entry is None or entry[0] is not conn.run_on_commit:
        alive = {hook.label: hook for _sids, hook, _robust in conn.run_on_commit
                 if isinstance(hook, _Counted) and not hook.spent}
        entry = _COUNTED[conn] = (conn.run_on_commit, alive)
    return entry[1]


def changed(model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Count a change of ``model``'s table that its newest id and ``updated_at`` do not show (a hard
    delete, a change to a table without ``updated_at``), inside the caller's transaction: at most one
    UPDATE of the counter row per table per transaction."""
    label = model._meta.concrete_model._meta.label_lower
    conn = connections[using]
    if conn.in_atomic_block:
        marks = _marks(conn)
        if label in marks:
            return
    from .models import ChangeCounter

    quote = conn.ops.quote_name
    table = quote(ChangeCounter._meta.db_table)
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({quote('label')}, {quote('changes')}) VALUES (%s, 1) "
                       f"ON CONFLICT ({quote('label')}) DO UPDATE SET {quote('changes')} = "
                       f"{table}.{quote('changes')} + 1", [label])
    if conn.in_atomic_block:
        mark = _Counted(label)
        conn.on_commit(mark)
        marks[label] = mark


def _deleted(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    changed(sender, using)


def _saved(sender, created=False, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    # Inserts move the newest id; only a change of a row in a table without ``updated_at`` needs counting.
    if not created:
        changed(sender, using)


def connect_receivers() -> None:
    """Connect the counting receivers of every registered model not connected yet (``register`` calls
    this once the models are loaded, ``CoreConfig.ready`` for those registered before)."""
    for label in sorted(_UNCONNECTED):
        _UNCONNECTED.discard(label)
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app that is not installed contributes nothing
        uid = f"core.freshness:{model._meta.label_lower}"
        post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=uid)
        if not _has_updated_at(model):
            post_save.connect(_saved, sender=model, weak=False, dispatch_uid=uid)


# --------------------------------------------------------------------------------------------------
# The fingerprint
# --------------------------------------------------------------------------------------------------


def _parts(kind: str) -> tuple[list[str], list]:
    from .models import ChangeCounter
    from .tunables.models import TunableVersion

    quote = connection.ops.quote_name
    model_labels, tunable_names = inputs(kind)
    counters = quote(ChangeCounter._meta.db_table)
    parts, params = [], []
    for label in model_labels:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app that is not installed contributes nothing
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})")
        if _has_updated_at(model):
            column = quote(model._meta.get_field("updated_at").column)
            parts.append(f"(SELECT MAX({column}) FROM {table})")
        parts.append(f"(SELECT {quote('changes')} FROM {counters} WHERE {quote('label')} = %s)")
        params.append(model._meta.label_lower)
    table = quote(TunableVersion._meta.db_table)
    for name in tunable_names:
        parts.append(f"(SELECT MAX({quote('version')}) FROM {table} WHERE {quote('name')} = %s)")
        params.append(name)
    return parts, params


def fingerprint_sql(kind: str) -> tuple[str, list]:
    """The one query behind ``fingerprint`` (for EXPLAIN in the tests)."""
    parts, params = _parts(kind)
    return ("SELECT " + ", ".join(parts), params) if parts else ("", [])


def fingerprint(kind: str) -> str:
    """The fingerprint of the inputs of ``kind`` as they are now (one query)."""
    sql, params = fingerprint_sql(kind)
    if not sql:
        return ""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.in_atomic_block:
        # Read inside a transaction that changed something: a further change in it must move a counter again.
        marks = _marks(conn)
        for mark in marks.values():
            mark.spent = True
        marks.clear()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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
