"""Accounts counted per account manager, customer group and stored strategy, kept by the database.

The planning page adds up what the strategies ask for per account manager from these counts (a few rows
per manager) instead of grouping every account per request. The counts are those of
``counted_from_accounts`` — accounts not in the trash, grouped by owner, customer group and the stored
strategy ``Account.strategy`` — kept in ``AccountCount`` by triggers on the account table, in the
transaction that changes an account, whatever writes it: a form, the API, an import, the trash, a raw
bulk update of the stored figures (``planning.stored``), ``kundennetz generate`` or the demo.

SQLite has one writer at a time: its row triggers add to the counts directly. On PostgreSQL two
transactions changing accounts of the same group must neither lose an increment nor wait for each other
(a portfolio snapshot changes the strategies of every account in one long transaction): its statement
triggers only append the changes of a statement, set-based, to ``AccountCountChange``; ``stored_counts``
reads counts and changes in one statement (one snapshot of both), and ``compact`` adds the changes to the
counts after the stored figures were refreshed (``planning.stored``) and every night, so that the changes
read stay few.

Django rebuilds a SQLite table for some schema changes and its triggers go with it: ``ensure`` runs after
every migrate (``PlanningConfig.ready``), puts back what is missing and then counts again (``recount``).
"""

from __future__ import annotations

import zlib

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce

from kundennetz.accounts.models import Account

from .models import AccountCount, AccountCountChange

Group = tuple[int, int, str]  # (owner id, customer group id or 0, stored strategy)

FUNCTION = "planning_count_accounts"
POSTGRESQL_TRIGGERS = ("planning_count_insert", "planning_count_update", "planning_count_delete")
SQLITE_TRIGGERS = ("planning_count_ai", "planning_count_au", "planning_count_ad")
# Held by whoever writes the counts on PostgreSQL (``compact``, ``recount``) until their transaction ends.
LOCK = zlib.crc32(b"kundennetz-planning-counts")


def _names(connection) -> dict[str, str]:
    quote = connection.ops.quote_name
    return {"accounts": quote(Account._meta.db_table), "counts": quote(AccountCount._meta.db_table),
            "changes": quote(AccountCountChange._meta.db_table),
            "segment": quote(Account._meta.get_field("segment").column),
            "owner": quote(Account._meta.get_field("owner").column),
            "strategy": quote(Account._meta.get_field("strategy").column),
            "deleted": quote(Account._meta.get_field("deleted_at").column)}


def _postgresql(connection) -> list[str]:
    n = _names(connection)
    group = f"{n['owner']}, COALESCE({n['segment']}, 0), {n['strategy']}"
    into = f"INSERT INTO {n['changes']} (owner_id, segment_id, strategy, accounts) "
    live = f"{n['deleted']} IS NULL"
    function = (
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN "
        f"{into} SELECT {group}, COUNT(*) FROM new_rows WHERE {live} GROUP BY 1, 2, 3; "
        f"ELSIF TG_OP = 'DELETE' THEN "
        f"{into} SELECT {group}, -COUNT(*) FROM old_rows WHERE {live} GROUP BY 1, 2, 3; "
        f"ELSE "
        # Only groups whose count changed: a save that keeps owner, group, strategy and trash writes nothing.
        f"{into} SELECT o, s, t, SUM(n) FROM ("
        f"SELECT {group}, -1 FROM old_rows WHERE {live} UNION ALL "
        f"SELECT {group}, 1 FROM new_rows WHERE {live}) AS d(o, s, t, n) "
        f"GROUP BY o, s, t HAVING SUM(n) <> 0; "
        f"END IF; RETURN NULL; END $$")
    events = {"planning_count_insert": ("INSERT", "NEW TABLE AS new_rows"),
              "planning_count_update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
              "planning_count_delete": ("DELETE", "OLD TABLE AS old_rows")}
    return [function, *(
        f"CREATE TRIGGER {name} AFTER {event} ON {n['accounts']} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()" for name, (event, tables) in events.items())]


