"""Announcements of the portfolio to the apps that keep figures derived from it.

``strategies_changed`` is sent, inside the transaction that made the change, when today's strategy of
some accounts may have changed: a snapshot taken (``account_ids=None``: every account) or a strategy
override set or cleared. Planning keeps its stored per-account figures with it; the portfolio itself
knows nothing of who listens.
"""

from django.dispatch import Signal

strategies_changed = Signal()  # keyword argument: account_ids (a list, or None for every account)
