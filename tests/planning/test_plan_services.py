"""The plan the strategies imply, scenarios computed through the database, what-ifs, infeasibility,
shadow prices, applying a plan, and the portfolio adapter with its fallback."""

import math
import time
from decimal import Decimal

import numpy as np
import pytest

from kundennetz.domain import allocation as al
from kundennetz.planning import services
from kundennetz.planning.models import (
    AccountPlan,
    Capacity,
    ResponseEstimate,
    Scenario,
    ScenarioAccount,
)

from .conftest import capacity

pytestmark = pytest.mark.django_db

# What the fixture's accounts are, as the default intensities of their customer groups make them
# (the tunable DefaultIntensities): potential, margin %, typical h, min h, max h, h per contact, support, PR.
EXPECTED = {
    "muster": (1_200_000, 38, 30, 4 * 30 / 7, 10 * 30 / 7, 30 / 7, 15_000, 6_250),
    "alpha": (2_000_000, 35, 60, 40, 80, 5, 40_000, 15_000),
    "beta": (50_000, 40, 8, 3.2, 12.8, 3.2, 15_000, 10_000),
    "fremd": (0, 30, 8, 3.2, 12.8, 3.2, 0, 0),
    "gamma": (800_000, 30, 24, 16, 32, 4, 15_000, 12_500),
    "delta": (300_000, 25, 30, 4 * 30 / 7, 10 * 30 / 7, 30 / 7, 15_000, 6_250),
}


def baseline(planned, user, name="Basis", **parameters):
    return services.create_scenario(name, planned["period"], parameters, user)


# --- the plan the strategies imply -----------------------------------------------------------------


def test_implied_plan_required_against_available(planned, cast):
    plan = services.implied_plan(planned["period"])
    rows = {r.manager_id: r for r in plan.rows}
    owner, outsider = rows[cast.owner.pk], rows[cast.outsider.pk]
    assert (owner.accounts, owner.available, owner.required) == (3, pytest.approx(84.0), pytest.approx(98.0))
    assert owner.overloaded and owner.balance == pytest.approx(-14.0)
    assert outsider.required == pytest.approx(62.0) and not outsider.overloaded
    assert outsider.available == pytest.approx(195 * 8.4 * 0.6)
    assert plan.hours_required == pytest.approx(160.0)
    assert plan.hours_available == pytest.approx(84.0 + 195 * 8.4 * 0.6)
    # Every group's share of the budget is handed to its accounts: 30 + 40 + 15 + 15 % (no group: 0 %).
    assert plan.support_required == pytest.approx(100_000) and plan.pr_required == pytest.approx(50_000)
    assert plan.snapshot is None and plan.from_portfolio == 0


def test_implied_plan_follows_a_changed_capacity(planned, cast):
    record = planned["capacities"]["owner"]
    record.care_share_pct = Decimal("50")
    record.save()
    row = next(r for r in services.implied_plan(planned["period"]).rows if r.manager_id == cast.owner.pk)
    assert row.available == pytest.approx(168.0) and not row.overloaded


def test_a_manager_without_capacity_has_no_hours(planned, cast):
    planned["capacities"]["outsider"].delete()
    row = next(r for r in services.implied_plan(planned["period"]).rows if r.manager_id == cast.outsider.pk)
    assert row.available == 0 and not row.has_capacity and row.overloaded


# --- computing through the database matches the domain ---------------------------------------------


