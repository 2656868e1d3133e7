"""Pages and lists cost the same number of queries for 3 accounts as for 30."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundennetz.portfolio import services

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/portfolio/accounts/", "/portfolio/accounts/?sort=-attractiveness&abc=C",
                                 "/portfolio/", "/api/portfolio/accounts"])
def test_constant_query_count(url, cast, client_for, make_account):
    client = client_for(cast.sales_head)

    def grow_to(n):
        from kundennetz.accounts.models import Account

        for i in range(Account.objects.count(), n):
            account = make_account(f"Konto {i:03d}", owner=cast.owner if i % 2 else cast.outsider,
                                   potential=Decimal(30_000 * (i + 1)), annual_revenue=Decimal(1_000 * i))
            if i % 3 == 0:
                services.set_override(account, cast.sales_head, "hold_and_expand", "Test")
        services.recompute(period="2026-Q4")

    grow_to(3)
    few = queries_for(client, url)
    grow_to(30)
    many = queries_for(client, url)
    assert few == many, (few, many)
