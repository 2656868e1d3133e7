"""Who may do what with the portfolio, for every member of the fixed cast, on the web and in the API.

The network: `owner` owns the account, `team_member` is on its team, `outsider` has nothing to do with
it. An account someone may not see answers 404 (its existence stays private), a visible one they may
not act on 403.
"""

import pytest
from cast import CHANGES, COMMUNICATORS, MANAGERS, ROLES, refused

from kundennetz.core.models import Job

from kundennetz.portfolio import services
from kundennetz.portfolio.models import ManualRating, PortfolioSnapshot, ScoringModel, StrategyOverride, ValueProposition

pytestmark = pytest.mark.django_db


# --- strategy override -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_override_page(role, cast, network, client_for):
    client = client_for(getattr(cast, role))
    url = f"/portfolio/accounts/{network.account.pk}/override/"
    response = client.post(url, {"strategy": "hold_and_expand", "reason": "Reference customer"})
    if role in MANAGERS:
        assert response.status_code == 302
        assert StrategyOverride.objects.get(account=network.account).strategy == "hold_and_expand"
    else:
        assert response.status_code == refused(role)
        assert client.get(url).status_code == refused(role)
        assert not StrategyOverride.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_override_api(role, cast, network, api):
    user = getattr(cast, role)
    path = f"/api/portfolio/accounts/{network.account.pk}/override"
    response = api(user, "PUT", path, {"strategy": "big_step_or_out", "reason": "Decide within a year"})
    if role in MANAGERS:
        assert response.status_code == 200
        assert response.json()["strategy"] == "big_step_or_out"
        assert api(user, "DELETE", path).status_code == 204
    else:
        assert response.status_code == refused(role)
        assert api(user, "DELETE", path).status_code == refused(role)
    assert not StrategyOverride.objects.exists()


def test_override_keeps_its_history(cast, network, client_for):
    url = f"/portfolio/accounts/{network.account.pk}/override/"
    client_for(cast.sales_head).post(url, {"strategy": "hold_and_expand", "reason": "Reference customer"})
    client = client_for(cast.admin)
    client.post(url, {"strategy": "big_step_or_out", "reason": "Board decision"})
    client.post(url, {"action": "remove"})
    history = list(StrategyOverride.history.filter(account_id=network.account.pk).order_by("history_date"))
    assert [(h.history_type, h.strategy, h.reason, h.history_user.username) for h in history] == [
        ("+", "hold_and_expand", "Reference customer", "sales_head"),
        ("~", "big_step_or_out", "Board decision", "admin"),
        ("-", "big_step_or_out", "Board decision", "admin"),
    ]
    page = client.get(url)
    assert "Board decision" in page.content.decode() and "Reference customer" in page.content.decode()


