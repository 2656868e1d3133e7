"""Planning: the plan the strategies imply, scenarios computed with the allocation domain, their
comparison, and applying one as the plan.

Flow: ``load(period)`` reads everything a plan needs in a handful of bulk queries (values_list, no
model instances, so 100k accounts cost the same few queries as ten); ``build_problem`` turns it into
the domain's ``Problem``; ``compute_scenario`` applies the what-ifs with the domain's helpers, solves,
and writes the result in one transaction. The maths is in ``kundennetz.domain.allocation``.

How the portfolio hooks in: ``account_strategies`` is the one function that reads the portfolio
app. For each account it takes today's strategy (a sales head's override, else the strategy of the
account's cell in the current snapshot) with that strategy's care intensity from the scoring model,
and our position score. Without the portfolio app, without a snapshot, or for an account the snapshot
does not hold, the account gets the default intensity of its customer group from
the tunable ``DefaultIntensities`` (the same table consistency uses), so planning works either way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kundennetz.accounts.models import Account, Segment
from kundennetz.core import concurrency, tunables
from kundennetz.core.models import User
from kundennetz.core.tunables.schemas import DefaultIntensities, PlanningFigures
from kundennetz.domain import allocation as al
from kundennetz.domain.planned import implied_effort

from .display import money as format_money
from .display import number as format_number
from .models import (
    AccountPlan,
    Budget,
    Capacity,
    Period,
    ResponseEstimate,
    Scenario,
    ScenarioAccount,
    ScenarioManager,
)

GROUP_PREFIX = "group:"
# The default intensity per customer group, the budget headroom (an account may get up to that many
# times its strategy's typical money) and the range of hours per contact (outside it: typos) are
# tunables: kundennetz.core.tunables (DefaultIntensities, PlanningFigures).
VISITS = ("continuous", "whole", "at_least_one")
# HiGHS variants solve a MILP over call levels; beyond this many accounts the request would wait too long.
MILP_ACCOUNT_LIMIT = 5_000
BATCH = 2_000
IN_LIMIT = 500
OVERLOAD_TOLERANCE = 0.05  # hours


def _lang() -> str:
    return "de" if (get_language() or "").lower().startswith("de") else "en"


# --------------------------------------------------------------------------------------------------
# The portfolio adapter
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intensity:
    """The care intensity of a strategy (or a customer group's default) per year."""

    key: str
    name: str
    contacts_min: float
    contacts_max: float
    min_per_quarter: float
    hours: float
    support_share: float
    pr_share: float
    source: str  # "portfolio" or "default"


@dataclass(frozen=True)
class Strategies:
    """Per account its strategy (a key of ``catalogue``) and our position 0–1 where scored."""

    catalogue: dict[str, Intensity]
    of_account: dict[int, str]
    position: dict[int, float]
    snapshot: str | None = None       # period of the portfolio snapshot used, if any
    from_portfolio: int = 0           # accounts whose strategy came from the portfolio

    def choices(self) -> list[tuple[str, str]]:
        """Strategies an account can be given in a what-if: the portfolio's, then the group defaults."""
        return [(k, i.name) for k, i in self.catalogue.items()]


def default_groups() -> dict[str, dict]:
    """The default intensity table (customer group code -> row as a dict), for display."""
    return {code: row.model_dump() for code, row in tunables.get(DefaultIntensities).groups.items()}


def _group_intensities(lang: str) -> dict[str, Intensity]:
    out = {}
    for code, g in default_groups().items():
        key = GROUP_PREFIX + code
        out[key] = Intensity(key, g[f"name_{lang}"], float(g["contacts_per_year_min"]),
                             float(g["contacts_per_year_max"]), float(g["min_contacts_per_quarter"]),
                             float(g["hours_per_year"]), float(g["sales_support_share"]), float(g["pr_share"]),
                             "default")
    return out


def account_strategies(segments: Mapping[int, str | None]) -> Strategies:
    """Strategy and care intensity of every account in ``segments`` (account id → customer group code).

    The one place that reads the portfolio (see the module docstring). Intensities of the current
    scoring model win over those of the snapshot's model: a changed intensity is a new model version,
    and the plan should follow the newest decision.
    """
    lang = _lang()
    portfolio: dict[str, Intensity] = {}
    of_account: dict[int, str] = {}
    position: dict[int, float] = {}
    snapshot_code = None
    if apps.is_installed("kundennetz.portfolio"):
        from kundennetz.portfolio import strategy as today_rule

        rules = today_rule.load_rules()
        for model in (rules.snapshot_model, rules.current):
            if model is None:
                continue
            for key, strategy in model.strategies.items():
                care = strategy.care
                portfolio[key] = Intensity(
                    key, strategy.name(lang), float(care.contacts_per_year_min), float(care.contacts_per_year_max),
                    float(care.min_contacts_per_quarter), float(care.hours_per_year),
                    float(care.sales_support_share), float(care.pr_share), "portfolio")
        if rules.snapshot is not None:
            snapshot_code = rules.snapshot.period
        if segments:
            today = today_rule.for_accounts(list(segments) if len(segments) <= IN_LIMIT else None, rules)
            for account_id, decided in today.strategies.items():
                if account_id in segments and decided.key in portfolio:
                    of_account[account_id] = decided.key
            for account_id, score in today.positions.items():
                if account_id in segments:
                    position[account_id] = min(max(score / 100.0, 0.0), 1.0)
    from_portfolio = len(of_account)
    catalogue = {**portfolio, **_group_intensities(lang)}
    for account_id, code in segments.items():
        if account_id not in of_account:
            key = GROUP_PREFIX + (code or "")
            of_account[account_id] = key if key in catalogue else GROUP_PREFIX
    return Strategies(catalogue, of_account, position, snapshot_code, from_portfolio)


# --------------------------------------------------------------------------------------------------
# Reading what a plan needs
# --------------------------------------------------------------------------------------------------


def current_period_code(today=None) -> str:
    return str((today or timezone.localdate()).year)


def _full_name(first: str, last: str, username: str) -> str:
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

    capacities = dict(Capacity.objects.filter(period=period).values_list("manager_id", "available_hours"))
    manager_set = set(owner.tolist()) | set(capacities)
    people = User.objects.filter(pk__in=manager_set).values_list("pk", "first_name", "last_name", "username")
    names = {pk: _full_name(first, last, username) for pk, first, last, username in people}
    manager_ids = sorted(manager_set, key=lambda uid: (names.get(uid, "").lower(), uid))
    capacity = np.array([float(capacities.get(uid, 0.0)) for uid in manager_ids], dtype=float)
    has_capacity = np.array([uid in capacities for uid in manager_ids], dtype=bool)

    budget = Budget.objects.filter(period=period).first()
    index_of = {int(a): i for i, a in enumerate(ids.tolist())}
    plan_hours, plan_support, plan_pr = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    for account_id, hours, support, pr in AccountPlan.objects.filter(period=period).values_list(
            "account_id", "hours", "support", "pr").iterator(chunk_size=20_000):
        i = index_of.get(account_id)
        if i is not None:
            plan_hours[i], plan_support[i], plan_pr[i] = hours, float(support), float(pr)
    estimate_m, estimate_b = np.full(n, np.nan), np.full(n, np.nan)
    for account_id, m, b in ResponseEstimate.objects.filter(period=period).values_list("account_id", "m", "b"):
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


def _responses(data: PlanData, fig: Figures) -> dict[str, al.Response]:
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
        contact_hours=fig.contact_hours, **_responses(data, fig))


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


