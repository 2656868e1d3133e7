"""Issue point 1, re-checked per record kind the API writes with PUT: a stale or bogus If-Match answers 412
and changes nothing; the current ETag lets the write through."""

import pytest

from kundennetz.planning.models import Budget, Period
from kundennetz.portfolio.models import ManualRating, ScoringModel, StrategyOverride

pytestmark = pytest.mark.django_db


def test_budget_put_honours_if_match(api, cast):
    Period.get("2026")
    path = "/api/planning/budgets/2026"
    first = api(cast.sales_head, "PUT", path, {"sales_support": "1000", "pr": "500"})
    assert first.status_code == 200
    tag = api(cast.sales_head, "GET", path)["ETag"]
    stale = api(cast.sales_head, "PUT", path, {"sales_support": "9", "pr": "9"}, HTTP_IF_MATCH='"bogus"')
    assert stale.status_code == 412
    assert Budget.objects.get(period__code="2026").sales_support == 1000
    assert api(cast.sales_head, "PUT", path, {"sales_support": "9", "pr": "9"}, HTTP_IF_MATCH=tag).status_code == 200


def test_override_put_honours_if_match(api, cast, network):
    strategy = next(iter(ScoringModel.current().rules.strategies))
    path = f"/api/portfolio/accounts/{network.account.pk}/override"
    assert api(cast.sales_head, "PUT", path, {"strategy": strategy, "reason": "erst"}).status_code == 200
    version = StrategyOverride.objects.get(account=network.account).version
    stale = api(cast.sales_head, "PUT", path, {"strategy": strategy, "reason": "zu spät"}, HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412
    assert StrategyOverride.objects.get(account=network.account).reason == "erst"
    fresh = api(cast.sales_head, "PUT", path, {"strategy": strategy, "reason": "neu"}, HTTP_IF_MATCH=f'"{version}"')
    assert fresh.status_code == 200


def test_rating_put_honours_if_match(api, cast, network):
    criterion = next(c.key for c in ScoringModel.current().rules.criteria if c.takes_manual)
    path = f"/api/portfolio/accounts/{network.account.pk}/ratings/{criterion}"
    assert api(cast.owner, "PUT", path, {"value": 3}).status_code == 200
    version = ManualRating.objects.get(account=network.account, criterion=criterion).version
    assert api(cast.owner, "PUT", path, {"value": 5}, HTTP_IF_MATCH='"bogus"').status_code == 412
    assert ManualRating.objects.get(account=network.account, criterion=criterion).value == 3
    assert api(cast.owner, "PUT", path, {"value": 5}, HTTP_IF_MATCH=f'"{version}"').status_code == 200
