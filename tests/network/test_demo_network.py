"""The demo network shows each warning of the relationship map at least once."""

from datetime import date

import pytest

from kundennetz.accounts.models import Account
from kundennetz.sample import demo
from kundennetz.network.models import AccountNetwork, OpportunityNetwork, Relation

pytestmark = pytest.mark.django_db

REFERENCE = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def base_interactions_and_network(monkeypatch):
    """The base network, the interactions (for derived strengths) and this app's relations."""
    from kundennetz.interactions.demo import extend_demo as interactions
    from kundennetz.network.demo import extend_demo as relations

    monkeypatch.setattr(demo.loading, "_extensions", lambda: [interactions, relations])


def test_demo_shows_every_warning():
    result = demo.load_demo(today=REFERENCE)
    assert result.counts["relations"] == Relation.objects.count() > 60
    rows = AccountNetwork.objects.all()
    assert rows.count() == Account.all_objects.count() >= 60
    assert rows.filter(uncovered__gt=0).exists()                        # a decision maker nobody of ours knows
    assert rows.filter(bus_factor=1).exists()                           # hangs on one of our people
    assert rows.filter(bus_factor__gte=2).exists()                      # and well covered ones
    assert rows.filter(weak_points__gt=0).exists()                      # a person whose loss cuts us off
    assert any(r.data["weak_contacts"] for r in rows) and any(r.data["weak_users"] for r in rows)
    assert any(r.data["introductions"] for r in rows)                   # whom to meet to reach a decision maker
    assert OpportunityNetwork.objects.filter(single_threaded=True).exists()
    assert OpportunityNetwork.objects.filter(single_threaded=False).exists()
    assert rows.filter(single_threaded__gt=0).exists()
    derived = [t for r in rows for t in r.data["ties"] if t[3] == "interactions"]
    assert derived and any(t[2] >= 0.5 for t in derived)                # strengths from the interactions
    assert Relation.objects.filter(kind="influences").exists()
    assert Relation.objects.first().history.exists()
