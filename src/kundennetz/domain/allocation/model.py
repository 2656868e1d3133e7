"""The allocation problem (accounts, managers, budgets) and its solution, as plain arrays."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from .curves import Curve, FigureError

RESOURCES = ("hours", "support", "pr")
POOL_LABELS = {"support": "sales-support budget", "pr": "PR budget"}
DEFAULT_CONTACT_HOURS = 2.0
MIN_SPEED = 1e-12
NO_RESPONSE = Curve(0.0, 0.0)


@dataclass(frozen=True, eq=False)
class Response:
    """One resource (hours, or one budget) for all accounts: curves, bounds and today's plan."""

    m: np.ndarray | float
    b: np.ndarray | float
    lo: np.ndarray | float = 0.0
    hi: np.ndarray | float = math.inf
    current: np.ndarray | float = 0.0

    def curve(self) -> Curve:
        return Curve(self.m, self.b)


@dataclass(frozen=True)
class Account:
    """One account's figures; ``manager`` is an index into the managers."""

    id: str
    manager: int
    hours: Curve
    support: Curve = NO_RESPONSE
    pr: Curve = NO_RESPONSE
    min_hours: float = 0.0
    max_hours: float = math.inf
    min_support: float = 0.0
    max_support: float = math.inf
    min_pr: float = 0.0
    max_pr: float = math.inf
    current_hours: float = 0.0
    current_support: float = 0.0
    current_pr: float = 0.0
    contact_hours: float = DEFAULT_CONTACT_HOURS


@dataclass(frozen=True)
class Manager:
    """An account manager and the hours they have for customer care in the period."""

    id: str
    hours: float


@dataclass(frozen=True)
class Conflict:
    """One constraint that cannot be met: what needs ``required`` but has only ``available`` (hours, or
    money for a budget). ``code`` says which constraint; the adapters word a conflict from these fields.

    Codes: minimum_above_maximum (an account's minimum of ``resource`` above its maximum),
    whole_contact_above_maximum (a whole contact does not fit below an account's maximum hours),
    no_whole_contacts (no whole number of contacts between an account's minimum and maximum),
    minimums_exceed_hours, whole_contacts_exceed_hours (a manager's accounts need more than the
    manager has), minimums_exceed_budget (a budget), no_assignment (no assignment of accounts to managers)."""

    kind: Literal["manager", "budget", "account"]
    name: str
    required: float
    available: float
    code: str
    resource: str = "hours"


class Infeasible(ValueError):
    """The minimums cannot all be met; ``conflicts`` says where. Its message is for developers and logs
    (codes and figures); the adapters word the conflicts for people."""

    def __init__(self, conflicts: Sequence[Conflict]):
        self.conflicts = tuple(conflicts)
        shown = [_described(c) for c in self.conflicts[:5]]
        if len(self.conflicts) > 5:
            shown.append(f"+{len(self.conflicts) - 5}")
        super().__init__("no allocation meets all minimums: " + "; ".join(shown))


def _described(conflict: Conflict) -> str:
    """"manager 'Anna' minimums_exceed_hours: 420.0 h > 400.0 h"."""
    unit = " h" if conflict.resource == "hours" else ""
    return (f"{conflict.kind} {conflict.name!r} {conflict.code}: "
            f"{conflict.required:,.1f}{unit} > {conflict.available:,.1f}{unit}")


