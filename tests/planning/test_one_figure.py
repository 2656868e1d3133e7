"""One figure "planned contacts of this account in this period": the same number, with its source, on
the account page (planning, portfolio and consistency panels), the planning page, My week, the API and
the command line — for the demo network and for a generated one."""

import json
import random
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundennetz.accounts.models import Account, Segment
from kundennetz.planning.figures import planned_for_accounts
from kundennetz.planning.models import AccountPlan

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'data-planned-contacts="([^"]+)" data-planned-source="([^"]+)"')


def number(text: str) -> float:
    return round(float(text.replace("'", "").replace("’", "").replace(",", "")), 1)


def expected(figure) -> tuple[float, str]:
    return round(figure.contacts, 1), figure.source


def account_page(client, account) -> list[tuple[float, str]]:
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    return [(number(n), source) for n, source in FIGURE.findall(html)]


def api(client, account) -> tuple[float, str]:
    body = client.get(f"/api/planning/accounts/{account.pk}/plan").json()["planned"]
    return round(body["contacts"], 1), body["source"]


def cli(accounts) -> dict[int, tuple[float, str]]:
    out = StringIO()
    args = ["plan", "planned"]
    for account in accounts:
        args += ["--account", str(account.pk)]
    call_command(*args, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return {r["account"]: (round(r["contacts"], 1), r["source"]) for r in rows}


def my_week(client) -> dict[int, tuple[float, str]]:
    html = client.get("/my-week/?within=60").content.decode()
    found = {}
    for section in html.split('<section class="card week-account"')[1:]:
        pk = int(re.search(r'aria-labelledby="week-(\d+)"', section)[1])
        n, source = FIGURE.search(section).groups()
        found[pk] = (number(n), source)
    return found


def planning_page(client) -> dict[int, tuple[float, str]]:
    html = client.get("/planning/").content.decode()
    return {int(pk): (number(n), "adopted") for pk, n in
            re.findall(r'data-account="(\d+)" data-planned-contacts="([^"]+)"', html)}


def check_everywhere(client, accounts, *, portfolio: bool):
    figures = planned_for_accounts([a.pk for a in accounts])
    from_cli = cli(accounts)
    week = my_week(client)
    planning = planning_page(client)
    sources = set()
    for account in accounts:
        want = expected(figures[account.pk])
        sources.add(want[1])
        shown = account_page(client, account)
        # planning panel, portfolio panel (when there is a scoring model), consistency panel
        assert shown == [want] * (3 if portfolio else 2), account
        assert api(client, account) == want
        assert from_cli[account.pk] == want
        if account.pk in week:
            assert week[account.pk] == want
        if account.pk in planning:
            assert planning[account.pk] == want
    # My week and the planning page list some of these accounts (due contacts, adopted plans).
    assert {a.pk for a in accounts} & set(week) and {a.pk for a in accounts} & set(planning)
    return sources


def test_the_demo_shows_one_planned_figure_everywhere(client):
    from kundennetz.sample import demo

    demo.load_demo(today=timezone.localdate())
    user = Account.objects.exclude(owner=None).order_by("pk").first().owner
    client.force_login(user)
    accounts = list(Account.objects.filter(owner=user).order_by("pk")[:6])
    # An account without an adopted plan shows the plan its strategy implies.
    AccountPlan.objects.filter(account=accounts[0]).delete()
    sources = check_everywhere(client, accounts, portfolio=True)
    assert "adopted" in sources and sources - {"adopted"}


@pytest.fixture
def generated(cast):
    """A small generated network: random accounts in the customer groups, a portfolio snapshot, an
    adopted plan for some accounts and none for others."""
    from kundennetz.planning import services
    from kundennetz.planning.models import Budget, Capacity, Period
    from kundennetz.portfolio import services as portfolio_services

    rng = random.Random(7)
    segments = list(Segment.objects.all()) + [None]
    accounts = [Account.objects.create(name=f"Generiert {i:02d} AG", owner=cast.owner,
                                       segment=rng.choice(segments), annual_revenue=rng.randint(10, 900) * 1000,
                                       potential=rng.randint(50, 3000) * 1000) for i in range(12)]
    today = timezone.localdate()
    portfolio_services.recompute(period=f"{today.year}-Q{(today.month - 1) // 3 + 1}", as_of=today, user=cast.admin)
    period = Period.get(str(today.year))
    Capacity.objects.create(manager=cast.owner, period=period, working_days=220, care_share_pct=60)
    Budget.objects.create(period=period, sales_support=100_000, pr=50_000)
    scenario = services.create_scenario("Basis", period, {}, cast.sales_head)
    services.apply_scenario(scenario, cast.sales_head)
    AccountPlan.objects.filter(account__in=accounts[::3]).delete()
    return accounts


def test_a_generated_network_shows_one_planned_figure_everywhere(generated, cast, client):
    client.force_login(cast.owner)
    sources = check_everywhere(client, generated, portfolio=True)
    assert "adopted" in sources and sources - {"adopted"}


def test_the_cli_refuses_unknown_accounts_and_bad_dates(network):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No account with the id 999999"):
        call_command("plan", "planned", "--account", "999999", stdout=StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("plan", "planned", "--date", "gestern", stdout=StringIO())
