"""The relationship map page, its downloads, adding and removing relations there, and the account panel."""

import xml.dom.minidom
from decimal import Decimal

import pytest
from cast import CHANGES, ROLES, SEES
from api_helpers import count_queries
from django.urls import reverse

from kundennetz.accounts.models import Contact
from kundennetz.network.models import AccountNetwork, Relation

pytestmark = pytest.mark.django_db


def map_url(account):
    return reverse("network:account_map", args=[account.pk])


@pytest.mark.parametrize("role", ROLES)
def test_the_map_page_follows_the_account(client_for, cast, network, role):
    response = client_for(getattr(cast, role)).get(map_url(network.account))
    assert response.status_code == (200 if role in SEES else 404)
    if response.status_code == 200:
        page = response.content.decode()
        assert "<svg" in page and f'data-id="{network.contact.pk}"' in page
        assert ('id="relation-form"' in page) == (role in CHANGES)


@pytest.mark.parametrize("role", ROLES)
def test_adding_a_relation_on_the_page(client_for, cast, network, role):
    body = {"kind": "knows", "user": cast.owner.pk, "contact": network.contact.pk, "strength": "0.7",
            "source": "manual"}
    response = client_for(getattr(cast, role)).post(reverse("network:relation_create", args=[network.account.pk]),
                                                   body)
    assert response.status_code == (302 if role in CHANGES else 403 if role in SEES else 404)
    assert Relation.objects.count() == (1 if role in CHANGES else 0)
    if role in CHANGES:
        stored = AccountNetwork.objects.get(account=network.account)
        assert (stored.covered, stored.uncovered, stored.bus_factor) == (1, 0, 1)


def test_a_broken_relation_is_shown_with_its_error_and_not_saved(client_for, cast, network):
    response = client_for(cast.owner).post(reverse("network:relation_create", args=[network.account.pk]),
                                           {"kind": "knows", "contact": network.contact.pk, "strength": "1.5",
                                            "source": "manual"})
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"user", "strength"}
    assert Relation.all_objects.count() == 0


def test_a_contact_of_another_account_cannot_be_chosen(client_for, cast, network):
    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    response = client_for(cast.admin).post(reverse("network:relation_create", args=[network.account.pk]),
                                           {"kind": "reports_to", "contact": network.contact.pk,
                                            "other": stranger.pk, "source": "manual"})
    assert response.status_code == 422 and "other" in response.context["form"].errors


@pytest.mark.parametrize("role", ROLES)
def test_removing_a_relation_moves_it_to_the_trash(client_for, cast, network, role):
    relation = Relation.objects.create(kind="knows", contact=network.contact, user=cast.owner,
                                       strength=Decimal("1"), account=network.account)
    response = client_for(getattr(cast, role)).post(reverse("network:relation_delete", args=[relation.pk]))
    assert response.status_code == (302 if role in CHANGES else 403 if role in SEES else 404)
    relation.refresh_from_db()
    assert relation.is_deleted == (role in CHANGES)


def test_a_trashed_relation_is_listed_in_the_trash_and_comes_back(client_for, cast, network):
    relation = Relation.objects.create(kind="knows", contact=network.contact, user=cast.owner,
                                       strength=Decimal("1"), account=network.account)
    relation.soft_delete(cast.owner)
    assert AccountNetwork.objects.get(account=network.account).covered == 0
    client = client_for(cast.sales_head)
    assert str(relation) in client.get(reverse("accounts:trash") + "?kind=relations").content.decode()
    assert client.post(reverse("accounts:restore", args=["relations", relation.pk])).status_code == 302
    assert AccountNetwork.objects.get(account=network.account).covered == 1


def test_downloads_are_a_valid_svg_and_a_png(client_for, cast, network):
    Contact.objects.create(account=network.account, last_name="<script>alert(1)</script>", reports_to=network.contact)
    client = client_for(cast.read_only)
    response = client.get(reverse("network:account_map_svg", args=[network.account.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"].startswith("attachment;")
    svg = response.content.decode()
    xml.dom.minidom.parseString(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    response = client.get(reverse("network:account_map_png", args=[network.account.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client_for(cast.outsider).get(reverse("network:account_map_png", args=[network.account.pk])).status_code \
        == 404


def test_the_map_is_in_the_users_language(client_for, cast, network):
    cast.read_only.language = "en"
    cast.read_only.save()
    page = client_for(cast.read_only).get(map_url(network.account)).content.decode()
    assert "uncovered decision maker" in page and "Our people" in page
    cast.marketing.language = "de-ch"
    cast.marketing.save()
    page = client_for(cast.marketing).get(map_url(network.account)).content.decode()
    assert "nicht abgedeckter Entscheidungsträger" in page and "Unsere Personen" in page


def test_the_map_page_takes_a_fixed_number_of_queries(client_for, cast, network):
    client = client_for(cast.owner)
    boss = network.contact

    def grow(start, stop):
        for index in range(start, stop):
            contact = Contact.objects.create(account=network.account, last_name=f"P{index}", reports_to=boss,
                                             buying_role="decision_maker" if index % 10 == 0 else "user")
            Relation.objects.create(kind="knows", contact=contact, user=cast.team_member if index % 2 else cast.owner,
                                    strength=Decimal("0.6"), account=network.account)
            if index % 3 == 0:
                Relation.objects.create(kind="influences", contact=contact, other=boss, account=network.account)

    grow(0, 3)
    few = count_queries(lambda: client.get(map_url(network.account)))
    detail = count_queries(lambda: client.get(network.account.get_absolute_url()))
    grow(3, 40)
    assert count_queries(lambda: client.get(map_url(network.account))) == few
    assert count_queries(lambda: client.get(network.account.get_absolute_url())) == detail


def test_the_account_page_shows_the_panel_with_its_warnings(client_for, cast, network):
    page = client_for(cast.owner).get(network.account.get_absolute_url()).content.decode()
    assert 'id="network-panel"' in page and map_url(network.account) in page
    assert "Meier" in page.split('id="network-panel"')[1].split("</section>")[0]
