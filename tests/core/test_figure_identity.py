"""Each figure is one figure: the strategy that applies today, our (supplier) position in the snapshot, the
consistency score and the planned contacts and hours read the same on the account page, the portfolio
(table, API, export command), planning, My week, the consistency panel and management view, the API and
the command line — for the demo and for a generated network. The account page's live scores are a
different thing and say so ("live"); the snapshot's figure stands next to them.

Right after `kundennetz demo` nothing stored is out of date, and a snapshot taken again moves no account.
"""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundennetz.accounts.models import Account
from kundennetz.core import freshness
from kundennetz.core.formatting import format_number
from kundennetz.core.models import User
from kundennetz.core.roles import Role

pytestmark = pytest.mark.django_db

ATTRIBUTE = r'{}="([^"]*)"'


def attr(html: str, name: str) -> list[str]:
    return re.findall(ATTRIBUTE.format(name), html)


def score_text(value) -> str:
    return format_number(value, 0)


def reference(ids: list[int]) -> dict[int, dict]:
    """The figures as the one function of each rule gives them."""
    from kundennetz.planning.figures import planned_for_accounts
    from kundennetz.portfolio import strategy

    today = strategy.for_accounts(ids)
    planned = planned_for_accounts(ids)
    return {a: {"strategy": today.of(a).key or "", "position": today.positions.get(a),
                "planned": (round(planned[a].contacts, 1), round(planned[a].hours, 1), planned[a].source)
                if a in planned else None} for a in ids}


def account_page(client, account_id: int) -> dict:
    html = client.get(f"/accounts/{account_id}/").content.decode()
    section = html[html.index('id="portfolio"'):]
    return {"strategy": attr(section, "data-strategy")[0],
            # attractiveness, then our position, as stored in the snapshot (the live ones are labelled live)
            "position": attr(html, "data-snapshot-score")[1] if attr(html, "data-snapshot-score") else None,
            "score": attr(html[html.index('id="consistency-panel"'):], "data-score")[0]}


def portfolio_table(client) -> dict[int, tuple[str, str]]:
    found, page = {}, 1
    while True:
        html = client.get(f"/portfolio/accounts/?page={page}").content.decode()
        rows = re.findall(r'<tr data-account-id="(\d+)" data-strategy="([^"]*)" data-position="([^"]*)">', html)
        found.update({int(pk): (strategy, position) for pk, strategy, position in rows})
        if f"page={page + 1}" not in html:
            return found
        page += 1


def portfolio_api(client) -> dict[int, dict]:
    found, offset = {}, 0
    while True:
        body = client.get(f"/api/portfolio/accounts?limit=100&offset={offset}").json()
        found.update({item["account"]: item for item in body["items"]})
        offset += 100
        # The count stops at 10,000 (`count_capped`); a page shorter than the limit is the last.
        if len(body["items"]) < 100:
            return found


def portfolio_export() -> dict[int, dict]:
    out = StringIO()
    call_command("portfolio", "export", "--format", "json", stdout=out)
    text = out.getvalue().strip()
    rows = json.loads(text if text.startswith("[") else f"[{text}]")
    return {row["account_id"]: row for row in rows}


def management_rows(client) -> dict[int, tuple[str, str]]:
    html = client.get("/management/consistency/?sort=name&limit=1000").content.decode()
    return {int(pk): (strategy, score) for pk, strategy, score in
            re.findall(r'<tr data-account-id="(\d+)" data-strategy="([^"]*)" data-score="([^"]*)">', html)}


def planning_strategies(ids) -> dict[int, str]:
    from kundennetz.planning import services

    segments = dict(Account.objects.filter(pk__in=ids).values_list("pk", "segment__code"))
    return services.account_strategies(segments).of_account


