"""A large network's management view reads the overview the last full recompute stored, says as of when,
and says out of date when rows or inputs changed since; the stored figures are those of the live
aggregation (one aggregation, two ways to reach it)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kundennetz.core import freshness
from kundennetz.interactions import management_view, overview, services
from kundennetz.interactions.models import ConsistencyOverview

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(network, owner_history, log, cast):
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    owner_history(network.other_account, [(date(2024, 1, 1), cast.owner),
                                          (timezone.localdate() - timedelta(days=30), cast.outsider)])
    log(network.account, timezone.localdate() - timedelta(days=200), contacts=[network.contact])
    _commit()
    services.refresh_snapshots()
    return network


@pytest.fixture
def large(monkeypatch):
    """Every network counts as large: the page must not aggregate the rows."""
    monkeypatch.setattr(management_view, "STORED_OVERVIEW_FROM", 1)

    def refuse(state):
        raise AssertionError("a large network's page aggregated every row")

    monkeypatch.setattr(overview, "aggregate", refuse)


def _commit():
    """What a commit does with the callbacks waiting for it (a test runs in one transaction that never
    commits): run them once, in order, and forget them."""
    from django.db import connection

    waiting, connection.run_on_commit = connection.run_on_commit, []
    for _savepoints, callback, _robust in waiting:
        callback()


def _inputs():
    return freshness.fingerprint(services.SNAPSHOT_INPUTS)


def _figures(result):
    return (result.network, result.previous, result.histogram, result.strategies, result.period,
            [(row.manager, row.summary, row.previous, row.decision_makers, row.decision_makers_covered)
             for row in result.managers])


def test_a_full_recompute_stores_the_figures_of_the_live_aggregation(measured, cast):
    stored = overview.stored()
    assert stored is not None and stored.as_of == timezone.localdate() and not stored.rows_stale
    assert not overview.out_of_date(stored, _inputs(), timezone.localdate())
    live = management_view.overview(refresh=False)
    from_store = management_view._build(stored.figures, computed_at=stored.computed_at)
    assert _figures(from_store) == _figures(live)
    assert live.network.accounts == 2 and live.network.manager_changes == 1
    assert {row.manager for row in from_store.managers} == {cast.owner, cast.outsider}


def test_the_large_network_page_shows_the_stored_overview(measured, cast, client_for, large):
    response = client_for(cast.sales_head).get(reverse("interactions:management"))
    assert response.status_code == 200
    shown = response.context["overview"]
    assert not shown.stale and shown.network.accounts == 2
    assert shown.computed_at == overview.stored().computed_at
    assert "out of date" not in response.content.decode().lower()


def test_a_row_written_since_puts_the_stored_overview_out_of_date(measured, cast, client_for, large, log):
    assert not overview.out_of_date(overview.stored(), _inputs(), timezone.localdate())
    log(measured.account, timezone.localdate() - timedelta(days=3), contacts=[measured.contact])
    _commit()  # the account's row is refreshed after the commit
    assert overview.out_of_date(overview.stored(), _inputs(), timezone.localdate())
    client = client_for(cast.sales_head)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("interactions:management"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.context["overview"].stale
    # The stored figures are shown as they were, not patched by the one account.
    assert response.context["overview"].network.accounts == 2


def test_the_nightly_freshness_run_aggregates_anew_when_only_the_overview_is_behind(measured):
    before = overview.stored()
    # A row rewritten for one account (as after an interaction) leaves the rows fresh, the overview behind.
    services.refresh_snapshots(account_ids=[measured.account.pk])
    assert overview.out_of_date(before, _inputs(), timezone.localdate())
    assert management_view.refresh_if_stale() is False  # the rows were fresh: not recomputed
    after = overview.stored()
    assert after.computed_at > before.computed_at
    assert not overview.out_of_date(after, _inputs(), timezone.localdate())


def test_an_overview_from_an_earlier_day_or_other_inputs_is_out_of_date(measured, cast):
    stored = overview.stored()
    today = timezone.localdate()
    assert overview.out_of_date(stored, _inputs(), today + timedelta(days=1))
    assert overview.out_of_date(stored, "other inputs", today)
    assert overview.out_of_date(None, _inputs(), today)
    ConsistencyOverview.objects.filter(pk=stored.pk).update(rows_stale=True)
    assert overview.out_of_date(overview.stored(), _inputs(), today)


def test_nothing_stored_yet_says_so(cast, client_for, large, network):
    response = client_for(cast.sales_head).get(reverse("interactions:management"))
    assert response.status_code == 200
    shown = response.context["overview"]
    assert shown.stale and shown.period is None and shown.network.accounts == 0


def test_only_management_reads_the_stored_overview(measured, cast):
    from kundennetz.core.permissions import restrict

    for role in ("sales_head", "admin"):
        assert restrict(ConsistencyOverview.objects.all(), getattr(cast, role)).count() == 1
    for role in ("owner", "team_member", "outsider", "marketing", "read_only"):
        assert restrict(ConsistencyOverview.objects.all(), getattr(cast, role)).count() == 0, role
