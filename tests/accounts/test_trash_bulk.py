"""The trash: counts per kind, opens on a kind that holds something, several records restored at once."""

import pytest
from django.urls import reverse

from kundennetz.accounts.models import Account, Contact, Opportunity

pytestmark = pytest.mark.django_db


def test_opens_on_a_kind_that_holds_something(cast, network, client_for):
    network.contact.soft_delete(cast.owner)
    response = client_for(cast.sales_head).get(reverse("accounts:trash"))
    assert response.context["kind"] == "contacts"
    counts = {tab["kind"]: tab["count"] for tab in response.context["tabs"]}
    assert counts["accounts"] == 0 and counts["contacts"] == 1 and counts["opportunities"] == 0
    assert "Anna Meier" in response.content.decode()
    # Asked for explicitly, an empty kind is shown as asked.
    assert client_for(cast.sales_head).get(reverse("accounts:trash") + "?kind=accounts").context["kind"] == "accounts"


def test_an_empty_trash_opens_on_accounts(cast, client_for):
    assert client_for(cast.sales_head).get(reverse("accounts:trash")).context["kind"] == "accounts"


def test_several_records_restore_at_once(cast, network, client_for):
    second = Contact.objects.create(account=network.account, first_name="Beat", last_name="Frei")
    third = Contact.objects.create(account=network.account, first_name="Carla", last_name="Rossi")
    for contact in (network.contact, second, third):
        contact.soft_delete(cast.owner)
    client = client_for(cast.sales_head)
    response = client.post(reverse("accounts:restore_many", args=["contacts"]),
                           {"ids": [network.contact.pk, second.pk]}, follow=True)
    assert "2 records restored." in response.content.decode()
    assert set(Contact.objects.values_list("pk", flat=True)) >= {network.contact.pk, second.pk}
    assert Contact.all_objects.get(pk=third.pk).is_deleted


def test_records_of_an_account_in_the_trash_wait_for_it(cast, network, client_for):
    network.opportunity.soft_delete(cast.owner)
    Account.all_objects.filter(pk=network.account.pk).update(deleted_at=network.opportunity.deleted_at)
    response = client_for(cast.sales_head).post(reverse("accounts:restore_many", args=["opportunities"]),
                                                {"ids": [network.opportunity.pk]}, follow=True)
    assert "Restore the account first" in response.content.decode()
    assert Opportunity.all_objects.get(pk=network.opportunity.pk).is_deleted


@pytest.mark.parametrize("role", ["owner", "team_member", "outsider", "marketing", "read_only"])
def test_only_admin_and_sales_head_restore(cast, network, client_for, role):
    network.contact.soft_delete(cast.owner)
    response = client_for(getattr(cast, role)).post(reverse("accounts:restore_many", args=["contacts"]),
                                                    {"ids": [network.contact.pk]})
    assert response.status_code == 403
    assert Contact.all_objects.get(pk=network.contact.pk).is_deleted


def test_bad_input_is_refused_plainly(cast, client_for):
    client = client_for(cast.admin)
    assert client.post(reverse("accounts:restore_many", args=["nonsense"]), {"ids": ["1"]}).status_code == 404
    response = client.post(reverse("accounts:restore_many", args=["contacts"]), {"ids": ["x", "-3", ""]},
                           follow=True)
    assert response.status_code == 200 and "Choose the records to restore." in response.content.decode()
