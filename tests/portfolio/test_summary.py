"""The portfolio page's counts stored with the snapshot and brought to today (trash, overrides, owners and
teams as they are now) give exactly what counting every visible position now gives: per density square
and today's strategy, per cell, the moves since the previous snapshot, the largest and the first unplaced
accounts; for every role, with filters; in a constant number of queries."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundennetz.accounts.models import Account, Segment
from kundennetz.domain.portfolio import move_reasons
from kundennetz.domain.portfolio_svg import density_bin
from kundennetz.portfolio import queries, services, summary, views
from kundennetz.portfolio import strategy as today_rule
from kundennetz.portfolio.models import (
    AccountPosition,
    PortfolioSnapshot,
    PositionMove,
    SnapshotSummary,
    StrategyOverride,
)

pytestmark = pytest.mark.django_db

# (name, owner, team member?, segment, revenue, ratings before, ratings now); None: not rated (not placed).
ACCOUNTS = [
    ("Aare AG", "owner", True, "mid_market", 900_000, (4, 4), (4, 4)),
    ("Berg AG", "owner", False, "key_accounts", 50_000, (2, 4), (4, 4)),        # moves to star
    ("Chur AG", "owner", True, "mid_market", None, (4, 2), (4, 2)),
    ("Delta AG", "outsider", False, "key_accounts", 10_000, (2, 2), (5, 5)),    # moves
    ("Emme AG", "outsider", False, "small", 700_000, (5, 5), (5, 5)),
    ("Flims AG", "owner", False, "small", 300_000, (1, 5), (1, 5)),
    ("Gurten AG", "sales_head", False, "mid_market", 120_000, (3, 3), (3, 3)),
    ("Holz AG", "owner", True, "mid_market", 80_000, None, None),               # never placed
    ("Iseo AG", "outsider", False, "mid_market", 60_000, (4, 4), None),         # loses its place
    ("Jura AG", "owner", False, "public_sector", 40_000, None, (2, 5)),         # gets a place
    ("Kander AG", "outsider", False, "small", 90_000, (5, 1), (1, 1)),          # moves
    ("Linth AG", "owner", True, "key_accounts", 500_000, (5, 2), (5, 2)),
    ("Maggia AG", "outsider", False, "mid_market", None, (2, 3), (2, 3)),
    ("Nufenen AG", "owner", False, "small", 25_000, None, None),
]


@pytest.fixture
def world(manual_model, rate, make_account, cast):
    """Two snapshots of fourteen accounts with moves between them and overrides in each; then, after the
    current snapshot: accounts trashed and restored, overrides set, cleared and one naming a strategy that
    no longer exists, an owner and a team changed, a new account and one deleted for good."""
    manual_model()
    people = {"owner": cast.owner, "outsider": cast.outsider, "sales_head": cast.sales_head}
    made = {}
    for name, owner, team, segment, revenue, before, _now in ACCOUNTS:
        account = make_account(name, owner=people[owner], segment=segment,
                               annual_revenue=Decimal(revenue) if revenue is not None else None)
        if team:
            account.team.add(cast.team_member)
        if before:
            rate(account, *before)
        made[name] = account
    gone_before = make_account("Vorher AG", owner=cast.owner)
    rate(gone_before, 3, 4)
    services.set_override(made["Linth AG"], cast.sales_head, "hold_efficiently", "Board")
    services.recompute(period="2026-Q3", as_of=date(2026, 9, 30))
    gone_before.soft_delete(cast.owner)     # not in the current snapshot; restored after it
    for name, *_rest, before, now in ACCOUNTS:
        if now != before:
            if now is None:
                for criterion in ("att_rating", "pos_rating"):
                    services.set_rating(made[name], cast.sales_head, criterion, None)
            else:
                rate(made[name], *now)
    services.set_override(made["Flims AG"], cast.sales_head, "hold_and_expand", "Reference")  # same cell
    services.clear_override(made["Linth AG"], cast.sales_head)
    doomed = make_account("Weg AG", owner=cast.outsider)
    rate(doomed, 5, 5)
    services.recompute(period="2026-Q4", as_of=date(2026, 12, 1))

    # Today, after the snapshot.
    made["Berg AG"].soft_delete(cast.owner)            # moved, now in the trash
    made["Nufenen AG"].soft_delete(cast.owner)         # not placed, in the trash
    made["Emme AG"].soft_delete(cast.outsider)         # in the trash and overridden
    services.set_override(made["Emme AG"], cast.sales_head, "hold_efficiently", "Before it went")
    services.set_override(made["Aare AG"], cast.sales_head, "selective_withdrawal", "Harvest")
    services.set_override(made["Holz AG"], cast.sales_head, "hold_and_expand", "Not placed, but decided")
    services.set_override(made["Delta AG"], cast.sales_head, "big_step_or_out", "Moved and overridden")
    services.clear_override(made["Flims AG"], cast.sales_head)
    StrategyOverride.objects.create(account=made["Gurten AG"], strategy="retired_strategy", reason="An old one")
    gone_before.restore(cast.sales_head)
    made["Maggia AG"].owner = cast.owner                # handed over: the owner sees it now
    made["Maggia AG"].save()
    made["Kander AG"].team.add(cast.team_member)
    make_account("Neu AG", owner=cast.owner)           # in no snapshot
    return made


def expected(user, snapshot, previous, filters):
    """What counting every visible position now gives, straight from the positions (the reference)."""
    model = snapshot.model
    rules_ = today_rule.rules_for(model)
    visible = queries.apply_filters(queries.positions(user, snapshot), filters, user=user, model=model)
    rows = list(visible.values_list("account_id", "attractiveness", "position", "cell", "strategy",
                                    "account__portfolio_override__strategy", "account__annual_revenue",
                                    "account__name_sort"))
    squares, cells = {}, Counter()
    for account_id, att, pos, cell, _stored, override, _revenue, _name in rows:
        if cell and att is not None and pos is not None:
            square = squares.setdefault((density_bin(pos), density_bin(att)), Counter())
            square[rules_.today(override, cell).key] += 1
            cells[cell] += 1
        elif not cell:
            cells[""] += 1
    grid = tuple(sorted((i, j, sum(c.values()), max(sorted(c, key=str), key=c.get)) for (i, j), c in squares.items()))
    moves = []
    if previous is not None:
        after = {r[0]: move_reasons.Stored(r[1], r[2], r[3], r[4]) for r in rows}
        before = {a: move_reasons.Stored(*rest) for a, *rest in AccountPosition.objects.filter(
            snapshot=previous, account_id__in=list(after)).values_list(
            "account_id", "attractiveness", "position", "cell", "strategy")}
        changed = previous.scoring_model_id != snapshot.scoring_model_id or previous.grid != snapshot.grid
        moves = move_reasons.moves(before, after, model_changed=changed)
    placed = [r for r in rows if r[3] and r[1] is not None and r[2] is not None]
    largest = [r[0] for r in sorted(placed, key=lambda r: (r[6] is None, -(r[6] or 0), r[0]))][:queries.LARGEST_NAMED]
    unplaced = [r[0] for r in sorted((r for r in rows if not r[3]), key=lambda r: (r[7], r[0]))][:queries.UNPLACED_LISTED]
    return {"grid": grid, "cells": {k: v for k, v in cells.items() if v}, "placed": len(placed),
            "moved": len(moves), "moves": {m.account_id: m.reasons for m in moves},
            "largest": largest, "unplaced": unplaced}


def shown(user, filters):
    """The same figures as the portfolio page computes them."""
    snapshot = PortfolioSnapshot.current()
    selection = queries.select(user, snapshot, filters)
    found = queries.counts(selection)
    largest, unplaced = queries.listed(selection, found, largest=True)
    listed_moves, moved = queries.movements(selection, found)
    return selection, {
        "grid": found.counts.grid(), "cells": {k: v for k, v in found.counts.cells.items() if v},
        "placed": found.counts.placed, "moved": moved,
        "moves": {m["account_id"]: m["move"].reasons for m in listed_moves},
        "largest": [r[0] for r in largest], "unplaced": [r[0] for r in unplaced],
    }


ROLES = ("sales_head", "admin", "read_only", "marketing", "owner", "team_member", "outsider")
FILTERS = [
    {}, {"abc": "C"}, {"abc": "A"}, {"cell": "star"}, {"cell": "take_along"}, {"strategy": "hold_and_expand"},
    {"strategy": "big_step_or_out"}, {"strategy": "selective_withdrawal", "abc": "C"}, {"segment": "key_accounts"},
    {"q": "AG"}, {"mine": True}, {"owner": "outsider"}, {"cell": "star", "segment": "mid_market"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none")
def test_stored_and_live_counts_equal_counting_every_position(world, cast, filters):
    Account.all_objects.get(name="Weg AG").delete()   # deleted for good after the snapshot
    snapshot = PortfolioSnapshot.current()
    previous = snapshot.previous()
    assert previous is not None
    for role in ROLES:
        user = getattr(cast, role)
        given = dict(filters)
        if given.get("owner") == "outsider":
            given["owner"] = cast.outsider
        if given.get("segment"):
            given["segment"] = Segment.objects.get(code=given["segment"])
        selection, figures = shown(user, given)
        assert figures == expected(user, snapshot, previous, given), (role, filters)


def test_each_way_of_counting_is_taken_where_it_belongs(world, cast):
    snapshot = PortfolioSnapshot.current()
    assert queries.select(cast.sales_head, snapshot, {}).whole
    assert queries.select(cast.read_only, snapshot, {"abc": "C", "strategy": "maintain"}).whole
    assert not queries.select(cast.sales_head, snapshot, {"segment": "small"}).whole
    assert queries.select(cast.owner, snapshot, {}).one_book
    assert queries.select(cast.sales_head, snapshot, {"mine": True}).one_book
    assert not queries.select(cast.sales_head, snapshot, {"q": "AG"}).one_book


def test_the_whole_network_from_the_stored_counts_gives_the_straight_count(world, cast):
    """The stored-and-corrected counts against the database's count of the same positions (both new ways)."""
    snapshot = PortfolioSnapshot.current()
    stored = summary.stored_for(snapshot, snapshot.previous())
    assert stored is not None
    rules_ = today_rule.rules_for(snapshot.model)
    for filters in ({}, {"abc": "B"}, {"cell": "question_mark"}, {"strategy": "hold_efficiently"}):
        selection = queries.select(cast.sales_head, snapshot, filters)
        live = summary.live_counts(stored, snapshot, rules_, summary.keeps(filters))
        counted = summary.counted(selection.positions, snapshot, rules_)
        assert (live.grid(), +live.cells, live.moved) == (counted.grid(), +counted.cells, counted.moved), filters