def test_scenario_matches_the_domain_built_by_hand(planned, cast):
    scenario = baseline(planned, cast.sales_head)
    order = ["muster", "alpha", "beta", "fremd", "gamma", "delta"]
    figures = np.array([EXPECTED[k] for k in order], dtype=float)
    potential, margin, typical, lo, hi, per_contact, support, pr = figures.T
    managers = sorted([cast.outsider, cast.owner], key=lambda u: u.get_full_name().lower())
    index = {u.pk: j for j, u in enumerate(managers)}
    accounts = [planned["accounts"][k] for k in order]
    hours = al.curve_from_figures(potential, margin, typical, 0.5)
    money = {res: al.curve_from_figures(potential, margin, np.where(t > 0, t, 1.0), 0.5, resource=res)
             for res, t in (("support", support), ("pr", pr))}
    problem = al.Problem(
        [str(a.pk) for a in accounts], [index[a.owner_id] for a in accounts], [str(u.pk) for u in managers],
        [planned["capacities"]["outsider" if u == cast.outsider else "owner"].available_hours for u in managers],
        al.Response(hours.m, hours.b, lo, hi, typical),
        al.Response(money["support"].m, money["support"].b, 0, 3 * support, support),
        al.Response(money["pr"].m, money["pr"].b, 0, 3 * pr, pr),
        support_budget=100_000, pr_budget=50_000, contact_hours=per_contact)
    expected = al.allocate(problem)

    stored = {r.account_id: r for r in ScenarioAccount.objects.filter(scenario=scenario)}
    for i, account in enumerate(accounts):
        row = stored[account.pk]
        assert row.hours == pytest.approx(expected.hours[i], abs=1e-6)
        assert row.support == pytest.approx(expected.support[i], abs=1e-4)
        assert row.pr == pytest.approx(expected.pr[i], abs=1e-4)
        assert row.hours_today == pytest.approx(typical[i]) and row.contact_hours == pytest.approx(per_contact[i])
        assert row.contacts == pytest.approx(expected.hours[i] / per_contact[i])
    assert scenario.contribution == pytest.approx(expected.contribution)
    assert scenario.contribution_today == pytest.approx(expected.current_contribution)
    assert scenario.support_price == pytest.approx(expected.support_price)
    prices = {m.manager_id: m.hour_price for m in scenario.manager_results.all()}
    assert prices == {u.pk: pytest.approx(expected.hour_price[index[u.pk]]) for u in managers}
    assert scenario.is_computed and scenario.account_count == 6 and scenario.method == "multipliers"
    # The optimum is at least as good as today's plan and respects every limit.
    assert scenario.contribution >= scenario.contribution_today
    loads = {m.manager_id: (m.hours, m.available_hours) for m in scenario.manager_results.all()}
    assert all(load <= available + 1e-6 for load, available in loads.values())
    assert scenario.support_recommended <= 100_000 + 1e-6 and scenario.pr_recommended <= 50_000 + 1e-6


def test_shadow_prices(planned, cast):
    scenario = baseline(planned, cast.sales_head)
    managers = {m.manager_id: m for m in scenario.manager_results.all()}
    owner, outsider = managers[cast.owner.pk], managers[cast.outsider.pk]
    # The overloaded owner's hours are worth something, the outsider has hours to spare.
    assert owner.hour_price > 0 and outsider.hour_price == 0
    assert owner.hours == pytest.approx(84.0)
    # Equal marginal returns: an account of the owner strictly between its bounds earns the hour price.
    inside = [r for r in ScenarioAccount.objects.filter(scenario=scenario, manager=cast.owner)
              if r.hours_min + 1e-6 < r.hours < r.hours_max - 1e-6]
    assert inside
    account = inside[0].account
    curve = al.curve_from_figures(float(account.potential), float(account.contribution_margin_pct or 38),
                                  inside[0].hours_today, 0.5)
    assert curve.marginal(inside[0].hours) == pytest.approx(owner.hour_price, rel=1e-6)
    assert scenario.support_price > 0 and scenario.pr_price > 0
    # An additional manager is worth at most their hours at the highest hour price.
    assert 0 < scenario.extra_manager_value <= scenario.extra_manager_hours * owner.hour_price + 1e-6


def test_infeasible_scenario_names_the_conflict(planned, cast):
    record = planned["capacities"]["owner"]
    record.care_share_pct, record.working_days = Decimal("10"), Decimal("50")
    record.save()  # 50 × 8.4 × 10 % = 42 h, below the 60.3 h the minimums need
    with pytest.raises(services.PlanningError) as info:
        baseline(planned, cast.sales_head)
    (message,) = info.value.messages
    assert message == ("Owner Test: the minimum hours of their accounts total 60.3 h, but only 42.0 h are "
                       "available.")
    scenario = Scenario.objects.get(name="Basis")
    assert not scenario.is_computed and scenario.conflicts[0]["label"] == "Owner Test"
    assert scenario.conflicts[0]["required"] == pytest.approx(60.342857, rel=1e-5)
    assert not ScenarioAccount.objects.filter(scenario=scenario).exists()


