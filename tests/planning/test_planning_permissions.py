"""Who may do what with planning, member by member of the fixed cast: only sales head and admin
change capacities, budgets and scenarios and apply plans; marketing and read-only see; account managers
see their own capacity and their accounts' plan; outsiders see nothing of others' accounts."""

import pytest
from cast import MANAGERS, ROLES, VIEWERS

from kundennetz.planning import services
from kundennetz.planning.models import (
    AccountPlan,
    Budget,
    Capacity,
    ResponseEstimate,
    Scenario,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(planned, cast):
    return services.create_scenario("Basis", planned["period"], {}, cast.sales_head)


@pytest.mark.parametrize("role", ROLES)
def test_planning_page(role, planned, cast, client_for):
    response = client_for(getattr(cast, role)).get("/planning/?period=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert ("New scenario (what-if)" in html) == (role in MANAGERS)
    assert ('id="scenarios"' in html) == (role in VIEWERS)
    assert (f'data-manager-id="{cast.outsider.pk}"' in html) == (role in VIEWERS | {"outsider"})
    assert (f'data-manager-id="{cast.owner.pk}"' in html) == (role in VIEWERS | {"owner"})


def test_outsiders_and_anonymous_are_sent_away(planned, client):
    assert client.get("/planning/").status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_only_planners_enter_capacities_and_budgets(role, planned, cast, client_for):
    client = client_for(getattr(cast, role))
    expected = 200 if role in MANAGERS else 403
    assert client.get("/planning/capacities/new/?period=2026").status_code == expected
    assert client.get(f"/planning/capacities/{planned['capacities']['owner'].pk}/").status_code == expected
    assert client.get("/planning/budgets/2026/").status_code == expected
    response = client.post("/planning/budgets/2026/", {"sales_support": "1", "pr": "1"})
    assert response.status_code == (302 if role in MANAGERS else 403)
    response = client.post(f"/planning/capacities/{planned['capacities']['owner'].pk}/delete/")
    assert response.status_code == (302 if role in MANAGERS else 403)
    assert Budget.objects.get().sales_support == (1 if role in MANAGERS else 100_000)
    assert Capacity.objects.filter(pk=planned["capacities"]["owner"].pk).exists() == (role not in MANAGERS)


@pytest.mark.parametrize("role", ROLES)
def test_scenarios_are_the_sales_heads(role, scenario, cast, client_for):
    client = client_for(getattr(cast, role))
    assert client.get(f"/planning/scenarios/{scenario.pk}/").status_code == (200 if role in VIEWERS else 403)
    assert client.get(f"/planning/scenarios/{scenario.pk}/export.csv").status_code == (
        200 if role in VIEWERS else 403)
    other = services.create_scenario("Andere", scenario.period, {"budget_factor": 0.9}, cast.sales_head)
    assert client.get(f"/planning/scenarios/compare/?s={scenario.pk}&s={other.pk}").status_code == (
        200 if role in VIEWERS else 403)
    created = client.post("/planning/scenarios/new/?period=2026", {"period_code": "2026", "name": "Neu",
                                                                   "visits": "continuous"})
    assert created.status_code == (302 if role in MANAGERS else 403)
    for action in ("compute", "apply"):
        response = client.post(f"/planning/scenarios/{scenario.pk}/{action}/")
        assert response.status_code == (302 if role in MANAGERS else 403)
    assert AccountPlan.objects.exists() == (role in MANAGERS)
    response = client.post(f"/planning/scenarios/{other.pk}/delete/")
    assert response.status_code == (302 if role in MANAGERS else 403)
    assert Scenario.objects.filter(pk=other.pk).exists() == (role not in MANAGERS)


@pytest.mark.parametrize("role, expected", [("admin", 200), ("sales_head", 200), ("owner", 200),
                                            ("team_member", 200), ("outsider", 404), ("marketing", 403),
                                            ("read_only", 403)])
def test_estimates_follow_the_right_to_change_the_account(role, expected, planned, cast, client_for):
    account = planned["accounts"]["muster"]
    client = client_for(getattr(cast, role))
    assert client.get(f"/planning/accounts/{account.pk}/estimates/?period=2026").status_code == expected
    response = client.post(f"/planning/accounts/{account.pk}/estimates/?period=2026", {
        "period_code": "2026", "current_hours": "20", "at_zero": "1000", "at_current": "3000", "at_150": "3500",
        "at_saturation": "4000"})
    assert response.status_code == (302 if expected == 200 else expected)
    assert ResponseEstimate.objects.exists() == (expected == 200)


def test_account_managers_see_their_accounts_plan_only(scenario, planned, cast, client_for):
    services.apply_scenario(scenario, cast.sales_head)
    owner_page = client_for(cast.owner).get("/planning/?period=2026").content.decode()
    assert "Alpha AG" in owner_page and "Gamma AG" not in owner_page
    outsider_page = client_for(cast.outsider).get("/planning/?period=2026").content.decode()
    assert "Gamma AG" in outsider_page and "Alpha AG" not in outsider_page
    # The owner's account page shows its plan; the outsider cannot open it at all.
    alpha = planned["accounts"]["alpha"]
    assert 'id="planned-contacts"' in client_for(cast.owner).get(f"/accounts/{alpha.pk}/").content.decode()
    assert client_for(cast.outsider).get(f"/accounts/{alpha.pk}/").status_code == 404


def test_account_managers_do_not_see_draft_recommendations(scenario, planned, cast, client_for):
    alpha = planned["accounts"]["alpha"]
    owner = client_for(cast.owner).get(f"/accounts/{alpha.pk}/").content.decode()
    # Without an adopted plan the account page shows the plan the strategy implies, labelled as such.
    assert 'data-planned-source="default"' in owner and "Basis" not in owner
    head = client_for(cast.sales_head).get(f"/accounts/{alpha.pk}/").content.decode()
    assert "in “Basis”" in head


@pytest.mark.parametrize("role", ROLES)
def test_capacity_export_shows_what_the_role_sees(role, planned, cast, client_for):
    response = client_for(getattr(cast, role)).get("/planning/capacity.csv?period=2026")
    assert response.status_code == 200
    text = response.content.decode()
    assert ("Outsider Test" in text) == (role in VIEWERS | {"outsider"})
    assert ("total" in text) == (role in VIEWERS)
