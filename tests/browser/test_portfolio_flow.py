"""An account manager logs in, opens the portfolio, downloads it as PNG and clicks a dot to open that account."""

import re
from datetime import date
from decimal import Decimal

import pytest

from kundennetz.accounts.models import Account, Segment
from kundennetz.core.roles import Role
from cast import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_open_the_portfolio_and_click_an_account(live_server, page):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    from kundennetz.portfolio import services

    manager = make_user("petra", Role.ACCOUNT_MANAGER, first_name="Petra", last_name="Graf", language="en")
    other = make_user("urs", Role.ACCOUNT_MANAGER, first_name="Urs", last_name="Huber", language="en")
    segment = Segment.objects.get(code="mid_market")
    star = Account.objects.create(name="Sternwarte AG", owner=manager, segment=segment, status="customer",
                                  annual_revenue=Decimal("600000"), potential=Decimal("1000000"),
                                  contribution_margin_pct=Decimal("42"))
    for criterion, value in (("growth_potential", 5), ("price_realisation", 5), ("cooperation_reference", 5),
                             ("strategic_fit", 5), ("customer_satisfaction", 5)):
        services.set_rating(star, manager, criterion, value, "")
    Account.objects.create(name="Kleinkram GmbH", owner=manager, segment=segment, potential=Decimal("20000"))
    Account.objects.create(name="Fremdfirma AG", owner=other, segment=segment, potential=Decimal("900000"))
    services.recompute(period="2026-Q4", as_of=date(2026, 11, 30))

    page.goto(f"{live_server.url}/portfolio/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/portfolio/"))
    page.get_by_label("User name").fill("petra")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Customer portfolio", level=1)).to_be_visible()
    dots = page.locator("#portfolio-picture svg circle.dot")
    # Only her own two accounts; the other manager's is not in her picture.
    expect(dots).to_have_count(2)
    expect(page.locator(f'circle.dot[data-account-id="{star.pk}"]')).to_have_attribute("data-cell", "star")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PNG").click()
    download = download_info.value
    assert download.suggested_filename == "portfolio-2026-Q4.png"
    with open(download.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"

    page.locator(f'circle.dot[data-account-id="{star.pk}"]').click()
    expect(page).to_have_url(re.compile(rf"/accounts/{star.pk}/$"))
    expect(page.get_by_role("heading", name="Sternwarte AG", level=1)).to_be_visible()