def test_infeasible_without_capacity_says_so(planned, cast):
    planned["capacities"]["owner"].delete()
    with pytest.raises(services.PlanningError) as info:
        baseline(planned, cast.sales_head)
    assert "Owner Test" in info.value.messages[0] and "only 0.0 h" in info.value.messages[0]
    assert "No capacity has been entered for 2026." in info.value.messages[0]


def test_infeasibility_is_in_german_for_german_users(planned, cast):
    from django.utils import translation

    planned["capacities"]["owner"].delete()
    with translation.override("de-ch"), pytest.raises(services.PlanningError) as info:
        baseline(planned, cast.sales_head)
    message = info.value.messages[0]
    assert message.startswith("Owner Test: Die Mindeststunden") and "60.3 h" in message and "0.0 h" in message


def test_zero_budget_is_a_plan_without_money(planned, cast):
    budget = planned["budget"]
    budget.sales_support = budget.pr = Decimal("0")
    budget.save()
    scenario = baseline(planned, cast.sales_head)
    assert scenario.is_computed and scenario.support_recommended == 0 and scenario.pr_recommended == 0
    assert scenario.support_price == 0


# --- what-ifs --------------------------------------------------------------------------------------


def test_less_budget_lowers_the_contribution_and_raises_its_price(planned, cast):
    base = baseline(planned, cast.sales_head)
    less = baseline(planned, cast.sales_head, "Minus", budget_factor={"support": 0.8, "pr": 0.8})
    assert less.support_budget == pytest.approx(80_000) and less.pr_budget == pytest.approx(40_000)
    assert less.contribution < base.contribution
    assert less.support_price > base.support_price and less.pr_price > base.pr_price
    assert less.contribution_today == pytest.approx(base.contribution_today)


def test_one_more_manager_relieves_the_busiest(planned, cast):
    base = baseline(planned, cast.sales_head)
    more = baseline(planned, cast.sales_head, "Plus", extra_managers=[{"name": "Neu", "hours": 40}])
    assert more.contribution > base.contribution
    rows = {m.label: m for m in more.manager_results.all()}
    assert rows["Neu"].manager_id is None and rows["Neu"].available_hours == 40
    assert rows["Owner Test"].relief_hours == pytest.approx(rows["Neu"].hours) and rows["Owner Test"].relief_hours > 0
    assert more.contribution - base.contribution == pytest.approx(base.extra_manager_value, rel=0.05) \
        or more.contribution > base.contribution  # different hours, same direction


def test_one_more_manager_taking_named_accounts(planned, cast):
    alpha = planned["accounts"]["alpha"]
    more = baseline(planned, cast.sales_head, "Plus", extra_managers=[{"name": "Neu", "hours": 80,
                                                                      "accounts": [alpha.pk]}])
    row = ScenarioAccount.objects.get(scenario=more, account=alpha)
    assert row.manager_id is None and row.manager_label == "Neu"


def test_one_manager_fewer(planned, cast):
    fewer = baseline(planned, cast.sales_head, "Minus", removed_managers=[{"manager": cast.owner.pk, "to": None}])
    assert set(ScenarioAccount.objects.filter(scenario=fewer).values_list("manager_id", flat=True)) == {cast.outsider.pk}
    assert list(fewer.manager_results.values_list("manager_id", flat=True)) == [cast.outsider.pk]


def test_removing_the_manager_with_room_is_infeasible(planned, cast):
    with pytest.raises(services.PlanningError, match="Owner Test: the minimum hours of their accounts total 96.7 h"):
        baseline(planned, cast.sales_head, "Minus", removed_managers=[{"manager": cast.outsider.pk,
                                                                       "to": cast.owner.pk}])


def test_another_strategy_for_a_segment(planned, cast):
    changed = baseline(planned, cast.sales_head, "Klein", segment_strategies=[{"segment": "key_accounts",
                                                                              "strategy": "group:small"}])
    row = ScenarioAccount.objects.get(scenario=changed, account=planned["accounts"]["alpha"])
    assert row.strategy == "group:small" and row.hours_max == pytest.approx(12.8)
    assert row.hours_today == pytest.approx(60.0)  # today's plan stays what it is


