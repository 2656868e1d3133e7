"""The change history on record pages (who, when, field, old → new) and the trash with its restore."""

import re

import pytest
from django.urls import reverse

from kundennetz.accounts.models import Account, Competitor, Contact, Opportunity, OpportunityContact, Segment, Stage
from kundennetz.core.services import save_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(cast):
    """The assertions read English page text, which the German catalogue would translate."""
    for user in cast.all().values():
        user.language = "en"
        user.save(update_fields=["language"])


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.replace("&#x27;", "'"))


def history_text(response) -> str:
    page = text(response)
    return page[page.index("When Who What"):]


def edit_account(client, account, **changes):
    data = {"name": account.name, "legal_form": account.legal_form, "industry": account.industry,
            "segment": account.segment_id or "", "status": account.status, "street": account.street,
            "postal_code": account.postal_code, "city": account.city, "country": account.country,
            "website": account.website, "currency": account.currency, "annual_revenue": account.annual_revenue or "",
            "potential": account.potential or "", "contribution_margin_pct": "",
            "owner": account.owner_id, "team": list(account.team.values_list("pk", flat=True))}
    data.update(changes)
    response = client.post(reverse("accounts:account_update", args=[account.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    return client.get(account.get_absolute_url())


def test_history_shows_who_changed_which_field_from_what_to_what(cast, network, client_for):
    client = client_for(cast.team_member)
    page = history_text(edit_account(client, network.account, city="Zürich", annual_revenue="500'000"))
    assert "City: Bern → Zürich" in page
    assert "Annual revenue with us: 420,000 → 500,000" in page
    assert str(cast.team_member) in page


def test_history_names_related_records_and_choice_labels(cast, network, client_for):
    client = client_for(cast.sales_head)
    key_accounts = Segment.objects.get(code="key_accounts")
    page = history_text(edit_account(client, network.account, segment=key_accounts.pk, status="customer",
                                     owner=cast.outsider.pk))
    mid_market = Segment.objects.get(code="mid_market")
    assert f"Customer group: {mid_market.name_en} → {key_accounts.name_en}" in page
    assert "Status: Prospect → Customer" in page
    assert f"Account manager: {cast.owner} → {cast.outsider}" in page
    assert f"→ {key_accounts.pk} " not in page


def test_history_shows_team_changes(cast, network, client_for):
    client = client_for(cast.owner)
    page = history_text(edit_account(client, network.account, team=[cast.team_member.pk, cast.outsider.pk]))
    assert f"Account team: {cast.team_member} → {cast.outsider}, {cast.team_member}" in page


def test_opportunity_history_shows_stage_competitors_and_people(cast, network, client_for):
    opportunity = network.opportunity
    opportunity.stage = Stage.objects.get(code="offer_preparation")
    save_record(opportunity, cast.owner, m2m={"competitors": [Competitor.objects.create(name="Rivalen AG")]})
    involvement = OpportunityContact(opportunity=opportunity, contact=network.contact, role="coach")
    save_record(involvement, cast.owner)
    involvement.role = "decision_maker"
    save_record(involvement, cast.owner)
    page = history_text(client_for(cast.read_only).get(opportunity.get_absolute_url()))
    assert "Stage: Qualifying → Offer in preparation" in page
    assert "Competitors: – → Rivalen AG" in page
    assert "People involved: – → Anna Meier (Coach)" in page
    assert "Role in this deal: Anna Meier: Coach → Decision maker" in page


def test_contact_history_shows_reports_to_by_name(cast, network, client_for):
    boss = Contact.objects.create(account=network.account, first_name="Hans", last_name="Boss")
    network.contact.reports_to = boss
    save_record(network.contact, cast.owner)
    page = history_text(client_for(cast.owner).get(network.contact.get_absolute_url()))
    assert "Reports to: – → Hans Boss" in page


def test_history_marks_trash_and_restore(cast, network, client_for):
    network.account.soft_delete(cast.owner)
    Account.all_objects.get(pk=network.account.pk).restore(cast.sales_head)
    page = history_text(client_for(cast.owner).get(network.account.get_absolute_url()))
    assert "Moved to the trash" in page and "Restored from the trash" in page


# --- Trash ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["owner", "team_member", "outsider", "marketing", "read_only"])
def test_trash_is_for_admin_and_sales_head_only(cast, network, client_for, role):
    client = client_for(getattr(cast, role))
    network.contact.soft_delete(cast.owner)
    assert client.get(reverse("accounts:trash")).status_code == 403
    response = client.post(reverse("accounts:restore", args=["contacts", network.contact.pk]))
    assert response.status_code == 403
    assert Contact.all_objects.get(pk=network.contact.pk).is_deleted
    assert reverse("accounts:trash") not in client.get(reverse("accounts:account_list")).content.decode()


@pytest.mark.parametrize("role", ["admin", "sales_head"])
def test_trash_lists_deleted_records_with_who_and_when(cast, network, client_for, role):
    network.account.soft_delete(cast.owner)
    client = client_for(getattr(cast, role))
    page = text(client.get(reverse("accounts:trash")))
    assert network.account.name in page and str(cast.owner) in page
    contacts = text(client.get(reverse("accounts:trash") + "?kind=contacts"))
    assert str(network.contact) in contacts and "Restore the account first" in contacts
    assert client.get(reverse("accounts:trash") + "?kind=passwords").status_code == 404


def test_restoring_an_account_brings_back_what_went_with_it(cast, network, client_for):
    earlier = Contact.objects.create(account=network.account, last_name="Früher")
    earlier.soft_delete(cast.owner)
    network.account.soft_delete(cast.owner)
    client = client_for(cast.sales_head)
    assert client.get(reverse("accounts:restore", args=["accounts", network.account.pk])).status_code == 405
    response = client.post(reverse("accounts:restore", args=["accounts", network.account.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:trash") + "?kind=accounts"
    assert Account.objects.filter(pk=network.account.pk).exists()
    assert Contact.objects.filter(pk=network.contact.pk).exists()
    assert Opportunity.objects.filter(pk=network.opportunity.pk).exists()
    assert not Contact.objects.filter(pk=earlier.pk).exists()  # it was deleted on its own, earlier
    assert client_for(cast.owner).get(network.account.get_absolute_url()).status_code == 200


def test_a_contact_of_a_trashed_account_waits_for_its_account(cast, network, client_for):
    network.account.soft_delete(cast.owner)
    client = client_for(cast.admin)
    response = client.post(reverse("accounts:restore", args=["contacts", network.contact.pk]), follow=True)
    assert "Restore the account first" in text(response)
    assert Contact.all_objects.get(pk=network.contact.pk).is_deleted


def test_restore_of_a_record_not_in_the_trash_is_404(cast, network, client_for):
    client = client_for(cast.sales_head)
    assert client.post(reverse("accounts:restore", args=["contacts", network.contact.pk])).status_code == 404
    assert client.post(reverse("accounts:restore", args=["widgets", 1])).status_code == 404


def test_restore_single_opportunity(cast, network, client_for):
    network.opportunity.soft_delete(cast.team_member)
    response = client_for(cast.sales_head).post(
        reverse("accounts:restore", args=["opportunities", network.opportunity.pk]), follow=True)
    assert f"“{network.opportunity.title}” restored." in text(response)
    assert Opportunity.objects.filter(pk=network.opportunity.pk).exists()
