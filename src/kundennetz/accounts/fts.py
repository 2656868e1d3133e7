"""SQLite: substring search through FTS5 instead of ``LIKE '%x%'`` over every row.

Each searchable table has an FTS5 index of its folded ``search_text`` (no accents, no case, see
``domain.text``) with the trigram tokenizer, so a word of three or more characters is found anywhere
in a name ("uric" finds "Zürich") by an index lookup. The index holds no copy of the text
(``content=`` the table itself) and is kept in step by triggers on insert, update and delete — whatever
writes the row (the ORM, bulk writes, raw imports, ``kundennetz generate``).

PostgreSQL searches the same column through its trigram GIN index (pg_trgm); nothing here runs there.
Django rebuilds a SQLite table for some schema changes and its triggers go with it, so ``ensure`` runs
after every migrate (``AccountsConfig.ready``) and puts back and refills what is missing.

The tables are this app's own and those an app above it registers (``register``: interactions adds
its own in its ``AppConfig.ready``), so that this module never imports an app above it.
"""

from __future__ import annotations

OWN_TABLES = ("accounts_account", "accounts_contact", "accounts_opportunity")
TABLES = OWN_TABLES  # grows by `register`
MIN_WORD = 3  # the trigram tokenizer finds words of three characters or more


def register(table: str) -> None:
    """Give `table` (with an integer ``id`` and a folded ``search_text`` column) an FTS5 index, kept and
    searched as this app's own are."""
    global TABLES
    if table not in TABLES:
        TABLES = (*TABLES, table)


def index_of(table: str) -> str:
    return f"{table}_fts"


def _triggers(table: str) -> dict[str, str]:
    fts = index_of(table)
    return {
        f"{fts}_ai": f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
                     f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"{fts}_ad": f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
                     f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        f"{fts}_au": f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
                     f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
                     f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
    }


def ensure(connection, tables: tuple[str, ...] | None = None) -> list[str]:
    """Create what is missing of the search indexes and their triggers (SQLite only) of `tables` (all
    registered ones unless given); an index that was missing a trigger is filled again from its table.
    Returns the tables refilled."""
    if connection.vendor != "sqlite":
        return []
    refilled = []
    with connection.cursor() as cursor:
        existing = {name for (name,) in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").fetchall()}
        for table in TABLES if tables is None else tables:
            if table not in existing:
                continue
            fts = index_of(table)
            triggers = _triggers(table)
            if fts in existing and all(name in existing for name in triggers):
                continue
            if not cursor.execute(f"SELECT 1 FROM pragma_table_info('{table}') WHERE name = 'search_text'"
                                  ).fetchone():
                continue  # a migration not yet applied adds the column (and then calls this again)
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_text, content='{table}', "
                           f"content_rowid='id', tokenize='trigram')")
            for sql in triggers.values():
                cursor.execute(sql)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            refilled.append(table)
    return refilled


def drop(connection, tables: tuple[str, ...] | None = None) -> None:
    """Remove the search indexes and triggers of `tables` (all registered ones unless given)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in TABLES if tables is None else tables:
            for name in _triggers(table):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {index_of(table)}")


def match_expression(words: list[str]) -> str:
    """The FTS5 query finding rows that contain every word (each quoted: a phrase, never an operator)."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)