# --------------------------------------------------------------------------------------------------
# Scenario parameters
# --------------------------------------------------------------------------------------------------


class InvalidParameters(ValidationError):
    """What-if parameters that cannot be applied; ``items`` are (location, message) pairs."""

    def __init__(self, items: list[tuple[tuple, str]]):
        self.items = items
        super().__init__({"parameters": [message for _loc, message in items]})


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        try:
            number = float(value.replace("'", "").strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _ids(value) -> list[int] | None:
    if not isinstance(value, list | tuple):
        return None
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str) or not str(item).strip().isdigit():
            return None
        out.append(int(item))
    return out


PARAMETER_KEYS = ("budget_factor", "extra_managers", "removed_managers", "segment_strategies", "moved_accounts",
                  "visits", "extra_manager_hours")


def clean_parameters(raw, period: Period, strategies: Strategies | None = None) -> dict:
    """Check what-if parameters against the database and return them in their plain form.

    Raises InvalidParameters naming every problem with its place, e.g. ("removed_managers", 0, "to")."""
    errors: list[tuple[tuple, str]] = []
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidParameters([((), _("Expected an object."))])
    invalid = _("Select a valid choice. That choice is not one of the available choices.")
    out: dict = {}
    for key in raw:
        if key not in PARAMETER_KEYS:
            errors.append(((key,), _("Unknown field: it cannot be set here.")))

    managers = set(Capacity.objects.filter(period=period).values_list("manager_id", flat=True)) | set(
        Account.objects.order_by().values_list("owner_id", flat=True).distinct())

    factor = raw.get("budget_factor")
    if factor is not None:
        if not isinstance(factor, dict):
            factor = {"support": factor, "pr": factor}
        cleaned = {}
        for name in ("support", "pr"):
            value = _number(factor.get(name, 1.0))
            if value is None or not 0 <= value <= 10:
                errors.append((("budget_factor", name), _("Enter a factor between 0 and 10 (0.8 = 20 % less).")))
            else:
                cleaned[name] = value
        for name in factor:
            if name not in ("support", "pr"):
                errors.append((("budget_factor", name), _("Unknown field: it cannot be set here.")))
        if len(cleaned) == 2 and cleaned != {"support": 1.0, "pr": 1.0}:
            out["budget_factor"] = cleaned

    def as_list(name):
        value = raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            errors.append(((name,), _("Enter a list of values.")))
            return []
        return value

    extra = []
    for k, item in enumerate(as_list("extra_managers")):
        if not isinstance(item, dict):
            errors.append((("extra_managers", k), _("Expected an object.")))
            continue
        hours = _number(item.get("hours"))
        if hours is None or not 0 < hours <= 5_000:
            errors.append((("extra_managers", k, "hours"), _("Enter the hours for customer care, more than 0 and at "
                                                             "most 5,000.")))
        name = str(item.get("name") or "").strip()[:100] or _("Additional account manager")
        accounts = _ids(item.get("accounts") or [])
        if accounts is None:
            errors.append((("extra_managers", k, "accounts"), _("Enter a list of account ids.")))
        if hours is not None and accounts is not None:
            extra.append({"name": name, "hours": hours, "accounts": accounts})
    if extra:
        out["extra_managers"] = extra

    removed = []
    for k, item in enumerate(as_list("removed_managers")):
        if not isinstance(item, dict):
            errors.append((("removed_managers", k), _("Expected an object.")))
            continue
        who, to = item.get("manager"), item.get("to")
        if isinstance(who, bool) or not isinstance(who, int) or who not in managers:
            errors.append((("removed_managers", k, "manager"), invalid))
            continue
        if to not in (None, "") and (isinstance(to, bool) or not isinstance(to, int) or to not in managers or to == who):
            errors.append((("removed_managers", k, "to"), _("Choose another account manager of this period to take "
                                                            "over the accounts.")))
            continue
        removed.append({"manager": who, "to": to if to not in (None, "") else None})
    if removed:
        gone = [r["manager"] for r in removed]
        if len(set(gone)) != len(gone):
            errors.append((("removed_managers",), _("Each account manager can be removed only once.")))
        if set(managers) <= set(gone):
            errors.append((("removed_managers",), _("At least one account manager must remain.")))
        for k, r in enumerate(removed):
            if r["to"] in gone:
                errors.append((("removed_managers", k, "to"), _("The accounts cannot go to a manager who is removed "
                                                                "as well.")))
        out["removed_managers"] = removed

    changes = []
    segment_codes = set(Segment.objects.values_list("code", flat=True))
    catalogue = (strategies.catalogue if strategies is not None else account_strategies({}).catalogue)
    for k, item in enumerate(as_list("segment_strategies")):
        if not isinstance(item, dict):
            errors.append((("segment_strategies", k), _("Expected an object.")))
            continue
        segment, strategy = item.get("segment"), item.get("strategy")
        if segment not in segment_codes:
            errors.append((("segment_strategies", k, "segment"), invalid + f" ({', '.join(sorted(segment_codes))})"))
        if strategy not in catalogue:
            errors.append((("segment_strategies", k, "strategy"), invalid + f" ({', '.join(catalogue)})"))
        if segment in segment_codes and strategy in catalogue:
            changes.append({"segment": segment, "strategy": strategy})
    if changes:
        out["segment_strategies"] = changes

    moves = []
    for k, item in enumerate(as_list("moved_accounts")):
        if not isinstance(item, dict):
            errors.append((("moved_accounts", k), _("Expected an object.")))
            continue
        to = item.get("to")
        if isinstance(to, bool) or not isinstance(to, int) or to not in managers:
            errors.append((("moved_accounts", k, "to"), invalid))
        move = {"to": to}
        if item.get("accounts"):
            accounts = _ids(item["accounts"])
            if accounts is None:
                errors.append((("moved_accounts", k, "accounts"), _("Enter a list of account ids.")))
                continue
            known = set(Account.objects.filter(pk__in=accounts).values_list("pk", flat=True))
            missing = [a for a in accounts if a not in known]
            if missing:
                errors.append((("moved_accounts", k, "accounts"), _("These accounts do not exist or are in the "
                                                                    "trash: %(ids)s") % {
                    "ids": ", ".join(map(str, missing[:10]))}))
                continue
            move["accounts"] = accounts
        else:
            source = item.get("from")
            if isinstance(source, bool) or not isinstance(source, int) or source not in managers:
                errors.append((("moved_accounts", k, "from"), _("Name the accounts, or the account manager whose "
                                                                "accounts move.")))
                continue
            if source == to:
                errors.append((("moved_accounts", k, "to"), _("Choose another account manager.")))
                continue
            move["from"] = source
            segment = item.get("segment") or None
            if segment is not None and segment not in segment_codes:
                errors.append((("moved_accounts", k, "segment"), invalid))
                continue
            move["segment"] = segment
        moves.append(move)
    if moves:
        out["moved_accounts"] = moves

    visits = raw.get("visits", "continuous") or "continuous"
    if visits not in VISITS:
        errors.append((("visits",), invalid + f" ({', '.join(VISITS)})"))
    elif visits != "continuous":
        out["visits"] = visits

    if raw.get("extra_manager_hours") not in (None, ""):
        hours = _number(raw["extra_manager_hours"])
        if hours is None or not 0 < hours <= 5_000:
            errors.append((("extra_manager_hours",), _("Enter the hours for customer care, more than 0 and at most "
                                                       "5,000.")))
        else:
            out["extra_manager_hours"] = hours
    if errors:
        raise InvalidParameters(errors)
    return out


