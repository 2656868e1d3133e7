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

import copy
from typing import NamedTuple

from django.db.models import BooleanField, Expression, F

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


# --- choosing how a search is answered ----------------------------------------------------------------------
#
# The FTS5 index finds every match before anything else happens: SQLite builds the list of all matching
# rows, then sorts them for the page. A word in a sixth of ten million interactions ("jahresgespräch") is
# 1.7 million rows listed and sorted for a page of fifty (2.7 s). Such a word is met every few rows, so
# walking the list's own order and testing each row's text finds a page in a few hundred rows instead; a
# rare word is the other way round. The first matches (the index gives them in id order and stops early)
# say which it is: how many there are, and how densely they lie among the ids.

FEW = 5_000  # up to this many matches in all: listed and sorted (a few ms)
PROBE = 10_001  # matches read to judge the rest (as the lists' counts stop at 10,000)
DENSE = 0.01  # one row in a hundred or more matches: a page is found walking the list's order


class Estimate(NamedTuple):
    """How many rows match (`exact`: all of them were read) and what share of the table's ids they are."""

    matches: int
    share: float
    exact: bool


def estimate(connection, table: str, words: list[str]) -> Estimate:
    """From the first ``PROBE`` matches of `words` (by id: where the index starts anyway)."""
    index = index_of(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), min(rowid), max(rowid) FROM (SELECT rowid FROM {index} "
                       f"WHERE {index} MATCH %s LIMIT {PROBE})", [match_expression(words)])
        found, first, last = cursor.fetchone()
        cursor.execute(f'SELECT max("id") FROM "{table}"')
        top = cursor.fetchone()[0] or 0
    if found < PROBE:
        return Estimate(found, found / max(top, 1), True)
    share = found / max(last - first + 1, 1)
    return Estimate(int(share * max(top - first + 1, found)), share, False)


def way(found: Estimate, *, ordered: bool) -> str:
    """"list": the matches from the index (every one of them); "walk": the index's list kept aside while the
    rows are walked in the list's order; "text": no index, each row's text tested.

    A sorted page walks its order with the text tested once one row in a hundred matches, through the
    listed matches while they are few. A count (or any read in no order) tests the text when scanning
    up to the count's cap costs less than listing every match."""
    if ordered:
        if found.share >= DENSE:
            return "text"
        return "list" if found.matches <= FEW else "walk"
    scanned = PROBE / found.share if found.share else float("inf")
    return "text" if not found.exact and scanned < found.matches else "list"


class Matches(Expression):
    """The rows of a table with an FTS5 index whose folded search text holds every word, as a condition
    (``queryset.filter(Matches(...))``), answered the way ``way`` picks for the query it is compiled into."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, table: str, words: list[str], pk=None, text=None, *, cache: dict | None = None):
        super().__init__()
        self.table, self.words = table, list(words)
        self.pk, self.text = pk if pk is not None else F("pk"), text if text is not None else F("search_text")
        self.cache = {} if cache is None else cache  # shared by the copies Django makes: one estimate

    def __deepcopy__(self, memo):
        clone = copy.copy(self)  # the estimate stays shared
        clone.pk, clone.text = copy.deepcopy(self.pk, memo), copy.deepcopy(self.text, memo)
        return clone

    def get_source_expressions(self):
        return [self.pk, self.text]

    def set_source_expressions(self, exprs):
        self.pk, self.text = exprs

    def _found(self, connection) -> Estimate:
        if "found" not in self.cache:
            self.cache["found"] = estimate(connection, self.table, self.words)
        return self.cache["found"]

    def as_sql(self, compiler, connection):
        query = compiler.query
        ordered = bool(query.order_by or query.extra_order_by
                       or (query.default_ordering and query.get_meta().ordering))
        how = way(self._found(connection), ordered=ordered)
        if how == "text":
            text, params = compiler.compile(self.text)
            return "(" + " AND ".join(f"instr({text}, %s) > 0" for _word in self.words) + ")", \
                [value for word in self.words for value in (*params, word)]
        pk, params = compiler.compile(self.pk)
        index = index_of(self.table)
        # "+": not an index of the rows' ids to drive the query by, so the list's order is walked.
        plus = "+" if how == "walk" else ""
        return (f"{plus}{pk} IN (SELECT rowid FROM {index} WHERE {index} MATCH %s)",
                [*params, match_expression(self.words)])
