"""Reading what a plan needs in a handful of bulk queries, its figures, and the allocation problem."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from kundennetz.accounts.models import Account
from kundennetz.core import tunables
from kundennetz.core.models import User
from kundennetz.core.tunables.schemas import PlanningFigures
from kundennetz.domain import allocation as al
from kundennetz.domain.planned import implied_effort

from ..models import AccountPlan, Budget, Capacity, Period, ResponseEstimate
from .strategies import Strategies, account_strategies


BATCH = 2_000


# --------------------------------------------------------------------------------------------------
# Reading what a plan needs
# --------------------------------------------------------------------------------------------------


def current_period_code(today=None) -> str:
    return str((today or timezone.localdate()).year)


def full_name(first: str, last: str, username: str) -> str:
    """A person's name as planning shows it: first and last name, else the user name."""
    return f"{first} {last}".strip() or username


@dataclass
class PlanData:
    """Everything about one period as arrays in account order (accounts sorted by id)."""

    period: Period
    account_ids: np.ndarray
    account_names: list[str]
    segment_codes: list[str | None]
    owner: np.ndarray
    potential: np.ndarray
    margin: np.ndarray
    strategies: Strategies
    keys: list[str]
    position: np.ndarray
    manager_ids: list[int]
    manager_names: dict[int, str]
    capacity: np.ndarray
    has_capacity: np.ndarray
    support_budget: float
    pr_budget: float
    budget: Budget | None
    plan_hours: np.ndarray
    plan_support: np.ndarray
    plan_pr: np.ndarray
    estimate_m: np.ndarray
    estimate_b: np.ndarray
    index_of: dict[int, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.account_ids.size)

    def manager_index(self) -> np.ndarray:
        position = {uid: j for j, uid in enumerate(self.manager_ids)}
        return np.fromiter((position[o] for o in self.owner.tolist()), dtype=np.int64, count=self.n)


def _float_or_nan(value) -> float:
    return math.nan if value is None else float(value)


def load(period: Period) -> PlanData:
    """One period's accounts, strategies, capacities, budget, applied plan and estimates, in bulk."""
    rows = list(Account.objects.order_by("pk").values_list(
        "pk", "name", "owner_id", "potential", "annual_revenue", "contribution_margin_pct", "segment__code",
        "segment__margin_target_pct"))
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    owner = np.fromiter((r[2] for r in rows), dtype=np.int64, count=n)
    potential = np.array([_float_or_nan(r[3] if r[3] is not None else r[4]) for r in rows], dtype=float)
    figures = tunables.get(PlanningFigures)
    default_margin = float(figures.default_margin_pct)
    margin = np.array([float(r[5]) if r[5] is not None else (float(r[7]) if r[7] is not None else default_margin)
                       for r in rows], dtype=float)
    segments = {r[0]: r[6] for r in rows}
    strategies = account_strategies(segments)
    keys = [strategies.of_account[i] for i in ids.tolist()]
    default_position = float(figures.default_position)
    position = np.array([strategies.position.get(i, default_position) for i in ids.tolist()], dtype=float)

    capacities = dict(Capacity.objects.filter(period__code=period.code).values_list("manager_id", "available_hours"))
    manager_set = set(owner.tolist()) | set(capacities)
    people = User.objects.filter(pk__in=manager_set).values_list("pk", "first_name", "last_name", "username")
    names = {pk: full_name(first, last, username) for pk, first, last, username in people}
    manager_ids = sorted(manager_set, key=lambda uid: (names.get(uid, "").lower(), uid))
    capacity = np.array([float(capacities.get(uid, 0.0)) for uid in manager_ids], dtype=float)
    has_capacity = np.array([uid in capacities for uid in manager_ids], dtype=bool)

    budget = Budget.objects.filter(period__code=period.code).first()
    index_of = {int(a): i for i, a in enumerate(ids.tolist())}
    plan_hours, plan_support, plan_pr = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    for account_id, hours, support, pr in AccountPlan.objects.filter(period__code=period.code).values_list(
            "account_id", "hours", "support", "pr").iterator(chunk_size=20_000):
        i = index_of.get(account_id)
        if i is not None:
            plan_hours[i], plan_support[i], plan_pr[i] = hours, float(support), float(pr)
    estimate_m, estimate_b = np.full(n, np.nan), np.full(n, np.nan)
    for account_id, m, b in ResponseEstimate.objects.filter(period__code=period.code).values_list("account_id", "m", "b"):
        i = index_of.get(account_id)
        if i is not None:
            estimate_m[i], estimate_b[i] = m, b
    return PlanData(
        period=period, account_ids=ids, account_names=[r[1] for r in rows], segment_codes=[r[6] for r in rows],
        owner=owner, potential=potential, margin=margin, strategies=strategies, keys=keys, position=position,
        manager_ids=manager_ids, manager_names=names, capacity=capacity, has_capacity=has_capacity,
        support_budget=float(budget.sales_support) if budget else 0.0, pr_budget=float(budget.pr) if budget else 0.0,
        budget=budget, plan_hours=plan_hours, plan_support=plan_support, plan_pr=plan_pr,
        estimate_m=estimate_m, estimate_b=estimate_b, index_of=index_of)


