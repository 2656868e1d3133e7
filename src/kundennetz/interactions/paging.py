"""Kept for imports of old: the capped paginator lives in `core.paging`."""

from kundennetz.core.paging import COUNT_CAP, MAX_ID, CappedPaginator, id_param

__all__ = ["COUNT_CAP", "MAX_ID", "CappedPaginator", "id_param"]
