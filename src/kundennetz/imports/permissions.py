"""Who may import, undo and see import batches.

Which records an import may create or change is decided, like everywhere, by
`core.permissions.restrict` (row by row, in the engine). These are the role rules around it, in the
style of `core.permissions.can_create`.
"""

from kundennetz.core.capabilities import has
from kundennetz.core.permissions import can_create, is_signed_in


def may_import(user) -> bool:
    """Whoever may create records imports them: admin and sales head into any owner, account managers
    into their own accounts. Marketing and read-only may not."""
    return can_create(user)


def may_undo(user) -> bool:
    """Undoing a whole import is a decision for the admin or the sales head."""
    return has(user, "undo_imports")


def visible_batches(queryset, user):
    """Admin and sales head see every import; others their own."""
    if not is_signed_in(user):
        return queryset.none()
    if has(user, "undo_imports"):
        return queryset
    return queryset.filter(created_by=user)
