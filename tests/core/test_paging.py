"""`core.paging`: deep pages read ids first and give exactly the rows of OFFSET; page numbers never fail."""

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(db):
    from kundennetz.core.models import User
    from kundennetz.sample.generate import generate_network

    generate_network(60, managers=2, contacts_per_account=2, interactions_per_account=2, seed=31, consistency=False)
    return User.objects.filter(username__startswith="gen-", role="account_manager").order_by("pk").first()


def _offset_and_deferred(queryset, start, stop):
    from kundennetz.core.paging import rows_between

    plain = list(queryset[start:stop])
    with CaptureQueriesContext(connection) as queries:
        deferred = rows_between(queryset, start, stop, defer_from=0)
    return plain, deferred, len(queries.captured_queries)


def _querysets(manager):
    from kundennetz.accounts.models import Account, Contact, Opportunity
    from kundennetz.interactions.models import Interaction

    accounts = Account.objects.select_related("owner", "segment")
    return {
        "accounts by name": accounts.order_by("name_sort", "pk"),
        "revenue, descending, empty last": accounts.order_by(F("revenue_base").desc(nulls_last=True), "-pk"),
        "potential, ascending, empty last": accounts.order_by(F("potential").asc(nulls_last=True), "pk"),
        "by owner's name (a join)": accounts.order_by("owner__last_name", "owner__first_name", "pk"),
        "an annotation, empty last": accounts.annotate(double=F("potential") * 2).order_by(
            F("double").desc(nulls_last=True), "-pk"),
        "an aggregate": Account.objects.annotate(people=Count("contacts")).order_by("-people", "pk"),
        "duplicates of a join": Account.objects.filter(contacts__isnull=False).order_by("name_sort", "pk"),
        "distinct": Account.objects.filter(contacts__isnull=False).distinct().order_by("-name_sort", "-pk"),
        "restricted": Account.objects.restrict(manager, "view").order_by("city", "pk"),
        "restricted contacts": Contact.objects.restrict(manager, "view").select_related("account").order_by(
            "-last_name_sort", "-pk"),
        "filtered opportunities": Opportunity.objects.filter(stage__type="open").order_by(
            F("expected_decision_date").asc(nulls_last=True), "pk"),
        "interactions with prefetch": Interaction.objects.select_related("account").prefetch_related(
            "our_people", "contacts").order_by("-date", "-id"),
    }


@pytest.mark.parametrize("name", ["accounts by name", "revenue, descending, empty last",
                                  "potential, ascending, empty last", "by owner's name (a join)",
                                  "an annotation, empty last", "an aggregate", "duplicates of a join", "distinct",
                                  "restricted", "restricted contacts", "filtered opportunities",
                                  "interactions with prefetch"])
def test_ids_first_gives_the_offset_rows_in_their_order(generated, name):
    queryset = _querysets(generated)[name]
    total = len(list(queryset))
    assert total > 12
    for start, stop in ((5, 12), (total - 7, total), (total - 3, total + 10), (total + 5, total + 10)):
        plain, deferred, _queries = _offset_and_deferred(queryset, start, stop)
        assert [row.pk for row in deferred] == [row.pk for row in plain], (name, start, stop)
        for before, after in zip(plain, deferred, strict=True):
            assert type(before) is type(after)
            assert getattr(before, "double", None) == getattr(after, "double", None)
            assert getattr(before, "people", None) == getattr(after, "people", None)


def test_a_deep_page_is_two_queries_plus_its_prefetches_and_keeps_its_related_records(generated):
    from kundennetz.interactions.models import Interaction

    queryset = (Interaction.objects.select_related("account").prefetch_related("our_people", "contacts")
                .order_by("-date", "-id"))
    _plain, deferred, queries = _offset_and_deferred(queryset, 20, 30)
    assert len(deferred) == 10 and queries == 2 + 2  # ids, rows, then one query per prefetch as before
    with CaptureQueriesContext(connection) as more:
        for row in deferred:
            row.account.name, list(row.our_people.all()), list(row.contacts.all())
    assert len(more.captured_queries) == 0


def test_the_threshold_decides_where_ids_are_read_first(generated):
    from kundennetz.accounts.models import Contact
    from kundennetz.core import paging

    queryset = Contact.objects.order_by("last_name_sort", "pk")
    for start, ids_first in ((0, False), (paging.DEFER_FROM - 1, False), (paging.DEFER_FROM, True)):
        with CaptureQueriesContext(connection) as queries:
            list(paging.rows_between(queryset, start, start + 25))
        sql = [q["sql"] for q in queries.captured_queries]
        assert sql[0].startswith('SELECT "accounts_contact"."id" AS "pk" FROM') is ids_first, start
        # Past the end: the ids query finds none and no second query is made.
        assert len(sql) == 1


def test_lists_and_value_querysets_are_sliced_as_they_are(generated):
    from kundennetz.accounts.models import Account
    from kundennetz.core.paging import rows_between

    assert rows_between(list(range(100)), 40, 45, defer_from=0) == [40, 41, 42, 43, 44]
    values = Account.objects.order_by("pk").values("pk", "name")
    assert list(rows_between(values, 10, 15, defer_from=0)) == list(values[10:15])
    combined = (Account.objects.filter(pk__lte=10).order_by()
                .union(Account.objects.filter(pk__gt=50).order_by()).order_by("pk"))
    assert [a.pk for a in rows_between(combined, 2, 5, defer_from=0)] == [a.pk for a in combined[2:5]]
    already = Account.objects.order_by("pk")[:20]
    assert [a.pk for a in rows_between(already, 5, 10, defer_from=0)] == [a.pk for a in already[5:10]]