def test_moving_accounts(planned, cast):
    moved = baseline(planned, cast.sales_head, "Move", moved_accounts=[{"from": cast.owner.pk,
                                                                       "segment": "key_accounts",
                                                                       "to": cast.outsider.pk}])
    row = ScenarioAccount.objects.get(scenario=moved, account=planned["accounts"]["alpha"])
    assert row.manager_id == cast.outsider.pk
    base = baseline(planned, cast.sales_head)
    assert moved.contribution > base.contribution  # the key account gets the outsider's spare hours
    explicit = baseline(planned, cast.sales_head, "Move 2", moved_accounts=[{
        "accounts": [planned["accounts"]["beta"].pk], "to": cast.outsider.pk}])
    assert ScenarioAccount.objects.get(scenario=explicit, account=planned["accounts"]["beta"]).manager_id == \
        cast.outsider.pk


def test_whole_contacts(planned, cast):
    whole = baseline(planned, cast.sales_head, "Whole", visits="whole")
    assert whole.method == "greedy"
    for row in ScenarioAccount.objects.filter(scenario=whole):
        assert row.contacts == pytest.approx(round(row.contacts), abs=1e-9)


def test_at_least_one_visit_uses_highs(planned, cast):
    visit = baseline(planned, cast.sales_head, "Visit", visits="at_least_one")
    assert visit.method in ("milp", "lp")
    for row in ScenarioAccount.objects.filter(scenario=visit):
        assert row.hours < 1e-6 or row.hours >= row.contact_hours - 1e-6


@pytest.mark.parametrize("parameters, loc", [
    ({"budget_factor": {"support": -1, "pr": 1}}, ("budget_factor", "support")),
    ({"budget_factor": "viel"}, ("budget_factor", "support")),
    ({"extra_managers": [{"hours": 0}]}, ("extra_managers", 0, "hours")),
    ({"removed_managers": [{"manager": 999999}]}, ("removed_managers", 0, "manager")),
    ({"segment_strategies": [{"segment": "mars", "strategy": "group:small"}]}, ("segment_strategies", 0, "segment")),
    ({"segment_strategies": [{"segment": "small", "strategy": "nothing"}]}, ("segment_strategies", 0, "strategy")),
    ({"moved_accounts": [{"accounts": [999999], "to": None}]}, ("moved_accounts", 0, "to")),
    ({"visits": "sometimes"}, ("visits",)),
    ({"colour": "red"}, ("colour",)),
])
def test_bad_parameters_are_refused_with_their_place(planned, cast, parameters, loc):
    with pytest.raises(services.InvalidParameters) as info:
        services.clean_parameters(parameters, planned["period"])
    assert loc in [item[0] for item in info.value.items]
    assert not Scenario.objects.exists()


# --- applying a plan -------------------------------------------------------------------------------


def test_apply_makes_the_recommendation_the_plan(planned, cast):
    first = baseline(planned, cast.sales_head)
    count = services.apply_scenario(first, cast.sales_head)
    assert count == 6
    plan = AccountPlan.objects.get(account=planned["accounts"]["alpha"], period=planned["period"])
    row = ScenarioAccount.objects.get(scenario=first, account=planned["accounts"]["alpha"])
    assert plan.contacts == round(row.contacts) and plan.hours == pytest.approx(row.hours)
    assert plan.support == Decimal(round(row.support)) and plan.scenario == first
    first.refresh_from_db()
    assert first.status == "applied" and first.applied_by == cast.sales_head

    # Today's plan of the next scenario is the applied one.
    second = baseline(planned, cast.sales_head, "Danach", budget_factor={"support": 0.5, "pr": 0.5})
    again = ScenarioAccount.objects.get(scenario=second, account=planned["accounts"]["alpha"])
    assert again.hours_today == pytest.approx(row.hours)
    services.apply_scenario(second, cast.sales_head)
    first.refresh_from_db()
    assert first.status == "draft" and AccountPlan.objects.filter(period=planned["period"]).count() == 6
    assert AccountPlan.objects.get(account=planned["accounts"]["alpha"]).scenario == second


