"""Who may do what with the portfolio, built on ``core.permissions`` (which records a user reaches).

Seeing scores follows seeing the account: whoever may view an account sees its scores, rank, cell and
strategy (``restrict``). Beyond that the portfolio has decisions that belong to a role, not to a record:
the scoring model, strategy overrides and snapshots are the sales head's (and admin's); value
propositions belong to marketing (and admin). Manual ratings are part of tending an account, so they
follow the right to change it: its owner and team, and sales head and admin.
"""

from kundennetz.core.capabilities import has
from kundennetz.core.permissions import CHANGE, VIEW, can, is_signed_in, may_edit_communication, restrict



def can_manage_portfolio(user) -> bool:
    """Edit the scoring model and strategies, override an account's strategy, take snapshots."""
    return has(user, "manage_portfolio")


def can_edit_value_propositions(user) -> bool:
    return may_edit_communication(user)


def can_override(user, account) -> bool:
    return can_manage_portfolio(user) and can(user, VIEW, account)


def can_rate(user, account) -> bool:
    return is_signed_in(user) and can(user, CHANGE, account)


def visible(queryset, user):
    """The part of a queryset of accounts or of records hanging off accounts that `user` may see."""
    return restrict(queryset, user, VIEW)
