"""The win panel of the checklist, the pipeline's columns, the overview with threshold advice, the no-bid review."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@pytest.fixture
def fitted(history, network, cast):
    from kundennetz.qualification import services as qualification
    from kundennetz.winloss import services

    record = services.fit_and_store_win_model()
    checklist = qualification.get_checklist(network.opportunity, cast.owner)
    for key, value in (("solution", "yes"), ("competition", "yes"), ("money", "yes"), ("need", "yes")):
        qualification.set_answer(checklist, key, value, cast.owner)
    return record


def test_checklist_shows_probability_contributions_similar_deals_and_value(fitted, network, cast, client_for):
    from kundennetz.winloss.models import DealScore

    client = client_for(cast.owner)
    cast.owner.language = "en"
    cast.owner.save()
    response = client.get(reverse("qualification:checklist", args=[network.opportunity.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    score = DealScore.objects.get(opportunity=network.opportunity)
    assert f"{score.percent} %" in html and 'id="win-panel"' in html
    points = round(score.contributions["competition"] * 100)
    assert points < 0
    assert f"Competition: unfavourable: −{abs(points)} points" in html
    assert "Expected value" in html and "Most similar deals" in html
    # Answering again swaps the panel in place.
    response = client.post(reverse("qualification:answer", args=[network.opportunity.pk]),
                           {"question_id": "competition", "value": "no"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="win-panel"' in html and 'hx-swap-oob="true"' in html
    assert "Competition: favourable: +" in html


def test_checklist_panel_in_german(fitted, network, cast, client_for):
    cast.owner.language = "de"
    cast.owner.save()
    html = client_for(cast.owner).get(reverse("qualification:checklist", args=[network.opportunity.pk])).content.decode()
    assert "Gewinnwahrscheinlichkeit" in html and re.search(r"Competition \(Konkurrenz\): ungünstig: −\d+ Punkte", html)


def test_checklist_without_model_says_so(network, cast, client_for):
    from kundennetz.qualification import services as qualification

    qualification.set_answer(qualification.get_checklist(network.opportunity, cast.owner), "solution", "yes",
                             cast.owner)
    cast.owner.language = "en"
    cast.owner.save()
    html = client_for(cast.owner).get(reverse("qualification:checklist", args=[network.opportunity.pk])).content.decode()
    assert "No win model has been fitted yet" in html


def test_the_panel_costs_the_same_queries_however_long_the_history(make_history, network, cast, client_for):
    from kundennetz.qualification import services as qualification
    from kundennetz.winloss import services
    from kundennetz.winloss.views import win_context

    make_history(40)
    services.fit_and_store_win_model()
    qualification.set_answer(qualification.get_checklist(network.opportunity, cast.owner), "solution", "yes",
                             cast.owner)
    with CaptureQueriesContext(connection) as small:
        win_context(network.opportunity, cast.admin)
    make_history(150, seed=5)
    services.fit_and_store_win_model()
    with CaptureQueriesContext(connection) as large:
        win_context(network.opportunity, cast.admin)
    assert len(large) == len(small) <= 6


def test_pipeline_shows_sorts_and_filters_by_win_probability(fitted, network, cast, client_for):
    from kundennetz.winloss.models import DealScore

    client = client_for(cast.admin)
    url = reverse("accounts:opportunity_list")
    response = client.get(url, {"sort": "-win"})
    assert response.status_code == 200
    records = list(response.context["records"])
    probabilities = [DealScore.objects.filter(opportunity=o).values_list("probability", flat=True).first()
                     for o in records]
    known = [p for p in probabilities if p is not None]
    assert known == sorted(known, reverse=True)
    assert probabilities.index(None) >= len(known) if None in probabilities else True
    response = client.get(url, {"min_win": "60"})
    assert all(o.win_score.probability >= 0.6 for o in response.context["records"])
    response = client.get(url, {"sort": "value"})
    assert response.status_code == 200
    assert client.get(url, {"min_win": "abc"}).status_code == 200
    # One query for the page's rows however many there are.
    with CaptureQueriesContext(connection) as first:
        client.get(url, {"sort": "-win"})
    with CaptureQueriesContext(connection) as again:
        client.get(url, {"sort": "-win", "page": 2})
    assert len(again) <= len(first) + 1


def test_pipeline_api_has_the_probability(fitted, network, cast, client):
    from kundennetz.core.models import ApiToken

    token = ApiToken.issue(cast.owner, "t")[1]
    response = client.get("/api/checklists", {"order_by": "-win_probability", "min_win_probability": 0.0},
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    items = response.json()["items"]
    values = [item["win_probability"] for item in items]
    assert values == sorted(values, reverse=True) and all(v is not None for v in values)
    assert any(item["opportunity"] == network.opportunity.pk for item in items)
    assert client.get("/api/checklists", {"min_win_probability": 2}, HTTP_AUTHORIZATION=f"Bearer {token}"
                      ).status_code == 422


@pytest.mark.parametrize("role,status", [("admin", 200), ("sales_head", 200), ("marketing", 200),
                                         ("read_only", 200), ("owner", 403), ("outsider", 403)])
def test_overview_and_no_bid_review_permissions(fitted, cast, client_for, role, status):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("winloss:overview")).status_code == status
    assert client.get(reverse("winloss:no_bid")).status_code == status


def test_overview_shows_scores_and_advice(fitted, cast, client_for):
    cast.sales_head.language = "en"
    cast.sales_head.save()
    html = client_for(cast.sales_head).get(reverse("winloss:overview")).content.decode()
    assert f"Version {fitted.version}" in html and "Threshold advice" in html and "in force" in html
    assert "would have paid best" in html and "Fit the model now" in html


def test_fit_from_the_page(history, cast, client_for):
    from kundennetz.winloss.models import WinModel

    assert client_for(cast.read_only).post(reverse("winloss:fit")).status_code == 403
    response = client_for(cast.sales_head).post(reverse("winloss:fit"), follow=True)
    assert WinModel.objects.count() == 1
    # A background job whose page leads back to the overview, saying what was fitted.
    assert response.redirect_chain[0][0].startswith("/jobs/")
    assert response.redirect_chain[-1][0] == reverse("winloss:overview")
    assert "fitted on 60 closed deals" in response.content.decode()


def test_fit_refused_on_the_page(make_history, cast, client_for):
    make_history(5)
    cast.admin.language = "en"
    cast.admin.save()
    response = client_for(cast.admin).post(reverse("winloss:fit"), follow=True)
    assert "at least 30 closed deals" in response.content.decode()


def test_bid_cost_form(network, cast, client_for):
    from decimal import Decimal

    from kundennetz.winloss.models import BidCost

    segment = network.account.segment
    assert client_for(cast.marketing).post(reverse("winloss:bid_cost"), {"segment": segment.pk, "amount": "9"}
                                           ).status_code == 403
    client = client_for(cast.admin)
    client.post(reverse("winloss:bid_cost"), {"segment": segment.pk, "amount": "12000"})
    assert BidCost.objects.get(segment=segment).amount == Decimal("12000")
    client.post(reverse("winloss:bid_cost"), {"segment": segment.pk, "amount": "-5"})
    client.post(reverse("winloss:bid_cost"), {"segment": "999999", "amount": "5"})
    assert BidCost.objects.get(segment=segment).amount == Decimal("12000")
    changes = BidCost.history.filter(segment_id=segment.pk)
    assert changes.count() == 1 and changes.get().history_user == cast.admin  # the refused ones left no trace


def test_declined_outcome_form(fitted, cast, client_for):
    from kundennetz.accounts.models import Opportunity

    declined = Opportunity.objects.filter(stage__type="no_offer").first()
    url = reverse("winloss:declined_outcome", args=[declined.pk])
    assert client_for(cast.read_only).post(url, {f"o{declined.pk}-outcome": "competitor"}).status_code == 403
    response = client_for(cast.sales_head).post(url, {f"o{declined.pk}-outcome": "competitor",
                                                      f"o{declined.pk}-note": "Preis"})
    assert response.status_code == 302
    declined.refresh_from_db()
    assert declined.declined_outcome.outcome == "competitor" and declined.declined_outcome.note == "Preis"
    client_for(cast.sales_head).post(url, {f"o{declined.pk}-outcome": "boom"})
    declined.declined_outcome.refresh_from_db()
    assert declined.declined_outcome.outcome == "competitor"
    html = client_for(cast.sales_head).get(reverse("winloss:no_bid")).content.decode()
    assert declined.title in html


def test_a_stale_declined_outcome_is_refused_with_theirs_and_yours(fitted, cast, client_for):
    from kundennetz.accounts.models import Opportunity
    from kundennetz.winloss.models import DeclinedOutcome

    for user in (cast.sales_head, cast.admin):
        user.language = "en"
        user.save()
    declined = Opportunity.objects.filter(stage__type="no_offer").first()
    url, p = reverse("winloss:declined_outcome", args=[declined.pk]), f"o{declined.pk}-"
    page = client_for(cast.sales_head).get(reverse("winloss:no_bid")).content.decode()
    assert f'name="{p}version" value="0"' in page  # nothing recorded yet
    assert client_for(cast.admin).post(url, {f"{p}version": "0", f"{p}outcome": "competitor",
                                             f"{p}note": "Preis"}).status_code == 302
    response = client_for(cast.sales_head).post(url, {f"{p}version": "0", f"{p}outcome": "cancelled",
                                                      f"{p}note": "Budget gestrichen"}, follow=True)
    text = response.content.decode()
    assert "Someone else saved what became of" in text
    assert "Went to a competitor – Preis" in text and "Cancelled by the customer – Budget gestrichen" in text
    stored = DeclinedOutcome.objects.get(opportunity=declined)
    assert (stored.outcome, stored.note) == ("competitor", "Preis")  # theirs kept
    # The same as theirs from a stale page is no conflict; from the page showing theirs, mine replaces it.
    assert client_for(cast.sales_head).post(url, {f"{p}version": "0", f"{p}outcome": "competitor",
                                                  f"{p}note": "Preis"}).status_code == 302
    assert f'name="{p}version" value="{stored.version}"' in client_for(cast.sales_head).get(
        reverse("winloss:no_bid")).content.decode()
    client_for(cast.sales_head).post(url, {f"{p}version": str(stored.version), f"{p}outcome": "cancelled",
                                           f"{p}note": "Budget gestrichen"})
    stored.refresh_from_db()
    assert (stored.outcome, stored.note) == ("cancelled", "Budget gestrichen")
