"""The plan the strategies imply: per account and per manager, with the load it puts on each."""

from __future__ import annotations

from dataclasses import dataclass

from collections import defaultdict

import numpy as np

from kundennetz.accounts.models import Segment
from kundennetz.core import freshness
from kundennetz.core.models import User
from kundennetz.domain.planned import implied_effort

from .. import counts
from ..models import Budget, Capacity, Period
from .data import PlanData, effort_settings, figures, full_name
from .strategies import account_strategies, plan_key
from .scenarios import OVERLOAD_TOLERANCE


# --------------------------------------------------------------------------------------------------
# The plan the strategies imply
# --------------------------------------------------------------------------------------------------


@dataclass
class ManagerLoad:
    manager_id: int
    name: str
    accounts: int
    available: float
    required: float
    minimum: float
    contacts: float
    has_capacity: bool

    @property
    def balance(self) -> float:
        """Slack when positive, overload when negative."""
        return self.available - self.required

    @property
    def overloaded(self) -> bool:
        # Less than shown on the page (whole hours) is rounding, not overload.
        return self.required > self.available + OVERLOAD_TOLERANCE

    @property
    def load_pct(self) -> float | None:
        return 100.0 * self.required / self.available if self.available > 0 else None


@dataclass
class ImpliedPlan:
    period: Period
    rows: list[ManagerLoad]
    hours_available: float
    hours_required: float
    hours_minimum: float
    contacts_required: float
    support_budget: float
    support_required: float
    pr_budget: float
    pr_required: float
    budget: Budget | None
    accounts: int
    from_portfolio: int
    snapshot: str | None

    @property
    def as_of(self) -> freshness.AsOf:
        """Live: counted from the accounts as they stand when the page is read (the counts change in the
        transaction that changes an account)."""
        return freshness.AsOf(when=None, live=True)

    @property
    def hours_balance(self) -> float:
        return self.hours_available - self.hours_required

    @property
    def hours_overload(self) -> float:
        return max(self.hours_required - self.hours_available, 0.0)

    @property
    def hours_overloaded(self) -> bool:
        return self.hours_required > self.hours_available + OVERLOAD_TOLERANCE

    @property
    def support_overcommitted(self) -> bool:
        return self.support_required > self.support_budget + 0.5

    @property
    def pr_overcommitted(self) -> bool:
        return self.pr_required > self.pr_budget + 0.5

    @property
    def support_balance(self) -> float:
        return self.support_budget - self.support_required

    @property
    def pr_balance(self) -> float:
        return self.pr_budget - self.pr_required

    @property
    def overloaded(self) -> list[ManagerLoad]:
        return [r for r in self.rows if r.overloaded]


def implied_plan(period: Period, data: PlanData | None = None, *, manager: int | None = None) -> ImpliedPlan:
    """Per account manager the hours the strategies ask for against the hours available, and in total
    the hours and money. Without ``data`` it adds up the stored strategies counted per manager, customer
    group and strategy (``planning.counts``: a constant number of queries and rows per manager, whatever
    the number of accounts; with ``manager`` that manager's row alone); with the period's loaded ``data``
    it computes every account."""
    if data is None:
        return implied_plan_from_counts(period, manager)
    fig = figures(data)
    mgr = data.manager_index()
    m = len(data.manager_ids)
    required = np.bincount(mgr, fig.hours, minlength=m)
    minimum = np.bincount(mgr, fig.hours_min, minlength=m)
    contacts = np.bincount(mgr, fig.contacts, minlength=m)
    counts = np.bincount(mgr, minlength=m)
    rows = [ManagerLoad(uid, data.manager_names.get(uid, str(uid)), int(counts[j]), float(data.capacity[j]),
                        float(required[j]), float(minimum[j]), float(contacts[j]), bool(data.has_capacity[j]))
            for j, uid in enumerate(data.manager_ids)]
    return ImpliedPlan(
        period=period, rows=rows, hours_available=float(data.capacity.sum()), hours_required=float(fig.hours.sum()),
        hours_minimum=float(fig.hours_min.sum()), contacts_required=float(fig.contacts.sum()),
        support_budget=data.support_budget, support_required=float(fig.support.sum()),
        pr_budget=data.pr_budget, pr_required=float(fig.pr.sum()), budget=data.budget, accounts=data.n,
        from_portfolio=data.strategies.from_portfolio, snapshot=data.strategies.snapshot)


