"""Stored per-account figures and the planning page's sums read from them.

``refresh_figures`` writes, per account, today's strategy (the one rule, ``portfolio.strategy``) and the
planned contacts and hours of the current year (``planning.figures.planned_for_accounts``) onto the
account row (``Account.strategy``, ``planned_contacts``, ``planned_hours``): no second formula, only a
stored copy of what those functions answer, so that lists filter and sort on them by index. It runs inside
the portfolio snapshot (all accounts), when a strategy override is set or cleared (one account) and from
``kundennetz generate``. An applied plan reaches the stored planned figures with the next snapshot (writing
every account inside the apply request doubled its time at 10,000 accounts).

``implied_plan_from_counts`` is the plan the strategies imply, added up by the database: one GROUP BY
(account manager, stored strategy, customer group) gives a few hundred rows whatever the number of
accounts, and the domain's ``implied_effort`` turns each distinct intensity into hours and contacts once.
An account whose figures were not stored yet (just created or imported) counts with its customer
group's default, exactly as an account without a strategy does, until the next snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import numpy as np
from django.apps import apps
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone

from kundennetz.accounts.models import Account
from kundennetz.core.models import User
from kundennetz.domain.planned import implied_effort

from .figures import planned_for_accounts
from .models import Budget, Capacity, Period

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
            rows.append(Account(pk=pk, strategy=(today.of(pk).key or "") if today is not None else "",
                                planned_contacts=figure.contacts if figure else None,
                                planned_hours=figure.hours if figure else None, figures_at=now))
        with transaction.atomic():
            # No history, no version: these columns are a copy of computed figures, not a person's change.
            models.QuerySet.bulk_update(Account.all_objects.all(), rows, _FIELDS)
    return len(ids)


def strategies_changed(sender, account_ids=None, **kwargs) -> None:
    """Receiver of ``portfolio.signals.strategies_changed`` (connected in ``PlanningConfig.ready``)."""
    refresh_figures(account_ids)


def _group_counts(catalogue) -> dict[tuple[int, str], int]:
    """(account manager, planned intensity key) -> number of accounts, from one GROUP BY."""
    from .services.strategies import plan_key

    rows = (Account.objects.order_by().values("owner_id", "strategy", "segment__code")
            .annotate(n=Count("pk")).values_list("owner_id", "strategy", "segment__code", "n"))
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for owner_id, strategy, code, n in rows:
        counts[(owner_id, plan_key(strategy, code, catalogue))] += n
    return counts


def implied_plan_from_counts(period: Period):
    """``services.implied_plan`` from the stored strategies: the same figures, a constant number of queries."""
    from . import services
    from .services.data import _full_name

    strategies = services.account_strategies({})  # the catalogue and the snapshot; no account is read
    catalogue = strategies.catalogue
    counts = _group_counts(catalogue)
    groups = list(counts)
    n = np.array([counts[g] for g in groups], dtype=float)
    keys = [key for _owner, key in groups]

    def column(attr):
        return np.array([getattr(catalogue[k], attr) for k in keys], dtype=float)

    effort = implied_effort(*(column(a) for a in ("contacts_min", "contacts_max", "min_per_quarter", "hours")),
                            period.share_of_year, **services.effort_settings())
    budget = Budget.objects.filter(period=period).first()
    support_budget = float(budget.sales_support) if budget else 0.0
    pr_budget = float(budget.pr) if budget else 0.0
    per_key = defaultdict(float)
    for key, count in zip(keys, n.tolist()):
        per_key[key] += count
    # A strategy's budget share is shared by its accounts: all of it is asked for once any account has it.
    support = sum(catalogue[k].support_share * support_budget for k in per_key)
    pr = sum(catalogue[k].pr_share * pr_budget for k in per_key)

    capacities = dict(Capacity.objects.filter(period=period).values_list("manager_id", "available_hours"))
    manager_set = {owner for owner, _key in groups} | set(capacities)
    people = User.objects.filter(pk__in=manager_set).values_list("pk", "first_name", "last_name", "username")
    names = {pk: _full_name(first, last, username) for pk, first, last, username in people}
    manager_ids = sorted(manager_set, key=lambda uid: (names.get(uid, "").lower(), uid))
    position = {uid: j for j, uid in enumerate(manager_ids)}
    index = np.array([position[owner] for owner, _key in groups], dtype=np.int64)
    m = len(manager_ids)

    def per_manager(values):
        return np.bincount(index, np.asarray(values, dtype=float) * n, minlength=m) if groups else np.zeros(m)

    required, minimum, contacts = (per_manager(effort.hours), per_manager(effort.hours_min),
                                   per_manager(effort.contacts))
    accounts = np.bincount(index, n, minlength=m) if groups else np.zeros(m)
    rows = [services.ManagerLoad(uid, names.get(uid, str(uid)), int(accounts[j]),
                                 float(capacities.get(uid, 0.0)), float(required[j]), float(minimum[j]),
                                 float(contacts[j]), uid in capacities)
            for j, uid in enumerate(manager_ids)]
    from_portfolio = int(sum(c for (_o, k), c in counts.items() if catalogue[k].source == "portfolio"))
    return services.ImpliedPlan(
        period=period, rows=rows, hours_available=float(sum(float(v) for v in capacities.values())),
        hours_required=float(required.sum()), hours_minimum=float(minimum.sum()),
        contacts_required=float(contacts.sum()), support_budget=support_budget, support_required=float(support),
        pr_budget=pr_budget, pr_required=float(pr), budget=budget, accounts=int(n.sum()),
        from_portfolio=from_portfolio, snapshot=strategies.snapshot)
