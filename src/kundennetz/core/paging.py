"""A paginator that stops counting: a list of a million interactions needs its first pages, not
the exact total, and counting every row a user may see costs more than the whole page.

Deep pages are read as a "deferred join" (`rows_between`): first the ids of the page, which the database
takes from the sort's index alone, then just those rows with their related records; ``OFFSET 20000``
over whole rows would read and throw away 20,000 of them with everything joined to them.

An account manager's list is read account by account (`by_account`, `ByAccount`): their few thousand
accounts first, then each account's newest rows through its (account, sort) index. Left to itself,
PostgreSQL misjudges how few rows a list of accounts keeps at a million accounts and walks the whole
sort index instead, testing every row against the list.
"""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

from . import permissions
from .keyset import Key, ordering_of

COUNT_CAP = 10_000
MAX_ID = 2**63 - 1
# From this many skipped rows on, a page first selects its ids (one query more, but no whole row skipped).
DEFER_FROM = 500


def id_param(value) -> int | None:
    """A record id from a query string, or None: text, negative or oversized numbers (which the
    database driver could not even pass on) are ignored rather than answered with an error."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class Counted(NamedTuple):
    """A count that stopped at ``cap``: ``capped`` means there are more than ``value`` (= cap) rows."""

    value: int
    capped: bool


def capped_count(queryset, cap: int | None = None) -> Counted:
    """How many rows, counting no further than cap + 1 (COUNT over a LIMITed subquery: the database stops
    there instead of scanning a million rows); the cap is COUNT_CAP unless given."""
    cap = COUNT_CAP if cap is None else cap
    if isinstance(queryset, ByAccount):
        found = queryset.count_up_to(cap + 1)
    else:
        found = queryset.order_by()[: cap + 1].count()
    return Counted(min(found, cap), found > cap)


def page_ids(rows: QuerySet, start: int, stop: int) -> QuerySet:
    """The ids of ``rows[start:stop]``: the same filters and order, no other column, no related record
    (what the sort's index alone can answer)."""
    # prefetch_related(None): there is nothing to prefetch for bare ids.
    return rows.prefetch_related(None).values_list("pk", flat=True)[start:stop]


def rows_between(rows, start: int, stop: int, defer_from: int | None = None):
    """``rows[start:stop]``; from ``defer_from`` (DEFER_FROM) skipped rows on as a list read in two steps:
    the page's ids in the queryset's own order (same filters, ordering and tie-breaker, so the same rows
    as OFFSET), then those rows with the queryset's select_related and prefetch_related, put back in
    the ids' order. A list, a `values()` queryset or a combined one is sliced as it is."""
    defer_from = DEFER_FROM if defer_from is None else defer_from
    if isinstance(rows, ByAccount):
        return rows.between(start, stop, defer_from)
    if (start < defer_from or stop <= start or not isinstance(rows, QuerySet)
            or rows._iterable_class is not ModelIterable or rows.query.combinator or rows.query.is_sliced):
        return rows[start:stop]
    return _rows_of(rows, list(page_ids(rows, start, stop)))


def _rows_of(rows: QuerySet, ids: list) -> list:
    """The rows of `rows` with these ids, in the ids' order."""
    if not ids:
        return []
    # No ORDER BY: the database sorts no rows here; the ids' order is the page's order.
    found = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
    # A row deleted between the two reads is left out rather than shown empty.
    return [found[pk] for pk in ids if pk in found]


def by_account(rows, user, action: str = permissions.VIEW):
    """`restrict(rows, user, action)` for a list: where `restrict`'s rule for the user is a list of accounts
    (an account manager's), their rows read account by account (`ByAccount`, driven by that very list);
    otherwise, or for a queryset that cannot be read so (ordered across a join or by an expression;
    distinct, annotated, deferring fields, values), the restricted queryset: whoever sees every account is served
    best by walking the sort's index. `rows` comes unrestricted: restricted twice, the per-account reading
    would test each row against the list again."""
    restricted = permissions.restrict(rows, user, action)
    query = rows.query
    if (rows._iterable_class is not ModelIterable or query.combinator or query.distinct or query.annotations
            or query.extra or query.deferred_loading[0]):
        return restricted
    accounts = permissions.restricting_accounts(rows.model, user, action)
    lookup = permissions.account_lookup(rows.model)
    if accounts is None or "__" in lookup:
        return restricted
    keys = ordering_of(rows)
    # Columns of the table itself: what the per-account query selects and the merge orders by.
    own = {"pk"} | {name for field in rows.model._meta.concrete_fields for name in (field.name, field.attname)}
    if not keys or any(key.path not in own for key in keys):
        return restricted
    column = rows.model._meta.get_field(lookup).attname if lookup else "pk"
    return ByAccount(rows, column, accounts, keys)


class ByAccount:
    """The rows of a queryset that belong to a list of accounts, read account by account.

    The accounts come first, each once; for each of them its rows in the list's order, through the index
    that starts with the account, at most as many as the page needs; those are merged and the page cut
    from them. PostgreSQL reads each account's rows in a LATERAL subquery with a LIMIT (which no plan can
    turn into a walk down the sort's index), SQLite behind a CROSS JOIN (which keeps the accounts in the
    outer loop). The cost follows the user's own rows, never the whole table, whatever the planner
    estimates. The list of accounts is `restrict`'s own (`permissions.restricting_accounts`), so the rows
    are exactly the restricted queryset's; `rows` carries every other filter and the order.

    `rows_between` and `capped_count` read it (so `CappedPaginator` and the API's pages do); a page below
    DEFER_FROM is one query (the rows whose ids the account-by-account query picks), a deeper one two.
    """

    def __init__(self, rows: QuerySet, column: str, accounts: QuerySet, keys: list[Key]):
        self.rows, self.column, self.accounts, self.keys = rows, column, accounts, keys
        self.model = rows.model

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("ByAccount is read in slices")
        return self.between(item.start or 0, item.stop, DEFER_FROM)

    @property
    def _connection(self):
        return connections[self.rows.db]

    def _sql(self, rows: QuerySet) -> tuple[str, tuple]:
        return rows.query.get_compiler(using=self.rows.db).as_sql()

    def _accounts(self) -> tuple[str, tuple]:
        """The accounts, each once, as the CTE ``kn_account(id)`` (the list may name an account twice)."""
        sql, params = self._sql(self.accounts)
        return f"WITH kn_listed(id) AS ({sql}), kn_account(id) AS (SELECT DISTINCT id FROM kn_listed) ", params

    def _per_account(self, columns: dict, *, ordered: bool, start: int = 0, stop: int | None = None):
        """The rows of one account (``kn_account.id``): the queryset with its filters and, if `ordered`, its
        order, as `columns`, sliced."""
        rows = self.rows.filter(**{self.column: RawSQL('"kn_account"."id"', ())})
        rows = (rows if ordered else rows.order_by()).values(**columns)[start:stop]
        return self._sql(rows)

    def _cross_join(self, sql: str) -> str:
        """SQLite: the query of one account's rows turned into one over every account, ``kn_account``
        first (a CROSS JOIN keeps its left table in the outer loop)."""
        select, found, rest = sql.partition(" FROM ")
        table = self._connection.ops.quote_name(self.model._meta.db_table)
        if not found or not rest.startswith(table):
            raise ValueError(f"unexpected query of {self.model._meta.label}: {sql[:200]}")
        # A list of ids the rows must be among (a search's matches) is a test, not a way in: SQLite would
        # otherwise look up every one of them within every account (93 s for a common name at a million).
        # A unary plus keeps a column from an index.
        pk = f'{table}.{self._connection.ops.quote_name(self.model._meta.pk.column)} IN ('
        rest = rest.replace(pk, f"+{pk}")
        return f'{select} FROM "kn_account" CROSS JOIN {rest}'

    def ids_query(self, start: int, stop: int) -> tuple[str, tuple]:
        """The SQL and parameters of the ids of the rows `start` to `stop`, in the list's order."""
        columns = {f"kn_{n}": F(key.path) for n, key in enumerate(self.keys)}
        pk = f"kn_{len(self.keys) - 1}"  # `ordering_of` ends with the primary key
        accounts, accounts_params = self._accounts()
        if self._connection.vendor == "postgresql":
            rows, params = self._per_account(columns, ordered=True, stop=stop)
            order = ", ".join(f'kn_page."kn_{n}" {"DESC" if key.descending else "ASC"}'
                              f'{" NULLS LAST" if key.nulls_last else ""}' for n, key in enumerate(self.keys))
            return (f'{accounts}SELECT kn_page."{pk}" FROM kn_account CROSS JOIN LATERAL ({rows}) AS kn_page '
                    f"ORDER BY {order} LIMIT %s OFFSET %s", (*accounts_params, *params, stop - start, start))
        rows, params = self._per_account({pk: columns[pk]}, ordered=True, start=start, stop=stop)
        return accounts + self._cross_join(rows), (*accounts_params, *params)

    def page_ids(self, start: int, stop: int) -> list:
        """The ids of the rows `start` to `stop`, in the list's order."""
        with self._connection.cursor() as cursor:
            cursor.execute(*self.ids_query(start, stop))
            return [row[0] for row in cursor.fetchall()]

    def count_query(self, limit: int) -> tuple[str, tuple]:
        """The SQL and parameters of the number of rows, counted no further than `limit`."""
        accounts, accounts_params = self._accounts()
        rows, params = self._per_account({"kn_0": F("pk")}, ordered=False, stop=limit)
        if self._connection.vendor == "postgresql":
            return (f"{accounts}SELECT COUNT(*) FROM (SELECT 1 FROM kn_account CROSS JOIN LATERAL ({rows}) AS kn_page "
                    f"LIMIT %s) AS kn_found", (*accounts_params, *params, limit))
        return f"{accounts}SELECT COUNT(*) FROM ({self._cross_join(rows)}) AS kn_found", (*accounts_params, *params)

    def count_up_to(self, limit: int) -> int:
        """How many rows, counting no further than `limit`."""
        with self._connection.cursor() as cursor:
            cursor.execute(*self.count_query(limit))
            return cursor.fetchone()[0]

    def _shown(self) -> QuerySet:
        """The table's rows as the queryset reads them (related records, prefetches, order) but without its
        filters: the ids are picked by the account-by-account query, which applied them. Repeated here, a
        filter would give the planner another way in than the page's few ids (SQLite starts from a
        search's thousands of matches)."""
        rows = self.model._base_manager.db_manager(self.rows.db).all()
        rows.query.select_related = self.rows.query.select_related
        order = [F(key.path).desc(nulls_last=key.nulls_last or None) if key.descending
                 else F(key.path).asc(nulls_last=key.nulls_last or None) for key in self.keys]
        return rows.prefetch_related(*self.rows._prefetch_related_lookups).order_by(*order)

    def between(self, start: int, stop: int, defer_from: int | None = None) -> list:
        """The rows `start` to `stop` (see `rows_between`): below `defer_from` one query, the rows whose ids
        the account-by-account query picks; from it on two, the ids and then their rows."""
        defer_from = DEFER_FROM if defer_from is None else defer_from
        if stop is None or stop <= start:
            return []
        if start < defer_from:
            return list(self._shown().filter(pk__in=RawSQL(*self.ids_query(start, stop))))
        return _rows_of(self._shown(), self.page_ids(start, stop))


class CappedPaginator(Paginator):
    """Counts at most `cap` rows; `capped` tells the template to say "more than …". Deep pages are read
    by `rows_between` (ids first), from `defer_from` skipped rows on (0: every page, where the rows are
    joined to much that the page's few rows need and the sort does not)."""

    def __init__(self, object_list, per_page, cap: int = COUNT_CAP, defer_from: int | None = None, **kwargs):
        self.cap, self.defer_from = cap, defer_from
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def count(self) -> int:
        # cap + 1 when there are more: the paginator then offers a page past the cap's last one.
        counted = capped_count(self.object_list, self.cap)
        return counted.value + counted.capped

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def get_page(self, number):
        """The page asked for; a number below 1 or no number gives the first page, one past the end the
        last (a typed or stale ``?page=`` never fails)."""
        text = str(number if number is not None else "").strip()
        if not text.isdecimal():
            return self.page(1)
        # More digits than any page count: past the end (and int() of thousands of digits would refuse).
        wanted = int(text) if len(text) <= 18 else self.num_pages
        return self.page(min(max(wanted, 1), self.num_pages))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_between(self.object_list, bottom, top, self.defer_from), number, self)
