"""A paginator that stops counting: a list of a million interactions needs its first pages, not
the exact total, and counting every row a user may see costs more than the whole page.

Deep pages are read as a "deferred join" (`rows_between`): first the ids of the page, which the database
takes from the sort's index alone, then just those rows with their related records; ``OFFSET 20000``
over whole rows would read and throw away 20,000 of them with everything joined to them.
"""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

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
    if (start < defer_from or stop <= start or not isinstance(rows, QuerySet)
            or rows._iterable_class is not ModelIterable or rows.query.combinator or rows.query.is_sliced):
        return rows[start:stop]
    ids = list(page_ids(rows, start, stop))
    if not ids:
        return []
    # No ORDER BY: the database sorts no rows here; the ids' order is the page's order.
    found = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
    # A row deleted between the two reads is left out rather than shown empty.
    return [found[pk] for pk in ids if pk in found]


class CappedPaginator(Paginator):
    """Counts at most `cap` rows; `capped` tells the template to say "more than …". Deep pages are read
    by `rows_between` (ids first)."""

    def __init__(self, object_list, per_page, cap: int = COUNT_CAP, **kwargs):
        self.cap = cap
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
        return self._get_page(rows_between(self.object_list, bottom, top), number, self)