def test_stored_with_the_snapshot_and_its_moves(world, cast):
    snapshot = PortfolioSnapshot.current()
    previous = snapshot.previous()
    stored = SnapshotSummary.objects.get(snapshot=snapshot)
    assert stored.previous_snapshot == previous.pk
    # Every position of the snapshot, the trash included: the page takes it away.
    assert sum(row[4] for row in stored.groups) == AccountPosition.objects.filter(snapshot=snapshot).count()
    names = set(Account.all_objects.filter(
        pk__in=PositionMove.objects.filter(snapshot=snapshot).values("account_id")).values_list("name", flat=True))
    # Flims AG stayed in its cell; its strategy changed with the override (a move too).
    assert names == {"Berg AG", "Delta AG", "Kander AG", "Iseo AG", "Jura AG", "Flims AG", "Linth AG"}
    assert stored.moved == len(names)
    # The first snapshot has nothing to move from.
    assert SnapshotSummary.objects.get(snapshot=previous).moved == 0


def test_missing_or_outdated_counts_are_counted_without_writing_and_stored_after_migrating(world, cast,
                                                                                             client_for):
    snapshot = PortfolioSnapshot.current()
    before = {role: shown(getattr(cast, role), {})[1] for role in ROLES}
    SnapshotSummary.objects.all().delete()
    PositionMove.objects.all().delete()
    for role in ROLES:  # the page counts the positions and compares the two snapshots itself
        assert shown(getattr(cast, role), {})[1] == before[role], role
    assert client_for(cast.sales_head).get("/portfolio/").status_code == 200
    assert not SnapshotSummary.objects.exists() and not PositionMove.objects.exists()   # reading wrote nothing
    assert summary.store_missing() == 2
    assert summary.store_missing() == 0
    assert shown(cast.sales_head, {})[1] == before["sales_head"]
    # The snapshot before goes: the current one has nothing to move from any more.
    services.delete_snapshot(snapshot.previous())
    assert summary.stored_for(snapshot, None) is None   # measured against the snapshot gone
    figures = shown(cast.sales_head, {})[1]
    assert figures == expected(cast.sales_head, snapshot, None, {})
    assert figures["moved"] == 0
    assert summary.store_missing() == 1
    stored = SnapshotSummary.objects.get(snapshot=snapshot)
    assert (stored.previous_snapshot, stored.moved) == (None, 0)
    assert not PositionMove.objects.filter(snapshot=snapshot).exists()
    assert shown(cast.sales_head, {})[1] == figures


