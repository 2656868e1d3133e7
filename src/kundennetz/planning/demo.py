"""The planning part of the demo: capacities of the demo account managers (and of the sales head for the
accounts kept at the top) for the current year, that year's budgets, a computed baseline scenario
applied as the plan, and a what-if with 20 % less budget compared with that plan.

Capacities are set against what the portfolio's strategies ask of each manager, so that the picture
shows something to decide: one manager overloaded, one just about right, one with time to spare (each
still able to give every account its minimum care, so the baseline has a plan).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from kundennetz.core import freshness
from kundennetz.core.roles import Role
from kundennetz.core.services import save_record

from . import services
from .models import Budget, Capacity, Period, Scenario, default_hours_per_day

# After the portfolio: the plan follows the strategies of its snapshot (see sample.demo._extensions).
DEMO_STEP = 110
# Hours available against hours the strategies ask for, per demo user.
LOAD_TARGETS = {"sales": 1.1, "reto": 0.85, "nathalie": 0.97, "marco": 1.3}
MIN_HEADROOM = 1.15
SUPPORT_BUDGET = Decimal("240000")
PR_BUDGET = Decimal("120000")


def _clear() -> None:
    Scenario.objects.all().delete()
    Capacity.objects.all().delete()
    Budget.objects.all().delete()
    Capacity.history.model.objects.all().delete()
    Budget.history.model.objects.all().delete()


def extend_demo(context) -> None:
    if context.force:
        _clear()
    rng = context.random("planning")
    admin = context.admin
    # Plan against the network as it is now: the interactions logged since the portfolio snapshot count
    # in its scores, so the snapshot is taken again first when they changed it.
    freshness.refresh("portfolio", context.today)
    period = Period.get(str(context.today.year))
    demand = {row.manager_id: row for row in services.implied_plan(period).rows}
    # Everyone who looks after accounts gets a capacity: the account managers, and the sales head for the
    # few accounts kept at the top ("Chefsache").
    managers = [u for u in context.users.values()
                if u.role == Role.ACCOUNT_MANAGER or (u.role == Role.SALES_HEAD and u.pk in demand)]
    working_days = Decimal(period.working_days)
    for manager in managers:
        row = demand.get(manager.pk)
        fte = Decimal(rng.choice(("1.00", "1.00", "0.90", "0.80")))
        absences = Decimal(25 + 9 + rng.randint(2, 6))  # holidays, public holidays, training
        hours_per_day = default_hours_per_day()
        base = float(fte * (working_days - absences) * hours_per_day)
        target = 400.0 if row is None else max(row.required * LOAD_TARGETS.get(manager.username, 1.0),
                                               row.minimum * MIN_HEADROOM)
        share = Decimal(str(min(max(100.0 * target / base, 5.0), 100.0))).quantize(Decimal("0.1"), ROUND_HALF_UP)
        save_record(Capacity(manager=manager, period=period, fte=fte, working_days=working_days,
                             absence_days=absences, care_share_pct=share, hours_per_day=hours_per_day,
                             note="Demo"), admin)
    context.count("capacities", len(managers))
    save_record(Budget(period=period, sales_support=SUPPORT_BUDGET, pr=PR_BUDGET, note="Demo"), admin)
    context.count("budgets", 1)

    # The baseline becomes the plan; the what-if is then compared with that plan (computed before it, it
    # would compare with a plan no longer in force, and show as out of date).
    baseline = services.create_scenario(f"Basis {period.code}", period, {}, admin)
    services.apply_scenario(baseline, admin)
    services.create_scenario(f"Budget −20 % {period.code}", period,
                             {"budget_factor": {"support": 0.8, "pr": 0.8}}, admin)
    context.count("planning scenarios", 2)
