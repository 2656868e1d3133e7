"""Signals of planning.

``plan_applied`` is sent, inside the transaction that applied it, when a scenario became the plan of its
period (keyword argument ``period``: the ``Period``). The stored per-account figures listen
(``stored.plan_applied``), so that the service applying a plan need not know what is stored from it.
"""

from django.dispatch import Signal

plan_applied = Signal()