def describe_parameters(parameters: dict, names: Mapping[int, str], strategies: Mapping[str, str]) -> list[str]:
    """The what-ifs of a scenario in words, for lists and headings."""
    out = []
    factor = parameters.get("budget_factor")
    if factor:
        if factor["support"] == factor["pr"]:
            out.append(_("budget %(change)s") % {"change": _change_pct(factor["support"])})
        else:
            out.append(_("sales-support budget %(support)s, PR budget %(pr)s") % {
                "support": _change_pct(factor["support"]), "pr": _change_pct(factor["pr"])})
    for item in parameters.get("extra_managers", []):
        out.append(_("%(name)s with %(hours)s h") % {"name": item["name"], "hours": format_number(item["hours"])})
    for item in parameters.get("removed_managers", []):
        who = names.get(item["manager"], item["manager"])
        if item.get("to"):
            out.append(_("without %(manager)s (accounts to %(to)s)") % {"manager": who,
                                                                         "to": names.get(item["to"], item["to"])})
        else:
            out.append(_("without %(manager)s") % {"manager": who})
    for item in parameters.get("segment_strategies", []):
        out.append(_("customer group %(segment)s: %(strategy)s") % {
            "segment": item["segment"], "strategy": strategies.get(item["strategy"], item["strategy"])})
    for item in parameters.get("moved_accounts", []):
        to = names.get(item["to"], item["to"])
        if "accounts" in item:
            out.append(_("%(count)s accounts to %(to)s") % {"count": format_number(len(item["accounts"])), "to": to})
        else:
            out.append(_("accounts of %(from)s%(segment)s to %(to)s") % {
                "from": names.get(item["from"], item["from"]), "to": to,
                "segment": f" ({item['segment']})" if item.get("segment") else ""})
    visits = parameters.get("visits")
    if visits == "whole":
        out.append(_("whole contacts"))
    elif visits == "at_least_one":
        out.append(_("at least one visit or none"))
    return out or [_("today's strategies, capacities and budget")]