@dataclass(frozen=True, eq=False)
class Problem:
    """Accounts (each staying with its manager), the managers' hours and the two budget totals."""

    account_ids: Sequence[str]
    manager: np.ndarray
    manager_ids: Sequence[str]
    manager_hours: np.ndarray
    hours: Response
    support: Response
    pr: Response
    support_budget: float
    pr_budget: float
    contact_hours: np.ndarray | float = DEFAULT_CONTACT_HOURS

    def __post_init__(self):
        set_ = object.__setattr__
        ids = tuple(self.account_ids)
        n = len(ids)
        set_(self, "account_ids", ids)
        set_(self, "manager_ids", tuple(self.manager_ids))
        hours = np.asarray(self.manager_hours, dtype=float).reshape(-1)
        if hours.shape != (len(self.manager_ids),):
            raise ValueError(f"{len(self.manager_ids)} managers but {hours.size} hour figures")
        for j in np.flatnonzero(~(np.isfinite(hours) & (hours >= 0))):
            raise FigureError("manager_hours", f"manager {self.manager_ids[j]!r}: available hours must be a "
                              f"non-negative number, got {hours[j]}", manager=self.manager_ids[j], value=float(hours[j]))
        set_(self, "manager_hours", hours)
        mgr = np.asarray(self.manager, dtype=np.int64).reshape(-1)
        if mgr.shape != (n,):
            raise ValueError(f"{n} accounts but {mgr.size} manager indices")
        for i in np.flatnonzero((mgr < 0) | (mgr >= hours.size)):
            raise ValueError(f"account {ids[i]!r}: manager index {mgr[i]} does not exist")
        set_(self, "manager", mgr)
        for name in ("support_budget", "pr_budget"):
            v = float(getattr(self, name))
            if not (math.isfinite(v) and v >= 0):
                raise FigureError("budget", f"the {POOL_LABELS[name[:-7]]} must be a non-negative amount, got {v}",
                                  resource=name[:-7], value=v)
            set_(self, name, v)
        s = np.broadcast_to(np.asarray(self.contact_hours, dtype=float), (n,)).copy()
        for i in np.flatnonzero(~(np.isfinite(s) & (s > 0))):
            raise FigureError("contact_hours", f"account {ids[i]!r}: hours per contact must be positive, got {s[i]}",
                              account=ids[i], value=float(s[i]))
        set_(self, "contact_hours", s)
        for res in RESOURCES:
            r = getattr(self, res)
            arrays = {}
            for f in ("m", "b", "lo", "hi", "current"):
                a = np.broadcast_to(np.asarray(getattr(r, f), dtype=float), (n,)).copy()
                ok = (a >= 0) & (np.isfinite(a) | (f == "hi"))
                for i in np.flatnonzero(~ok):
                    raise FigureError("response_figure",
                                      f"account {ids[i]!r}: {res} {f} must be a non-negative number, got {a[i]}",
                                      account=ids[i], resource=res, figure=f, value=float(a[i]))
                if f == "b":
                    # Slower responses than this are flat for any real effort and only breed overflow.
                    for i in np.flatnonzero((a > 0) & (a < MIN_SPEED)):
                        raise FigureError("response_speed", f"account {ids[i]!r}: {res} b must be 0 or at least "
                                          f"{MIN_SPEED:g}, got {a[i]:g}", account=ids[i], resource=res,
                                          minimum=MIN_SPEED, value=float(a[i]))
                arrays[f] = a
            set_(self, res, Response(**arrays))

    @classmethod
    def from_accounts(cls, accounts: Sequence[Account], managers: Sequence[Manager],
                      support_budget: float, pr_budget: float) -> Problem:
        def col(attr):
            return np.array([getattr(a, attr) for a in accounts], dtype=float)

        responses = {
            res: Response(np.array([getattr(a, res).m for a in accounts], float),
                          np.array([getattr(a, res).b for a in accounts], float),
                          col(f"min_{res}"), col(f"max_{res}"), col(f"current_{res}"))
            for res in RESOURCES
        }
        return cls([a.id for a in accounts], np.array([a.manager for a in accounts], dtype=np.int64),
                   [m.id for m in managers], [m.hours for m in managers], support_budget=support_budget,
                   pr_budget=pr_budget, contact_hours=col("contact_hours"), **responses)

    @property
    def n_accounts(self) -> int:
        return len(self.account_ids)

    @property
    def n_managers(self) -> int:
        return len(self.manager_ids)

    def replace(self, **changes) -> Problem:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, eq=False)
class Allocation:
    """Recommended hours and budget per account next to today's plan, with the shadow prices: what one
    more hour of a manager and one more franc of a budget would add to the expected contribution."""

    problem: Problem
    hours: np.ndarray
    support: np.ndarray
    pr: np.ndarray
    hour_price: np.ndarray
    support_price: float
    pr_price: float
    method: str = "multipliers"
    moves: tuple[tuple[int, int, int], ...] = ()  # (account index, from manager, to manager)
    continuity_cost: float = 0.0

    def _value(self, res: str, x: np.ndarray) -> np.ndarray:
        return getattr(self.problem, res).curve().value(x)

    @cached_property
    def account_contribution(self) -> np.ndarray:
        return sum(self._value(r, getattr(self, r)) for r in RESOURCES)

    @cached_property
    def current_account_contribution(self) -> np.ndarray:
        return sum(self._value(r, getattr(self.problem, r).current) for r in RESOURCES)

    @property
    def contribution(self) -> float:
        return float(self.account_contribution.sum())

    @property
    def current_contribution(self) -> float:
        return float(self.current_account_contribution.sum())

    @property
    def gain(self) -> float:
        return self.contribution - self.current_contribution

    @property
    def contacts(self) -> np.ndarray:
        return self.hours / self.problem.contact_hours

    @property
    def manager_load(self) -> np.ndarray:
        return np.bincount(self.problem.manager, self.hours, minlength=self.problem.n_managers)

    @property
    def current_manager_load(self) -> np.ndarray:
        return np.bincount(self.problem.manager, self.problem.hours.current, minlength=self.problem.n_managers)

    @property
    def hours_today(self) -> np.ndarray:
        return self.problem.hours.current

    @property
    def support_today(self) -> np.ndarray:
        return self.problem.support.current

    @property
    def pr_today(self) -> np.ndarray:
        return self.problem.pr.current

    def rows(self) -> Iterator[dict]:
        """One record per account, today's plan next to the recommendation."""
        p = self.problem
        columns = {
            "hours_today": self.hours_today, "hours": self.hours, "contacts": self.contacts,
            "support_today": self.support_today, "support": self.support,
            "pr_today": self.pr_today, "pr": self.pr,
            "contribution_today": self.current_account_contribution, "contribution": self.account_contribution,
        }
        lists = {k: np.asarray(v, float).tolist() for k, v in columns.items()}
        for i, acc in enumerate(p.account_ids):
            yield {"account": acc, "manager": p.manager_ids[p.manager[i]]} | {k: v[i] for k, v in lists.items()}
