"""Bulk loading: set a table's secondary indexes and foreign keys aside while it is filled, then build them
again in one pass each (the classic technique; used by ``kundennetz generate``).

A row written into a table with 35 indexes updates 35 B-trees (and a trigram GIN index, or on SQLite an
FTS5 index through a trigger) one entry at a time, and on PostgreSQL queues one deferred foreign-key check
per row for the commit. Building an index from the filled table sorts once; adding a foreign key checks
every row by one anti-join. ``set_aside(tables)`` does that generically, by reading the database's own
catalogue, so an index or constraint added later by a migration is handled without naming it here:

- PostgreSQL: every index of the tables that is neither the primary key nor unique nor backing a
  constraint (``pg_get_indexdef``: partial and GIN trigram indexes as they are) and every foreign key
  leaving the tables (``pg_get_constraintdef``: ``DEFERRABLE INITIALLY DEFERRED`` as it is) are dropped,
  and created from those very definitions afterwards.
- SQLite: the FTS5 search indexes and their triggers (``accounts.fts``, every table it keeps) and every
  index with SQL of its own in ``sqlite_master`` that is not unique are dropped and created from that SQL
  afterwards (the search indexes refilled by ``fts.ensure``). Foreign keys are part of a SQLite table and
  stay; they are checked by primary key, which is cheap.
- Both: the tables' own triggers (the sort keys copied from the rows they refer to, ``accounts.sortkeys``)
  do not fire for the loaded rows: disabled on PostgreSQL, dropped and created from their SQL on SQLite.
  The loader writes what they would have written itself.

Unique indexes stay on both: they keep the rows valid while they go in, and a foreign key may need them.
It must run inside a transaction (``transaction.atomic``): if anything fails the rollback brings back
every dropped index and constraint, so the catalogue is as it was; the drops hold the tables locked
against readers until the commit (PostgreSQL), which is why ``generate`` does this only when it writes
at least as much as is there.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from kundennetz.accounts import fts

# For the index builds after the load only (SET LOCAL: this transaction). A B-tree build sorts its
# column(s) in this much memory and spills to disk beyond it; the default 64 MB makes the 10M-row
# interaction indexes merge runs on disk, 256 MB sorts most of them in memory. Used one build at a time.
MAINTENANCE_WORK_MEM = "256MB"
# SQLite's page cache while loading (KiB): the index builds sort through it and the load writes
# gigabytes of pages in one transaction, which spill and are read back with the default 2 MB.
SQLITE_CACHE_KIB = 262_144


@dataclass
class SetAside:
    """What was dropped (statements to create it again), and how long each part took."""

    indexes: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def set_aside(tables: Iterable[str], say: Callable[[str], None] | None = None) -> Iterator[SetAside]:
    """Drop the secondary indexes and foreign keys of `tables` for the block, create them again after it
    (see the module's docstring). Inside a transaction only; on an error nothing is rebuilt (the rollback
    restores them)."""
    if not connection.in_atomic_block:
        raise RuntimeError("set_aside needs a transaction: its drops must roll back with a failed load")
    say = say or (lambda message: None)
    tables = tuple(tables)
    kept = SetAside()
    started = clock.perf_counter()
    previous_cache = None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _drop_postgresql(cursor, tables, kept)
        elif connection.vendor == "sqlite":
            previous_cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            _drop_sqlite(cursor, tables, kept)
    kept.seconds["drop"] = clock.perf_counter() - started
    say(f"set aside: {len(kept.indexes)} indexes, {len(kept.foreign_keys)} foreign keys, "
        f"{len(kept.searched)} search indexes, {len(kept.triggers)} triggers")
    try:
        yield kept
        _rebuild(kept, say)
    finally:
        if previous_cache is not None and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous_cache)}")


def _drop_postgresql(cursor, tables: tuple[str, ...], kept: SetAside) -> None:
    cursor.execute("SET LOCAL maintenance_work_mem = %s", [MAINTENANCE_WORK_MEM])
    # Foreign keys first: none of them may hang on an index about to go (unique ones stay anyway).
    cursor.execute(
        "SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE c.contype = 'f' AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
        "ORDER BY 1, 2", [list(tables)])
    keys = cursor.fetchall()
    if keys:
        # Rows written earlier in this same transaction still wait for their deferred checks, and a
        # table with pending checks cannot be altered: run those checks now (for these keys only; the
        # ones added again afterwards are deferred as their definition says).
        cursor.execute(f"SET CONSTRAINTS {', '.join(sorted({name for _table, name, _definition in keys}))} IMMEDIATE")
    for table, name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        kept.foreign_keys.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
        "AND NOT i.indisprimary AND NOT i.indisunique AND i.indisvalid "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1", [list(tables)])
    for name, definition in cursor.fetchall():
        cursor.execute(f"DROP INDEX {name}")
        kept.indexes.append(definition)
    cursor.execute(
        "SELECT tg.tgrelid::regclass::text, quote_ident(tg.tgname) FROM pg_trigger tg "
        "JOIN pg_class t ON t.oid = tg.tgrelid WHERE t.relname = ANY(%s) "
        "AND t.relnamespace = current_schema()::regnamespace AND NOT tg.tgisinternal AND tg.tgenabled <> 'D' "
        "ORDER BY 1, 2", [list(tables)])
    for table, name in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
        kept.triggers.append(f"ALTER TABLE {table} ENABLE TRIGGER {name}")


def _drop_sqlite(cursor, tables: tuple[str, ...], kept: SetAside) -> None:
    # Every table the search module keeps an index of: all are ones the generator fills; one that were
    # not would only be refilled needlessly.
    searched = [table for table in fts.TABLES if table in tables]
    if searched:
        fts.drop(connection)
        kept.searched = list(fts.TABLES)
    marks = ", ".join(["?"] * len(tables))
    rows = cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) "
        "ORDER BY name", tables).fetchall()
    quote = connection.ops.quote_name
    for name, sql in rows:
        if sql.lstrip().upper().startswith("CREATE UNIQUE"):
            continue
        cursor.execute(f"DROP INDEX {quote(name)}")
        kept.indexes.append(sql)
    # The search indexes' triggers went with them (above); these are the others.
    rows = cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks}) ORDER BY name",
        tables).fetchall()
    for name, sql in rows:
        cursor.execute(f"DROP TRIGGER {quote(name)}")
        kept.triggers.append(sql)


def _rebuild(kept: SetAside, say: Callable[[str], None]) -> None:
    with connection.cursor() as cursor:
        started = clock.perf_counter()
        took = []
        for sql in kept.indexes:
            begun = clock.perf_counter()
            cursor.execute(sql)
            took.append((clock.perf_counter() - begun, sql.split()[2].strip('"')))
        kept.seconds["indexes"] = clock.perf_counter() - started
        slowest = ", ".join(f"{name} {seconds:.1f} s" for seconds, name in sorted(took, reverse=True)[:3])
        say(f"indexes built again: {len(kept.indexes)}" + (f"; slowest {slowest}" if took else ""))
        if kept.foreign_keys:
            started = clock.perf_counter()
            for sql in kept.foreign_keys:
                cursor.execute(sql)
            kept.seconds["foreign keys"] = clock.perf_counter() - started
            say(f"foreign keys checked again: {len(kept.foreign_keys)}")
        if kept.triggers:
            for sql in kept.triggers:
                cursor.execute(sql)
            say(f"triggers back: {len(kept.triggers)}")
    if kept.searched:
        started = clock.perf_counter()
        fts.ensure(connection)
        kept.seconds["search indexes"] = clock.perf_counter() - started
        say(f"search indexes filled again: {len(kept.searched)}")
