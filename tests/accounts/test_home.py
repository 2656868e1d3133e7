"""The home page counts what each role sees, stops counting at the cap and says "more than", and lists the
open decisions coming up, soonest first."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kundennetz.accounts.models import Account, Opportunity, Stage
from kundennetz.core import paging

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(network, cast):
    won = Stage.objects.filter(type=Stage.Type.WON).first()
    lost = Stage.objects.filter(type=Stage.Type.LOST).first()
    network.opportunity.expected_decision_date = date(2027, 3, 1)
    network.opportunity.save()
    Opportunity.objects.create(account=network.account, title="Soon", owner=cast.owner, expected_volume=Decimal(1),
                               stage=network.opportunity.stage, expected_decision_date=date(2027, 1, 15))
    Opportunity.objects.create(account=network.account, title="Done", owner=cast.owner, stage=won,
                               expected_volume=Decimal(1), expected_decision_date=date(2026, 1, 1))
    Opportunity.objects.create(account=network.other_account, title="Hidden", owner=cast.outsider, stage=lost,
                               expected_volume=Decimal(1))
    return network


def _shown(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context


def test_each_role_counts_what_it_sees(deals, cast, client_for):
    head = _shown(client_for(cast.sales_head))
    assert head["account_count"] == (Account.objects.count(), False)
    assert {kind: head["counts"][kind] for kind in ("open", "won", "lost")} == {
        "open": (2, False), "won": (1, False), "lost": (1, False)}
    owner = _shown(client_for(cast.owner))
    assert owner["account_count"].value < head["account_count"].value
    assert (owner["counts"]["open"], owner["counts"]["lost"]) == ((2, False), (0, False))
    assert [o.title for o in owner["upcoming"]] == ["Soon", "ERP-Einführung"]  # open only, soonest first


def test_counts_stop_at_the_cap_and_say_so(deals, cast, client_for, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 1)
    client = client_for(cast.sales_head)
    context = _shown(client)
    assert context["counts"]["open"] == (1, True) and context["counts"]["won"] == (1, False)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "more than 1" in html or "mehr als 1" in html


def test_capped_count_counts_no_further_than_asked(deals):
    everything = Opportunity.objects.all()
    assert paging.capped_count(everything, 2) == (2, True)
    assert paging.capped_count(everything, 10) == (everything.count(), False)
    assert paging.capped_count(everything.none(), 0) == (0, False)
