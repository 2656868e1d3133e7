"""Benchmark of the allocation of hours and budget: speed and accuracy of equal marginal returns at
100k accounts, and the same problem at 10k accounts as a plain HiGHS LP over call levels.

Run: .venv/bin/python bench/allocation.py [--quick]. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    from kundennetz.domain import allocation as al
except ImportError:  # run from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kundennetz.domain import allocation as al

SEED = 20240611
BUDGET_LIMIT_MS = 200.0
ACCURACY = 1e-3

# Strategy: (share of accounts, typical hours, min, max, hours per contact, budget intensity in % of potential)
STRATEGIES = {
    "develop": (0.20, 40.0, 20.0, 80.0, 3.0, 2.0),
    "retain": (0.40, 24.0, 12.0, 48.0, 2.0, 1.0),
    "acquire": (0.15, 30.0, 0.0, 60.0, 3.0, 1.5),
    "harvest": (0.25, 8.0, 0.0, 16.0, 1.5, 0.3),
}


def make_problem(n: int, managers: int, seed: int = SEED) -> al.Problem:
    """Accounts as the portfolio would hand them over: potentials, margins, a strategy each, and a plan
    for today that follows the strategies, scaled down where a manager has too few hours."""
    rng = np.random.default_rng(seed)
    table = np.array(list(STRATEGIES.values()))
    strategy = rng.choice(len(table), size=n, p=table[:, 0])
    typical, lo, hi, contact, budget_pct = (table[strategy, k] for k in range(1, 6))
    potential = rng.lognormal(np.log(150_000), 1.0, n)
    margin = rng.uniform(20, 45, n)
    position = rng.uniform(0, 1, n)
    manager = rng.permutation(np.arange(n) % managers)

    hours = al.curve_from_figures(potential, margin, typical, position)
    money = {}
    for res, factor in (("support", 1.0), ("pr", 0.5)):
        typ = np.clip(potential * budget_pct / 100 * factor, 200, 40_000)
        curve = al.curve_from_figures(potential, margin, typ, position, resource=res)
        money[res] = (curve, typ)

    demand = np.bincount(manager, typical, minlength=managers)
    capacity = np.maximum(0.85 * demand, 1.05 * np.bincount(manager, lo, minlength=managers))
    today = typical * np.minimum(1.0, capacity / demand)[manager]
    budgets = {res: 0.8 * typ.sum() for res, (_, typ) in money.items()}
    return al.Problem(
        [f"K{i:06d}" for i in range(n)], manager, [f"AM{j:03d}" for j in range(managers)], capacity,
        al.Response(hours.m, hours.b, lo, hi, today),
        *(al.Response(c.m, c.b, 0.0, 3 * typ, 0.8 * typ) for c, typ in money.values()),
        support_budget=budgets["support"], pr_budget=budgets["pr"], contact_hours=contact)


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, times


def violation(a: al.Allocation) -> float:
    """Largest relative excess over a pool (0 when every manager and budget is respected)."""
    p = a.problem
    used = np.concatenate([a.manager_load, [a.support.sum(), a.pr.sum()]])
    cap = np.concatenate([p.manager_hours, [p.support_budget, p.pr_budget]])
    return float(np.max(np.maximum(used - cap, 0.0) / np.maximum(cap, 1.0)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under a minute in all")
    args = parser.parse_args()
    n, managers, n_lp, managers_lp, repeat = (10_000, 20, 2_000, 4, 5) if args.quick else (100_000, 200, 10_000, 20, 7)
    fig: dict = {"mode": "quick" if args.quick else "full", "seed": SEED, "cpus": os.cpu_count(),
                 "python": platform.python_version(), "numpy": np.__version__}
    print(f"allocation benchmark ({fig['mode']}), {os.cpu_count()} CPUs, "
          f"Python {fig['python']}, NumPy {np.__version__}")

    problem = make_problem(n, managers)
    def solve():  # what a caller gets: the plan and its expected contribution
        a = al.allocate(problem)
        _ = a.contribution
        return a

    solve()  # warm-up: first calls pay for imports and page faults
    best, times = timed(solve, repeat)
    bound = al.dual_bound(best)
    gap = (bound - best.contribution) / best.contribution
    fig.update(accounts=n, managers=managers, alloc_ms_median=1e3 * statistics.median(times),
               alloc_ms_min=1e3 * min(times), contribution=best.contribution,
               today_contribution=best.current_contribution, dual_bound=bound, gap_rel=gap,
               max_violation_rel=violation(best))
    print(f"{n:,} accounts, {managers} managers, 2 budgets: allocation in {fig['alloc_ms_median']:.1f} ms "
          f"(median of {repeat}, best {fig['alloc_ms_min']:.1f} ms)")
    print(f"  expected contribution {best.contribution:,.0f} vs today's plan {best.current_contribution:,.0f} "
          f"(+{100 * best.gain / best.current_contribution:.2f} %)")
    print(f"  duality bound {bound:,.0f}: within {100 * max(gap, 0.0):.1e} % of the optimum; "
          f"largest pool excess {fig['max_violation_rel']:.1e}")
    print(f"  hour prices {np.min(best.hour_price):.1f}..{np.max(best.hour_price):.1f} per hour; "
          f"support {best.support_price:.3f}, PR {best.pr_price:.3f} per franc")

    contacts, (t_greedy,) = timed(lambda: al.allocate(problem, whole_contacts=True), 1)
    fig.update(greedy_s=t_greedy, greedy_contribution=contacts.contribution)
    print(f"  whole contacts (greedy): {t_greedy:.2f} s, contribution {contacts.contribution:,.0f} "
          f"({100 * (contacts.contribution / best.contribution - 1):+.3f} % vs continuous)")
    less, (t_less,) = timed(lambda: al.allocate(al.scale_budget(problem, 0.8, 0.8)), 1)
    extra, (t_extra,) = timed(lambda: al.value_of_additional_manager(problem, 1_000.0, base=best), 1)
    fig.update(minus20_budget_delta=less.contribution - best.contribution, extra_manager_value=extra.value,
               whatif_ms=1e3 * (t_less + t_extra))
    print(f"  what-if −20 % budget: {less.contribution - best.contribution:,.0f}; "
          f"one more manager with 1,000 h: +{extra.value:,.0f} ({1e3 * (t_less + t_extra):.0f} ms for both)")

    small = make_problem(n_lp, managers_lp)
    fast, fast_times = timed(lambda: al.allocate(small), repeat)
    t_fast = statistics.median(fast_times)
    lp, (t_lp,) = timed(lambda: al.allocate_highs(small, time_limit=1800.0), 1)
    small_bound = al.dual_bound(fast)
    fig.update(lp_accounts=n_lp, lp_managers=managers_lp, lp_s=t_lp, fast_small_ms=1e3 * t_fast,
               time_ratio=t_lp / t_fast, lp_contribution=lp.contribution, fast_small_contribution=fast.contribution,
               objective_ratio=lp.contribution / fast.contribution,
               lp_gap_rel=(small_bound - lp.contribution) / lp.contribution,
               fast_small_gap_rel=(small_bound - fast.contribution) / fast.contribution,
               lp_price_rel_diff=float(np.median(np.abs(lp.hour_price / fast.hour_price - 1))))
    print(f"{n_lp:,} accounts as a HiGHS LP over call levels: {t_lp:.2f} s vs {1e3 * t_fast:.1f} ms "
          f"(LP {fig['time_ratio']:,.0f}× slower)")
    ours = max(fig["fast_small_gap_rel"], 0.0)
    print(f"  objective LP/multipliers = {fig['objective_ratio']:.6f}; the LP's plan is "
          f"{100 * fig['lp_gap_rel']:.3f} % below the bound, ours {100 * ours:.1e} %; "
          f"hour prices differ by {100 * fig['lp_price_rel_diff']:.2f} % (median)")

    checks = {"within_0_1_percent": gap <= ACCURACY and fig["max_violation_rel"] <= 1e-9,
              "within_200_ms": fig["alloc_ms_median"] <= BUDGET_LIMIT_MS,
              "not_below_lp": fast.contribution >= lp.contribution * (1 - 1e-9)}
    fig["checks"] = checks
    print("checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in checks.items()))
    print(json.dumps({k: (float(f"{v:.10g}") if isinstance(v, float) else v) for k, v in fig.items()}))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