def _change_pct(factor: float) -> str:
    change = round(100.0 * (factor - 1.0), 1)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{format_number(abs(change), 0 if float(change).is_integer() else 1)} %"


# --------------------------------------------------------------------------------------------------
# Computing a scenario
# --------------------------------------------------------------------------------------------------


class PlanningError(Exception):
    """A scenario that has no plan: ``messages`` say why, in the user's language."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass
class _Applied:
    problem: al.Problem
    labels: list[str]            # per manager of the problem
    users: list[int | None]      # per manager of the problem
    own_hours: np.ndarray        # per manager: their own capacity (without relief)
    relief: np.ndarray           # per manager: hours taken over by additional managers without accounts
    extra_rows: list[tuple[str, float, float]] = field(default_factory=list)  # (label, hours, hours used)
    typical: np.ndarray | None = None
    keys: list[str] | None = None


def _apply_what_ifs(data: PlanData, parameters: dict) -> _Applied:
    keys = list(data.keys)
    segment_of = np.array([code or "" for code in data.segment_codes], dtype=object)
    for change in parameters.get("segment_strategies", []):
        for i in np.flatnonzero(segment_of == change["segment"]).tolist():
            keys[i] = change["strategy"]
    base_fig = figures(data)
    problem = build_problem(data, base_fig)
    fig = base_fig
    if keys != data.keys:
        fig = figures(data, keys)
        new = _responses(data, fig)
        for res in al.RESOURCES:
            old = getattr(problem, res)
            r = {f: np.broadcast_to(np.asarray(getattr(new[res], f), float), (data.n,)) for f in ("m", "b", "lo", "hi")}
            changed = np.flatnonzero((old.m != r["m"]) | (old.b != r["b"]) | (old.lo != r["lo"]) | (old.hi != r["hi"]))
            if changed.size:
                problem = al.change_accounts(problem, changed, res, **{f: v[changed] for f, v in r.items()})
        problem = problem.replace(contact_hours=fig.contact_hours)

    def manager_position(uid) -> int:
        return list(problem.manager_ids).index(str(uid))

    for move in parameters.get("moved_accounts", []):
        if "accounts" in move:
            idx = [data.index_of[a] for a in move["accounts"] if a in data.index_of]
        else:
            mask = problem.manager == manager_position(move["from"])
            if move.get("segment"):
                mask &= segment_of == move["segment"]
            idx = np.flatnonzero(mask).tolist()
        if idx:
            problem = al.move_accounts(problem, idx, manager_position(move["to"]))

    for removal in parameters.get("removed_managers", []):
        j = manager_position(removal["manager"])
        if removal.get("to"):
            target = manager_position(removal["to"])
        else:
            # The colleague with the most hours left over after their own minimums takes the accounts.
            need = np.bincount(problem.manager, problem.hours.lo, minlength=problem.n_managers)
            room = problem.manager_hours - need
            room[j] = -np.inf
            target = int(np.argmax(room))
        problem = al.remove_manager(problem, j, target)

    extra_with_accounts = [e for e in parameters.get("extra_managers", []) if e["accounts"]]
    for k, extra in enumerate(extra_with_accounts):
        idx = [data.index_of[a] for a in extra["accounts"] if a in data.index_of]
        problem = al.add_manager(problem, f"extra:{k}", extra["hours"], idx)
    names = {str(uid): name for uid, name in data.manager_names.items()}
    labels, users = [], []
    extra_names = {f"extra:{k}": e["name"] for k, e in enumerate(extra_with_accounts)}
    for mid in problem.manager_ids:
        if mid in extra_names:
            labels.append(extra_names[mid])
            users.append(None)
        else:
            labels.append(names.get(mid, mid))
            users.append(int(mid))
    own = problem.manager_hours.copy()
    relief = np.zeros(problem.n_managers)
    extra_rows = []
    for extra in parameters.get("extra_managers", []):
        if extra["accounts"]:
            continue
        # Without named accounts the newcomer relieves the colleagues whose hours are worth most: the
        # best any handover of accounts can do (the domain's value of an additional manager).
        worth = al.value_of_additional_manager(problem, extra["hours"])
        relief += worth.hours_by_manager
        problem = problem.replace(manager_hours=problem.manager_hours + worth.hours_by_manager)
        extra_rows.append((extra["name"], extra["hours"], float(worth.hours_by_manager.sum())))
    factor = parameters.get("budget_factor")
    if factor:
        problem = al.scale_budget(problem, factor["support"], factor["pr"])
    return _Applied(problem, labels, users, own, relief, extra_rows, fig.hours, keys)


def _solve(problem: al.Problem, visits: str) -> al.Allocation:
    if visits == "whole":
        return al.allocate(problem, whole_contacts=True)
    if visits == "at_least_one":
        if problem.n_accounts > MILP_ACCOUNT_LIMIT:
            raise PlanningError([_("“At least one visit or none” is solved exactly as a mixed-integer program, "
                                   "which takes too long for more than %(limit)s accounts; choose whole contacts "
                                   "instead.") % {"limit": format_number(MILP_ACCOUNT_LIMIT)}])
        try:
            return al.allocate_highs(problem, visits="at_least_one", time_limit=60.0)
        except RuntimeError:
            raise PlanningError([_("The solver found no plan in time. Try whole contacts instead.")]) from None
    return al.allocate(problem)


def conflict_message(conflict: dict, period_code: str = "") -> str:
    """A conflict stored with a scenario, in the user's language."""
    kind, name = conflict.get("kind"), conflict.get("label") or conflict.get("name", "")
    required, available = conflict.get("required", 0.0), conflict.get("available", 0.0)
    if kind == "manager":
        text = _("%(manager)s: the minimum hours of their accounts total %(required)s h, but only %(available)s h "
                 "are available.") % {"manager": name, "required": format_number(required, 1),
                                       "available": format_number(available, 1)}
        if conflict.get("no_capacity"):
            text += " " + _("No capacity has been entered for %(period)s.") % {"period": period_code}
        return text
    if kind == "budget":
        budget = _("Sales-support budget") if conflict.get("name") == "sales-support budget" else _("PR budget")
        return _("%(budget)s: the accounts' minimums total %(required)s, but only %(available)s are available.") % {
            "budget": budget, "required": format_money(required), "available": format_money(available)}
    if kind == "account":
        return _("%(account)s: no plan fits between its minimum (%(required)s) and its maximum (%(available)s).") % {
            "account": name, "required": format_number(required, 1), "available": format_number(available, 1)}
    return _("No assignment of accounts to account managers meets every minimum.")


