"""The planning pages as the sales head uses them: capacities, budget, scenarios, results, comparison,
exports, the model explained, an account's panel and estimates."""

import csv
import io
from decimal import Decimal
from html import unescape

import pytest

from kundennetz.planning import services
from kundennetz.planning.models import (
    AccountPlan,
    Budget,
    Capacity,
    ResponseEstimate,
    Scenario,
)

from .conftest import capacity

pytestmark = pytest.mark.django_db


def test_planning_page_shows_required_against_available(planned, cast, client_for):
    response = client_for(cast.sales_head).get("/planning/?period=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Capacity planning 2026" in html
    assert f'data-manager-id="{cast.owner.pk}"' in html and "overload" in html
    assert "<svg" in html and "CHF 100,000" in html  # the sales-support budget, Swiss grouping in English
    assert "New scenario (what-if)" in html


def test_swiss_german_formats(planned, cast, client_for):
    cast.sales_head.language = "de-ch"
    cast.sales_head.save()
    html = unescape(client_for(cast.sales_head).get("/planning/?period=2026").content.decode())
    assert "CHF 100'000" in html and "Kapazitätsplanung 2026" in html and "Szenarien" in html


def test_enter_a_capacity(planned, cast, client_for):
    client = client_for(cast.sales_head)
    response = client.post("/planning/capacities/new/?period=2026", {
        "period_code": "2026", "manager": cast.team_member.pk, "fte": "0.8", "working_days": "220",
        "absence_days": "20", "care_share_pct": "50", "hours_per_day": "8.4", "note": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    capacity = Capacity.objects.get(manager=cast.team_member)
    assert capacity.available_hours == pytest.approx(0.8 * 200 * 8.4 * 0.5)
    assert capacity.created_by == cast.sales_head and capacity.history.count() == 1


@pytest.mark.parametrize("fields, field, message", [
    ({"absence_days": "230"}, "absence_days", "The absences (230 days) exceed the working days (220 days)."),
    ({"fte": "1.5"}, "fte", "Ensure this value is less than or equal to 1."),
    ({"working_days": "400"}, "working_days", "The period 2026 has only 365 days."),
    ({"care_share_pct": "abc"}, "care_share_pct", "Enter a number."),
])
def test_bad_capacities_are_refused_with_a_clear_message(planned, cast, client_for, fields, field, message):
    data = {"period_code": "2026", "manager": cast.team_member.pk, "fte": "1", "working_days": "220",
            "absence_days": "20", "care_share_pct": "50", "hours_per_day": "8.4", "note": "", **fields}
    response = client_for(cast.sales_head).post("/planning/capacities/new/?period=2026", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert not Capacity.objects.filter(manager=cast.team_member).exists()


def test_zero_fte_is_a_valid_capacity(planned, cast, client_for):
    response = client_for(cast.sales_head).post("/planning/capacities/new/?period=2026", {
        "period_code": "2026", "manager": cast.team_member.pk, "fte": "0", "working_days": "220",
        "absence_days": "0", "care_share_pct": "50", "hours_per_day": "8.4"})
    assert response.status_code == 302
    assert Capacity.objects.get(manager=cast.team_member).available_hours == 0


def test_a_second_capacity_for_the_same_period_is_refused(planned, cast, client_for):
    response = client_for(cast.sales_head).post("/planning/capacities/new/?period=2026", {
        "period_code": "2026", "manager": cast.owner.pk, "fte": "1", "working_days": "220",
        "absence_days": "0", "care_share_pct": "50", "hours_per_day": "8.4"})
    assert response.status_code == 200 and "already has a capacity in 2026" in response.content.decode()


def test_change_and_delete_a_capacity(planned, cast, client_for):
    client = client_for(cast.sales_head)
    record = planned["capacities"]["owner"]
    response = client.post(f"/planning/capacities/{record.pk}/", {
        "period_code": "2026", "fte": "1", "working_days": "40", "absence_days": "0", "care_share_pct": "50",
        "hours_per_day": "8.4"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.available_hours == pytest.approx(168.0) and record.manager == cast.owner
    assert client.post(f"/planning/capacities/{record.pk}/delete/").status_code == 302
    assert not Capacity.objects.filter(pk=record.pk).exists()


def test_set_the_budget(planned, cast, client_for):
    response = client_for(cast.sales_head).post("/planning/budgets/2026/", {
        "sales_support": "1'250'000", "pr": "80000", "note": ""})
    assert response.status_code == 302
    budget = Budget.objects.get(period=planned["period"])
    assert budget.sales_support == Decimal("1250000") and budget.pr == Decimal("80000")


def test_create_a_what_if_scenario(planned, cast, client_for):
    client = client_for(cast.sales_head)
    response = client.post("/planning/scenarios/new/?period=2026", {
        "period_code": "2026", "name": "Budget −20 %", "budget_change_pct": "-20", "visits": "continuous"})
    assert response.status_code == 302, response.content.decode()[:2000]
    scenario = Scenario.objects.get(name="Budget −20 %")
    assert scenario.parameters == {"budget_factor": {"support": 0.8, "pr": 0.8}} and scenario.is_computed
    # Computed as a background job: its page leads to the scenario, saying what was done.
    from kundennetz.core.models import Job

    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.kind == "scenario" and job.status == "done"
    result = client.get(response["Location"])
    assert result["Location"] == scenario.get_absolute_url()
    html = client.get(result["Location"]).content.decode()
    assert "computed in" in html
    assert "CHF 80,000" in html and "budget −20 %" in html
    assert "Shadow price per hour" in html and "per franc" in html and "An additional account manager" in html
    assert html.count("<svg") >= 3


def test_scenario_form_errors_stay_on_their_fields(planned, cast, client_for):
    response = client_for(cast.sales_head).post("/planning/scenarios/new/?period=2026", {
        "period_code": "2026", "name": "X", "segment": "small", "move_from": cast.owner.pk, "visits": "continuous",
        "budget_change_pct": "-120"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"segment_strategy", "move_to", "budget_change_pct"}
    assert not Scenario.objects.exists()


def test_infeasible_scenario_page_names_the_conflict(planned, cast, client_for):
    planned["capacities"]["owner"].delete()
    client = client_for(cast.sales_head)
    response = client.post("/planning/scenarios/new/?period=2026", {
        "period_code": "2026", "name": "Ohne Owner", "visits": "continuous"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No plan meets every minimum" in html
    assert "Owner Test: the minimum hours of their accounts total 60.3 h, but only 0.0 h are available." in html
    assert "Apply as plan" not in html


def test_recompute_apply_and_delete(planned, cast, client_for):
    client = client_for(cast.sales_head)
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    assert client.post(f"/planning/scenarios/{scenario.pk}/compute/").status_code == 302
    applied = client.post(f"/planning/scenarios/{scenario.pk}/apply/", follow=True)
    assert AccountPlan.objects.filter(period=planned["period"]).count() == 6
    assert applied.redirect_chain[0][0].startswith("/jobs/") and applied.redirect_chain[-1][0] == scenario.get_absolute_url()
    assert "is now the plan of 2026 for 6 accounts" in applied.content.decode()
    not_computed = services.create_scenario("Roh", planned["period"], {}, cast.sales_head, compute=False)
    refused = client.post(f"/planning/scenarios/{not_computed.pk}/apply/", follow=True)
    assert "Only a computed scenario" in refused.content.decode()
    assert refused.redirect_chain == [(not_computed.get_absolute_url(), 302)]
    response = client.post(f"/planning/scenarios/{scenario.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    other = services.create_scenario("Andere", planned["period"], {}, cast.sales_head)
    assert client.post(f"/planning/scenarios/{other.pk}/delete/").status_code == 302
    assert not Scenario.objects.filter(pk=other.pk).exists()


def test_compare_scenarios_side_by_side(planned, cast, client_for):
    base = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    less = services.create_scenario("Weniger", planned["period"], {"budget_factor": 0.8}, cast.sales_head)
    response = client_for(cast.sales_head).get(f"/planning/scenarios/compare/?s={base.pk}&s={less.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Basis" in html and "Weniger" in html and "CHF 80,000" in html and "CHF 100,000" in html
    assert 'data-row="extra_manager_value"' in html
    single = client_for(cast.sales_head).get(f"/planning/scenarios/compare/?s={base.pk}")
    assert single.status_code == 302


def test_export_a_scenario_as_csv(planned, cast, client_for):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    response = client_for(cast.sales_head).get(f"/planning/scenarios/{scenario.pk}/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 6 and rows[0]["account"] == "Alpha AG" and rows[0]["manager"] == "Owner Test"
    assert float(rows[0]["hours"]) > 0 and rows[0]["strategy"] == "group:key_accounts"


def test_export_the_capacity_plan(planned, cast, client_for):
    response = client_for(cast.sales_head).get("/planning/capacity.csv?period=2026")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("period,manager_id,manager") and any(",total," in line for line in lines)
    assert "2026,sales_support,100000.00,100000.00" in lines


def test_the_model_explained(english, cast, client_for):
    html = client_for(cast.read_only).get("/planning/model/").content.decode()
    assert "m·(1 − e^(−b·x))" in html and "CALLPLAN" in html and "<polyline" in html


def test_account_page_shows_the_plan(planned, cast, client_for):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    services.apply_scenario(scenario, cast.sales_head)
    alpha = planned["accounts"]["alpha"]
    plan = AccountPlan.objects.get(account=alpha)
    html = client_for(cast.owner).get(f"/accounts/{alpha.pk}/").content.decode()
    assert 'id="planning"' in html and 'id="planned-contacts"' in html
    assert f'data-planned-contacts="{plan.contacts}" data-planned-source="adopted"' in html
    assert f"<strong>{plan.contacts} contacts in {planned['period'].code}</strong>" in html
    assert "adopted plan “Basis”" in html and "Estimate the response" in html


def test_estimates_form(planned, cast, client_for):
    alpha = planned["accounts"]["alpha"]
    client = client_for(cast.owner)
    url = f"/planning/accounts/{alpha.pk}/estimates/?period=2026"
    assert client.get(url).status_code == 200
    response = client.post(url, {"period_code": "2026", "current_hours": "30", "at_zero": "20'000",
                                 "at_current": "45'000", "at_150": "52'000", "at_saturation": "60'000"})
    assert response.status_code == 302
    estimate = ResponseEstimate.objects.get(account=alpha)
    assert estimate.m == pytest.approx(40_200, rel=0.01) and estimate.created_by == cast.owner
    bad = client.post(url, {"period_code": "2026", "current_hours": "30", "at_zero": "20000", "at_current": "45000",
                            "at_150": "40000", "at_saturation": "60000"})
    assert bad.status_code == 200 and "must not fall as effort grows" in bad.content.decode()


def test_ids_in_links_are_never_grouped(planned, cast, client_for, period):
    from kundennetz.core.models import User
    from kundennetz.planning.models import Scenario

    big = User.objects.create(id=12345, username="gross", role="account_manager", first_name="Gross", last_name="Id")
    capacity(big, period)
    Scenario.objects.create(id=4321, name="Viel", period=period)
    html = client_for(cast.sales_head).get("/planning/?period=2026").content.decode()
    assert 'data-manager-id="12345"' in html and 'value="4321"' in html
    other = services.compute_scenario(Scenario.objects.create(id=5555, name="Basis", period=period), cast.sales_head)
    scenario = services.create_scenario("Zweit", period, {}, cast.sales_head)
    page = client_for(cast.sales_head).get(f"/planning/scenarios/{scenario.pk}/").content.decode()
    assert f"?s={scenario.pk}&amp;s={other.pk}" in page and other.pk == 5555


@pytest.mark.parametrize("role", ["sales_head", "owner", "read_only"])
def test_pages_naming_a_period_nobody_planned_write_no_period(planned, cast, client_for, role):
    """Reading never writes: a page for 2031 (or 2031-Q2) shows an empty plan without making the period."""
    from kundennetz.planning.models import Period

    alpha = planned["accounts"]["alpha"]
    before = set(Period.objects.values_list("code", flat=True))
    client = client_for(getattr(cast, role))
    urls = ["/planning/?period=2031", "/planning/?period=2031-Q2", "/planning/capacity.csv?period=2031"]
    if role != "read_only":
        urls.append(f"/planning/accounts/{alpha.pk}/estimates/?period=2031")
    if role == "sales_head":
        urls += ["/planning/budgets/2031/", "/planning/capacities/new/?period=2031", "/planning/scenarios/new/?period=2031"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        if role == "sales_head":
            assert response.status_code == 200, url
    assert set(Period.objects.values_list("code", flat=True)) == before
    # Planning it does make it.
    if role == "sales_head":
        response = client.post("/planning/budgets/2031/", {"sales_support": "1000", "pr": "0", "note": ""})
        assert response.status_code in (200, 302) and "2031" in set(Period.objects.values_list("code", flat=True))
