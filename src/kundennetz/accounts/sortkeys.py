"""Sort keys of a referenced row, copied onto the listed row by database triggers.

The lists sort accounts by their owner and customer group, contacts by their account, and opportunities
by their account, stage and owner. No index serves an order by another table's column: at a million
accounts the database sorted the whole join for every page (2 s). So the listed row carries a copy of the
referenced row's sort key (the German key of ``domain.text.sort_key`` stored on the user, the customer
group and the account; the stage's order), indexed together with the id, and triggers keep every copy
right whatever writes the rows (save, bulk and queryset updates, imports, the admin, SQL by hand):

- writing the listed row (an insert, or an update of its reference or of the copy) copies the key afresh;
- a key changed on the referenced row (a user or an account renamed) is written onto every row referring
  to it, in the same transaction.

Some referenced rows are referred to by a large share of a table: a customer group by a fifth of the
accounts, a stage by an eighth of the opportunities. Their copies are ``deferred``: a customer group renamed
or a stage moved reaches its rows through a task (``accounts.tasks.pass_on_sort_keys``, queued when the
record is saved, and every night for whatever wrote it otherwise), in ranges of ids each committed on its
own (``pass_on``), so that renaming one at a million accounts neither holds a request for a minute nor
locks a fifth of the accounts. Until the task has run, lists sorted by them keep the old order; the names
they show are read from the record itself.

The other way round, a value of a record that refers to the listed row is *held* on it (``HELD``: an
opportunity's win score, which the pipeline sorts and filters by): triggers on the referring table write it
onto the row it names when it is inserted or changed, and clear it when it is deleted.

PostgreSQL: PL/pgSQL functions behind BEFORE (copy in) and AFTER (pass on) row triggers. SQLite: AFTER
triggers that update the row. SQLite refuses to rename a table while a trigger on another table names it,
and Django renames one whenever it rebuilds a table for a schema change; there the triggers are dropped
before a migration runs and created again, the copies filled, after it (``AccountsConfig``), as the
search index's are (``fts``). The bulk load of ``kundennetz generate`` writes the copies itself while the
triggers of the tables it fills are set aside (``sample.bulkload``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Copy:
    """`table`.`column` holds `source`.`source_column` of the row its `reference` names (`missing` without one)."""

    table: str
    column: str
    reference: str
    source: str
    source_column: str
    missing: str = "''"
    deferred: bool = False  # a change of the source reaches the copies through ``pass_on``, not a trigger


COPIES = (
    Copy("accounts_account", "owner_sort", "owner_id", "core_user", "name_sort"),
    Copy("accounts_account", "segment_sort_de", "segment_id", "accounts_segment", "name_sort_de", "NULL", True),
    Copy("accounts_account", "segment_sort_en", "segment_id", "accounts_segment", "name_sort_en", "NULL", True),
    Copy("accounts_opportunity", "account_sort", "account_id", "accounts_account", "name_sort"),
    Copy("accounts_opportunity", "owner_sort", "owner_id", "core_user", "name_sort"),
    Copy("accounts_opportunity", "stage_sort", "stage_id", "accounts_stage", "order", "0", True),
)



@dataclass(frozen=True)
class Held:
    """`table`.`column` holds `source`.`source_column` of the one row of `source` whose `back_reference`
    names it (a one-to-one from the other side), NULL while there is none: kept by triggers on `source`."""

    table: str
    column: str
    source: str
    back_reference: str
    source_column: str


# An opportunity's win score (winloss), which the pipeline sorts and filters by.
HELD = (
    Held("accounts_opportunity", "win_probability", "winloss_dealscore", "opportunity_id", "probability"),
    Held("accounts_opportunity", "win_expected_value", "winloss_dealscore", "opportunity_id", "expected_value"),
)

# Rows per statement of ``pass_on``: each range is its own short transaction.
PASS_ON_RANGE = 20_000


def _q(name: str) -> str:
    return f'"{name}"'


def _grouped(copies, *key):
    groups = defaultdict(list)
    for copy in copies:
        groups[tuple(getattr(copy, name) for name in key)].append(copy)
    return groups


def _lookup(copy: Copy, row: str) -> str:
    found = f"(SELECT src.{_q(copy.source_column)} FROM {_q(copy.source)} AS src WHERE src.id = {row}.{_q(copy.reference)})"
    return found if copy.missing == "NULL" else f"COALESCE({found}, {copy.missing})"


def _passed(copy: Copy) -> str:
    value = f"new.{_q(copy.source_column)}"
    return value if copy.missing == "NULL" else f"COALESCE({value}, {copy.missing})"


def trigger_names(vendor: str, copies=COPIES, held=HELD) -> list[str]:
    """The triggers (on PostgreSQL also the functions) that keep `copies` and `held`."""
    copy_in = ("_sort_in",) if vendor == "postgresql" else ("_sort_ai", "_sort_au")
    held_in = ("_sort_held",) if vendor == "postgresql" else ("_sort_held_ai", "_sort_held_au", "_sort_held_ad")
    return ([f"{table}{suffix}" for table in sorted({c.table for c in copies}) for suffix in copy_in]
            + [f"{source}_sort_out" for source in sorted({c.source for c in copies if not c.deferred})]
            + [f"{source}{suffix}" for source in sorted({h.source for h in held}) for suffix in held_in])


def _deferred_sources(copies) -> list[str]:
    """The referenced tables whose copies are all passed on later: they have no trigger of their own."""
    return sorted({c.source for c in copies} - {c.source for c in copies if not c.deferred})


def _statements(vendor: str, copies) -> list[str]:
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    statements = []
    for (table,), own in sorted(_grouped(copies, "table").items()):
        watched = ", ".join(_q(name) for name in sorted({c.reference for c in own} | {c.column for c in own}))
        if vendor == "postgresql":
            body = " ".join(f"NEW.{_q(c.column)} := {_lookup(c, 'NEW')};" for c in own)
            statements += [
                f"CREATE OR REPLACE FUNCTION {table}_sort_in() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NEW; END $$",
                f"DROP TRIGGER IF EXISTS {table}_sort_in ON {_q(table)}",
                f"CREATE TRIGGER {table}_sort_in BEFORE INSERT OR UPDATE OF {watched} ON {_q(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_sort_in()",
            ]
            continue
        # SQLite cannot change the row being written: an update after it, only when a copy is off (which
        # also ends the recursion should recursive triggers ever be switched on).
        differs = " OR ".join(f"new.{_q(c.column)} IS NOT {_lookup(c, 'new')}" for c in own)
        assign = ", ".join(f"{_q(c.column)} = {_lookup(c, 'new')}" for c in own)
        for suffix, event in (("ai", "INSERT"), ("au", f"UPDATE OF {watched}")):
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {table}_sort_{suffix} AFTER {event} ON {_q(table)} "
                              f"WHEN {differs} BEGIN UPDATE {_q(table)} SET {assign} WHERE id = new.id; END")
    for (source,), used in sorted(_grouped([c for c in copies if not c.deferred], "source").items()):
        columns = sorted({c.source_column for c in used})
        changed = " OR ".join(f"old.{_q(name)} {distinct} new.{_q(name)}" for name in columns)
        updates = []
        for (table, reference), together in sorted(_grouped(used, "table", "reference").items()):
            assign = ", ".join(f"{_q(c.column)} = {_passed(c)}" for c in together)
            off = " OR ".join(f"{_q(c.column)} {distinct} {_passed(c)}" for c in together)
            updates.append(f"UPDATE {_q(table)} SET {assign} WHERE {_q(reference)} = new.id AND ({off});")
        event = f"AFTER UPDATE OF {', '.join(_q(name) for name in columns)} ON {_q(source)}"
        if vendor == "postgresql":
            statements += [
                f"CREATE OR REPLACE FUNCTION {source}_sort_out() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {' '.join(updates)} RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {source}_sort_out ON {_q(source)}",
                f"CREATE TRIGGER {source}_sort_out {event} FOR EACH ROW WHEN ({changed}) "
                f"EXECUTE FUNCTION {source}_sort_out()",
            ]
        else:
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {source}_sort_out {event} WHEN {changed} "
                              f"BEGIN {' '.join(updates)} END")
    return statements


def _held_statements(vendor: str, held) -> list[str]:
    """The triggers on each source of `held`: its row inserted or changed writes its values onto the row it
    names (and clears them on the row it named before), deleted clears them."""
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    statements = []
    for (source, table, back), together in sorted(_grouped(held, "source", "table", "back_reference").items()):
        columns = ", ".join(_q(h.source_column) for h in together)
        assign = ", ".join(f"{_q(h.column)} = new.{_q(h.source_column)}" for h in together)
        off = " OR ".join(f"{_q(h.column)} {distinct} new.{_q(h.source_column)}" for h in together)
        cleared = ", ".join(f"{_q(h.column)} = NULL" for h in together)
        write = f"UPDATE {_q(table)} SET {assign} WHERE id = new.{_q(back)} AND ({off});"
        clear_old = f"UPDATE {_q(table)} SET {cleared} WHERE id = old.{_q(back)};"
        if vendor == "postgresql":
            statements += [
                f"CREATE OR REPLACE FUNCTION {source}_sort_held() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR old.{_q(back)} {distinct} new.{_q(back)}) "
                f"THEN {clear_old} END IF; "
                f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {write} END IF; RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {source}_sort_held ON {_q(source)}",
                f"CREATE TRIGGER {source}_sort_held AFTER INSERT OR DELETE OR UPDATE OF {columns}, {_q(back)} "
                f"ON {_q(source)} FOR EACH ROW EXECUTE FUNCTION {source}_sort_held()",
            ]
            continue
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {source}_sort_held_ai AFTER INSERT ON {_q(source)} BEGIN {write} END",
            f"CREATE TRIGGER IF NOT EXISTS {source}_sort_held_au AFTER UPDATE OF {columns}, {_q(back)} "
            f"ON {_q(source)} BEGIN UPDATE {_q(table)} SET {cleared} WHERE id = old.{_q(back)} "
            f"AND old.{_q(back)} IS NOT new.{_q(back)}; {write} END",
            f"CREATE TRIGGER IF NOT EXISTS {source}_sort_held_ad AFTER DELETE ON {_q(source)} BEGIN {clear_old} END",
        ]
    return statements


def install(connection, copies=COPIES, held=HELD) -> None:
    """Create (PostgreSQL: replace) the triggers keeping `copies` and `held`, and drop a trigger a deferred
    source had."""
    with connection.cursor() as cursor:
        for source in _deferred_sources(copies):
            _drop_trigger(cursor, connection.vendor, f"{source}_sort_out")
        for sql in _statements(connection.vendor, copies) + _held_statements(connection.vendor, held):
            cursor.execute(sql)


def _drop_trigger(cursor, vendor: str, name: str) -> None:
    if vendor == "postgresql":
        table = name.split("_sort_", 1)[0]
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_q(table)}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def pass_on(connection, source: str, source_id: int | None = None, copies=COPIES,
            size: int | None = None) -> int:
    """Write the deferred copies of `source` (of the row `source_id`, or of every row) that are off onto
    the rows referring to it, one range of `size` ids per statement and transaction; returns how many rows
    were written. Reads the whole table by id once, writes only the rows that are off."""
    from django.db import transaction

    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    size = size or PASS_ON_RANGE
    written = 0
    used = [c for c in copies if c.deferred and c.source == source]
    for (table, reference), together in sorted(_grouped(used, "table", "reference").items()):
        assign = ", ".join(f"{_q(c.column)} = COALESCE(src.{_q(c.source_column)}, {c.missing})" for c in together)
        off = " OR ".join(f"t.{_q(c.column)} {distinct} COALESCE(src.{_q(c.source_column)}, {c.missing})"
                          for c in together)
        one = "AND src.id = %s " if source_id is not None else ""
        sql = (f"UPDATE {_q(table)} AS t SET {assign} FROM {_q(source)} AS src WHERE src.id = t.{_q(reference)} "
               f"{one}AND t.id >= %s AND t.id < %s AND ({off})")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {_q(table)}")
            low, high = cursor.fetchone()
        if low is None:
            continue
        for start in range(low, high + 1, size):
            params = [*([source_id] if source_id is not None else []), start, start + size]
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(sql, params)
                written += max(cursor.rowcount, 0)
    return written


def pass_on_all(connection, copies=COPIES) -> int:
    """``pass_on`` for every row of every deferred source (the nightly catch-up)."""
    return sum(pass_on(connection, source, copies=copies) for source in sorted({c.source for c in copies if c.deferred}))


def fill(connection, copies=COPIES, held=HELD) -> None:
    """Write every copy that is off, set-based (one UPDATE per referenced table and one for rows that refer
    to none): for rows written while the triggers were away."""
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        for (source, table, back), together in sorted(_grouped(held, "source", "table", "back_reference").items()):
            assign = ", ".join(f"{_q(h.column)} = src.{_q(h.source_column)}" for h in together)
            off = " OR ".join(f"t.{_q(h.column)} {distinct} src.{_q(h.source_column)}" for h in together)
            cursor.execute(f"UPDATE {_q(table)} AS t SET {assign} FROM {_q(source)} AS src "
                           f"WHERE src.{_q(back)} = t.id AND ({off})")
            cleared = ", ".join(f"{_q(h.column)} = NULL" for h in together)
            still = " OR ".join(f"{_q(h.column)} IS NOT NULL" for h in together)
            cursor.execute(f"UPDATE {_q(table)} SET {cleared} WHERE ({still}) AND NOT EXISTS "
                           f"(SELECT 1 FROM {_q(source)} AS src WHERE src.{_q(back)} = {_q(table)}.id)")
        for (table, source, reference), together in sorted(_grouped(copies, "table", "source", "reference").items()):
            assign = ", ".join(f"{_q(c.column)} = COALESCE(src.{_q(c.source_column)}, {c.missing})" for c in together)
            off = " OR ".join(f"t.{_q(c.column)} {distinct} COALESCE(src.{_q(c.source_column)}, {c.missing})"
                              for c in together)
            cursor.execute(f"UPDATE {_q(table)} AS t SET {assign} FROM {_q(source)} AS src "
                           f"WHERE src.id = t.{_q(reference)} AND ({off})")
            cleared = ", ".join(f"{_q(c.column)} = {c.missing}" for c in together)
            still = " OR ".join(f"{_q(c.column)} {distinct} {c.missing}" for c in together)
            cursor.execute(f"UPDATE {_q(table)} SET {cleared} WHERE {_q(reference)} IS NULL AND ({still})")


def _existing(cursor, vendor: str) -> set[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    return {name for (name,) in cursor.fetchall()}


def _columns_exist(connection, copies, held=()) -> bool:
    """Whether every table and column of `copies` and `held` is there (a migration not yet applied adds them)."""
    introspection = connection.introspection
    with connection.cursor() as cursor:
        tables = set(introspection.table_names(cursor))
        wanted = defaultdict(set)
        for c in copies:
            wanted[c.table] |= {c.column, c.reference}
            wanted[c.source] |= {c.source_column}
        for h in held:
            wanted[h.table] |= {h.column}
            wanted[h.source] |= {h.source_column, h.back_reference}
        for table, columns in wanted.items():
            if table not in tables:
                return False
            present = {column.name for column in introspection.get_table_description(cursor, table)}
            if not columns <= present:
                return False
    return True


def ensure(connection, copies=COPIES, held=HELD) -> bool:
    """Create what is missing of the triggers, after filling the copies they would have kept; True if
    anything was missing. `held` is left out while its tables or columns are not there yet."""
    if connection.vendor not in ("postgresql", "sqlite") or not _columns_exist(connection, copies):
        return False
    held = held if _columns_exist(connection, (), held) else ()
    with connection.cursor() as cursor:
        existing = _existing(cursor, connection.vendor)
        stale = {f"{source}_sort_out" for source in _deferred_sources(copies)} & existing
        if set(trigger_names(connection.vendor, copies, held)) <= existing and not stale:
            return False
    fill(connection, copies, held)
    install(connection, copies, held)
    return True


def drop(connection, copies=COPIES, held=HELD) -> None:
    """Remove the triggers (and PostgreSQL's functions) keeping `copies` and `held`."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        for name in trigger_names(connection.vendor, copies, held):
            _drop_trigger(cursor, connection.vendor, name)