def _group_counts(catalogue, manager: int | None = None) -> dict[tuple[int, str], int]:
    """(account manager, planned intensity key) -> number of accounts, from the stored counts
    (``planning.counts``: a few rows per manager, whatever the number of accounts)."""
    stored = counts.stored_counts(manager)
    codes = dict(Segment.objects.filter(pk__in={s for _o, s, _t in stored}).values_list("pk", "code")) \
        if stored else {}
    grouped: dict[tuple[int, str], int] = defaultdict(int)
    for (owner_id, segment_id, strategy), n in stored.items():
        grouped[(owner_id, plan_key(strategy, codes.get(segment_id), catalogue))] += n
    return grouped


def implied_plan_from_counts(period: Period, manager: int | None = None):
    """``implied_plan`` from the stored strategies (``planning.stored``) counted per manager
    (``planning.counts``): the same figures, a constant number of queries. With ``manager`` only that
    manager's row is read, and the totals are theirs alone."""
    strategies = account_strategies({})  # the catalogue and the snapshot; no account is read
    catalogue = strategies.catalogue
    counts = _group_counts(catalogue, manager)
    groups = list(counts)
    n = np.array([counts[g] for g in groups], dtype=float)
    keys = [key for _owner, key in groups]

    def column(attr):
        return np.array([getattr(catalogue[k], attr) for k in keys], dtype=float)

    effort = implied_effort(*(column(a) for a in ("contacts_min", "contacts_max", "min_per_quarter", "hours")),
                            period.share_of_year, **effort_settings())
    budget = Budget.objects.filter(period__code=period.code).first()
    support_budget = float(budget.sales_support) if budget else 0.0
    pr_budget = float(budget.pr) if budget else 0.0
    per_key = defaultdict(float)
    for key, count in zip(keys, n.tolist()):
        per_key[key] += count
    # A strategy's budget share is shared by its accounts: all of it is asked for once any account has it.
    support = sum(catalogue[k].support_share * support_budget for k in per_key)
    pr = sum(catalogue[k].pr_share * pr_budget for k in per_key)

    capacities = Capacity.objects.filter(period__code=period.code)
    if manager is not None:
        capacities = capacities.filter(manager_id=manager)
    capacities = dict(capacities.values_list("manager_id", "available_hours"))
    manager_set = {owner for owner, _key in groups} | set(capacities)
    people = User.objects.filter(pk__in=manager_set).values_list("pk", "first_name", "last_name", "username")
    names = {pk: full_name(first, last, username) for pk, first, last, username in people}
    manager_ids = sorted(manager_set, key=lambda uid: (names.get(uid, "").lower(), uid))
    position = {uid: j for j, uid in enumerate(manager_ids)}
    index = np.array([position[owner] for owner, _key in groups], dtype=np.int64)
    m = len(manager_ids)

    def per_manager(values):
        return np.bincount(index, np.asarray(values, dtype=float) * n, minlength=m) if groups else np.zeros(m)

    required, minimum, contacts = (per_manager(effort.hours), per_manager(effort.hours_min),
                                   per_manager(effort.contacts))
    accounts = np.bincount(index, n, minlength=m) if groups else np.zeros(m)
    rows = [ManagerLoad(uid, names.get(uid, str(uid)), int(accounts[j]),
                                 float(capacities.get(uid, 0.0)), float(required[j]), float(minimum[j]),
                                 float(contacts[j]), uid in capacities)
            for j, uid in enumerate(manager_ids)]
    from_portfolio = int(sum(c for (_o, k), c in counts.items() if catalogue[k].source == "portfolio"))
    return ImpliedPlan(
        period=period, rows=rows, hours_available=float(sum(float(v) for v in capacities.values())),
        hours_required=float(required.sum()), hours_minimum=float(minimum.sum()),
        contacts_required=float(contacts.sum()), support_budget=support_budget, support_required=float(support),
        pr_budget=pr_budget, pr_required=float(pr), budget=budget, accounts=int(n.sum()),
        from_portfolio=from_portfolio, snapshot=strategies.snapshot)
