"""Deep pages asked for by number read their ids first (`core.paging.rows_between`), then only those rows.

Each test asks the same page twice: once as plain OFFSET (the threshold set out of reach) and once ids
first (the threshold at 0), and compares the records shown, in order, and the number of queries (exactly
one more). Pages are 10 rows here so that a small generated network has deep pages.
"""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

PAGE = 10
IDS_QUERY = 'SELECT "accounts_contact"."id" AS "pk" FROM'  # the first step of a deep contacts page

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db, settings):
    """120 generated accounts of two account managers, with contacts, opportunities, interactions and
    consistency rows; pages of 10."""
    from kundennetz.core.models import User
    from kundennetz.sample.generate import generate_network

    settings.KUNDENNETZ_PAGE_SIZE = PAGE
    generate_network(120, managers=2, contacts_per_account=2, interactions_per_account=2, seed=23)
    User.objects.filter(username__startswith="gen-").update(language="en")
    head = User.objects.get(username__startswith="gen-", role="sales_head")
    manager = User.objects.filter(username__startswith="gen-", role="account_manager").order_by("pk").first()
    return {"head": head, "manager": manager}


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [q["sql"] for q in queries.captured_queries]


def _records(response):
    context = response.context
    rows = context.get("records")
    if rows is None:
        rows = context["rows"]  # the management view
    return [getattr(row, "account_id", None) if "management" in response.request["PATH_INFO"] else row.pk
            for row in rows]


def _both_ways(client, monkeypatch, url):
    """(records, queries) of the page read by OFFSET, then ids first."""
    from kundennetz.core import paging

    monkeypatch.setattr(paging, "DEFER_FROM", 10**9)
    _get(client, url)  # warm-up: a first visit may store figures the next ones read
    plain, plain_sql = _get(client, url)
    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    deferred, deferred_sql = _get(client, url)
    return (_records(plain), plain_sql, plain), (_records(deferred), deferred_sql, deferred)


LISTS = [
    "/accounts/?page=5", "/accounts/?page=7&sort=-revenue", "/accounts/?page=4&sort=revenue",
    "/accounts/?page=3&sort=city", "/accounts/?page=6&sort=-potential", "/accounts/?page=5&sort=owner",
    "/accounts/?page=2&sort=-planned", "/accounts/?page=2&status=customer", "/accounts/?page=3&q=ag",
    "/contacts/?page=12", "/contacts/?page=9&sort=-name", "/contacts/?page=11&sort=account",
    "/contacts/?page=8&sort=-role", "/contacts/?page=2&buying_role=coach",
    "/opportunities/?page=6", "/opportunities/?page=5&sort=decision", "/opportunities/?page=4&sort=-decision",
    "/opportunities/?page=6&sort=recommendation", "/opportunities/?page=3&sort=-open_points",
    "/opportunities/?page=5&sort=win", "/opportunities/?page=4&sort=-value", "/opportunities/?page=2&stage_type=open",
    "/interactions/?page=11", "/interactions/?page=3&type=meeting", "/interactions/?page=5&q=e",
    "/management/consistency/?page=4", "/management/consistency/?page=5&sort=-delta",
    "/management/consistency/?page=3&sort=name", "/management/consistency/?page=6&sort=overdue",
]


@pytest.mark.parametrize("url", LISTS)
def test_a_deep_page_shows_the_offset_pages_records_in_its_order(network, client, monkeypatch, url):
    users = ["head"] if url.startswith("/management/") else ["head", "manager"]
    compared = 0
    for role in users:
        client.force_login(network[role])
        (plain, plain_sql, _r), (deferred, deferred_sql, response) = _both_ways(client, monkeypatch, url)
        assert deferred == plain, (role, url)
        compared += len(plain)
        if plain:
            # Ids first: exactly one query more, whose first query selects the page's ids alone.
            assert len(deferred_sql) == len(plain_sql) + 1, (role, url)
            page = response.context["page"]
            wanted = int(re.search(r"page=(\d+)", url).group(1))
            assert page.number == min(wanted, page.paginator.num_pages)
    assert compared, f"{url}: no rows on the page for anyone; pick a page that exists"


