"""The walk every new user takes: log in, open the account list, create an account, find it in the list."""

import re

import pytest

from kundennetz.accounts.models import Account
from kundennetz.core.roles import Role
from cast import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_log_in_create_an_account_and_find_it(live_server, page):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    make_user("petra", Role.ACCOUNT_MANAGER, first_name="Petra", last_name="Graf", language="en")

    page.goto(f"{live_server.url}/accounts/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/accounts/"))
    page.get_by_label("User name").fill("petra")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()
    expect(page.get_by_text("0 accounts")).to_be_visible()

    page.get_by_role("link", name="New account").click()
    page.get_by_label("Name", exact=True).fill("Alpenblick Informatik AG")
    page.get_by_label("Industry").fill("IT services")
    page.get_by_label("City").fill("Chur")
    page.get_by_label("Customer group").select_option(label="Mid-market")
    page.get_by_label("Estimated potential").fill("750'000")
    # The owner is fixed to the account manager who creates the account.
    expect(page.get_by_label("Account manager")).to_be_disabled()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Alpenblick Informatik AG", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("created")
    expect(page.get_by_text("CHF 750,000")).to_be_visible()

    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Accounts").click()
    row = page.get_by_role("row").filter(has_text="Alpenblick Informatik AG")
    expect(row).to_contain_text("Chur")
    expect(row).to_contain_text("Petra Graf")

    # Live search narrows the list without a page load and keeps the address shareable.
    page.get_by_role("searchbox", name="Search", exact=True).fill("zzz")
    expect(page.get_by_text("No account matches.")).to_be_visible()
    page.get_by_role("searchbox", name="Search", exact=True).fill("alpen")
    expect(row).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=alpen"))

    account = Account.objects.get(name="Alpenblick Informatik AG")
    assert account.owner.username == "petra" and account.segment.code == "mid_market"
