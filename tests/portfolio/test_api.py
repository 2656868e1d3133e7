"""The portfolio in the JSON API: lists with filters and pages, one account with its criteria, the
model, snapshots and value propositions; bad input answers 4xx naming the field."""

from datetime import date
from decimal import Decimal

import pytest
from api_helpers import job_result

from kundennetz.portfolio import services
from kundennetz.portfolio.models import ValueProposition

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(network, make_account, cast):
    for i in range(5):
        make_account(f"Serie {i} AG", potential=Decimal(100_000 * (i + 1)), annual_revenue=Decimal(20_000 * i))
    return services.recompute(period="2026-Q4", as_of=date(2026, 11, 30))


def test_list_is_what_the_caller_may_see(scored, cast, api, network):
    everything = api(cast.read_only, "GET", "/api/portfolio/accounts").json()
    assert everything["count"] == 7
    ranks = [item["rank"] for item in everything["items"]]
    placed = [r for r in ranks if r is not None]
    assert placed == sorted(placed) and ranks[-1] is None  # by rank, the unplaced last
    assert api(cast.outsider, "GET", "/api/portfolio/accounts").json()["count"] == 1
    team = api(cast.team_member, "GET", "/api/portfolio/accounts").json()
    assert [item["account"] for item in team["items"]] == [network.account.pk]


def test_list_pages_and_filters(scored, cast, api, network):
    page = api(cast.sales_head, "GET", "/api/portfolio/accounts", {"limit": 2, "offset": 2, "order_by": "name"}).json()
    assert page["count"] == 7 and len(page["items"]) == 2
    names = [i["name"] for i in api(cast.sales_head, "GET", "/api/portfolio/accounts",
                                     {"order_by": "name"}).json()["items"]]
    assert [i["name"] for i in page["items"]] == names[2:4]
    segment = api(cast.sales_head, "GET", "/api/portfolio/accounts", {"segment": "mid_market"}).json()
    assert segment["count"] == 6
    mine = api(cast.owner, "GET", "/api/portfolio/accounts", {"mine": "true"}).json()
    assert mine["count"] == 6
    item = api(cast.sales_head, "GET", "/api/portfolio/accounts", {"q": "Muster"}).json()["items"][0]
    assert item["cell"] == "question_mark" and item["strategy"] == "big_step_or_out"
    assert item["cell_name"] and item["strategy_name"] and item["overridden"] is False
    assert item["abc_revenue"] in "ABC" and item["period"] == "2026-Q4"


def test_list_refuses_unknown_filter_values_by_name(scored, cast, api):
    response = api(cast.sales_head, "GET", "/api/portfolio/accounts", {"cell": "moon", "strategy": "conquer"})
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["query", "cell"], ["query", "strategy"]]
    response = api(cast.sales_head, "GET", "/api/portfolio/accounts", {"abc": "D", "limit": 0})
    assert response.status_code == 422
    assert {item["loc"][-1] for item in response.json()["detail"]} == {"abc", "limit"}


def test_one_account_shows_missing_criteria_as_missing(scored, cast, api, network):
    data = api(cast.owner, "GET", f"/api/portfolio/accounts/{network.account.pk}").json()
    assert data["snapshot"]["rank"] >= 1 and data["override"] is None
    criteria = {c["key"]: c for c in data["today"]["criteria"]}
    assert criteria["customer_satisfaction"] == {**criteria["customer_satisfaction"], "points": None,
                                                 "missing": True}
    assert criteria["volume_potential"]["points"] == 4.0 and not criteria["volume_potential"]["missing"]
    assert api(cast.outsider, "GET", f"/api/portfolio/accounts/{network.account.pk}").status_code == 404
    other = api(cast.sales_head, "GET", f"/api/portfolio/accounts/{network.other_account.pk}").json()
    assert other["snapshot"]["attractiveness"] is None and other["snapshot"]["cell"] is None