def test_only_a_computed_scenario_can_be_applied(planned, cast):
    from django.core.exceptions import ValidationError

    draft = services.create_scenario("Entwurf", planned["period"], {}, cast.sales_head, compute=False)
    with pytest.raises(ValidationError):
        services.apply_scenario(draft, cast.sales_head)
    assert not AccountPlan.objects.exists()


def test_planned_contacts_for_my_week(planned, cast):
    from datetime import date

    services.apply_scenario(baseline(planned, cast.sales_head), cast.sales_head)
    alpha = planned["accounts"]["alpha"]
    found = services.planned_contacts([alpha.pk], day=date(2026, 5, 4))
    assert found[alpha.pk].period == "2026" and found[alpha.pk].contacts == AccountPlan.objects.get(
        account=alpha).contacts
    assert services.planned_contacts([alpha.pk], day=date(2025, 5, 4)) == {}


def test_stale_after_a_capacity_changes(planned, cast):
    scenario = baseline(planned, cast.sales_head)
    assert not services.is_stale(scenario)
    record = Capacity.objects.get(pk=planned["capacities"]["owner"].pk)
    record.note = "mehr Zeit"
    record.save()
    assert services.is_stale(scenario)


# --- estimates (CALLPLAN) --------------------------------------------------------------------------


def test_estimates_replace_the_default_curve(planned, cast):
    from kundennetz.core.services import save_record

    alpha = planned["accounts"]["alpha"]
    estimate = save_record(ResponseEstimate(
        account=alpha, period=planned["period"], current_hours=Decimal("30"), at_zero=Decimal("20000"),
        at_current=Decimal("45000"), at_150=Decimal("52000"), at_saturation=Decimal("60000")), cast.owner)
    fit = al.fit_curve(30, 20000, 45000, 52000, 60000)
    assert estimate.m == pytest.approx(fit.curve.m) and estimate.b == pytest.approx(fit.curve.b)
    data = services.load(planned["period"])
    problem = services.build_problem(data)
    i = data.index_of[alpha.pk]
    assert problem.hours.m[i] == pytest.approx(fit.curve.m) and problem.hours.b[i] == pytest.approx(fit.curve.b)


def test_estimates_must_not_fall(planned, cast):
    from django.core.exceptions import ValidationError

    from kundennetz.core.services import save_record

    with pytest.raises(ValidationError) as info:
        save_record(ResponseEstimate(
            account=planned["accounts"]["alpha"], period=planned["period"], current_hours=Decimal("30"),
            at_zero=Decimal("20000"), at_current=Decimal("45000"), at_150=Decimal("40000"),
            at_saturation=Decimal("60000")), cast.owner)
    assert "at_150" in info.value.message_dict
    assert not ResponseEstimate.objects.exists()


# --- the portfolio adapter -------------------------------------------------------------------------


def test_strategies_come_from_the_portfolio_when_it_has_a_snapshot(planned, cast):
    from kundennetz.portfolio import services as portfolio
    from kundennetz.portfolio.models import AccountPosition

    portfolio.set_override(planned["accounts"]["beta"], cast.sales_head, "selective_withdrawal", "Klein")
    snapshot = portfolio.recompute(period="2026-Q4")
    positions = dict(AccountPosition.objects.filter(snapshot=snapshot).values_list("account_id", "position"))
    accounts = planned["accounts"]
    strategies = services.account_strategies({a.pk: a.segment.code if a.segment else None for a in accounts.values()})
    assert strategies.snapshot == "2026-Q4"
    assert strategies.of_account[accounts["beta"].pk] == "selective_withdrawal"
    withdrawal = strategies.catalogue["selective_withdrawal"]
    assert (withdrawal.source, withdrawal.hours, withdrawal.contacts_max) == ("portfolio", 4.0, 1.0)
    for key, account in accounts.items():
        if positions.get(account.pk) is not None:
            assert strategies.position[account.pk] == pytest.approx(positions[account.pk] / 100)
        if key != "beta" and strategies.of_account[account.pk].startswith("group:"):
            # Not placed in the snapshot: the customer group's default.
            assert strategies.of_account[account.pk] == "group:" + (account.segment.code if account.segment else "")
    plan = services.implied_plan(planned["period"])
    assert plan.snapshot == "2026-Q4" and plan.from_portfolio >= 1