def test_a_snapshot_taken_for_an_earlier_period_becomes_what_the_next_one_moves_from(world, cast):
    current = PortfolioSnapshot.current()
    between = services.recompute(period="2026-Q3", as_of=date(2026, 9, 30))   # replaces the one of Q3
    assert current.previous().pk == between.pk
    assert SnapshotSummary.objects.get(snapshot=current).previous_snapshot == between.pk
    figures = shown(cast.owner, {})[1]
    assert figures == expected(cast.owner, current, between, {})


def test_an_account_deleted_for_good_leaves_the_stored_counts(world, cast, django_capture_on_commit_callbacks):
    snapshot = PortfolioSnapshot.current()
    doomed = Account.all_objects.get(name="Weg AG")
    assert AccountPosition.objects.filter(snapshot=snapshot, account=doomed).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        doomed.delete()
    assert not SnapshotSummary.objects.filter(snapshot=snapshot).exists()
    want = expected(cast.sales_head, snapshot, snapshot.previous(), {})
    assert shown(cast.sales_head, {})[1] == want
    for callback in callbacks:  # once committed, the counts are stored again
        callback()
    assert SnapshotSummary.objects.filter(snapshot=snapshot).exists()
    assert shown(cast.sales_head, {})[1] == want


def test_the_page_shows_the_counts_and_says_what_they_rest_on(world, cast, client_for, monkeypatch):
    monkeypatch.setattr(views, "MAX_DOTS", 2)
    snapshot = PortfolioSnapshot.current()
    for role in ("sales_head", "owner", "outsider"):
        user = getattr(cast, role)
        response = client_for(user).get("/portfolio/")
        want = expected(user, snapshot, snapshot.previous(), {})
        assert response.context["aggregated"]
        html = response.content.decode()
        rects = [int(part.split('"')[0]) for part in html.split('class="density-cell" data-count="')[1:]]
        assert sorted(rects) == sorted(n for _i, _j, n, _s in want["grid"]), role
        assert {c["key"]: c["count"] for c in response.context["cells"] if c["count"]} == want["cells"], role
        assert response.context["moved"] == want["moved"]
        assert {m["account_id"] for m in response.context["moves"]} == set(want["moves"])
        assert "strategies as they stand today" in html and "accounts in the trash are left out" in html
        # The download is the same picture.
        svg = client_for(user).get("/portfolio/portfolio.svg").content.decode()
        assert sorted(int(p.split('"')[0]) for p in svg.split('class="density-cell" data-count="')[1:]) == sorted(rects)


