"""Stored per-account figures and the planning page's sums read from them.

``refresh_figures`` writes, per account, today's strategy (the one rule, ``portfolio.strategy``) and the
planned contacts and hours of the current year (``planning.figures.planned_for_accounts``) onto the
account row (``Account.strategy``, ``planned_contacts``, ``planned_hours``): no second formula, only a
stored copy of what those functions answer, so that lists filter and sort on them by index. It runs inside
the portfolio snapshot (all accounts), when a strategy override is set or cleared (one account), when a
plan of the current period is applied (a background job), every night (the worker's schedule: the year
and quarter turn over, plans of a new period come into force) and from ``kundennetz generate``. Only
figures that changed are written.

The planning page adds these stored strategies up from the accounts counted per manager, customer group
and stored strategy (``planning.counts``, kept by the database with every change of an account;
``planning.services.implied.implied_plan_from_counts``). An account whose figures were not stored yet
(just created or imported) counts with its customer group's default, exactly as an account without a
strategy does, until the next snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from kundennetz.accounts.models import Account

from . import counts
from .figures import planned_for_accounts

BATCH = 2_000
_FIELDS = ["strategy", "planned_contacts", "planned_hours", "figures_at"]


def refresh_figures(account_ids: Iterable | None = None, day: date | None = None) -> int:
    """Store the figures of the given accounts (every account not in the trash when None); returns how many."""
    accounts = Account.objects.order_by("pk")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    ids = list(accounts.values_list("pk", flat=True))
    if not ids:
        return 0
    scope = None if account_ids is None else ids
    today = None
    if apps.is_installed("kundennetz.portfolio"):
        from kundennetz.portfolio import strategy as today_rule

        today = today_rule.for_accounts(scope)
    planned = planned_for_accounts(scope, day)
    now = timezone.now()
    for start in range(0, len(ids), BATCH):
        rows = []
        for pk in ids[start:start + BATCH]:
            figure = planned.get(pk)
            rows.append((pk, (today.of(pk).key or "") if today is not None else "",
                         float(figure.contacts) if figure else None, float(figure.hours) if figure else None))
        # No history, no version: these columns are a copy of computed figures, not a person's change.
        with transaction.atomic():
            _write(rows, now)
    # The strategies written changed the counts of their groups: added up once this is committed.
    counts.compact_after_commit()
    return len(ids)


def _write(rows: list[tuple], now) -> None:
    """(id, strategy, planned contacts, planned hours) rows onto the accounts; `figures_at` says when an
    account's figures last changed. Rows whose figures are unchanged are not written: each written row
    rewrites every index of the account table (the figures are indexed), which made a recompute of
    unchanged accounts cost 2 s per 10,000 on PostgreSQL. Not Django's bulk_update either: its CASE over
    the whole batch for every row took 14.7 s of a 15 s recompute at 10,000 accounts on SQLite."""
    meta = Account._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    strategy, contacts, hours, at = (quote(meta.get_field(name).column) for name in _FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch, joined to its rows (a round trip per row costs more than the update).
            values = ", ".join(["(%s::bigint, %s::varchar, %s::double precision, %s::double precision)"] * len(rows))
            cursor.execute(
                f"UPDATE {table} SET {strategy} = v.s, {contacts} = v.c, {hours} = v.h, {at} = %s "
                f"FROM (VALUES {values}) AS v(id, s, c, h) WHERE {table}.{pk} = v.id "
                # The batch's id range, so the join reads the batch's rows by key, not the whole table.
                f"AND {table}.{pk} BETWEEN %s AND %s AND ({table}.{at} IS NULL "
                f"OR {table}.{strategy} IS DISTINCT FROM v.s OR {table}.{contacts} IS DISTINCT FROM v.c "
                f"OR {table}.{hours} IS DISTINCT FROM v.h)",
                [now, *(value for row in rows for value in row), rows[0][0], rows[-1][0]])
        else:
            # SQLite runs one statement by primary key per row without a network in between.
            cursor.executemany(
                f"UPDATE {table} SET {strategy} = %s, {contacts} = %s, {hours} = %s, {at} = %s WHERE {pk} = %s "
                f"AND ({at} IS NULL OR {strategy} IS NOT %s OR {contacts} IS NOT %s OR {hours} IS NOT %s)",
                [(s, c, h, connection.ops.adapt_datetimefield_value(now), key, s, c, h) for key, s, c, h in rows])


def strategies_changed(sender, account_ids=None, **kwargs) -> None:
    """Receiver of ``portfolio.signals.strategies_changed`` (connected in ``PlanningConfig.ready``)."""
    refresh_figures(account_ids)


def plan_applied(sender, period, **kwargs) -> None:
    """Receiver of ``planning.signals.plan_applied``: the stored planned figures follow a plan now in force.
    Every account, since the plan replaced may have named others; only figures that changed are written."""
    if period.start <= timezone.localdate() <= period.end:
        refresh_figures()
