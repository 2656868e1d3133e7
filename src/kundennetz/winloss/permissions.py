"""Who may do what with the win model and the costs of a bid, built on the capability table.

Which opportunities a user sees (and so which deals are scored for them) is decided, like every record of
the network, by `core.permissions.restrict`; these are the role rules of what belongs to the whole firm.
"""

from kundennetz.core.capabilities import has


def may_fit(user) -> bool:
    """Fitting a model and changing the bid costs is for the sales head and the admin."""
    return has(user, "fit_win_model")


def may_review(user) -> bool:
    """The model's scores, the threshold advice and the no-bid review cover every deal of the firm: for
    those who see everything (sales head, admin, marketing, read-only)."""
    return has(user, "view_network")