def check_everywhere(client, ids: list[int]) -> None:
    from kundennetz.interactions.models import ConsistencySnapshot
    from kundennetz.planning import services as planning

    want = reference(ids)
    table, api, export = portfolio_table(client), portfolio_api(client), portfolio_export()
    managed = management_rows(client)
    planned_strategies = planning_strategies(ids)
    positions = planning.account_strategies(dict(Account.objects.filter(pk__in=ids).values_list(
        "pk", "segment__code"))).position
    stored = dict(ConsistencySnapshot.objects.filter(account_id__in=ids).values_list("account_id", "score"))
    # Every place lists these accounts (the management view a page of them): nothing is compared vacuously.
    assert set(ids) <= set(table) & set(api) & set(export) & set(stored) and set(ids) & set(managed)
    assert any(want[a]["strategy"] for a in ids) and any(want[a]["position"] is not None for a in ids)
    for account_id in ids:
        expected = want[account_id]
        page = account_page(client, account_id)
        position = score_text(expected["position"])
        # The strategy that applies today
        assert page["strategy"] == expected["strategy"], account_id
        assert table[account_id][0] == expected["strategy"]
        assert (api[account_id]["strategy"] or "") == expected["strategy"]
        assert (export[account_id]["strategy"] or "") == expected["strategy"]
        if expected["strategy"]:
            assert planned_strategies[account_id] == expected["strategy"]
        if account_id in managed:
            assert managed[account_id][0] == expected["strategy"]
        # Our (supplier) position in the snapshot: one figure wherever the snapshot is shown
        assert page["position"] == position
        assert table[account_id][1] == position
        assert score_text(api[account_id]["position"]) == position
        assert score_text(export[account_id]["position"]) == position
        if account_id in positions:
            assert score_text(100 * positions[account_id]) == position
        # The consistency score: the live panel, the API, the stored row the management view and the
        # nightly command write
        body = client.get(f"/api/interactions/accounts/{account_id}/consistency").json()
        api_score = body["score"]
        assert body["live"] is True
        assert page["score"] == score_text(api_score)
        assert score_text(stored[account_id]) == page["score"]
        if account_id in managed:
            assert managed[account_id][1] == page["score"]
        # Planned contacts and hours: the API and the command give the one figure with its source
        if expected["planned"] is not None:
            body = client.get(f"/api/planning/accounts/{account_id}/plan").json()["planned"]
            assert (round(body["contacts"], 1), round(body["hours"], 1), body["source"]) == expected["planned"]
    out = StringIO()
    call_command("plan", "planned", *[arg for a in ids for arg in ("--account", str(a))], stdout=out)
    for row in map(json.loads, out.getvalue().splitlines()):
        assert (round(row["contacts"], 1), round(row["hours"], 1), row["source"]) == want[row["account"]]["planned"]


def nothing_out_of_date():
    from kundennetz.interactions import overview
    from kundennetz.interactions import services as consistency
    from kundennetz.planning import services as planning
    from kundennetz.planning.models import Scenario
    from kundennetz.portfolio.models import PortfolioSnapshot

    assert not PortfolioSnapshot.current().freshness().out_of_date
    assert not [s.name for s in Scenario.objects.all() if planning.freshness_of(s).out_of_date]
    state = overview.rows_state(freshness.fingerprint(consistency.SNAPSHOT_INPUTS))
    assert not overview.rows_are_stale(state, Account.objects.count(), timezone.localdate())
    assert freshness.refresh_stale() == []
    assert not overview.out_of_date(overview.stored(), freshness.fingerprint(consistency.SNAPSHOT_INPUTS),
                                    timezone.localdate())


def test_the_demo_is_fresh_and_shows_each_figure_once(client):
    from kundennetz.sample import demo
    from kundennetz.portfolio import services
    from kundennetz.portfolio.models import AccountPosition, PortfolioSnapshot

    demo.load_demo(today=timezone.localdate())
    nothing_out_of_date()
    head = User.objects.filter(role=Role.SALES_HEAD).order_by("pk").first()
    client.force_login(head)
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True)[:8])
    check_everywhere(client, ids)

    # Taken again with nothing changed, the snapshot moves no account.
    current = PortfolioSnapshot.current()
    fields = ("account_id", "cell", "strategy", "attractiveness", "position", "rank")
    before = set(AccountPosition.objects.filter(snapshot=current).values_list(*fields))
    again = services.recompute(period=current.period, as_of=current.as_of)
    assert set(AccountPosition.objects.filter(snapshot=again).values_list(*fields)) == before


def test_a_generated_network_shows_each_figure_once(client):
    from kundennetz.interactions import services as consistency
    from kundennetz.portfolio import services

    out = StringIO()
    call_command("generate", "--accounts", "30", "--interactions", "4", "--json", stdout=out)
    head = User.objects.get(username=json.loads(out.getvalue())["sales_head"])
    # The generated snapshot holds random scores, not figures computed from the network: it says it is
    # out of date until it is taken again.
    from kundennetz.portfolio.models import PortfolioSnapshot

    assert PortfolioSnapshot.current().freshness().out_of_date
    services.recompute(user=head)
    consistency.refresh_snapshots()
    client.force_login(head)
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True)[:8])
    check_everywhere(client, ids)