def _conflicts(exc: al.Infeasible, applied: _Applied | None, data: PlanData) -> list[dict]:
    label_of = {str(uid): name for uid, name in data.manager_names.items()}
    if applied is not None:
        label_of.update(zip(applied.problem.manager_ids, applied.labels, strict=True))
    capacity_of = {str(uid): bool(has) for uid, has in zip(data.manager_ids, data.has_capacity.tolist(), strict=True)}
    account_ids = [int(c.name) for c in exc.conflicts if c.kind == "account" and c.name.isdigit()]
    account_names = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "name")) if account_ids else {}
    out = []
    for c in exc.conflicts:
        item = {"kind": c.kind, "name": c.name, "required": float(c.required), "available": float(c.available)}
        if c.kind == "manager":
            item["label"] = label_of.get(c.name, c.name)
            item["no_capacity"] = c.name in capacity_of and not capacity_of[c.name]
        elif c.kind == "account":
            item["label"] = account_names.get(int(c.name), c.name) if c.name.isdigit() else c.name
        out.append(item)
    return out


def _reset_totals(scenario: Scenario) -> None:
    for name in ("hours_available", "hours_required", "hours_today", "hours_recommended", "support_budget",
                 "support_today", "support_recommended", "pr_budget", "pr_today", "pr_recommended",
                 "contacts_today", "contacts_recommended", "contribution_today", "contribution", "support_price",
                 "pr_price", "extra_manager_hours", "extra_manager_value", "seconds"):
        setattr(scenario, name, None)
    scenario.account_count = 0
    scenario.method = ""


def draft_copy(scenario: Scenario, user=None) -> Scenario:
    """A new draft with the what-ifs of `scenario`, named after it ("Basis (2)", "Basis (3)", …)."""
    base = scenario.name
    taken = set(Scenario.objects.filter(name__startswith=base).values_list("name", flat=True))
    number = 2
    while f"{base} ({number})"[:120] in taken:
        number += 1
    name = f"{base} ({number})"
    if len(name) > 120:
        name = f"{base[:120 - len(f' ({number})')]} ({number})"
    copy = Scenario(name=name, period=scenario.period, parameters=scenario.parameters, status=Scenario.Status.DRAFT)
    copy.stamp(user)
    copy.save()
    return copy


