"""The relationship map in a browser: it is drawn, a relation is added, and coverage changes."""

import re

import pytest

from kundennetz.accounts.models import Account, Contact
from kundennetz.core.roles import Role
from cast import PASSWORD, make_user
from kundennetz.network.models import Relation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_draw_the_map_add_a_relation_and_see_coverage_change(live_server, page):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    petra = make_user("petra", Role.ACCOUNT_MANAGER, first_name="Petra", last_name="Graf", language="en")
    account = Account.objects.create(name="Alpenblick Informatik AG", owner=petra)
    ceo = Contact.objects.create(account=account, first_name="Urs", last_name="Caduff", buying_role="decision_maker")
    coach = Contact.objects.create(account=account, first_name="Lea", last_name="Brunold", buying_role="coach",
                                   attitude="supporter", reports_to=ceo)
    Relation.objects.create(kind="knows", user=petra, contact=coach, strength="0.9", account=account)

    page.goto(f"{live_server.url}/accounts/{account.pk}/network/")
    page.get_by_label("User name").fill("petra")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name=re.compile("Relationship map"), level=1)).to_be_visible()
    svg = page.locator("svg.network-map")
    expect(svg).to_be_visible()
    # The decision maker is marked uncovered; the coach and Petra are weak points.
    expect(svg.locator(f'g.contact.decision-maker.uncovered[data-id="{ceo.pk}"]')).to_have_count(1)
    expect(svg.locator(f'g.contact.weak[data-id="{coach.pk}"]')).to_have_count(1)
    expect(page.locator("#network-uncovered")).to_have_text("1")
    expect(page.locator("#network-bus-factor")).to_have_text("0")
    box = svg.locator(f'g.contact[data-id="{ceo.pk}"] rect').last.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 30

    form = page.locator("#relation-form")
    form.get_by_label("Kind").select_option("knows")
    form.get_by_label("Our person").select_option(label="Petra Graf")
    form.get_by_label("Contact", exact=True).select_option(label="Urs Caduff")
    form.get_by_label("Strength", exact=True).fill("0.8")
    form.get_by_role("button", name="Add relation").click()

    expect(page.get_by_role("status").first).to_contain_text("added")
    expect(page.locator("#network-uncovered")).to_have_text("0")
    expect(page.locator("#network-covered")).to_have_text("1")
    expect(page.locator("#network-bus-factor")).to_have_text("1")
    expect(svg.locator("g.contact.uncovered")).to_have_count(0)
    expect(svg.locator("g.ties path")).to_have_count(2)

    # Clicking a person on the map opens their page.
    svg.locator(f'g.contact[data-id="{ceo.pk}"] a').click()
    expect(page.get_by_role("heading", name="Urs Caduff", level=1)).to_be_visible()
