"""The plan the strategies imply: per account and per manager, with the load it puts on each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Budget, Period
from .data import PlanData, figures, load
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


def implied_plan(period: Period, data: PlanData | None = None) -> ImpliedPlan:
    """Per account manager the hours the strategies ask for against the hours available, and in total
    the hours and money: recomputed from the records on every call, so it is never stale."""
    data = data or load(period)
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
