"""The admin's change forms carry the record's version: a stale save of a pipeline stage, a customer
group, a closing reason or an account shows field, theirs and yours instead of overwriting unseen."""

import re

import pytest
from django.urls import reverse

from kundennetz.accounts.models import Account, ClosingReason, Segment, Stage

pytestmark = pytest.mark.django_db


def form_data(page: str) -> dict:
    """The values the change form shows (inputs and selected options; enough for these simple forms)."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or name.group(1) == "csrfmiddlewaretoken":
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.strip()
    return data


@pytest.mark.parametrize("model, field", [(Stage, "name_en"), (Segment, "name_en"), (ClosingReason, "name_en")])
def test_a_stale_admin_save_of_a_catalogue_entry_shows_the_conflict(cast, client_for, model, field):
    cast.admin.language = "en"
    cast.admin.save()
    record = model.objects.order_by("pk").first() or model.objects.create(name_de="Neu", name_en="New")
    url = reverse(f"admin:accounts_{model._meta.model_name}_change", args=[record.pk])
    client = client_for(cast.admin)
    page = client.get(url).content.decode()
    data = form_data(page)
    assert data["version"] == str(record.version)
    fresh = model.objects.get(pk=record.pk)  # a colleague saves the same field meanwhile
    setattr(fresh, field, "Theirs")
    fresh.save()
    response = client.post(url, {**data, field: "Mine"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in body
    row = body.split(f'data-field="{field}"')[1].split("</tr>")[0]
    assert "Theirs" in row and "Mine" in row
    assert getattr(model.objects.get(pk=record.pk), field) == "Theirs"
    # Saving once more (the form now carries their version) takes over, knowingly.
    again = form_data(body)
    assert client.post(url, {**again, field: "Mine"}).status_code == 302
    assert getattr(model.objects.get(pk=record.pk), field) == "Mine"


def test_a_stale_admin_save_of_an_account_keeps_the_colleagues_other_field(cast, client_for, network):
    url = reverse("admin:accounts_account_change", args=[network.account.pk])
    client = client_for(cast.admin)
    data = form_data(client.get(url).content.decode())
    assert "version" in data and "original" in data
    fresh = Account.objects.get(pk=network.account.pk)
    fresh.city = "Chur"
    fresh.save()
    response = client.post(url, {**data, "name": "Renamed AG"})
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Account.objects.get(pk=network.account.pk)
    assert (saved.name, saved.city) == ("Renamed AG", "Chur")  # theirs kept, mine applied


def test_every_admin_that_changes_a_versioned_record_checks_its_version(cast, rf):
    """A versioned record changed through the admin without the version in its form would be overwritten
    unseen by a stale admin page (the save reads the row afresh): every such admin carries it."""
    from django.contrib import admin

    from kundennetz.core.forms import VersionedAdminMixin

    request = rf.get("/admin/")
    request.user = cast.admin
    missing = [model._meta.label for model, model_admin in admin.site._registry.items()
               if getattr(model, "version_field", None) and not isinstance(model_admin, VersionedAdminMixin)
               and model_admin.has_change_permission(request)]
    assert missing == []


def test_a_stale_admin_save_of_a_bid_cost_shows_the_conflict(cast, client_for):
    from decimal import Decimal

    from kundennetz.winloss.models import BidCost

    record = BidCost.objects.create(segment=None, amount=Decimal("5000"))
    url = reverse("admin:winloss_bidcost_change", args=[record.pk])
    client = client_for(cast.admin)
    data = form_data(client.get(url).content.decode())
    assert data["version"] == str(record.version)
    fresh = BidCost.objects.get(pk=record.pk)
    fresh.amount = Decimal("7000")
    fresh.save()
    response = client.post(url, {**data, "amount": "9000"})
    assert response.status_code == 200 and 'data-field="amount"' in response.content.decode()
    assert BidCost.objects.get(pk=record.pk).amount == Decimal("7000")