@dataclass
class Figures:
    """What the strategies ask of each account in the period (hours, contacts, money)."""

    hours: np.ndarray          # typical hours
    hours_min: np.ndarray
    hours_max: np.ndarray
    contact_hours: np.ndarray
    contacts: np.ndarray       # typical contacts
    support: np.ndarray        # typical sales-support money
    pr: np.ndarray


def effort_settings() -> dict:
    """The tunables ``implied_effort`` needs (range of hours per contact, default hours per contact)."""
    figures = tunables.get(PlanningFigures)
    return {"contact_hours_range": (figures.contact_hours_min, figures.contact_hours_max),
            "default_contact_hours": al.DEFAULT_CONTACT_HOURS}


def figures(data: PlanData, keys: list[str] | None = None) -> Figures:
    """The intensity of each account's strategy turned into hours and money for the period.

    A strategy's budget share is shared by its accounts, so the typical money of an account is its
    strategy's share of the budget divided by the number of accounts with that strategy."""
    keys = data.keys if keys is None else keys
    catalogue = data.strategies.catalogue
    table = list(dict.fromkeys(keys))
    code = {k: j for j, k in enumerate(table)}
    idx = np.fromiter((code[k] for k in keys), dtype=np.int64, count=len(keys))

    def column(attr):
        return np.array([getattr(catalogue[k], attr) for k in table], dtype=float)[idx] if table else np.zeros(0)

    effort = implied_effort(*(column(a) for a in ("contacts_min", "contacts_max", "min_per_quarter", "hours")),
                            data.period.share_of_year, **effort_settings())
    typical, hours_min, hours_max, per_contact = effort.hours, effort.hours_min, effort.hours_max, effort.contact_hours
    counts = np.bincount(idx, minlength=len(table)).astype(float) if table else np.zeros(0)
    money = {}
    for res, attr, total in (("support", "support_share", data.support_budget), ("pr", "pr_share", data.pr_budget)):
        money[res] = column(attr) * total / np.maximum(counts, 1.0)[idx] if table else np.zeros(0)
    return Figures(typical, hours_min, hours_max, per_contact, typical / per_contact, money["support"], money["pr"])


def _curve(data: PlanData, typical: np.ndarray, resource: str, ceiling: np.ndarray) -> al.Curve:
    # A zero typical effort (no budget, a strategy without hours) leaves the curve's speed undefined;
    # the account cannot get that resource anyway (its maximum is zero), so any speed will do.
    effort = np.where(typical > 0, typical, np.maximum(ceiling, 1.0))
    potential = np.where(np.isfinite(data.potential) & (data.potential > 0), data.potential, 0.0)
    return al.curve_from_figures(potential, np.clip(data.margin, 0.0, 100.0), effort, data.position,
                                 resource=resource)


def response_curves(data: PlanData, fig: Figures) -> dict[str, al.Response]:
    """Each account's response to hours, support and PR money (fitted estimates where there are any)."""
    headroom = tunables.get(PlanningFigures).budget_headroom
    hours = _curve(data, fig.hours, "hours", fig.hours_max)
    estimated = np.isfinite(data.estimate_m)
    hours_m = np.where(estimated, data.estimate_m, hours.m)
    hours_b = np.where(estimated, data.estimate_b, hours.b)
    today = {"hours": np.where(np.isfinite(data.plan_hours), data.plan_hours, fig.hours),
             "support": np.where(np.isfinite(data.plan_support), data.plan_support, fig.support),
             "pr": np.where(np.isfinite(data.plan_pr), data.plan_pr, fig.pr)}
    out = {"hours": al.Response(np.atleast_1d(hours_m), np.atleast_1d(hours_b), fig.hours_min, fig.hours_max,
                                today["hours"])}
    for res in ("support", "pr"):
        typical = getattr(fig, res)
        curve = _curve(data, typical, res, typical)
        out[res] = al.Response(np.atleast_1d(curve.m), np.atleast_1d(curve.b), 0.0, headroom * typical,
                               today[res])
    return out


def build_problem(data: PlanData, fig: Figures | None = None) -> al.Problem:
    """The domain's problem for the period as the strategies and the applied plan describe it today."""
    fig = fig or figures(data)
    return al.Problem(
        [str(i) for i in data.account_ids.tolist()], data.manager_index(), [str(u) for u in data.manager_ids],
        data.capacity, support_budget=data.support_budget, pr_budget=data.pr_budget,
        contact_hours=fig.contact_hours, **response_curves(data, fig))
