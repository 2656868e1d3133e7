"""The planning part of the demo: capacities, budgets, a baseline applied as the plan, a what-if."""

from datetime import date

import pytest

from kundennetz.planning.models import AccountPlan, Budget, Capacity, Scenario

pytestmark = pytest.mark.django_db


def test_demo_plans_the_current_year():
    from kundennetz.sample.demo import load_demo

    result = load_demo(today=date(2026, 5, 4))
    assert result.counts["capacities"] == 4 and result.counts["planning scenarios"] == 2
    capacities = {c.manager.username: c for c in Capacity.objects.select_related("manager", "period")}
    assert set(capacities) == {"sales", "reto", "nathalie", "marco"}
    assert all(c.period.code == "2026" and c.available_hours > 0 and c.created_by.username == "admin"
               for c in capacities.values())
    assert Budget.objects.get(period__code="2026").sales_support == 240_000
    baseline = Scenario.objects.get(name="Basis 2026")
    assert baseline.status == "applied" and baseline.is_computed and baseline.gain >= 0
    managers = {m.manager.username: m for m in baseline.manager_results.select_related("manager")}
    # Something to decide: Reto's hours are scarce and worth something, Marco has time to spare.
    assert managers["reto"].hour_price > 0 and managers["reto"].required_hours > managers["reto"].available_hours
    assert managers["marco"].available_hours > managers["marco"].required_hours
    assert AccountPlan.objects.filter(period__code="2026").count() == baseline.account_count > 50
    less = Scenario.objects.get(name="Budget −20 % 2026")
    assert less.is_computed and less.contribution < baseline.contribution
    assert less.support_budget == pytest.approx(0.8 * 240_000)
    # Strategies come from the portfolio's snapshot where it placed the account.
    assert baseline.account_results.exclude(strategy__startswith="group:").exists()
