"""The list pages make the same number of SQL queries for 3 rows as for 30: no query per row."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kundennetz.accounts.models import Account, Contact, Opportunity, Segment, Stage

pytestmark = pytest.mark.django_db

LIST_PAGES = ["accounts:account_list", "accounts:contact_list", "accounts:opportunity_list"]
# A page: session, user, the filter choices, the count and the rows. Far below one query per row.
CEILING = 12


def add_rows(cast, count: int, start: int = 0) -> None:
    """`count` accounts (each with a contact and an opportunity), spread over segments and owners."""
    segments = list(Segment.objects.all())
    stages = list(Stage.objects.filter(type=Stage.Type.OPEN, requires_pursuit_decision=False))
    owners = [cast.owner, cast.team_member]
    for i in range(start, start + count):
        account = Account.objects.create(
            name=f"Firma {i:03d} AG", city="Luzern", industry=f"Branche {i % 4}", owner=owners[i % 2],
            segment=segments[i % len(segments)], annual_revenue=Decimal(1000 * i), status="customer")
        account.team.add(owners[(i + 1) % 2])
        Contact.objects.create(account=account, first_name="Person", last_name=f"Nr. {i}",
                               buying_role=Contact.BuyingRole.USER)
        Opportunity.objects.create(account=account, title=f"Projekt {i}", owner=owners[i % 2],
                                   stage=stages[i % len(stages)], expected_volume=Decimal(5000 * i))


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", LIST_PAGES)
@pytest.mark.parametrize("role", ["sales_head", "owner"])
@pytest.mark.parametrize("query", ["", "?sort=-revenue&q=firma", "?sort=owner&page=2"])
def test_list_queries_do_not_grow_with_rows(cast, client_for, django_assert_num_queries,
                                           django_assert_max_num_queries, page, role, query):
    client = client_for(getattr(cast, role))
    path = reverse(page) + query
    add_rows(cast, 3)
    client.get(path)  # the first request warms the session and the content types
    with django_assert_max_num_queries(CEILING):
        few = client.get(path)
    assert few.status_code == 200
    with_few_rows = count_queries(client, path)

    add_rows(cast, 27, start=3)
    with django_assert_num_queries(with_few_rows):
        many = client.get(path)
    assert many.status_code == 200
    shown = len(many.context["records"])
    assert shown == (5 if "page=2" in query else 25)


def test_results_fragment_is_no_more_expensive(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.owner)
    add_rows(cast, 30)
    path = reverse("accounts:account_list") + "?q=firma"
    full = count_queries(client, path)
    with django_assert_max_num_queries(full):
        client.get(path, headers={"HX-Request": "true", "HX-Target": "results"})
