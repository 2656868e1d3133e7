"""Pages that read stored per-account figures instead of computing every account per request.

My week and the planning page cost the same number of queries (and, for planning, the same page size)
whether a user has 50 or 5,000 accounts; the stored figures equal what the live rule functions give.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _network(accounts: int, seed: int):
    from kundennetz.core.generate import generate_network
    from kundennetz.core.models import User

    before = set(User.objects.values_list("pk", flat=True))
    generate_network(accounts, managers=1, interactions_per_account=2, seed=seed)
    new = User.objects.exclude(pk__in=before)
    new.update(language="en")
    return new.get(role="account_manager"), new.get(role="sales_head")


def _get(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [q["sql"] for q in queries.captured_queries]


def test_my_week_costs_the_same_queries_for_50_and_5000_accounts(client):
    small, _head = _network(50, seed=3)
    large, _head = _network(5_000, seed=4)
    _get(client, small, "/my-week/")  # warm caches (tunables, content types)
    few_response, few = _get(client, small, "/my-week/")
    many_response, many = _get(client, large, "/my-week/")
    # The same statements, one per line (only the id lists differ): a gap names the query that repeats.
    assert len(many) == len(few), "\n".join(sql[:160] for sql in many)
    assert many_response.context["groups"] and few_response.context["groups"]
