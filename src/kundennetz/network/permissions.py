"""Who may do what with the relationship network, built on ``core.permissions``.

Relations have no rule of their own: they follow their account (``Relation.account_lookup``), seen by
whoever sees it and written by whoever may change it. These are the functions the map page, the
account page's panel and the API decide with.
"""

from kundennetz.accounts.models import Contact
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, can, restrict


def may_see_network(user, account) -> bool:
    """The network panel on an account's page: for whoever sees the account."""
    return can(user, VIEW, account)


def may_change_relations(user, account) -> bool:
    """Adding relations on the map: for whoever may change the account."""
    return can(user, CHANGE, account)


def may_delete_relations(user, account) -> bool:
    """The map offers deleting relations to whoever may delete the account."""
    return can(user, DELETE, account)


def contacts_for_relations(user):
    """The contacts whose relations `user` may add or change: those of the accounts they may change."""
    return restrict(Contact.objects.all(), user, CHANGE)


def others_for_relations(user):
    """Who may stand on a relation's other side: any contact `user` sees (the model keeps both at one account)."""
    return restrict(Contact.objects.all(), user, VIEW)