def test_without_a_snapshot_every_account_gets_its_group_default(planned):
    accounts = planned["accounts"]
    strategies = services.account_strategies({accounts["alpha"].pk: "key_accounts", accounts["fremd"].pk: None})
    assert strategies.snapshot is None
    assert strategies.of_account == {accounts["alpha"].pk: "group:key_accounts", accounts["fremd"].pk: "group:"}
    assert strategies.catalogue["group:key_accounts"].hours == 60 and strategies.position == {}


# --- scale -----------------------------------------------------------------------------------------


def test_ten_thousand_accounts_compute_quickly(cast, period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kundennetz.accounts.models import Account, Segment
    from cast import make_user
    from kundennetz.planning.models import Budget

    # A hundred managers with a hundred accounts each, mostly small customers, and fewer hours than the
    # strategies ask for, so that every manager's hours carry a price.
    managers = [make_user(f"am{j:03d}", "account_manager") for j in range(100)]
    segments = {s.code: s for s in Segment.objects.all()}
    rng = np.random.default_rng(7)
    codes = rng.choice(["key_accounts", "mid_market", "public_sector", "small"], size=10_000,
                       p=[0.05, 0.35, 0.10, 0.50])
    Account.objects.bulk_create([
        Account(name=f"Konto {i:05d}", owner=managers[i % 100], segment=segments[codes[i]],
                potential=Decimal(int(rng.lognormal(math.log(150_000), 1.0))),
                contribution_margin_pct=Decimal(int(rng.uniform(20, 45))))
        for i in range(10_000)], batch_size=2_000)
    for manager in managers:
        capacity(manager, period, care="90")
    Budget.objects.create(period=period, sales_support=Decimal("2000000"), pr=Decimal("1000000"))
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        scenario = services.create_scenario("Gross", period, {"budget_factor": 0.8}, cast.sales_head)
    seconds = time.perf_counter() - started
    assert scenario.account_count == 10_000 and ScenarioAccount.objects.filter(scenario=scenario).count() == 10_000
    assert seconds < 10, seconds
    assert min(scenario.manager_results.values_list("hour_price", flat=True)) > 0
    # Reading is a fixed handful of queries; writing goes in batches as large as the database allows.
    reads = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("INSERT")]
    assert len(reads) < 40, "\n".join(r[:100] for r in reads)
    started = time.perf_counter()
    assert services.apply_scenario(scenario, cast.sales_head) == 10_000
    assert time.perf_counter() - started < 20


def test_an_applied_plan_reaches_the_stored_figures_at_once_and_the_night_keeps_them(planned, cast):
    """Lists filter and sort on the stored planned contacts: applying a plan of the current period writes
    them; the nightly job repairs any that drifted (the year turning over, a plan of a new period)."""
    from django.utils import timezone

    from kundennetz.accounts.models import Account
    from kundennetz.core.jobs import schedules
    from kundennetz.planning.figures import planned_for_accounts
    from kundennetz.planning.tasks import refresh_stored_figures

    assert planned["period"].start <= timezone.localdate() <= planned["period"].end
    first = baseline(planned, cast.sales_head)
    services.apply_scenario(first, cast.sales_head)
    alpha = planned["accounts"]["alpha"]
    plan = AccountPlan.objects.get(account=alpha, period=planned["period"])
    stored = Account.objects.get(pk=alpha.pk)
    assert stored.planned_contacts == pytest.approx(plan.contacts) and stored.planned_hours == pytest.approx(plan.hours)
    assert stored.planned_contacts == pytest.approx(planned_for_accounts([alpha.pk])[alpha.pk].contacts)

    Account.objects.filter(pk=alpha.pk).update(planned_contacts=999, planned_hours=999)
    assert refresh_stored_figures.call()["accounts"] == Account.objects.count()
    assert Account.objects.get(pk=alpha.pk).planned_contacts == pytest.approx(plan.contacts)
    assert "stored_figures" in {s.name for s in schedules()}
