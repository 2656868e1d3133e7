"""Equal marginal returns: the multipliers of all pools (managers' hours, budgets) by vectorised
bisection, and whole contacts by greedy marginal steps."""

from __future__ import annotations

import heapq

import numpy as np

from .model import POOL_LABELS, RESOURCES, Allocation, Conflict, Infeasible, Problem


class Pools:
    """Equal marginal returns for many independent pools at once (pools = managers' hours and budgets).

    With x(L) = clip((ln(m·b) − L)/b, lo, hi), L the log multiplier of the account's pool, each pool's
    demand is continuous, piecewise linear and non-increasing in L. All pools' L are bisected together;
    a Newton step replaces the halving wherever it stays inside the bracket, which makes the last steps
    exact once the accounts between their bounds are known."""

    def __init__(self, m, b, lo, hi, pool, n_pools):
        self.m, self.b, self.lo, self.hi, self.pool, self.n_pools = m, b, lo, hi, pool, n_pools
        mb = m * b
        self.pos = pos = mb > 0
        self.logmb = np.log(np.where(pos, mb, 1.0))
        self.c = np.where(pos, 1.0 / np.where(pos, b, 1.0), 0.0)
        self.a = self.logmb * self.c
        self.top = np.where(pos, hi, lo)  # where the pool's demand tends as its price falls to zero
        self.responsive = np.bincount(pool, pos, minlength=n_pools) > 0

    def _sum(self, x):
        return np.bincount(self.pool, x, minlength=self.n_pools)

    def x(self, L):
        x = L[self.pool]
        np.multiply(x, self.c, out=x)
        np.subtract(self.a, x, out=x)
        np.maximum(x, self.lo, out=x)
        return np.minimum(x, self.hi, out=x)

    def demand(self, L):
        return self._sum(self.x(L))

    def brackets(self, capacity):
        """An L at which every account sits at its minimum, and one at which every binding pool's demand
        reaches its capacity; one pair serves all pools, the Newton steps make up for its width."""
        pos = self.pos
        if not pos.any():
            return np.zeros(self.n_pools), np.zeros(self.n_pools)
        upper = np.max((self.logmb - self.b * self.lo)[pos])
        lower = np.min((self.logmb - self.b * np.minimum(self.hi, capacity[self.pool]))[pos])
        # The margin absorbs rounding in x at the bracket's ends.
        return np.full(self.n_pools, lower - 1.0), np.full(self.n_pools, upper + 1.0)

    def _slope(self, x):
        """How fast each pool's demand falls with L: the sum of 1/b over accounts between their bounds."""
        return self._sum(self.c * ((x > self.lo) & (x < self.hi)))

    def solve(self, capacity, *, newton=True, max_iter=300):
        """Returns (x, log multiplier per pool or −inf where the pool does not bind, right-derivative price)."""
        # A pool binds when its accounts could absorb more than it holds; minimums over it by mere
        # rounding, with no account able to respond, leave nothing to decide.
        binding = (self._sum(self.top) > capacity) & self.responsive
        lower, upper = self.brackets(capacity)
        L = 0.5 * (lower + upper)
        if newton:  # start as if no account were at a bound
            with np.errstate(divide="ignore", invalid="ignore"):
                guess = (self._sum(self.a) - capacity) / self._sum(self.c)
            L = np.where(np.isfinite(guess), np.clip(guess, lower, upper), L)
        tol = 1e-13 * np.maximum(1.0, capacity)
        for _ in range(max_iter):
            x = self.x(L)
            excess = self._sum(x) - capacity
            done = ~binding | (np.abs(excess) <= tol) | (upper - lower <= 4 * np.spacing(np.abs(L)))
            if done.all():
                break
            above = excess > 0
            lower, upper = np.where(above, L, lower), np.where(above, upper, L)
            step = 0.5 * (lower + upper)
            if newton:
                with np.errstate(divide="ignore", invalid="ignore"):
                    guess = L + excess / self._slope(x)
                step = np.where((guess > lower) & (guess < upper), guess, step)
            L = np.where(done, L, step)
        x = self.x(L)
        slope = self._slope(x)
        # The resolution of x is that of L divided by b: with nearly linear curves (tiny b·x) rounding
        # can overfill a pool. Take the excess back from the accounts above their minimum in the
        # proportions in which a higher multiplier would, which keeps their marginal returns equal.
        for _ in range(3):
            excess = np.where(binding, self._sum(x) - capacity, 0.0)
            if not np.any(excess > tol):
                break
            w = np.where(x > self.lo, self.c, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.nan_to_num(np.maximum(excess, 0.0)[self.pool] * w / self._sum(w)[self.pool])
            x = np.maximum(x - share, self.lo)
        x = np.where(binding[self.pool], x, self.top)
        L = np.where(binding, L, -np.inf)
        price = np.where(binding, np.exp(L), 0.0)
        degenerate = binding & (slope == 0)
        if np.any(degenerate):
            # No account is between its bounds: one more unit goes to the best account that may still grow.
            marg = np.where(self.pos & (x < self.hi), self.m * self.b * np.exp(-self.b * x), 0.0)
            best = np.zeros(self.n_pools)
            np.maximum.at(best, self.pool, marg)
            price = np.where(degenerate, best, price)
        return x, L, price


def _stack(problem: Problem, hour_capacity=None):
    """All three resources as one vector of variables, pools 0..M−1 the managers, M and M+1 the budgets."""
    n, M = problem.n_accounts, problem.n_managers
    rs = [problem.hours, problem.support, problem.pr]
    pool = np.concatenate([problem.manager, np.full(n, M), np.full(n, M + 1)])
    cap = np.concatenate([problem.manager_hours if hour_capacity is None else hour_capacity,
                          [problem.support_budget, problem.pr_budget]])
    arrays = [np.concatenate([getattr(r, f) for r in rs]) for f in ("m", "b", "lo", "hi")]
    return Pools(*arrays, pool, M + 2), cap


def conflicts_of(problem: Problem, hour_capacity=None) -> list[Conflict]:
    """Why no plan can meet the problem's minimums (an account's bounds, a manager's hours, a budget)."""
    out = []
    ids = problem.account_ids
    for res in RESOURCES:
        r = getattr(problem, res)
        for i in np.flatnonzero(r.hi < r.lo):
            out.append(Conflict("account", ids[i], r.lo[i], r.hi[i], "minimum_above_maximum", res))
    cap = problem.manager_hours if hour_capacity is None else hour_capacity
    need = np.bincount(problem.manager, problem.hours.lo, minlength=problem.n_managers)
    for j in np.flatnonzero(need > cap * (1 + 1e-12) + 1e-9):
        out.append(Conflict("manager", problem.manager_ids[j], need[j], cap[j], "minimums_exceed_hours"))
    for res in ("support", "pr"):
        need, avail = float(getattr(problem, res).lo.sum()), getattr(problem, f"{res}_budget")
        if need > avail * (1 + 1e-12) + 1e-9:
            out.append(Conflict("budget", POOL_LABELS[res], need, avail, "minimums_exceed_budget", res))
    return out


def solve_continuous(problem: Problem, hour_capacity=None):
    """Hours, support, PR and the three shadow prices of the continuous optimum; Infeasible if none."""
    if conflicts := conflicts_of(problem, hour_capacity):
        raise Infeasible(conflicts)
    pools, cap = _stack(problem, hour_capacity)
    x, _, price = pools.solve(cap)
    n, M = problem.n_accounts, problem.n_managers
    return x[:n], x[n:2 * n], x[2 * n:], price[:M], float(price[M]), float(price[M + 1])


def allocate(problem: Problem, *, whole_contacts: bool = False) -> Allocation:
    """The allocation maximising expected contribution. With ``whole_contacts`` the hours are whole
    contacts (greedy, see :func:`greedy_contacts`); the shadow prices are then those of the continuous
    plan, the value of an hour when hours could be split."""
    hours, support, pr, hp, sp, pp = solve_continuous(problem)
    if whole_contacts:
        hours = greedy_contacts(problem) * problem.contact_hours
    return Allocation(problem, hours, support, pr, hp, sp, pp, "greedy" if whole_contacts else "multipliers")


def dual_bound(allocation: Allocation) -> float:
    """An upper bound on the optimum from the allocation's shadow prices (Lagrangian dual): the plan's
    contribution is within ``dual_bound − contribution`` of the best possible."""
    p = allocation.problem
    pools, cap = _stack(p)
    lam = np.concatenate([allocation.hour_price, [allocation.support_price, allocation.pr_price]])
    lam_x = lam[pools.pool]
    with np.errstate(divide="ignore", invalid="ignore"):
        stationary = np.where(lam_x > 0, (pools.logmb - np.log(lam_x)) * pools.c, np.inf)
    x = np.clip(np.where(pools.pos, stationary, pools.lo), pools.lo, pools.hi)
    finite = np.isfinite(x)
    value = np.where(finite, pools.m * -np.expm1(-pools.b * np.where(finite, x, 0.0)), pools.m)
    return float(np.sum(np.where(finite, value - lam_x * np.where(finite, x, 0.0), value)) + lam @ cap)


def contact_range(problem: Problem, capacity: np.ndarray):
    """Fewest and most whole contacts per account, and the accounts where no whole number fits."""
    s, r = problem.contact_hours, problem.hours
    kmin = np.ceil(r.lo / s - 1e-9)
    kmax = np.floor(np.minimum(r.hi, capacity) / s + 1e-9)
    conflicts = [Conflict("account", problem.account_ids[i], r.lo[i], r.hi[i], "no_whole_contacts")
                 for i in np.flatnonzero(kmin > kmax)]
    return kmin, kmax, conflicts


def greedy_contacts(problem: Problem, *, shortcut: bool = True) -> np.ndarray:
    """Whole contacts per account: minimums first, then always the next contact with the highest gain per
    hour that still fits its manager's hours. The ``shortcut`` takes, per manager, the longest run of best
    contacts that fits in one vectorised step, which the heap would have taken first anyway."""
    if conflicts := conflicts_of(problem):
        raise Infeasible(conflicts)
    M, g, s = problem.n_managers, problem.manager, problem.contact_hours
    cap = problem.manager_hours
    kmin, kmax, conflicts = contact_range(problem, cap[g])
    need = np.bincount(g, kmin * s, minlength=M)
    for j in np.flatnonzero(need > cap * (1 + 1e-12) + 1e-9):
        conflicts.append(Conflict("manager", problem.manager_ids[j], need[j], cap[j], "whole_contacts_exceed_hours"))
    if conflicts:
        raise Infeasible(conflicts)
    m, b = problem.hours.m, problem.hours.b
    step_gain = m * -np.expm1(-b * s)  # gain of contact k+1 = step_gain·e^(−b·s·k)
    live = step_gain > 0
    k = kmin.copy()
    if shortcut and live.any():
        # Contact k+1 is worth at least e^L per hour while k ≤ (ln(step_gain/s) − L)/(b·s).
        bs = np.where(live, b * s, 1.0)
        head = np.where(live, np.log(np.where(live, step_gain / s, 1.0)), -np.inf)

        def counts(L):
            with np.errstate(invalid="ignore"):
                k = np.floor((head - L[g]) / bs) + 1
            return np.clip(np.where(live, k, kmin), kmin, kmax)

        upper = np.full(M, np.max(head[live] - bs[live] * kmin[live]) + 1.0)
        lower = np.full(M, np.min(head[live] - bs[live] * np.maximum(kmax[live] - 1, 0)) - 1.0)
        for _ in range(100):
            if np.max(upper - lower) < 1e-12 * max(1.0, float(np.max(np.abs(upper)))):
                break
            mid = 0.5 * (lower + upper)
            fits = np.bincount(g, counts(mid) * s, minlength=M) <= cap
            upper, lower = np.where(fits, mid, upper), np.where(fits, lower, mid)
        k = counts(upper)
    remaining = (cap - np.bincount(g, k * s, minlength=M)).tolist()
    decay = np.exp(-b * s)
    per_hour = step_gain * np.exp(-b * s * k) / s
    open_ = np.flatnonzero((k < kmax) & (per_hour > 0))
    heap = list(zip((-per_hour[open_]).tolist(), open_.tolist(), strict=True))
    heapq.heapify(heap)
    k_l, kmax_l, s_l, g_l, decay_l = k.tolist(), kmax.tolist(), s.tolist(), g.tolist(), decay.tolist()
    tol = 1e-9
    while heap:
        neg, i = heapq.heappop(heap)
        j = g_l[i]
        if s_l[i] > remaining[j] + tol:
            continue  # never fits again: the manager's remaining hours only shrink
        k_l[i] += 1
        remaining[j] -= s_l[i]
        nxt = neg * decay_l[i]
        if k_l[i] < kmax_l[i] and nxt < 0:
            heapq.heappush(heap, (nxt, i))
    return np.array(k_l)