def test_override_form_reports_bad_input(cast, network, client_for):
    client = client_for(cast.sales_head)
    url = f"/portfolio/accounts/{network.account.pk}/override/"
    response = client.post(url, {"strategy": "conquer", "reason": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"strategy", "reason"}
    assert not StrategyOverride.objects.exists()


def test_override_api_reports_fields(cast, network, api):
    response = api(cast.sales_head, "PUT", f"/api/portfolio/accounts/{network.account.pk}/override",
                   {"strategy": "conquer", "reason": ""})
    assert response.status_code == 422
    assert sorted(item["loc"][-1] for item in response.json()["detail"]) == ["reason", "strategy"]
    response = api(cast.sales_head, "PUT", f"/api/portfolio/accounts/{network.account.pk}/override",
                   {"strategy": "hold_and_expand", "reason": "x", "colour": "red"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "colour"]


# --- manual ratings --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_rating_page(role, cast, network, client_for):
    client = client_for(getattr(cast, role))
    url = f"/portfolio/accounts/{network.account.pk}/ratings/"
    response = client.post(url, {"value_customer_satisfaction": "4", "note_customer_satisfaction": "Survey 2026"})
    if role in CHANGES:
        assert response.status_code == 302
        rating = ManualRating.objects.get(account=network.account, criterion="customer_satisfaction")
        assert (rating.value, rating.note) == (4, "Survey 2026")
    else:
        assert response.status_code == refused(role)
        assert client.get(url).status_code == refused(role)
        assert not ManualRating.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_rating_api(role, cast, network, api):
    path = f"/api/portfolio/accounts/{network.account.pk}/ratings/strategic_fit"
    response = api(getattr(cast, role), "PUT", path, {"value": 5, "note": "Core target group"})
    if role in CHANGES:
        assert response.status_code == 200 and response.json()["value"] == 5
    else:
        assert response.status_code == refused(role)
        assert not ManualRating.objects.exists()


def test_rating_history_and_removal(cast, network, client_for, api):
    client = client_for(cast.owner)
    url = f"/portfolio/accounts/{network.account.pk}/ratings/"
    client.post(url, {"value_strategic_fit": "3", "note_strategic_fit": "Unsure"})
    client_for(cast.team_member).post(url, {"value_strategic_fit": "5", "note_strategic_fit": "Won the pilot"})
    client_for(cast.owner).post(url, {"value_strategic_fit": "", "note_strategic_fit": ""})
    assert not ManualRating.objects.exists()
    history = list(ManualRating.history.filter(account_id=network.account.pk).order_by("history_date"))
    assert [(h.history_type, h.value, h.history_user.username) for h in history] == [
        ("+", 3, "owner"), ("~", 5, "team_member"), ("-", 5, "owner")]
    # The API refuses criteria that take no rating, and ratings outside 1–5, naming the field.
    path = f"/api/portfolio/accounts/{network.account.pk}/ratings"
    assert api(cast.owner, "PUT", f"{path}/share_of_wallet", {"value": 3}).status_code == 404
    bad = api(cast.owner, "PUT", f"{path}/strategic_fit", {"value": 7})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "value"]
    assert api(cast.owner, "PUT", f"{path}/strategic_fit", {"value": None}).status_code == 204


def test_rating_form_refuses_values_outside_the_scale(cast, network, client_for):
    response = client_for(cast.owner).post(f"/portfolio/accounts/{network.account.pk}/ratings/",
                                           {"value_strategic_fit": "9"})
    assert response.status_code == 200 and "value_strategic_fit" in response.context["form"].errors
    assert not ManualRating.objects.exists()


# --- scoring model and snapshots -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_scoring_model_is_edited_by_sales_head_and_admin(role, cast, client_for):
    client = client_for(getattr(cast, role))
    definition = ScoringModel.current().rules.to_dict()
    definition["grid"] = "3x3"
    import json

    response = client.post("/portfolio/model/edit/", {"action": "json", "definition": json.dumps(definition),
                                                      "comment": "3x3"})
    assert client.get("/portfolio/model/").status_code == 200
    if role in MANAGERS:
        assert response.status_code == 302
        assert ScoringModel.current().rules.grid_key == "3x3"
    else:
        assert response.status_code == 403
        assert ScoringModel.objects.count() == 1


def test_a_broken_model_is_refused_with_its_place(cast, client_for):
    definition = ScoringModel.current().rules.to_dict()
    definition["axes"]["position"]["criteria"][1]["weight"] = -2
    import json

    response = client_for(cast.sales_head).post("/portfolio/model/edit/", {
        "action": "json", "definition": json.dumps(definition)})
    assert response.status_code == 200
    errors = response.context["json_form"].errors["definition"]
    assert "axes.position.criteria[1](customer_satisfaction).weight: must be at least 0, not -2" == errors[0]
    assert ScoringModel.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_snapshots_are_taken_by_sales_head_and_admin(role, cast, network, client_for, api):
    user = getattr(cast, role)
    response = client_for(user).post("/portfolio/snapshots/", {"period": "2026-Q3"})
    api_response = api(user, "POST", "/api/portfolio/snapshots", {"period": "2026-Q4"})
    if role in MANAGERS:
        assert response.status_code == 302 and api_response.status_code == 202
        assert set(PortfolioSnapshot.objects.values_list("period", flat=True)) == {"2026-Q3", "2026-Q4"}
    else:
        assert response.status_code == 403 and api_response.status_code == 403
        assert not PortfolioSnapshot.objects.exists() and not Job.objects.exists()


def test_a_bad_period_is_refused(cast, client_for, api):
    response = client_for(cast.sales_head).post("/portfolio/snapshots/", {"period": "2026-Q5"})
    assert response.status_code == 200 and "period" in response.context["form"].errors
    response = api(cast.sales_head, "POST", "/api/portfolio/snapshots", {"period": "Q4/2026"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "period"]
    assert not PortfolioSnapshot.objects.exists() and not Job.objects.exists()


# --- value propositions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_value_propositions_belong_to_marketing(role, cast, client_for, api):
    user = getattr(cast, role)
    client = client_for(user)
    assert client.get("/portfolio/value-propositions/").status_code == 200
    response = client.post("/portfolio/value-propositions/new/", {
        "title_de": "Schnell produktiv", "title_en": "Productive fast", "text_de": "…", "text_en": "…",
        "roles": ["decision_maker"], "order": 0, "is_active": "on"})
    body = {"title_de": "Weniger Risiko", "title_en": "Less risk", "text_de": "…", "text_en": "…",
            "roles": ["technical_evaluator"], "segments": ["mid_market"]}
    api_response = api(user, "POST", "/api/portfolio/value-propositions", body)
    if role in COMMUNICATORS:
        assert response.status_code == 302 and api_response.status_code == 201
        assert ValueProposition.objects.count() == 2
        item = ValueProposition.objects.get(title_en="Less risk")
        assert api(user, "DELETE", f"/api/portfolio/value-propositions/{item.pk}").status_code == 204
    else:
        assert response.status_code == 403 and api_response.status_code == 403
        assert not ValueProposition.objects.exists()


def test_nothing_without_login(client, network):
    assert client.get("/portfolio/").status_code == 302
    assert client.get("/api/portfolio/accounts").status_code == 401
    services.recompute(period="2026-Q4")
    assert client.get("/portfolio/portfolio.svg").status_code == 302
