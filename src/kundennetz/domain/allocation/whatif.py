"""What-if scenarios: changed budgets, managers and strategies, and the worth of one more manager."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .curves import FigureError, Resource
from .model import Allocation, Problem, Response
from .solve import Pools, allocate, solve_continuous


def scale_budget(problem: Problem, support: float = 1.0, pr: float = 1.0) -> Problem:
    """Both budgets scaled, e.g. 0.8 for 20 % less."""
    return problem.replace(support_budget=problem.support_budget * support, pr_budget=problem.pr_budget * pr)


def add_manager(problem: Problem, manager_id: str, hours: float, accounts: Sequence[int] = ()) -> Problem:
    """A new manager with ``hours``, taking over the given accounts (indices)."""
    mgr = problem.manager.copy()
    mgr[np.asarray(accounts, dtype=np.int64)] = problem.n_managers
    return problem.replace(manager=mgr, manager_ids=(*problem.manager_ids, manager_id),
                           manager_hours=np.append(problem.manager_hours, hours))


def move_accounts(problem: Problem, accounts: Sequence[int], to: int) -> Problem:
    """The given accounts (indices) handed to manager ``to``."""
    mgr = problem.manager.copy()
    mgr[np.asarray(accounts, dtype=np.int64)] = to
    return problem.replace(manager=mgr)


def remove_manager(problem: Problem, manager: int, reassign: int | Mapping[int, int]) -> Problem:
    """Without ``manager``; their accounts go to ``reassign`` (one manager index, or account → manager).
    Indices refer to the managers before the removal."""
    own = np.flatnonzero(problem.manager == manager)
    target = {int(i): reassign for i in own} if isinstance(reassign, int) else {int(k): v for k, v in reassign.items()}
    missing = [problem.account_ids[i] for i in own if int(i) not in target]
    if missing:
        raise FigureError("no_new_manager", f"no new manager given for accounts {', '.join(map(repr, missing))}",
                          accounts=missing)
    if any(t == manager or not 0 <= t < problem.n_managers for t in target.values()):
        raise FigureError("no_other_manager", "accounts must go to another existing manager",
                          manager=problem.manager_ids[manager])
    mgr = problem.manager.copy()
    for i, t in target.items():
        mgr[i] = t
    mgr = mgr - (mgr > manager)
    keep = np.arange(problem.n_managers) != manager
    return problem.replace(manager=mgr, manager_hours=problem.manager_hours[keep],
                           manager_ids=tuple(m for j, m in enumerate(problem.manager_ids) if j != manager))


def change_accounts(problem: Problem, accounts, resource: Resource, *, m=None, b=None, lo=None, hi=None,
                    current=None) -> Problem:
    """New curve parameters or bounds for a subset of accounts (indices or mask), e.g. another strategy."""
    r = getattr(problem, resource)
    new = {}
    for f, v in (("m", m), ("b", b), ("lo", lo), ("hi", hi), ("current", current)):
        a = getattr(r, f).copy()
        if v is not None:
            a[accounts] = v
        new[f] = a
    return problem.replace(**{resource: Response(**new)})


@dataclass(frozen=True)
class ExtraManager:
    """What an additional manager is worth: the gain in expected contribution, and how many hours they
    would take over from each existing manager."""

    value: float
    hours_by_manager: np.ndarray


def value_of_additional_manager(problem: Problem, hours: float, accounts: Sequence[int] | None = None,
                                base: Allocation | None = None) -> ExtraManager:
    """The gain from one more manager with ``hours``. With ``accounts`` they take over exactly those; without,
    they relieve the colleagues whose hours are worth most — the best any handover of accounts can do."""
    base = base or allocate(problem)
    if accounts is not None:
        alt = allocate(add_manager(problem, "additional manager", hours, accounts))
        taken = np.bincount(problem.manager[np.asarray(accounts, dtype=np.int64)],
                            alt.hours[np.asarray(accounts, dtype=np.int64)], minlength=problem.n_managers)
        return ExtraManager(alt.contribution - base.contribution, taken)
    M, cap = problem.n_managers, problem.manager_hours
    h = problem.hours
    pools = Pools(h.m, h.b, h.lo, h.hi, problem.manager, M)

    def taken(L):  # hours every manager would take at the common price e^L, beyond their own
        return np.maximum(pools.demand(np.full(M, L)) - cap, 0.0)

    top = np.maximum(pools._sum(pools.top) - cap, 0.0)
    if top.sum() <= hours:
        extra = top
    else:
        lower, upper = pools.brackets(cap + hours)
        lo_L, hi_L = float(np.min(lower[np.isfinite(lower)])), float(np.max(upper[np.isfinite(upper)]))
        for _ in range(200):
            mid = 0.5 * (lo_L + hi_L)
            if taken(mid).sum() > hours:
                lo_L = mid
            else:
                hi_L = mid
            if hi_L - lo_L < 1e-12 * max(1.0, abs(hi_L)):
                break
        extra = taken(hi_L)
    alt = solve_continuous(problem, cap + extra)
    gain = float(h.curve().value(alt[0]).sum() + problem.support.curve().value(alt[1]).sum()
                 + problem.pr.curve().value(alt[2]).sum()) - base.contribution
    return ExtraManager(gain, extra)