def compute_scenario(scenario: Scenario, user=None) -> Scenario:
    """Solve the scenario and keep its result (all or nothing); returns the scenario computed. Raises
    PlanningError when no plan meets every minimum; the conflicts are kept with the scenario so that its
    page names them.

    The applied scenario is the plan of its period and is never changed by computing: computing it again
    makes a new draft with the same what-ifs (returned), and the plan stays until another is applied."""
    if scenario.status == Scenario.Status.APPLIED:
        scenario = draft_copy(scenario, user)
    started = time.perf_counter()
    period = scenario.period
    data = load(period)
    parameters = clean_parameters(scenario.parameters, period, data.strategies)
    applied = None
    try:
        applied = _apply_what_ifs(data, parameters)
        allocation = _solve(applied.problem, parameters.get("visits", "continuous"))
    except al.Infeasible as exc:
        conflicts = _conflicts(exc, applied, data)
        with transaction.atomic():
            concurrency.lock_row(scenario)  # two computes of one scenario: one after the other
            scenario.account_results.all().delete()
            scenario.manager_results.all().delete()
            _reset_totals(scenario)
            scenario.conflicts = conflicts
            scenario.computed_at = timezone.now()
            scenario.stamp(user)
            scenario.save()
        error = PlanningError([conflict_message(c, period.code) for c in conflicts])
        error.scenario = scenario  # the scenario that keeps the conflicts (a new draft when the plan was asked)
        raise error from None
    except ValueError as exc:
        # The domain refuses figures it cannot plan with (e.g. an account's curve); say which.
        raise PlanningError([_("The figures cannot be planned with: %(reason)s") % {"reason": str(exc)}]) from None
    problem = applied.problem
    typical_hours = float(np.mean(data.capacity[data.capacity > 0])) if np.any(data.capacity > 0) else 0.0
    extra_hours = parameters.get("extra_manager_hours") or typical_hours
    extra_value = None
    if extra_hours > 0 and problem.n_managers:
        base = allocation if allocation.method == "multipliers" else None
        extra_value = al.value_of_additional_manager(problem, extra_hours, base=base).value
    _store(scenario, data, applied, allocation, extra_hours if extra_value is not None else None, extra_value, user,
           started)
    return scenario


