"""In a real browser: an account manager logs an interaction on an account's page and sees the
consistency score change without the page reloading (HTMX swaps the panel)."""

import re

import pytest

from cast import PASSWORD, make_cast, make_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_log_an_interaction_and_see_the_score_change(live_server, page):
    from kundennetz.interactions.models import CoreMessage, Interaction

    expect = pytest.importorskip("playwright.sync_api").expect
    cast = make_cast()
    network = make_network(cast)
    cast.owner.language = "en"
    cast.owner.save()
    CoreMessage.objects.create(kind="value", text_de="Qualität zuerst", text_en="Quality first")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill(cast.owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"{live_server.url}/accounts/{network.account.pk}/")
    score = page.locator("#consistency-score")
    before = int(score.inner_text())
    # Set on the page itself: a reload would lose it.
    page.evaluate("window.stillTheSamePage = true")

    form = page.locator("#quick-log")
    form.get_by_label("Topics").fill("Browser test: annual review")
    form.get_by_label(re.compile("Anna Meier")).check()
    form.get_by_label(re.compile("Quality first")).check()
    form.get_by_role("button", name="Log interaction").click()

    timeline = page.locator(".timeline-item").filter(has_text="Browser test: annual review")
    expect(timeline).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Interaction logged.")).to_be_visible()
    after = int(score.inner_text())
    assert after > before
    assert page.evaluate("window.stillTheSamePage") is True

    interaction = Interaction.objects.get()
    assert interaction.account_id == network.account.pk and interaction.created_by_id == cast.owner.pk
    assert list(interaction.contacts.all()) == [network.contact]