def test_an_account_manager_sees_only_their_records_on_deep_pages(network, client, monkeypatch):
    from kundennetz.accounts.models import Account, Contact, Opportunity
    from kundennetz.core import paging
    from kundennetz.interactions.models import Interaction

    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    manager = network["manager"]
    client.force_login(manager)
    mine = set(Account.objects.restrict(manager, "view").values_list("pk", flat=True))
    assert 0 < len(mine) < Account.objects.count()
    for path, model in (("/accounts/", Account), ("/contacts/", Contact), ("/opportunities/", Opportunity),
                        ("/interactions/", Interaction)):
        for number in (2, 3, 4):
            response, _sql = _get(client, f"{path}?page={number}")
            ids = _records(response)
            assert ids, (path, number)
            accounts = set(ids) if model is Account else set(
                model.objects.filter(pk__in=ids).values_list("account_id", flat=True))
            assert accounts <= mine, (path, number)


def test_first_pages_stay_one_query_below_the_threshold(network, client):
    """At the default threshold (500 rows) the early pages are read as before: no ids query (the
    threshold itself is tested in tests/core/test_paging.py)."""
    from kundennetz.core import paging

    assert paging.DEFER_FROM == 500
    client.force_login(network["head"])
    for url in ("/contacts/?page=1", "/contacts/?page=20", "/contacts/?page=24"):
        _response, sql = _get(client, url)
        assert not any(s.startswith(IDS_QUERY) for s in sql), url


def test_the_ids_query_reads_only_ids_in_the_lists_order(network, client, monkeypatch):
    from kundennetz.core import paging

    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    client.force_login(network["head"])
    _response, sql = _get(client, "/contacts/?page=9&sort=-name")
    ids_queries = [s for s in sql if s.startswith(IDS_QUERY)]
    assert len(ids_queries) == 1
    query = ids_queries[0]
    assert "ORDER BY" in query and "LIMIT 10" in query and "OFFSET 80" in query
    assert '"accounts_account"."name"' not in query  # no related record's columns: index alone


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1.5", "9999", "99999999999999999999999", "２", "²",
                                  "1" * 5000])
def test_bad_page_numbers_show_a_page(network, client, monkeypatch, page):
    from kundennetz.core import paging

    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    client.force_login(network["head"])
    for path in ("/accounts/", "/contacts/", "/opportunities/", "/interactions/", "/management/consistency/"):
        response, _sql = _get(client, f"{path}?page={page}")
        number = response.context["page"].number
        last = response.context["page"].paginator.num_pages
        if page in ("9999", "99999999999999999999999", "1" * 5000):
            assert number == last, (path, page)
            assert _records(response), (path, page)
        elif page == "２":
            assert number == 2
        else:
            assert number == 1, (path, page)


def _next_url(response):
    match = re.search(r'id="page-next" rel="next" href="([^"]+)"', response.content.decode())
    return response.request["PATH_INFO"] + unescape(match.group(1)) if match else None


def test_next_from_a_deep_page_goes_on_by_key_without_gap_or_repeat(network, client, monkeypatch):
    from kundennetz.core import paging

    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    client.force_login(network["head"])
    first, _sql = _get(client, "/contacts/?sort=-name")
    expected = list(first.context["filter"].qs.values_list("pk", flat=True))
    response, _sql = _get(client, "/contacts/?sort=-name&page=12")
    seen = _records(response)
    url = _next_url(response)
    assert url and "after=" in url
    while url:
        response, _sql = _get(client, url)
        seen += _records(response)
        url = _next_url(response)
    assert seen == expected[110:]


def test_the_last_page_of_a_capped_count_goes_on_by_key(network, client, monkeypatch):
    """Counting stops at the cap; the page holding the row past the cap is not the end of the list."""
    from kundennetz.core import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 100)
    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    client.force_login(network["head"])
    response, _sql = _get(client, "/contacts/?page=999")
    page = response.context["page"]
    assert page.paginator.capped and page.number == page.paginator.num_pages == 11
    expected = list(response.context["filter"].qs.values_list("pk", flat=True))
    assert _records(response) == expected[100:101]
    url = _next_url(response)
    assert url and "after=" in url
    following, _sql = _get(client, url)
    assert _records(following) == expected[101:111]
