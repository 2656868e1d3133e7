"""`kundennetz generate`: a network of the asked size, in proportion, owned by generated managers."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_generate_writes_a_network_in_proportion():
    from kundennetz.accounts.models import Account, Contact, Opportunity
    from kundennetz.core.models import User
    from kundennetz.interactions.models import Interaction
    from kundennetz.portfolio.models import AccountPosition
    from kundennetz.qualification.models import Checklist

    out = StringIO()
    call_command("generate", "--accounts", "300", "--managers", "2", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["counts"]["accounts"] == Account.objects.count() == 300
    assert 800 <= Contact.objects.count() <= 1000
    assert Opportunity.objects.count() == 300
    assert 2_800 <= Interaction.objects.count() <= 3_200
    assert 0 < Checklist.objects.count() < 300
    assert AccountPosition.objects.count() == 300
    # Interactions carry their folded search text as a save would write it, and are found by it.
    from kundennetz.domain.text import search_text
    from kundennetz.interactions.filters import search_interactions

    for row in Interaction.objects.all()[:200]:
        assert row.search_text == search_text(row.topics, row.note, limit=None)
    annual = Interaction.objects.filter(topics="Jahresgespräch")
    assert annual.exists()
    assert set(search_interactions(Interaction.objects.all(), "JAHRESGESPRACH")) == set(annual)
    managers = User.objects.filter(role="account_manager", username__startswith="gen-")
    assert managers.count() == 2
    assert {a.owner_id for a in Account.objects.all()} == set(managers.values_list("pk", flat=True))
    head = User.objects.get(username=report["sales_head"])
    assert head.role == "sales_head" and head.check_password("generate-2026")
    # Opportunities belong to their account's manager; a closed one has a closing date.
    assert not Opportunity.objects.exclude(owner=models_F("account__owner")).exists()
    # New rows after generation get fresh ids (sequences reset on PostgreSQL).
    account = Account.objects.create(name="Nachher AG", owner=head)
    assert account.pk > max(Account.objects.exclude(pk=account.pk).values_list("pk", flat=True))
    # A second run adds with new users instead of colliding.
    call_command("generate", "--accounts", "10", "--managers", "1", "--json", stdout=StringIO())
    assert Account.objects.count() == 311
    # The snapshot's stored counts (which the portfolio page reads) hold the added accounts too.
    from kundennetz.portfolio import strategy as today_rule
    from kundennetz.portfolio import summary
    from kundennetz.portfolio.models import PortfolioSnapshot, SnapshotSummary

    snapshot = PortfolioSnapshot.current()
    rules_ = today_rule.rules_for(snapshot.model)
    stored = summary.live_counts(SnapshotSummary.objects.get(snapshot=snapshot), snapshot, rules_)
    counted = summary.counted(AccountPosition.objects.filter(snapshot=snapshot), snapshot, rules_)
    assert (stored.grid(), stored.cells) == (counted.grid(), counted.cells)
    assert stored.placed + stored.unplaced == 310  # "Nachher AG" came after the snapshot


def models_F(name):
    from django.db.models import F

    return F(name)


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--accounts", "0"], ["--accounts", "5", "--managers", "0"]])
def test_generate_refuses_nonsense(args):
    with pytest.raises(CommandError):
        call_command("generate", *args, stdout=StringIO())
