"""A paginator that stops counting: a list of a million interactions needs its first pages, not
the exact total, and counting every row a user may see costs more than the whole page."""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000
MAX_ID = 2**63 - 1


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


class CappedPaginator(Paginator):
    """Counts at most `cap` rows; `capped` tells the template to say "more than …"."""

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