@pytest.mark.parametrize(("asked", "shown"), [
    (None, 1), ("", 1), ("abc", 1), ("0", 1), ("-1", 1), ("1.5", 1), (" 2 ", 2), ("3", 3), (3, 3), ("99", 6),
    ("9" * 30, 6), ("9" * 5000, 6), ("٣", 3),
])
def test_any_page_number_gives_a_page(generated, asked, shown):
    from kundennetz.accounts.models import Account
    from kundennetz.core.paging import CappedPaginator

    paginator = CappedPaginator(Account.objects.order_by("pk"), 10)
    assert paginator.count == 60 and paginator.num_pages == 6
    page = paginator.get_page(asked)
    assert page.number == shown
    assert [a.pk for a in page.object_list] == [a.pk for a in Account.objects.order_by("pk")[
        (page.number - 1) * 10:page.number * 10]]


def test_the_capped_paginator_counts_no_further_than_the_cap(generated):
    from kundennetz.accounts.models import Contact
    from kundennetz.core.paging import CappedPaginator

    paginator = CappedPaginator(Contact.objects.order_by("pk"), 10, cap=50)
    assert paginator.count == 51 and paginator.capped and paginator.num_pages == 6
    last = paginator.get_page("1000")
    assert last.number == 6 and len(last.object_list) == 1


def test_by_account_reads_a_managers_list_and_leaves_the_rest_to_restrict(generated, cast, network):
    """An account manager's list of a table's own columns is read account by account; an order across a join,
    a distinct queryset, and every role that sees all accounts get the restricted
    queryset itself."""
    from kundennetz.accounts.models import Account, Contact
    from kundennetz.core.paging import ByAccount, by_account, rows_between
    from kundennetz.core.permissions import restrict
    from kundennetz.interactions.models import Interaction

    manager = generated
    interactions = Interaction.objects.order_by("-date", "-id")
    assert isinstance(by_account(interactions, manager), ByAccount)
    assert isinstance(by_account(Contact.objects.order_by("last_name_sort", "pk"), manager), ByAccount)
    accounts = by_account(Account.objects.order_by("name_sort", "pk"), manager)
    assert isinstance(accounts, ByAccount)
    assert [a.pk for a in rows_between(accounts, 3, 9)] == [
        a.pk for a in restrict(Account.objects.order_by("name_sort", "pk"), manager)[3:9]]
    for rows in (Contact.objects.order_by("account__name_sort", "pk"),
                 Account.objects.filter(contacts__isnull=False).distinct().order_by("name_sort", "pk")):
        kept = by_account(rows, manager)
        assert not isinstance(kept, ByAccount)
        assert list(kept) == list(restrict(rows, manager))
    for user in (cast.sales_head, cast.admin, cast.marketing, cast.read_only):
        kept = by_account(interactions, user)
        assert not isinstance(kept, ByAccount) and kept.count() == Interaction.objects.count()


@pytest.mark.parametrize("descending", [True, False])
def test_an_order_with_empty_values_last_is_read_account_by_account_as_restrict_gives_it(generated, descending):
    """Empty values last both ways (the lists' revenue, volume, decision date): the pages read account by
    account are the restricted queryset's pages, empties at the end."""
    from kundennetz.accounts.models import Account, Opportunity
    from kundennetz.core.paging import ByAccount, by_account, capped_count, rows_between
    from kundennetz.core.permissions import restrict

    manager = generated
    mine = Account.objects.filter(owner=manager).order_by("pk")
    for account in mine[::3]:  # some without a revenue, and ties among the rest
        account.annual_revenue = None
        account.save()
    Account.objects.filter(pk__in=list(mine.values_list("pk", flat=True)[1::4])).update(revenue_base=1234)
    order = F("revenue_base").desc(nulls_last=True) if descending else F("revenue_base").asc(nulls_last=True)
    for rows in (Account.objects.order_by(order, "-pk" if descending else "pk"),
                 Opportunity.objects.order_by(F("expected_volume").desc(nulls_last=True) if descending
                                              else F("expected_volume").asc(nulls_last=True), "pk")):
        read = by_account(rows, manager)
        assert isinstance(read, ByAccount)
        wanted = [row.pk for row in restrict(rows, manager)]
        assert None in [getattr(row, "revenue_base", getattr(row, "expected_volume", 0))
                        for row in restrict(rows, manager)] or rows.model is Opportunity
        assert capped_count(read, 10_000).value == len(wanted)
        for start, stop in [(0, len(wanted) + 1), *((start, start + 5) for start in range(0, len(wanted), 4))]:
            assert [row.pk for row in rows_between(read, start, stop, defer_from=100)] == wanted[start:stop]
            assert [row.pk for row in rows_between(read, start, stop, defer_from=0)] == wanted[start:stop]


def test_on_sqlite_a_searchs_matches_are_a_test_per_account_not_a_way_in(generated):
    """Read account by account, the rows of a search go through each account's index and are tested
    against the matches; SQLite used each match as a lookup within every account (93 s at a million)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan")
    from kundennetz.accounts.filters import search_words
    from kundennetz.accounts.models import Contact
    from kundennetz.core.paging import ByAccount, by_account

    rows = by_account(search_words(Contact.objects.order_by("last_name_sort", "pk"), value="muster"), generated)
    assert isinstance(rows, ByAccount)
    sql, params = rows.ids_query(0, 25)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = [row[3] for row in cursor.fetchall()]
    contact_steps = [step for step in plan if "accounts_contact " in step or step.endswith("accounts_contact")]
    assert contact_steps and all("rowid=?" not in step and "id=?" not in step.replace("account_id=?", "")
                                 for step in contact_steps), plan