def test_override_shows_up_in_scores(scored, cast, api, network):
    api(cast.sales_head, "PUT", f"/api/portfolio/accounts/{network.account.pk}/override",
        {"strategy": "hold_and_expand", "reason": "Reference"})
    item = api(cast.owner, "GET", "/api/portfolio/accounts", {"strategy": "hold_and_expand"}).json()["items"]
    assert [(i["account"], i["overridden"]) for i in item] == [(network.account.pk, True)]
    one = api(cast.owner, "GET", f"/api/portfolio/accounts/{network.account.pk}").json()
    assert one["override"]["reason"] == "Reference" and one["override"]["updated_by"] == cast.sales_head.pk


def test_snapshots_and_model(scored, cast, api):
    snapshots = api(cast.read_only, "GET", "/api/portfolio/snapshots").json()
    assert snapshots["count"] == 1 and snapshots["items"][0]["current"] is True
    assert snapshots["items"][0]["account_count"] == 7
    created = api(cast.admin, "POST", "/api/portfolio/snapshots", {"period": "2027-Q1", "as_of": "2027-01-10"})
    assert created.status_code == 202 and created.json()["kind"] == "portfolio_snapshot"
    snapshot = job_result(api, cast.admin, created)
    assert snapshot["period"] == "2027-Q1" and snapshot["as_of"] == "2027-01-10" and snapshot["current"]
    assert snapshot["account_count"] == 7 and snapshot["created_by"] == cast.admin.pk
    assert api(cast.read_only, "GET", "/api/portfolio/snapshots").json()["items"][0]["period"] == "2027-Q1"
    model = api(cast.owner, "GET", "/api/portfolio/model").json()
    assert model["version"] == 1 and model["definition"]["grid"] == "2x2"


def test_no_snapshot_answers_404(cast, api):
    response = api(cast.sales_head, "GET", "/api/portfolio/accounts")
    assert response.status_code == 404 and "snapshot" in response.json()["detail"]


def test_value_proposition_crud(cast, api):
    body = {"title_de": "Weniger Risiko", "title_en": "Less risk", "text_de": "Festpreis", "text_en": "Fixed price",
            "roles": ["decision_maker", "influencer"], "segments": ["mid_market"], "strategies": ["big_step_or_out"]}
    created = api(cast.marketing, "POST", "/api/portfolio/value-propositions", body)
    assert created.status_code == 201
    item = created.json()
    assert item["segments"] == ["mid_market"] and item["roles"] == ["decision_maker", "influencer"]
    path = f"/api/portfolio/value-propositions/{item['id']}"
    assert api(cast.owner, "GET", path).json()["title_en"] == "Less risk"
    replaced = api(cast.admin, "PUT", path, {**body, "segments": [], "strategies": [], "is_active": False})
    assert replaced.status_code == 200 and replaced.json()["segments"] == [] and not replaced.json()["is_active"]
    listed = api(cast.owner, "GET", "/api/portfolio/value-propositions", {"role": "influencer"}).json()
    assert listed["count"] == 1
    assert api(cast.owner, "GET", "/api/portfolio/value-propositions", {"role": "user"}).json()["count"] == 0
    assert api(cast.sales_head, "PUT", path, body).status_code == 403
    history = ValueProposition.history.filter(id=item["id"]).order_by("history_date")
    assert list(dict.fromkeys(h.history_user.username for h in history)) == ["marketing", "admin"]


def test_value_proposition_bad_input_names_fields(cast, api):
    response = api(cast.marketing, "POST", "/api/portfolio/value-propositions", {
        "title_de": "", "title_en": "x", "text_de": "x", "text_en": "x", "roles": [],
        "segments": ["mid_market", "atlantis"], "strategies": ["conquer"]})
    assert response.status_code == 422
    locs = [item["loc"] for item in response.json()["detail"]]
    assert ["body", "segments", 1] in locs
    assert {tuple(loc[:2]) for loc in locs} >= {("body", "title_de"), ("body", "roles"), ("body", "strategies")}
    wrong_role = api(cast.marketing, "POST", "/api/portfolio/value-propositions", {
        "title_de": "x", "title_en": "x", "text_de": "x", "text_en": "x", "roles": ["ceo"]})
    assert wrong_role.status_code == 422 and wrong_role.json()["detail"][0]["loc"][:3] == ["body", "roles", 0]
    assert not ValueProposition.objects.exists()