RESULT_NUMBERS = ("contact_hours", "hours_min", "hours_max", "hours_today", "hours", "contacts_today", "contacts",
                  "support_today", "support", "pr_today", "pr", "contribution_today", "contribution")


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows straight into the table: for tens of thousands of result rows the ORM's objects cost ten
    times the writing itself."""
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _store(scenario, data: PlanData, applied: _Applied, allocation: al.Allocation, extra_hours, extra_value, user,
           started) -> None:
    p = allocation.problem
    n, m = p.n_accounts, p.n_managers
    contacts_today = p.hours.current / p.contact_hours
    contacts = allocation.contacts
    users, labels = applied.users, applied.labels
    cols = {name: np.asarray(values, float).tolist() for name, values in {
        "contact_hours": p.contact_hours, "hours_min": p.hours.lo, "hours_max": np.minimum(p.hours.hi, 1e12),
        "hours_today": p.hours.current, "hours": allocation.hours, "contacts_today": contacts_today,
        "contacts": contacts, "support_today": p.support.current, "support": allocation.support,
        "pr_today": p.pr.current, "pr": allocation.pr, "contribution_today": allocation.current_account_contribution,
        "contribution": allocation.account_contribution}.items()}
    manager_of = p.manager.tolist()
    keys = applied.keys or data.keys
    account_rows = list(zip(
        [scenario.pk] * n, data.account_ids.tolist(), [users[j] for j in manager_of],
        ["" if users[j] is not None else labels[j] for j in manager_of], keys,
        *(cols[name] for name in RESULT_NUMBERS), strict=True))
    counts = np.bincount(p.manager, minlength=m)
    required = np.bincount(p.manager, applied.typical, minlength=m)
    minimum = np.bincount(p.manager, p.hours.lo, minlength=m)
    load_today, load = allocation.current_manager_load, allocation.manager_load
    manager_rows = [ScenarioManager(
        scenario=scenario, manager_id=users[j], label=labels[j], order=j, account_count=int(counts[j]),
        available_hours=float(applied.own_hours[j]), required_hours=float(required[j]), minimum_hours=float(minimum[j]),
        hours_today=float(load_today[j]), hours=float(load[j]), relief_hours=float(applied.relief[j]),
        hour_price=float(allocation.hour_price[j])) for j in range(m)]
    for k, (label, hours, used) in enumerate(applied.extra_rows):
        manager_rows.append(ScenarioManager(
            scenario=scenario, manager_id=None, label=label, order=m + k, account_count=0, available_hours=hours,
            required_hours=0.0, minimum_hours=0.0, hours_today=0.0, hours=used, relief_hours=0.0, hour_price=0.0))
    with transaction.atomic():
        concurrency.lock_row(scenario)  # two computes of one scenario: one after the other, the last one kept
        scenario.account_results.all().delete()
        scenario.manager_results.all().delete()
        _insert(ScenarioAccount, ("scenario_id", "account_id", "manager_id", "manager_label", "strategy",
                                  *RESULT_NUMBERS), account_rows)
        ScenarioManager.objects.bulk_create(manager_rows, batch_size=BATCH)
        scenario.conflicts = []
        scenario.method = allocation.method
        scenario.account_count = n
        scenario.hours_available = float(applied.own_hours.sum() + sum(h for _l, h, _u in applied.extra_rows))
        scenario.hours_required = float(applied.typical.sum())
        scenario.hours_today = float(p.hours.current.sum())
        scenario.hours_recommended = float(allocation.hours.sum())
        scenario.support_budget, scenario.pr_budget = p.support_budget, p.pr_budget
        scenario.support_today, scenario.pr_today = float(p.support.current.sum()), float(p.pr.current.sum())
        scenario.support_recommended, scenario.pr_recommended = float(allocation.support.sum()), float(allocation.pr.sum())
        scenario.contacts_today, scenario.contacts_recommended = float(contacts_today.sum()), float(contacts.sum())
        scenario.contribution_today, scenario.contribution = allocation.current_contribution, allocation.contribution
        scenario.support_price, scenario.pr_price = allocation.support_price, allocation.pr_price
        scenario.extra_manager_hours, scenario.extra_manager_value = extra_hours, extra_value
        scenario.computed_at = timezone.now()
        scenario.seconds = round(time.perf_counter() - started, 3)
        scenario.stamp(user)
        scenario.save()


def create_scenario(name: str, period: Period, parameters, user, *, compute: bool = True) -> Scenario:
    """A new scenario, validated, computed right away unless ``compute`` is False. A scenario that finds
    no plan is still kept (with its conflicts); the PlanningError tells the caller why."""
    name = (name or "").strip()
    scenario = Scenario(name=name, period=period)
    cleaned = clean_parameters(parameters, period)
    scenario.parameters = cleaned
    scenario.stamp(user)
    scenario.full_clean()
    scenario.save()
    if compute:
        compute_scenario(scenario, user)
    return scenario


def is_stale(scenario: Scenario) -> bool:
    """Whether capacities, the budget or the applied plan of its period changed after it was computed."""
    if scenario.computed_at is None:
        return False
    period = scenario.period_id
    latest = [Capacity.objects.filter(period_id=period).aggregate(t=Max("updated_at"))["t"],
              Budget.objects.filter(period_id=period).aggregate(t=Max("updated_at"))["t"],
              ResponseEstimate.objects.filter(period_id=period).aggregate(t=Max("updated_at"))["t"]]
    return any(t is not None and t > scenario.computed_at for t in latest)


# --------------------------------------------------------------------------------------------------
# Comparing and applying
# --------------------------------------------------------------------------------------------------


COMPARED = (
    ("contribution_today", "money"), ("contribution", "money"), ("gain", "money"), ("gain_pct", "percent"),
    ("hours_available", "hours"), ("hours_required", "hours"), ("hours_recommended", "hours"),
    ("contacts_recommended", "number"), ("support_budget", "money"), ("support_recommended", "money"),
    ("pr_budget", "money"), ("pr_recommended", "money"), ("support_price", "price"), ("pr_price", "price"),
    ("max_hour_price", "money"), ("extra_manager_value", "money"),
)


def comparison(scenarios: list[Scenario]) -> dict:
    """Totals and hour prices of several scenarios side by side (two queries whatever their number)."""
    prices: dict[int, dict] = {s.pk: {} for s in scenarios}
    labels: dict[str, str] = {}
    for scenario_id, manager_id, label, price, hours, available, relief in ScenarioManager.objects.filter(
            scenario__in=[s.pk for s in scenarios]).order_by("order").values_list(
            "scenario_id", "manager_id", "label", "hour_price", "hours", "available_hours", "relief_hours"):
        key = str(manager_id) if manager_id else f"label:{label}"
        labels.setdefault(key, label)
        prices[scenario_id][key] = {"price": price, "hours": hours, "available": available + max(relief, 0.0)}
    for s in scenarios:
        values = [v["price"] for v in prices[s.pk].values()]
        s.max_hour_price = max(values) if values else None
    rows = []
    titles = dict(_comparison_titles())
    for name, kind in COMPARED:
        values = [getattr(s, name) for s in scenarios]
        rows.append({"name": name, "label": titles[name], "kind": kind, "values": values})
    managers = [{"label": label, "cells": [prices[s.pk].get(key) for s in scenarios]} for key, label in labels.items()]
    return {"scenarios": scenarios, "rows": rows, "managers": managers}


def _comparison_titles():
    return [
        ("contribution_today", _("Expected contribution, today's plan")),
        ("contribution", _("Expected contribution, recommended")),
        ("gain", _("Difference")), ("gain_pct", _("Difference in %")),
        ("hours_available", _("Hours available")), ("hours_required", _("Hours the strategies ask for")),
        ("hours_recommended", _("Hours recommended")), ("contacts_recommended", _("Contacts recommended")),
        ("support_budget", _("Sales-support budget")), ("support_recommended", _("Sales support recommended")),
        ("pr_budget", _("PR budget")), ("pr_recommended", _("PR recommended")),
        ("support_price", _("Shadow price of a sales-support franc")),
        ("pr_price", _("Shadow price of a PR franc")),
        ("max_hour_price", _("Highest shadow price of an hour")),
        ("extra_manager_value", _("Value of an additional account manager")),
    ]


def _money(value: float) -> Decimal:
    return Decimal(str(max(value, 0.0))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def apply_scenario(scenario: Scenario, user) -> int:
    """Make the scenario's recommendation the plan of its period (replacing the plan applied before).
    Returns the number of account plans written."""
    if not scenario.is_computed:
        raise ValidationError(_("Only a computed scenario with a plan can be applied."))
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    who = user.pk if getattr(user, "is_authenticated", False) else None
    rows = scenario.account_results.values_list("account_id", "strategy", "hours", "contacts", "contact_hours",
                                                "support", "pr", "contribution")
    plans = [(stamp, stamp, who, who, account_id, scenario.period_id, scenario.pk, strategy,
              int(Decimal(str(max(contacts, 0.0))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)), hours,
              contact_hours, _money(support), _money(pr), contribution)
             for account_id, strategy, hours, contacts, contact_hours, support, pr, contribution
             in rows.iterator(chunk_size=BATCH)]
    with transaction.atomic():
        # Two scenarios of one period applied at the same moment: one after the other (the period's row
        # is the lock), so that the plan is entirely one of them, never both half-way or a unique-key error.
        Period.objects.select_for_update().filter(pk=scenario.period_id).values_list("pk", flat=True).first()
        concurrency.lock_row(scenario)
        AccountPlan.objects.filter(period_id=scenario.period_id).delete()
        _insert(AccountPlan, ("created_at", "updated_at", "created_by_id", "updated_by_id", "account_id", "period_id",
                              "scenario_id", "strategy", "contacts", "hours", "contact_hours", "support", "pr",
                              "expected_contribution"), plans)
        Scenario.objects.filter(period_id=scenario.period_id, status=Scenario.Status.APPLIED).exclude(
            pk=scenario.pk).update(status=Scenario.Status.DRAFT)
        scenario.status = Scenario.Status.APPLIED
        scenario.applied_at, scenario.applied_by = now, user if who else None
        scenario.stamp(user)
        scenario.save(update_fields=["status", "applied_at", "applied_by", "updated_at", "updated_by"])
    return len(plans)


# --------------------------------------------------------------------------------------------------
# One account's plan (the account page, "my week")
# --------------------------------------------------------------------------------------------------


@dataclass
class AccountPlanView:
    account: Account
    period: Period | None
    plan: AccountPlan | None
    recommendation: ScenarioAccount | None
    intensity: Intensity | None
    estimate: ResponseEstimate | None


def periods_of_day(day=None) -> list[Period]:
    day = day or timezone.localdate()
    return list(Period.objects.filter(start__lte=day, end__gte=day).order_by("kind"))


def account_plan(account: Account, period: Period | None = None, *, drafts: bool = False) -> AccountPlanView:
    """The applied plan of the account for the period (default: the year of today, else a quarter that
    holds today), the recommendation of the applied scenario (with ``drafts``: of the latest computed
    one), and the intensity its strategy asks for."""
    if period is None:
        candidates = periods_of_day()
        period = next((p for p in candidates if AccountPlan.objects.filter(account=account, period=p).exists()),
                      None) or next((p for p in candidates if p.kind == Period.Kind.YEAR), None)
        if period is None:
            period = Period.objects.filter(code=current_period_code()).first()
    plan = recommendation = estimate = None
    if period is not None:
        plan = AccountPlan.objects.filter(account=account, period=period).select_related("scenario").first()
        results = ScenarioAccount.objects.filter(account=account, scenario__period=period,
                                                 scenario__computed_at__isnull=False).select_related("scenario")
        if not drafts:
            results = results.filter(scenario__status=Scenario.Status.APPLIED)
        recommendation = results.order_by("-scenario__computed_at", "-scenario_id").first()
        estimate = ResponseEstimate.objects.filter(account=account, period=period).first()
    code = account.segment.code if account.segment_id else None
    strategies = account_strategies({account.pk: code})
    intensity = strategies.catalogue.get(strategies.of_account.get(account.pk))
    return AccountPlanView(account, period, plan, recommendation, intensity, estimate)


@dataclass(frozen=True)
class PlannedContacts:
    contacts: int
    hours: float
    period: str


def planned_contacts(account_ids: Iterable[int], day=None) -> dict[int, PlannedContacts]:
    """The applied plan's contacts per account for the period that holds ``day`` (a year before a
    quarter), in one query: for "my week" and other lists."""
    periods = periods_of_day(day)
    if not periods:
        return {}
    ids = list(account_ids)
    out: dict[int, PlannedContacts] = {}
    order = {p.pk: (0 if p.kind == Period.Kind.YEAR else 1) for p in periods}
    code = {p.pk: p.code for p in periods}
    rows = AccountPlan.objects.filter(period__in=periods, account_id__in=ids).values_list(
        "account_id", "period_id", "contacts", "hours")
    for account_id, period_id, contacts, hours in sorted(rows, key=lambda r: order[r[1]], reverse=True):
        out[account_id] = PlannedContacts(contacts, hours, code[period_id])
    return out