def _sqlite(connection) -> list[str]:
    n = _names(connection)

    def add(row: str) -> str:
        return (f"INSERT INTO {n['counts']} (owner_id, segment_id, strategy, accounts) "
                f"SELECT {row}.{n['owner']}, COALESCE({row}.{n['segment']}, 0), {row}.{n['strategy']}, 1 "
                f"WHERE {row}.{n['deleted']} IS NULL "
                f"ON CONFLICT (owner_id, segment_id, strategy) DO UPDATE SET accounts = accounts + 1;")

    def take(row: str) -> str:
        # A group counted has its row: taking away never makes one (a flush may empty the counts first).
        return (f"UPDATE {n['counts']} SET accounts = accounts - 1 WHERE {row}.{n['deleted']} IS NULL "
                f"AND owner_id = {row}.{n['owner']} AND segment_id = COALESCE({row}.{n['segment']}, 0) "
                f"AND strategy = {row}.{n['strategy']};")

    changed = " OR ".join(f"old.{n[c]} IS NOT new.{n[c]}" for c in ("owner", "segment", "strategy"))
    return [
        f"CREATE TRIGGER IF NOT EXISTS planning_count_ai AFTER INSERT ON {n['accounts']} BEGIN {add('new')} END",
        f"CREATE TRIGGER IF NOT EXISTS planning_count_au AFTER UPDATE OF {n['owner']}, {n['segment']}, "
        f"{n['strategy']}, {n['deleted']} ON {n['accounts']} WHEN {changed} "
        f"OR (old.{n['deleted']} IS NULL) <> (new.{n['deleted']} IS NULL) BEGIN {take('old')} {add('new')} END",
        f"CREATE TRIGGER IF NOT EXISTS planning_count_ad AFTER DELETE ON {n['accounts']} BEGIN {take('old')} END",
    ]


def _existing(connection, cursor) -> set[str]:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s)", [Account._meta.db_table])
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                       [Account._meta.db_table])
    return {name for (name,) in cursor.fetchall()}


def _triggers(connection) -> tuple[tuple[str, ...], list[str]]:
    if connection.vendor == "postgresql":
        return POSTGRESQL_TRIGGERS, _postgresql(connection)
    if connection.vendor == "sqlite":
        return SQLITE_TRIGGERS, _sqlite(connection)
    raise NotImplementedError(connection.vendor)


def ensure(connection) -> bool:
    """Create the triggers that are missing and, when any was, count every account again (the counts
    cannot say what happened while a trigger was missing). Returns whether it counted again."""
    names, statements = _triggers(connection)
    tables = set(connection.introspection.table_names())
    if not {Account._meta.db_table, AccountCount._meta.db_table, AccountCountChange._meta.db_table} <= tables:
        return False  # migrated back below the tables: nothing to keep
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if set(names) <= _existing(connection, cursor):
            return False
        if connection.vendor == "postgresql":
            cursor.execute(statements[0])
            for name, sql in zip(names, statements[1:], strict=True):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {connection.ops.quote_name(Account._meta.db_table)}")
                cursor.execute(sql)
        else:
            for sql in statements:
                cursor.execute(sql)
        recount(connection.alias)
    return True


def drop(connection) -> None:
    """Remove the triggers (the counts stay as they are until ``ensure``)."""
    names, _statements = _triggers(connection)
    table = connection.ops.quote_name(Account._meta.db_table)
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if connection.vendor == "postgresql"
                                                                else ""))
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def counted_from_accounts(owner: int | None = None, using: str = DEFAULT_DB_ALIAS) -> dict[Group, int]:
    """The counts straight from the accounts (one GROUP BY over every account): what the stored counts
    must equal, and what ``recount`` stores."""
    accounts = Account.objects.using(using).order_by()
    if owner is not None:
        accounts = accounts.filter(owner_id=owner)
    rows = (accounts.values("owner_id", "strategy", group=Coalesce("segment_id", 0)).annotate(n=Count("pk"))
            .values_list("owner_id", "group", "strategy", "n"))
    return {(owner_id, group, strategy): n for owner_id, group, strategy, n in rows}


