"""The points a new user stumbled over, walked in the browser at 1280 and 390 px, in German and English:
the opportunity form takes as many people as needed, the language switch in the header asks and confirms,
the portfolio names its largest dots and every dot on focus, the trash restores several records at once,
and no page of the walk is wider than the window."""

import re
from datetime import date
from decimal import Decimal

import pytest
from browser_layout import axe_violations, log_in, overflow

from kundennetz.accounts.models import Account, Contact, Opportunity, OpportunityContact, Segment, Stage
from kundennetz.core.roles import Role
from cast import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = [(1280, "de-ch"), (390, "en"), (390, "de-ch"), (1280, "en")]


def fits(page) -> None:
    found = overflow(page)
    assert found["scroll"] <= found["width"], found


@pytest.fixture
def head(db):
    return make_user("chefin", Role.SALES_HEAD, first_name="Regula", last_name="Aebi")


@pytest.mark.parametrize(("width", "language"), SIZES)
def test_an_opportunity_takes_as_many_people_as_needed(live_server, page, head, width, language):
    head.language = language
    head.save()
    account = Account.objects.create(name="Viele Leute AG", owner=head, segment=Segment.objects.get(code="mid_market"))
    people = [Contact.objects.create(account=account, first_name=f"Person{i}", last_name=f"Nummer{i}",
                                     buying_role=Contact.BuyingRole.INFLUENCER) for i in range(5)]
    opportunity = Opportunity.objects.create(account=account, title="Grossprojekt", owner=head,
                                             stage=Stage.objects.get(code="qualifying"))
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "chefin", PASSWORD)
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/edit/")
    fits(page)
    rows = page.locator('[data-formset-body="people"] tr')
    assert rows.count() == 2
    for _ in range(3):
        page.locator("#add-person").click()
    assert rows.count() == 5
    assert page.evaluate("() => document.activeElement.name") == "people-4-contact"
    for i, person in enumerate(people):
        page.select_option(f'select[name="people-{i}-contact"]', str(person.pk))
    fits(page)
    page.locator("form.record-form button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/opportunities/{opportunity.pk}/$"))
    assert OpportunityContact.objects.filter(opportunity=opportunity).count() == 5


@pytest.mark.parametrize(("width", "language"), SIZES[:2])
def test_language_switch_in_the_header_asks_and_confirms(live_server, page, head, width, language):
    head.language = language
    head.save()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "chefin", PASSWORD)
    page.goto(f"{live_server.url}/accounts/")
    fits(page)
    switch = page.locator("header .lang-switch button")
    target = "en" if language.startswith("de") else "de-ch"
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    switch.click()
    assert questions and page.evaluate("() => document.documentElement.lang").startswith(language[:2])
    page.once("dialog", lambda dialog: dialog.accept())
    switch.click()
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/")
    assert page.evaluate("() => document.documentElement.lang").startswith(target[:2])
    message = page.locator(".messages .message").first.inner_text()
    assert ("English" in message) if target == "en" else ("Deutsch" in message)
    head.refresh_from_db()
    assert head.language == target
    fits(page)


@pytest.mark.parametrize(("width", "language"), SIZES[:2])
def test_portfolio_names_its_largest_dots_and_every_dot_on_focus(live_server, page, head, width, language):
    from kundennetz.portfolio import services

    head.language = language
    head.save()
    segment = Segment.objects.get(code="mid_market")
    accounts = [Account.objects.create(name=f"Kunde {i:02d} AG", owner=head, segment=segment, status="customer",
                                       annual_revenue=Decimal(10000 * (i + 1)), potential=Decimal(50000 * (i + 1)),
                                       contribution_margin_pct=Decimal("30")) for i in range(12)]
    services.recompute(period="2026-Q4", as_of=date(2026, 11, 30))
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "chefin", PASSWORD)
    page.goto(f"{live_server.url}/portfolio/")
    fits(page)
    named = page.locator("svg.portfolio text.dot-name.named")
    assert 1 <= named.count() <= 8
    names = named.all_text_contents()
    assert "Kunde 11 AG" in names and "Kunde 00 AG" not in names
    small = page.locator("svg.portfolio a", has=page.locator('circle[data-account-id="%d"]' % accounts[0].pk))
    label = small.locator("text.dot-name")
    assert label.evaluate("el => getComputedStyle(el).visibility") == "hidden"
    small.focus()
    assert label.evaluate("el => getComputedStyle(el).visibility") == "visible"
    assert "Kunde 00 AG" in small.get_attribute("aria-label")
    assert axe_violations(page) == []


@pytest.mark.parametrize(("width", "language"), SIZES[:2])
def test_trash_restores_several_at_once(live_server, page, head, width, language):
    head.language = language
    head.save()
    account = Account.objects.create(name="Papier AG", owner=head)
    contacts = [Contact.objects.create(account=account, first_name="P", last_name=f"Korb{i}") for i in range(3)]
    for contact in contacts:
        contact.soft_delete(head)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "chefin", PASSWORD)
    page.goto(f"{live_server.url}/trash/")
    fits(page)
    # Opens on the contacts, the kind that holds something.
    assert page.locator('.tabs a[aria-current="page"]').get_attribute("href") == "?kind=contacts"
    page.check(f"#choose-{contacts[0].pk}")
    page.check(f"#choose-{contacts[1].pk}")
    page.locator("#bulk-restore button").click()
    page.wait_for_load_state()
    assert Contact.objects.filter(account=account).count() == 2
    fits(page)
    assert axe_violations(page) == []
