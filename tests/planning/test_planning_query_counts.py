"""Planning pages and lists cost the same number of queries for 3 accounts as for 30 (and for 2 scenarios
as for 6)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundennetz.planning import services

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def grow(cast, period, n):
    from kundennetz.accounts.models import Account, Segment
    from kundennetz.planning.models import Capacity

    # Enough hours for every account's minimum, however many there are: the update derives them from the
    # figures, 1 × (220 − 0) × 8.4 h × 90 %.
    Capacity.objects.filter(period=period).update(working_days=Decimal("220"), absence_days=0,
                                                  care_share_pct=Decimal("90"))
    hours = list(Capacity.objects.filter(period=period).values_list("available_hours", flat=True))
    assert hours and all(h == pytest.approx(1663.2) for h in hours), hours

    segments = list(Segment.objects.all())
    for i in range(Account.objects.count(), n):
        Account.objects.create(name=f"Konto {i:03d}", owner=cast.owner if i % 2 else cast.outsider,
                               segment=segments[i % len(segments)], potential=Decimal(30_000 * (i + 1)),
                               contribution_margin_pct=Decimal("30"))


@pytest.mark.parametrize("url", ["/planning/?period=2026", "/planning/scenarios/{first}/",
                                 "/planning/scenarios/{first}/?sort=manager", "/planning/scenarios/compare/?s={first}&s={second}",
                                 "/api/planning/scenarios", "/api/planning/scenarios/{first}/accounts",
                                 "/api/planning/capacities", "/api/planning/plan?period=2026"])
def test_constant_query_count(url, planned, cast, client_for):
    client = client_for(cast.sales_head)
    period = planned["period"]

    def build(n, scenarios):
        from kundennetz.planning.models import Scenario

        grow(cast, period, n)
        Scenario.objects.all().delete()
        made = [services.create_scenario(f"S{k}", period, {"budget_factor": 1 - k / 10}, cast.sales_head)
                for k in range(scenarios)]
        services.apply_scenario(made[0], cast.sales_head)
        return url.format(first=made[0].pk, second=made[1].pk)

    few = queries_for(client, build(6, 2))
    many = queries_for(client, build(30, 6))
    assert few == many, (few, many)


def test_account_managers_plan_list_is_constant(planned, cast, client_for):
    client = client_for(cast.owner)
    period = planned["period"]
    grow(cast, period, 6)
    services.apply_scenario(services.create_scenario("A", period, {}, cast.sales_head), cast.sales_head)
    few = queries_for(client, "/planning/?period=2026")
    grow(cast, period, 30)
    services.apply_scenario(services.create_scenario("B", period, {}, cast.sales_head), cast.sales_head)
    assert queries_for(client, "/planning/?period=2026") == few