def recount(using: str = DEFAULT_DB_ALIAS) -> int:
    """Count every account again and store the counts (repair, and the first fill); returns the groups."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            # Writers wait until the new counts are in: a change between the count and the store is not lost.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Account._meta.db_table)} "
                               "IN SHARE ROW EXCLUSIVE MODE")
        counts = counted_from_accounts(using=using)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # Plain SQL, not the models: a migration of an earlier state runs this too.
            cursor.execute(f"DELETE FROM {quote(AccountCountChange._meta.db_table)}")
            cursor.execute(f"DELETE FROM {quote(AccountCount._meta.db_table)}")
            cursor.executemany(
                f"INSERT INTO {quote(AccountCount._meta.db_table)} (owner_id, segment_id, strategy, accounts) "
                f"VALUES (%s, %s, %s, %s)", [(*group, n) for group, n in sorted(counts.items())])
    return len(counts)


def stored_counts(owner: int | None = None, using: str = DEFAULT_DB_ALIAS) -> dict[Group, int]:
    """The live counts: the stored counts plus the changes not yet added to them, read in one statement
    (one snapshot of both, whatever ``compact`` does meanwhile); groups counting no account left out.
    A constant number of rows per account manager, whatever the number of accounts."""
    connection = connections[using]
    quote = connection.ops.quote_name
    where, params = ("WHERE owner_id = %s", [owner, owner]) if owner is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT owner_id, segment_id, strategy, SUM(accounts) FROM ("
            f"SELECT owner_id, segment_id, strategy, accounts FROM {quote(AccountCount._meta.db_table)} {where} "
            f"UNION ALL "
            f"SELECT owner_id, segment_id, strategy, accounts FROM {quote(AccountCountChange._meta.db_table)} {where}"
            f") AS c GROUP BY owner_id, segment_id, strategy HAVING SUM(accounts) <> 0", params)
        return {(owner_id, segment_id, strategy): int(n) for owner_id, segment_id, strategy, n in cursor.fetchall()}


def owners(using: str = DEFAULT_DB_ALIAS) -> set[int]:
    """The account managers who own at least one account not in the trash (from the counts, not a DISTINCT
    over every account)."""
    return {owner for owner, _segment, _strategy in stored_counts(using=using)}


def compact(using: str = DEFAULT_DB_ALIAS) -> None:
    """Add the changes appended on PostgreSQL to the counts, and drop groups counting no account.

    Safe beside writers: the changes are taken by one DELETE … RETURNING (a change committed meanwhile
    stays for the next run). Runs of ``compact`` and ``recount``, the only writers of the counts on
    PostgreSQL, take turns (an advisory lock)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    counts, changes = quote(AccountCount._meta.db_table), quote(AccountCountChange._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            cursor.execute(
                f"WITH taken AS (DELETE FROM {changes} RETURNING owner_id, segment_id, strategy, accounts) "
                f"INSERT INTO {counts} (owner_id, segment_id, strategy, accounts) "
                f"SELECT owner_id, segment_id, strategy, SUM(accounts) FROM taken "
                f"GROUP BY owner_id, segment_id, strategy ORDER BY owner_id, segment_id, strategy "
                f"ON CONFLICT (owner_id, segment_id, strategy) "
                f"DO UPDATE SET accounts = {counts}.accounts + EXCLUDED.accounts")
        cursor.execute(f"DELETE FROM {counts} WHERE accounts = 0")


def compact_after_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """``compact`` once the current transaction committed, in a transaction of its own: inside a long one
    (a snapshot) it would hold the counts' rows until that one ends."""
    transaction.on_commit(lambda: compact(using), using=using)
