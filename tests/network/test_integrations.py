"""Where the network matters: the checklist's Authority, the pipeline filter, My week, the management view."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kundennetz.accounts.models import Account, Contact, OpportunityContact
from kundennetz.network.models import Relation
from kundennetz.network.panel import fragile_accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(network):
    contact = Contact.objects.create(account=network.account, first_name="Chris", last_name="Coach",
                                     buying_role="coach", reports_to=network.contact)
    OpportunityContact.objects.create(opportunity=network.opportunity, contact=contact, role="coach")
    OpportunityContact.objects.create(opportunity=network.opportunity, contact=network.contact,
                                      role="decision_maker")
    return contact


def knows(user, contact, strength="0.8"):
    return Relation.objects.create(kind="knows", user=user, contact=contact, strength=Decimal(strength),
                                   account=contact.account)


def test_authority_gets_a_suggestion_and_details_from_the_map(client_for, api_client, cast, network, coach):
    knows(cast.owner, coach)
    influencer = Contact.objects.create(account=network.account, last_name="Einfluss")
    Relation.objects.create(kind="influences", contact=influencer, other=network.contact, account=network.account)
    client = client_for(cast.owner)
    page = client.get(reverse("qualification:checklist", args=[network.opportunity.pk])).content.decode()
    assert "Decision maker Anna Meier is uncovered on the relationship map." in page
    hints = page.split('id="authority-network"')[1].split("</div>")[0]
    assert "Anna Meier" in hints and "Einfluss" in hints and "Owner Test can reach them via Chris Coach" in hints
    suggestions = api_client(cast.owner).get(f"/api/opportunities/{network.opportunity.pk}/checklist").json()[
        "suggestions"]
    assert {"question_id": "authority", "derive": "network", "value": "no",
            "reason": "Decision maker Anna Meier is uncovered on the relationship map."} in suggestions
    # Accepting the decision makers the map names answers the detail question with them.
    response = client.post(reverse("qualification:answer", args=[network.opportunity.pk]),
                           {"question_id": "authority.decision_makers", "value": [network.contact.pk]})
    assert response.status_code == 302
    from kundennetz.qualification.models import Answer

    assert Answer.objects.get(question_id="authority.decision_makers").value == [network.contact.pk]
    knows(cast.team_member, network.contact, "0.9")
    page = client.get(reverse("qualification:checklist", args=[network.opportunity.pk])).content.decode()
    assert "All 1 decision makers are covered by our people (bus factor 1)." in page


def test_the_pipeline_filters_single_threaded_deals(client_for, api_client, cast, network, coach):
    other = network.opportunity.__class__.objects.create(
        account=network.account, title="Zweitprojekt", owner=cast.owner, stage=network.opportunity.stage)
    knows(cast.owner, coach)
    knows(cast.owner, network.contact)
    url = reverse("accounts:opportunity_list")
    single = client_for(cast.owner).get(url, {"threads": "single"}).content.decode()
    multi = client_for(cast.owner).get(url, {"threads": "multi"}).content.decode()
    assert "Zweitprojekt" in single and "ERP-Einführung" not in single
    assert "ERP-Einführung" in multi and "Zweitprojekt" not in multi
    api = api_client(cast.owner)
    assert [o["id"] for o in api.get("/api/opportunities?single_threaded=true").json()["items"]] == [other.pk]
    assert [o["id"] for o in api.get("/api/opportunities?single_threaded=false").json()["items"]] == \
        [network.opportunity.pk]


def test_my_week_suggests_whom_to_meet_to_cover_a_decision_maker(client_for, cast, network, coach):
    knows(cast.owner, coach)
    page = client_for(cast.owner).get(reverse("interactions:my_week")).content.decode()
    assert 'id="week-network"' in page
    section = page.split('id="week-network"')[1].split("</section>")[0]
    assert "meet Chris Coach to get to Anna Meier" in section
    # The team member has no route of their own: nothing to suggest to them.
    assert 'id="week-network"' not in client_for(cast.team_member).get(reverse("interactions:my_week")).content.decode()


def test_management_lists_accounts_with_bus_factor_at_most_one_by_revenue(client_for, cast, network, coach):
    big = Account.objects.create(name="Gross AG", owner=cast.owner, annual_revenue=Decimal("9000000"))
    boss = Contact.objects.create(account=big, last_name="Chef", buying_role="decision_maker")
    knows(cast.owner, boss)
    safe = Account.objects.create(name="Sicher AG", owner=cast.owner, annual_revenue=Decimal("99000000"))
    chief = Contact.objects.create(account=safe, last_name="Boss", buying_role="decision_maker")
    knows(cast.owner, chief)
    knows(cast.team_member, chief)
    rows, total = fragile_accounts()
    assert [r.account.name for r in rows] == ["Gross AG", "Muster Engineering AG"] and total == 2
    assert [r.bus_factor for r in rows] == [1, 0]
    page = client_for(cast.sales_head).get(reverse("interactions:management")).content.decode()
    section = page.split('id="fragile-accounts"')[1].split("</section>")[0]
    assert section.index("Gross AG") < section.index("Muster Engineering AG") and "Sicher AG" not in section


def test_the_opportunity_page_shows_its_threads(client_for, cast, network, coach):
    url = network.opportunity.get_absolute_url()
    page = client_for(cast.read_only).get(url).content.decode()
    assert "0 threads" in page and "Single-threaded" in page
    knows(cast.owner, coach)
    knows(cast.team_member, network.contact)
    page = client_for(cast.read_only).get(url).content.decode()
    assert "2 threads" in page and "Single-threaded" not in page
