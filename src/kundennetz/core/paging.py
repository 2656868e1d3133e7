"""A paginator that stops counting: a list of a million interactions needs its first pages, not
the exact total, and counting every row a user may see costs more than the whole page."""

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


class CappedPaginator(Paginator):
    """Counts at most `cap` rows; `capped` tells the template to say "more than …"."""

    def __init__(self, object_list, per_page, cap: int = COUNT_CAP, **kwargs):
        self.cap = cap
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery: the database stops after cap + 1 rows.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
