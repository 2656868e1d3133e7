"""The sales head logs in, runs a what-if with 20 % less budget and sees the figures change."""

import re
from decimal import Decimal

import pytest

from kundennetz.accounts.models import Account, Segment
from kundennetz.core.roles import Role
from kundennetz.core.services import save_record
from cast import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_what_if_less_budget(live_server, page):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    from kundennetz.planning import services
    from kundennetz.planning.models import Budget, Capacity, Period

    head = make_user("chefin", Role.SALES_HEAD, first_name="Vera", last_name="Keller", language="en")
    anna = make_user("anna", Role.ACCOUNT_MANAGER, first_name="Anna", last_name="Muster", language="en")
    beat = make_user("beat", Role.ACCOUNT_MANAGER, first_name="Beat", last_name="Meier", language="en")
    segments = {s.code: s for s in Segment.objects.all()}
    for name, owner, segment, potential in (("Sternwarte AG", anna, "key_accounts", "2000000"),
                                            ("Mittelland AG", anna, "mid_market", "600000"),
                                            ("Kleinkram GmbH", beat, "small", "80000"),
                                            ("Gemeinde Muri", beat, "public_sector", "900000")):
        Account.objects.create(name=name, owner=owner, segment=segments[segment], potential=Decimal(potential),
                               contribution_margin_pct=Decimal("32"))
    period = Period.get("2026")
    for manager, care in ((anna, "40"), (beat, "60")):
        save_record(Capacity(manager=manager, period=period, working_days=Decimal("20"), care_share_pct=Decimal(care)),
                    head)
    save_record(Budget(period=period, sales_support=Decimal("100000"), pr=Decimal("50000")), head)
    services.create_scenario("Basis", period, {}, head)

    page.goto(f"{live_server.url}/planning/?period=2026")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_label("User name").fill("chefin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Capacity planning 2026", level=1)).to_be_visible()
    expect(page.locator("#total-support")).to_have_text("CHF 100,000")
    baseline_row = page.locator("table.pl-scenarios tbody tr", has_text="Basis")
    expect(baseline_row).to_contain_text("CHF")

    page.locator("details#new-scenario summary").click()
    page.get_by_label("Name", exact=True).fill("Budget −20 %")
    page.get_by_label("Budget change %").fill("-20")
    page.get_by_role("button", name="Compute scenario").click()

    expect(page.get_by_role("heading", name=re.compile("Budget −20 %"), level=1)).to_be_visible()
    expect(page.locator("#what-ifs")).to_have_text("budget −20 %")
    expect(page.locator("#support-budget")).to_have_text("CHF 80,000")
    expect(page.locator("#pr-budget")).to_have_text("CHF 40,000")
    reduced = page.locator("#contribution-recommended").inner_text()

    page.get_by_role("link", name="Basis").last.click()
    expect(page.get_by_role("heading", name="Scenarios side by side")).to_be_visible()
    cells = page.locator('tr[data-row="contribution"] td')
    expect(cells).to_have_count(2)
    new_value, base_value = cells.nth(0).inner_text(), cells.nth(1).inner_text()
    assert new_value == reduced and new_value != base_value
    budget_cells = page.locator('tr[data-row="support_budget"] td')
    expect(budget_cells.nth(0)).to_have_text("CHF 80,000")
    expect(budget_cells.nth(1)).to_have_text("CHF 100,000")
    # Less money, so every franc is worth more at the margin.
    prices = page.locator('tr[data-row="support_price"] td')
    assert _amount(prices.nth(0).inner_text()) > _amount(prices.nth(1).inner_text())


def _amount(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text))
