"""Live vs snapshot: a snapshot says as of when and whether its inputs changed since; a snapshot taken again
with unchanged inputs moves no account; when accounts move, the portfolio says why."""

import pytest

from kundennetz.core import freshness, tunables
from kundennetz.core.tunables.schemas import RelationshipWeights
from kundennetz.portfolio import queries, services
from kundennetz.portfolio.models import AccountPosition, PortfolioSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(manual_model, rate, make_account):
    """Four accounts on the manual-ratings model, one in each cell of the 2x2 grid."""
    manual_model()
    accounts = [make_account(f"Konto {i}") for i in range(4)]
    for account, (att, pos) in zip(accounts, ((1, 1), (5, 1), (1, 5), (5, 5)), strict=True):
        rate(account, att, pos)
    return accounts


def moves_between(before, after, user):
    """(listed moves, how many moved) the portfolio page shows `user` between the two snapshots."""
    selection = queries.select(user, after, {}, previous=before)
    return queries.movements(selection, queries.counts(selection))


def positions(snapshot) -> dict:
    return {a: (cell, strategy, att, pos) for a, cell, strategy, att, pos in AccountPosition.objects.filter(
        snapshot=snapshot).values_list("account_id", "cell", "strategy", "attractiveness", "position")}


def test_fingerprint_is_stable_and_follows_each_input(rated, rate, cast):
    first = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    assert freshness.fingerprint(services.SNAPSHOT_INPUTS) == first
    rate(rated[0], 2, 1)
    second = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    assert second != first
    tunables.save(RelationshipWeights, tunables.get(RelationshipWeights).model_dump(), cast.admin, "test")
    assert freshness.fingerprint(services.SNAPSHOT_INPUTS) != second
    # Interactions count in the scores (a figure source registered by their app): they are inputs too.
    assert "interactions.Interaction" in freshness.inputs(services.SNAPSHOT_INPUTS)[0]


def test_snapshot_fresh_until_an_input_changes_then_fresh_again(rated, rate):
    snapshot = services.recompute(period="2026-Q4")
    status = snapshot.freshness()
    assert status.when == snapshot.created_at and not status.out_of_date and not status.live
    rate(rated[1], 1, 1)
    assert snapshot.freshness().out_of_date
    assert services.refresh_if_stale() is True
    fresh = PortfolioSnapshot.current()
    assert not fresh.freshness().out_of_date
    assert services.refresh_if_stale() is False


def test_older_snapshot_is_the_record_of_its_period_never_out_of_date(rated, rate):
    older = services.recompute(period="2026-Q3")
    services.recompute(period="2026-Q4")
    rate(rated[1], 1, 1)
    assert not older.freshness().out_of_date
    assert PortfolioSnapshot.current().freshness().out_of_date


def test_unchanged_inputs_move_no_account(rated, cast):
    before = services.recompute(period="2026-Q3")
    after = services.recompute(period="2026-Q4")
    assert positions(before) == positions(after)
    moves, moved = moves_between(before, after, cast.sales_head)
    assert (moves, moved) == ([], 0)


def test_moves_say_which_input_changed(rated, rate, cast):
    before = services.recompute(period="2026-Q3")
    rate(rated[0], 5, 1)   # attractiveness 0 -> 100: another cell
    rate(rated[1], 5, 5)   # position 0 -> 100: another cell
    services.set_override(rated[3], cast.sales_head, "big_step_or_out", "Board decision")  # same cell
    after = services.recompute(period="2026-Q4")
    moves, moved = moves_between(before, after, cast.sales_head)
    assert moved == 3
    reasons = {m["account_id"]: m["move"].reasons for m in moves}
    assert reasons == {rated[0].pk: ("attractiveness",), rated[1].pk: ("position",), rated[3].pk: ("override",)}
    texts = {m["account_id"]: m["reasons"] for m in moves}
    assert texts[rated[1].pk] == ["our (supplier) position 0 → 100"]


def test_new_model_version_is_named_as_the_reason(rated, manual_model, cast):
    before = services.recompute(period="2026-Q3")
    manual_model(grid="3x3")
    after = services.recompute(period="2026-Q4")
    moves, moved = moves_between(before, after, cast.sales_head)
    assert moved > 0
    assert all(m["move"].reasons[0] == "model" for m in moves)


def test_portfolio_page_says_as_of_out_of_date_and_offers_the_recompute(rated, rate, cast, client_for):
    services.recompute(period="2026-Q4")
    page = client_for(cast.sales_head).get("/portfolio/").content.decode()
    assert 'data-out-of-date="false"' in page and "as of" in page
    rate(rated[2], 3, 3)
    page = client_for(cast.sales_head).get("/portfolio/").content.decode()
    assert 'data-out-of-date="true"' in page and "out of date" in page
    assert 'class="as-of-recompute"' in page and 'name="period" value="2026-Q4"' in page
    # Who may not take snapshots sees that the figures are out of date, without the button.
    page = client_for(cast.read_only).get("/portfolio/").content.decode()
    assert 'data-out-of-date="true"' in page and 'class="as-of-recompute"' not in page


def test_recompute_button_takes_the_period_again_and_only_for_who_may(rated, rate, cast, client_for):
    services.recompute(period="2026-Q4")
    rate(rated[2], 3, 3)
    assert client_for(cast.read_only).post("/portfolio/snapshots/", {"period": "2026-Q4"}).status_code == 403
    assert PortfolioSnapshot.current().freshness().out_of_date
    response = client_for(cast.sales_head).post("/portfolio/snapshots/", {"period": "2026-Q4"})
    assert response.status_code == 302  # to the job's page; the tests run jobs at once
    snapshot = PortfolioSnapshot.objects.get(period="2026-Q4")
    assert not snapshot.freshness().out_of_date


def test_account_panel_labels_live_scores_and_the_snapshot_figure(rated, rate, cast, client_for):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    services.recompute(period="2026-Q4")
    rate(rated[0], 5, 5)   # live now 100/100, the snapshot still says 0/0
    request = RequestFactory().get("/")
    request.user = cast.owner
    html = render_to_string("portfolio/_account_panel.html", {"account": rated[0], "user": cast.owner,
                                                               "request": request})
    assert 'data-live-score="100"' in html and 'data-snapshot-score="0"' in html
    assert "live" in html and "in snapshot 2026-Q4" in html and 'data-out-of-date="true"' in html


def test_api_says_as_of_and_out_of_date(rated, rate, cast, api):
    snapshot = services.recompute(period="2026-Q4")
    listed = api(cast.sales_head, "GET", "/api/portfolio/snapshots").json()["items"][0]
    assert listed["out_of_date"] is False
    rate(rated[0], 5, 5)
    assert api(cast.sales_head, "GET", "/api/portfolio/snapshots").json()["items"][0]["out_of_date"] is True
    one = api(cast.sales_head, "GET", f"/api/portfolio/accounts/{rated[0].pk}").json()
    assert one["snapshot"]["out_of_date"] is True and one["snapshot"]["as_of"].startswith(
        snapshot.created_at.isoformat()[:19])
    assert one["today"]["live"] is True and one["today"]["as_of"]
    rows = api(cast.sales_head, "GET", "/api/portfolio/accounts").json()["items"]
    assert rows and all(row["out_of_date"] is True for row in rows)
