"""SQLite answers a search one of three ways (``accounts.fts.way``): the index's list of every match, that
list kept aside while the list's order is walked, or each row's text tested. Each way finds the same rows in
the same order and the same count; the choice follows how many rows match and how densely, judged once per
search from the index's first matches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundennetz.accounts import fts
from kundennetz.accounts.filters import search_words
from kundennetz.accounts.models import Account
from kundennetz.core.paging import capped_count

pytestmark = pytest.mark.django_db

WAYS = ("list", "walk", "text")


def test_a_sorted_page_tests_the_text_where_every_hundredth_row_matches():
    dense = fts.Estimate(matches=200_000, share=0.2, exact=False)
    assert fts.way(dense, ordered=True) == "text"
    assert fts.way(fts.Estimate(3, 0.5, True), ordered=True) == "text"  # a small table: a few rows walked


def test_a_sorted_page_lists_few_matches_and_walks_past_many_sparse_ones():
    assert fts.way(fts.Estimate(fts.FEW, 0.005, True), ordered=True) == "list"
    assert fts.way(fts.Estimate(fts.FEW + 1, 0.005, False), ordered=True) == "walk"


def test_a_count_lists_the_matches_unless_scanning_to_the_cap_costs_less():
    assert fts.way(fts.Estimate(9_000, 0.9, True), ordered=False) == "list"  # all of them read already
    # 1.7 million matches, one row in six: the cap is met after 60,000 rows
    assert fts.way(fts.Estimate(1_700_000, 1 / 6, False), ordered=False) == "text"
    # 60,000 matches, one row in sixteen: 160,000 rows to scan, more than the matches listed
    assert fts.way(fts.Estimate(60_000, 1 / 16, False), ordered=False) == "list"


@pytest.fixture
def accounts(cast):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 index: PostgreSQL searches through its trigram index")
    rows = [Account(name=f"Firma {n:02d}", city="Zürich" if n % 3 == 0 else "Bern", owner=cast.owner,
                    annual_revenue=(n * 7) % 11 or None) for n in range(40)]
    for account in rows:
        account.save()
    return rows


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("order", [("name_sort", "pk"), ("-annual_revenue", "pk"), ()])
def test_every_way_finds_the_same_rows_in_the_same_order(accounts, monkeypatch, way, order):
    queryset = Account.objects.order_by(*order) if order else Account.objects.order_by()
    natural_ids = list(search_words(queryset, value="zurich firma").values_list("pk", flat=True))
    natural_count = search_words(Account.objects.all(), value="zurich").count()
    monkeypatch.setattr(fts, "way", lambda found, ordered: way)
    found = search_words(queryset, value="zurich firma")
    assert list(found.values_list("pk", flat=True)) == natural_ids
    assert sorted(natural_ids) == sorted(a.pk for a in accounts if a.city == "Zürich")
    assert search_words(Account.objects.all(), value="zurich").count() == natural_count == 14
    assert capped_count(search_words(Account.objects.order_by("name_sort"), value="zurich"), cap=5) == (5, True)


@pytest.mark.parametrize("way", WAYS)
def test_every_way_takes_the_words_as_text_not_as_operators(accounts, monkeypatch, way):
    Account.objects.create(name='Müller "Pilot" OR AND* 20%_neu', owner=accounts[0].owner)
    monkeypatch.setattr(fts, "way", lambda found, ordered: way)
    assert list(search_words(Account.objects.order_by("name_sort"), value='"pilot" or').values_list(
        "name", flat=True)) == ['Müller "Pilot" OR AND* 20%_neu']
    assert not search_words(Account.objects.order_by("name_sort"), value="20%_alt").exists()


def test_the_matches_are_judged_once_per_search(accounts, client_for, sales_head):
    client = client_for(sales_head)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/", {"q": "zurich"})
    assert response.status_code == 200
    assert len(response.context["records"]) == 14
    probes = [q["sql"] for q in queries.captured_queries if "min(rowid), max(rowid)" in q["sql"]]
    assert len(probes) == 1


def test_the_estimate_reads_few_matches_whole_and_judges_many_by_their_density(accounts, monkeypatch):
    exact = fts.estimate(connection, "accounts_account", ["zurich"])
    assert exact == fts.Estimate(14, pytest.approx(14 / max(a.pk for a in accounts)), True)
    monkeypatch.setattr(fts, "PROBE", 5)
    judged = fts.estimate(connection, "accounts_account", ["bern"])
    assert not judged.exact
    assert 0.5 < judged.share <= 1  # two rows in three hold "Bern"
    assert 20 <= judged.matches <= 40


@pytest.mark.parametrize("way", ["text", "walk"])
def test_a_dense_word_walks_the_lists_order_instead_of_sorting_every_match(accounts, monkeypatch, way):
    monkeypatch.setattr(fts, "way", lambda found, ordered: way)
    rows = search_words(Account.objects.order_by("name_sort", "pk"), value="zurich")[:25]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        plan = " | ".join(row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "USING INDEX account_live_name" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("way", WAYS)
def test_every_way_can_be_negated_and_combined(accounts, monkeypatch, way):
    from django.db.models import Q

    from kundennetz.accounts.filters import search_q

    monkeypatch.setattr(fts, "way", lambda found, ordered: way)
    both = Account.objects.filter(search_q(Account, "zurich firma"))
    not_both = Account.objects.filter(~search_q(Account, "zurich firma"))
    either = Account.objects.filter(search_q(Account, "zurich firma") | Q(name="Firma 01"))
    assert both.count() == 14 and not_both.count() == 26
    assert either.count() == 15
