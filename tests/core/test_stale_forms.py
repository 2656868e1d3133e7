"""A form opened before a colleague saved the same record does not overwrite their change unseen: saving
shows field, theirs and yours; saving again takes over; reloading keeps theirs."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client
from html_forms import form_data

from kundennetz.accounts.models import Account, Contact, Opportunity
from kundennetz.interactions.models import Interaction
from kundennetz.planning.models import Budget, Capacity, Period

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, path, data):
    return client.post(path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def _cases(cast, network):
    """(editor, page, field changed by the colleague, their value, my field, my value, model, pk, read back)"""
    period = Period.get("2026")
    capacity = Capacity.objects.create(manager=cast.owner, period=period, fte=1, working_days=200)
    budget = Budget.objects.create(period=period, sales_support=Decimal("1000"), pr=Decimal("500"))
    interaction = Interaction.objects.create(account=network.account, type=Interaction.Type.MEETING,
                                             date=date(2026, 3, 2), topics="Kickoff", created_by=cast.owner)
    opportunity = network.opportunity
    return {
        "opportunity": (cast.owner, f"/opportunities/{opportunity.pk}/edit/", Opportunity, opportunity.pk,
                        "title", "Titel des Kollegen", "need", "Mein Bedarf"),
        "account": (cast.owner, f"/accounts/{network.account.pk}/edit/", Account, network.account.pk,
                    "city", "Basel", "industry", "Meine Branche"),
        "contact": (cast.owner, f"/contacts/{network.contact.pk}/edit/", Contact, network.contact.pk,
                    "function", "CFO", "department", "Mein Bereich"),
        "capacity": (cast.sales_head, f"/planning/capacities/{capacity.pk}/", Capacity, capacity.pk,
                     "note", "vom Kollegen", "absence_days", "12"),
        "budget": (cast.sales_head, "/planning/budgets/2026/", Budget, budget.pk,
                   "note", "vom Kollegen", "pr", "800"),
        "interaction": (cast.owner, f"/interactions/{interaction.pk}/edit/", Interaction, interaction.pk,
                        "topics", "Thema des Kollegen", "note", "Meine Notiz"),
    }


KINDS = ["opportunity", "account", "contact", "capacity", "budget", "interaction"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_save_shows_theirs_and_yours_and_keeps_theirs(cast, network, kind):
    user, page, model, pk, their_field, their_value, my_field, my_value = _cases(cast, network)[kind]
    me = _client(user)
    opened = me.get(page)
    assert opened.status_code == 200, page
    data = form_data(opened.content.decode())
    assert data["version"] == [str(model._base_manager.get(pk=pk).version)]

    # A colleague saves the same record in the meantime (the same field I am about to send, too).
    record = model._base_manager.get(pk=pk)
    setattr(record, their_field, their_value)
    record.save()

    data[my_field] = [my_value]
    data[their_field] = ["Mein Wert"]  # I changed the same field differently: a real conflict
    answer = _post(me, page, data)
    assert answer.status_code == 200, (kind, answer.status_code)
    html = answer.content.decode()
    assert 'id="conflict"' in html and f'data-field="{their_field}"' in html
    row = html.split(f'data-field="{their_field}"')[1].split("</tr>")[0]
    assert their_value in row  # theirs shown next to mine
    stored = model._base_manager.get(pk=pk)
    assert str(getattr(stored, their_field)) == their_value  # nothing overwritten
    assert not _same(getattr(stored, my_field) or "", my_value)

    # Saving the form shown again takes over, knowingly.
    again = form_data(html)
    assert again["version"] == [str(stored.version)]
    done = _post(me, page, again)
    assert done.status_code == 302, (kind, done.content.decode()[:500])
    stored.refresh_from_db()
    assert str(getattr(stored, their_field)) != their_value


@pytest.mark.parametrize("kind", KINDS)
def test_changes_to_different_fields_merge_without_a_conflict(cast, network, kind):
    """They changed one field, I another: both persist, and their field is not written back."""
    user, page, model, pk, their_field, their_value, my_field, my_value = _cases(cast, network)[kind]
    me = _client(user)
    data = form_data(me.get(page).content.decode())
    record = model._base_manager.get(pk=pk)
    setattr(record, their_field, their_value)
    record.save()
    done = _post(me, page, {**data, my_field: [my_value]})
    assert done.status_code == 302, (kind, done.content.decode()[:300])
    stored = model._base_manager.get(pk=pk)
    assert str(getattr(stored, their_field)) == their_value
    assert _same(getattr(stored, my_field), my_value)


def _same(stored, sent: str) -> bool:
    if isinstance(stored, Decimal):
        return stored == Decimal(sent)
    return str(stored) == sent


def test_the_stale_opportunity_form_no_longer_reverts_a_colleagues_stage(cast, network):
    """The reported case: a stale opportunity form silently reverted a colleague's change."""
    me = _client(cast.owner)
    page = f"/opportunities/{network.opportunity.pk}/edit/"
    data = form_data(me.get(page).content.decode())
    colleague = Opportunity.objects.get(pk=network.opportunity.pk)
    colleague.expected_volume = Decimal("999000")
    colleague.save()
    _post(me, page, {**data, "title": "Mein Titel"})
    assert Opportunity.objects.get(pk=network.opportunity.pk).expected_volume == Decimal("999000")


def test_a_tampered_version_is_a_form_error_not_a_crash(cast, network):
    me = _client(cast.owner)
    page = f"/contacts/{network.contact.pk}/edit/"
    data = form_data(me.get(page).content.decode())
    for bad in ("abc", "-1", "99999999999999"):
        response = _post(me, page, {**data, "version": [bad]})
        assert response.status_code == 200
