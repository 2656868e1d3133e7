"""The allocation as an LP/MILP over call levels for HiGHS, for the variants whose integer side
constraints break the structure that equal marginal returns rely on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, sparse

from .curves import Curve
from .model import Allocation, Conflict, Infeasible, Problem
from .solve import conflicts_of, contact_range, solve_continuous

Visits = Literal["continuous", "at_least_one", "whole"]


@dataclass(frozen=True)
class Reassignment:
    """Lets accounts change manager. ``penalty`` is the contribution a change of manager costs (lost
    continuity), per account or for all; ``allowed[i, g]`` says whether manager g may take account i."""

    penalty: float | np.ndarray = 0.0
    allowed: np.ndarray | None = None
    max_moves: int | None = None


def _segments(lo, hi, step, origin):
    """Piecewise-linear pieces per account: from lo over the levels origin + k·step inside to hi."""
    with np.errstate(invalid="ignore", divide="ignore"):
        k1 = np.floor((lo - origin) / step + 1e-9) + 1
        kl = np.ceil((hi - origin) / step - 1e-9) - 1
    inner = np.where(step > 0, np.maximum(kl - k1 + 1, 0), 0)
    count = np.where(hi > lo + 1e-12, inner + 1, 0).astype(np.int64)
    acc = np.repeat(np.arange(lo.size), count)
    j = np.arange(acc.size) - np.repeat(np.cumsum(count) - count, count)
    left = np.where(j == 0, lo[acc], origin[acc] + (k1[acc] + j - 1) * step[acc])
    right = np.where(j == count[acc] - 1, hi[acc], origin[acc] + (k1[acc] + j) * step[acc])
    return acc, j, left, right


def _ranks(acc, n):
    """Position of every piece within its account (pieces sorted by account)."""
    counts = np.bincount(acc, minlength=n)
    return np.arange(acc.size) - np.repeat(np.cumsum(counts) - counts, counts)


def _hour_pieces(problem: Problem, visits: Visits, hour_step, reach):
    """Bounds and pieces of the hours curves. The first piece of an account that may get no visit at all
    is the whole first contact [0, s], binary under "at_least_one"."""
    n, s, h = problem.n_accounts, problem.contact_hours, problem.hours
    lo, hi = h.lo.copy(), np.minimum(h.hi, reach)
    step = s if hour_step is None else np.broadcast_to(np.asarray(hour_step, float), (n,))
    conflicts = []
    if visits == "whole":
        kmin, kmax, conflicts = contact_range(problem, reach)
        lo, hi, step = kmin * s, kmax * s, s
    elif visits == "at_least_one":
        # An account that must get hours must get a whole contact; one that cannot hold one stays at 0.
        lo = np.where(lo > 0, np.maximum(lo, s), 0.0)
        hi = np.where((hi >= s - 1e-9) | (lo > 0), hi, 0.0)
        conflicts = [Conflict("account", problem.account_ids[i], lo[i], hi[i], "whole_contact_above_maximum")
                     for i in np.flatnonzero(lo > hi)]
    if conflicts:
        raise Infeasible(conflicts)
    visit = (lo == 0) & (hi > 0) if visits == "at_least_one" else np.zeros(n, bool)
    acc, _, left, right = _segments(np.where(visit, s, lo), hi, step, np.zeros(n))
    if visit.any():
        first = np.flatnonzero(visit)
        acc, left, right = (np.concatenate(pair)
                            for pair in ((acc, first), (left, np.zeros(first.size)), (right, s[first])))
        order = np.argsort(acc * 2.0 + (left > 0), kind="stable")
        acc, left, right = acc[order], left[order], right[order]
    rank = _ranks(acc, n)
    integer = np.full(acc.size, visits == "whole") | ((rank == 0) & visit[acc])
    return lo, acc, rank, left, right, integer, visit


def _budget_pieces(problem: Problem, levels: int):
    """Per budget the pieces of every account's curve, ``levels`` equal steps up to where the curve is
    saturated (or its maximum, or the whole budget)."""
    out = []
    for res in ("support", "pr"):
        r, total = getattr(problem, res), getattr(problem, f"{res}_budget")
        live = r.m * r.b > 0
        saturated = np.where(live, math.log(1e6) / np.where(live, r.b, 1.0), r.lo)
        top = np.maximum(np.minimum(np.minimum(r.hi, total), saturated), r.lo)
        acc, _, left, right = _segments(r.lo, top, (top - r.lo) / levels, r.lo)
        out.append((acc, left, right))
    return out


def _coo(rows, cols, vals, shape):
    return sparse.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape)


def allocate_highs(problem: Problem, *, visits: Visits = "continuous", reassignment: Reassignment | None = None,
                   hour_step: float | np.ndarray | None = None, budget_levels: int = 20,
                   time_limit: float = 60.0) -> Allocation:
    """The allocation as an LP/MILP over call levels, solved by HiGHS: curves become piecewise linear
    between levels (one contact apart, or ``hour_step``; budgets in ``budget_levels`` steps).

    ``visits``: "continuous" hours; "at_least_one": an account gets no hours or at least one whole
    contact; "whole": whole contacts only. ``reassignment`` lets accounts move between managers at a
    continuity penalty. Shadow prices are the LP's duals; where integers enter, those of the continuous
    plan under the chosen assignment."""
    n, M, cap = problem.n_accounts, problem.n_managers, problem.manager_hours
    reassign = reassignment is not None
    conflicts = conflicts_of(problem)
    if reassign:  # whether a manager's minimums fit is the solver's to find once accounts may move
        conflicts = [c for c in conflicts if c.kind != "manager"]
    if conflicts:
        raise Infeasible(conflicts)
    allowed = np.zeros((n, M), bool)
    if reassign:
        allowed[:] = True if reassignment.allowed is None else np.asarray(reassignment.allowed, bool)
    allowed[np.arange(n), problem.manager] = True
    pair_acc, pair_mgr = np.nonzero(allowed)
    reach = np.zeros(n)
    np.maximum.at(reach, pair_acc, cap[pair_mgr])
    lo, acc, rank, left, right, integer, visit = _hour_pieces(problem, visits, hour_step, reach)
    if not reassign:
        need = np.bincount(problem.manager, lo, minlength=M)
        if conflicts := [Conflict("manager", problem.manager_ids[j], need[j], cap[j], "whole_contacts_exceed_hours")
                         for j in np.flatnonzero(need > cap * (1 + 1e-12) + 1e-9)]:
            raise Infeasible(conflicts)
    curve = Curve(problem.hours.m[acc], problem.hours.b[acc])
    gain, width = curve.value(right) - curve.value(left), right - left

    # Columns: one binary per (account, manager) pair when accounts may move, the hour pieces repeated
    # for every pair, then the budgets' pieces. Rows: the managers' hours, then the two budgets.
    first = np.searchsorted(acc, np.arange(n))
    reps = np.bincount(acc, minlength=n)[pair_acc]
    pp = np.repeat(np.arange(pair_acc.size), reps)  # pair of every hour column
    seg = first[pair_acc[pp]] + _ranks(pp, pair_acc.size)  # piece of every hour column
    n_a = pair_acc.size if reassign else 0
    hcol = n_a + np.arange(pp.size)
    rows, cols, vals, costs = [pair_mgr[pp]], [hcol], [width[seg]], [-gain[seg]]
    if reassign:
        pen = np.broadcast_to(np.asarray(reassignment.penalty, float), (n,))
        moved = pair_mgr != problem.manager[pair_acc]
        rows.insert(0, pair_mgr)
        cols.insert(0, np.arange(n_a))
        vals.insert(0, lo[pair_acc])
        costs.insert(0, -(problem.hours.curve().value(lo)[pair_acc] - pen[pair_acc] * moved))
    budget_cols, offset = [], n_a + pp.size
    for k, (bacc, bl, br) in enumerate(_budget_pieces(problem, budget_levels)):
        c = offset + np.arange(bacc.size)
        r = getattr(problem, ("support", "pr")[k])
        bc = Curve(r.m[bacc], r.b[bacc])
        rows.append(np.full(bacc.size, M + k))
        cols.append(c)
        vals.append(br - bl)
        costs.append(bc.value(bl) - bc.value(br))
        budget_cols.append((bacc, br - bl, c))
        offset += bacc.size
    n_var = offset
    rhs = np.concatenate([cap, [problem.support_budget - problem.support.lo.sum(),
                                problem.pr_budget - problem.pr.lo.sum()]])
    if not reassign:
        rhs[:M] -= np.bincount(problem.manager, lo, minlength=M)
    capacity = _coo(rows, cols, vals, (M + 2, n_var))
    c_vec = np.concatenate(costs)
    integrality = np.concatenate([np.ones(n_a), integer[seg], np.zeros(n_var - n_a - pp.size)])

    duals, assign = None, problem.manager
    if not integrality.any():
        # With a handful of rows and very many columns, the interior point needs a few dozen tiny
        # factorisations, where the dual simplex crawls through bound flips and presolve alone takes longer.
        res = optimize.linprog(c_vec, A_ub=capacity, b_ub=rhs, bounds=(0, 1), method="highs-ipm",
                               options={"time_limit": time_limit, "presolve": False})
        if res.status != 0:
            raise RuntimeError(f"HiGHS could not solve the allocation LP: {res.message}")
        z, duals = res.x, -res.ineqlin.marginals
    else:
        constraints = [optimize.LinearConstraint(capacity, -np.inf, rhs)]
        later = np.flatnonzero(visit[acc[seg]] & (rank[seg] > 0))
        if later.size:  # no hours beyond the first contact without the first contact
            k = np.arange(later.size)
            follow = _coo([k, k], [hcol[later], hcol[later - rank[seg[later]]]],
                          [np.ones(later.size), -np.ones(later.size)], (later.size, n_var))
            constraints.append(optimize.LinearConstraint(follow, -np.inf, 0.0))
        if reassign:
            k = np.arange(pp.size)  # hours only with the manager the account is assigned to
            link = _coo([k, k], [hcol, pp], [np.ones(pp.size), -np.ones(pp.size)], (pp.size, n_var))
            one = _coo([pair_acc], [np.arange(n_a)], [np.ones(n_a)], (n, n_var))
            constraints += [optimize.LinearConstraint(link, -np.inf, 0.0), optimize.LinearConstraint(one, 1.0, 1.0)]
            if reassignment.max_moves is not None:
                mv = _coo([np.zeros(n_a, int)], [np.arange(n_a)], [moved.astype(float)], (1, n_var))
                constraints.append(optimize.LinearConstraint(mv, -np.inf, reassignment.max_moves))
        res = optimize.milp(c_vec, constraints=constraints, integrality=integrality, bounds=optimize.Bounds(0, 1),
                            options={"time_limit": time_limit, "mip_rel_gap": 1e-7})
        if res.status == 2:
            raise Infeasible([Conflict("manager", "all managers", float(lo.sum()), float(cap.sum()), "no_assignment")])
        if res.x is None:
            raise RuntimeError(f"HiGHS found no allocation: {res.message}")
        z = np.round(res.x, 9)
        if reassign:
            chosen = z[:n_a] > 0.5
            assign = np.full(n, -1)
            assign[pair_acc[chosen]] = pair_mgr[chosen]
    hours = lo + np.bincount(acc[seg], width[seg] * z[hcol], minlength=n)
    budgets = [getattr(problem, r).lo + np.bincount(bacc, w * z[c], minlength=n)
               for (bacc, w, c), r in zip(budget_cols, ("support", "pr"), strict=True)]
    solved = problem.replace(manager=assign)
    moves = tuple((int(i), int(problem.manager[i]), int(assign[i])) for i in np.flatnonzero(assign != problem.manager))
    cost = float(sum(pen[i] for i, _, _ in moves)) if reassign else 0.0
    prices = ((duals[:M], float(duals[M]), float(duals[M + 1])) if duals is not None
              else solve_continuous(solved)[3:])
    return Allocation(solved, hours, *budgets, *prices, "lp" if duals is not None else "milp", moves, cost)
