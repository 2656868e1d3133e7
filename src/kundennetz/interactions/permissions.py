"""Role rules of this app that are not about one account's records.

Which interactions a user may see or change is decided, like every record of the network, by
`core.permissions.restrict` (an interaction reaches its account through `account_lookup`). Core
messages and the management view belong to no account, so their rule is a role rule, kept here in
the same style as `core.permissions.can_create`.
"""

from kundennetz.core.capabilities import has
from kundennetz.core.permissions import may_edit_communication



def may_edit_core_messages(user) -> bool:
    """Marketing owns the values and core messages; an administrator may step in."""
    return may_edit_communication(user)


def may_see_management(user) -> bool:
    """Tending the network is a matter for management ("Chefsache"): sales head and admin."""
    return has(user, "see_management")


def may_see_all_weeks(user) -> bool:
    """Who may look at another account manager's week: those who see every record anyway."""
    return has(user, "view_network")
