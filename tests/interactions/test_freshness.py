"""The stored consistency rows know the inputs they were computed from: a changed strategy, plan, setting
or account puts them out of date (and a small network is recomputed as the page loads); a logged
interaction refreshes its own account's row and leaves the others fresh."""

import pytest
from django.utils import timezone

from kundennetz.accounts.models import Account
from kundennetz.core import freshness, tunables
from kundennetz.core.tunables.schemas import ConsistencyWeights
from kundennetz.interactions import management_view, overview, services
from kundennetz.portfolio.services import set_override

pytestmark = pytest.mark.django_db


def stale() -> bool:
    state = overview.rows_state(freshness.fingerprint(services.SNAPSHOT_INPUTS))
    return overview.rows_are_stale(state, Account.objects.count(), timezone.localdate())


def test_rows_fresh_after_a_refresh_and_out_of_date_after_an_input_changes(network, cast):
    services.refresh_snapshots()
    assert not stale()
    set_override(network.account, cast.sales_head, "big_step_or_out", "Board decision")
    assert stale()
    assert management_view.refresh_if_stale() is True
    assert not stale() and management_view.refresh_if_stale() is False
    tunables.save(ConsistencyWeights, tunables.get(ConsistencyWeights).model_dump(mode="json"), cast.admin, "t")
    assert stale()


def test_a_logged_interaction_keeps_every_row_fresh(network, log, cast):
    services.refresh_snapshots()
    log(network.account, timezone.localdate())
    assert not stale()


def test_management_page_says_as_of_and_recomputes_a_small_network(network, cast, client_for):
    from kundennetz.core.models import User

    User.objects.filter(pk=cast.sales_head.pk).update(language="en")
    services.refresh_snapshots()
    set_override(network.account, cast.sales_head, "big_step_or_out", "Board decision")
    page = client_for(cast.sales_head).get("/management/consistency/").content.decode()
    # Two accounts are far below the live limit: the page recomputed them and says so.
    assert 'data-out-of-date="false"' in page and not stale()
    assert "as of" in page