def test_below_the_limit_the_dots_are_the_visible_accounts(world, cast, client_for):
    snapshot = PortfolioSnapshot.current()
    for role in ("sales_head", "team_member", "outsider"):
        user = getattr(cast, role)
        response = client_for(user).get("/portfolio/")
        assert not response.context["aggregated"]
        html = response.content.decode()
        ids = {int(part.split('"')[0]) for part in html.split('data-account-id="')[1:]}
        visible = set(queries.positions(user, snapshot).values_list("account_id", flat=True))
        placed = set(queries.positions(user, snapshot).exclude(cell="").values_list("account_id", flat=True))
        assert placed <= ids <= visible, role
        want = expected(user, snapshot, snapshot.previous(), {})
        assert response.context["dot_count"] == want["placed"] + want["cells"].get("", 0)


@pytest.mark.parametrize("role, filters", [("sales_head", {}), ("sales_head", {"strategy": "hold_and_expand"}),
                                           ("sales_head", {"segment": "mid_market"}), ("owner", {}),
                                           ("team_member", {}), ("read_only", {"abc": "C"})])
def test_constant_query_count_whatever_the_network_and_its_changes(role, filters, manual_model, rate, make_account,
                                                                   cast, client_for, monkeypatch):
    monkeypatch.setattr(views, "MAX_DOTS", 0)
    manual_model()
    client = client_for(getattr(cast, role))
    url = "/portfolio/?" + "&".join(f"{k}={v}" for k, v in filters.items())

    def grow(n):
        for i in range(n):
            account = make_account(f"Konto {Account.all_objects.count():03d}",
                                   owner=cast.owner if i % 2 else cast.outsider,
                                   annual_revenue=Decimal(1_000 * (i + 1)))
            if i % 3:
                rate(account, 1 + i % 5, 1 + (i * 3) % 5)
            if i % 2 == 0:
                account.team.add(cast.team_member)
        services.recompute(period="2026-Q3", as_of=date(2026, 9, 30))
        for i, account in enumerate(Account.objects.order_by("pk")):
            if i % 3 == 1:
                rate(account, 1 + (i * 7) % 5, 1 + (i + 2) % 5)
        services.recompute(period="2026-Q4", as_of=date(2026, 12, 1))
        for i, account in enumerate(Account.objects.order_by("pk")):
            if i % 6 == 0:
                services.set_override(account, cast.sales_head, "hold_and_expand", "Test")
            if i % 7 == 5:
                account.soft_delete(cast.sales_head)

    def queries_for():
        client.get(url)  # the first request of a snapshot may store its counts
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200 and response.context["aggregated"]
        assert response.context["moved"] and response.context["cells"][-1]["count"]
        return len(context.captured_queries)

    grow(12)
    few = queries_for()
    grow(48)
    assert queries_for() == few
