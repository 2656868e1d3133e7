"""An account manager's interaction list, read account by account (`core.paging.by_account`), shows
exactly what the plain restricted and ordered queryset shows: first, deep and last pages, each filter,
the search, the API's orders, ties of a day, an account with more interactions than a page, an account
listed twice (owned and on its own team), trashed interactions and accounts; and takes the same
number of queries however many accounts the user has. Whoever may not see an account sees none of
its interactions.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = 10


@pytest.fixture
def book(db, settings):
    """A generated network of three account managers, with the edges of reading account by account added
    to the first one's book; a team member who owns nothing, an outsider with no account; pages of 10."""
    from kundennetz.accounts.models import Account
    from kundennetz.core.models import User
    from kundennetz.interactions.models import Interaction
    from kundennetz.sample.generate import generate_network

    settings.KUNDENNETZ_PAGE_SIZE = PAGE
    # Indexes kept while loading (see tests/speed/test_indexes.py).
    generate_network(150, managers=3, interactions_per_account=6, seed=41, consistency=False,
                     rebuild_indexes=False)
    head = User.objects.get(username__startswith="gen-", role="sales_head")
    owner, other = User.objects.filter(username__startswith="gen-", role="account_manager").order_by("pk")[:2]
    member = User.objects.create_user("team-only", role="account_manager", language="en")
    outsider = User.objects.create_user("no-accounts", role="account_manager", language="en")
    own = list(Account.objects.filter(owner=owner).order_by("pk"))
    newest = max(Interaction.objects.values_list("date", flat=True))
    # An account with more interactions than two pages, all newer than any other: the first pages come from
    # it alone, and its per-account limit is reached.
    heavy = own[0]
    Interaction.objects.bulk_create([Interaction(account=heavy, date=newest + timedelta(days=1 + i % 5),
                                                 type=("call", "meeting")[i % 2], topics=f"Serie {i}")
                                     for i in range(3 * PAGE + 3)])
    # Ties: one day shared by interactions of several accounts (the id decides).
    tied = Interaction.objects.filter(account__in=own[1:8]).order_by("pk")[:12]
    Interaction.objects.filter(pk__in=[row.pk for row in tied]).update(date=newest)
    # An account listed twice: owned and on its owner's own team.
    own[1].team.add(owner)
    # The team member works on a few of the owner's accounts and on one of another manager's.
    for account in own[2:10]:
        account.team.add(member)
    foreign = Account.objects.filter(owner=other).order_by("pk").first()
    foreign.team.add(member)
    # Trashed: one interaction, one account (with its interactions still live rows).
    Interaction.objects.filter(account=own[2]).order_by("-date").first().soft_delete(owner)
    own[7].soft_delete(owner)
    # The owner took part in some; a rare word in a few notes, a rare account name.
    for row in Interaction.objects.filter(account__in=own[:12]).order_by("pk")[::3]:
        row.our_people.add(owner)
    rare = list(Interaction.objects.filter(account__in=own[3:40]).order_by("pk")[::9])
    for row in rare:
        row.note = "Seltenheit besprochen"
    Interaction.objects.bulk_update(rare, ["note"])
    own[5].name = "Einzigartig AG"
    own[5].save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"owner": owner, "member": member, "head": head, "outsider": outsider, "other": other,
            "own": own, "foreign": foreign, "newest": newest}


ROLES = ["owner", "member", "head", "outsider", "other"]


def _filters(book):
    """The list page's filters (query parameters), one at a time and combined."""
    newest = book["newest"]
    return [
        {}, {"type": "call"}, {"type": "offer_presentation"}, {"q": "seltenheit"}, {"q": "einzigartig"},
        {"q": "jahresgespr"}, {"q": "serie 1"}, {"from": str(newest - timedelta(days=200))},
        {"to": str(newest - timedelta(days=30)), "from": str(newest - timedelta(days=400))},
        {"mine": "1"}, {"account": str(book["own"][1].pk)}, {"account": str(book["foreign"].pk)},
        {"type": "meeting", "q": "projekt", "from": str(newest - timedelta(days=500))},
    ]


def _naive(book, user, params):
    """The plain restricted queryset of the list page for these parameters, ordered: what must be shown."""
    from kundennetz.core.permissions import restrict
    from kundennetz.interactions.filters import search_interactions
    from kundennetz.interactions.models import Interaction

    rows = search_interactions(Interaction.objects.order_by("-date", "-id"), params.get("q"), account_names=True)
    for key, lookup in (("type", "type"), ("from", "date__gte"), ("to", "date__lte"), ("account", "account_id")):
        if key in params:
            rows = rows.filter(**{lookup: params[key]})
    if params.get("mine"):
        rows = rows.filter(our_people=user)
    return rows, list(restrict(rows, user).values_list("pk", flat=True))


def test_the_book_has_the_edges_it_is_made_for(book):
    from kundennetz.core.paging import ByAccount, by_account

    _rows, shown = _naive(book, book["owner"], {})
    assert len(shown) > 12 * PAGE
    heavy = set(book["own"][0].interactions.values_list("pk", flat=True))
    assert set(shown[:3 * PAGE]) <= heavy  # the first pages are the heavy account's alone
    rows, _shown = _naive(book, book["owner"], {})
    assert isinstance(by_account(rows, book["owner"]), ByAccount)
    assert isinstance(by_account(rows, book["outsider"]), ByAccount)
    assert not isinstance(by_account(rows, book["head"]), ByAccount)


@pytest.mark.parametrize("role", ROLES)
def test_every_slice_of_every_filter_equals_the_restricted_queryset(book, role):
    from kundennetz.core.paging import by_account, capped_count, rows_between

    user = book[role]
    for params in _filters(book):
        rows, expected = _naive(book, user, params)
        listed = by_account(rows, user)
        assert capped_count(listed) == (len(expected), False), (role, params)
        assert capped_count(listed, cap=7) == (min(len(expected), 7), len(expected) > 7), (role, params)
        total = len(expected)
        slices = [(0, PAGE), (PAGE, 2 * PAGE), (3 * PAGE - 4, 3 * PAGE + 6), (total - PAGE, total),
                  (total - 3, total + 5), (total + 2, total + 12)]
        for start, stop in slices:
            start = max(start, 0)
            for defer_from in (0, 10**9):  # ids first, and one query
                got = [row.pk for row in rows_between(listed, start, stop, defer_from=defer_from)]
                assert got == expected[start:stop], (role, params, start, stop, defer_from)


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_show_the_restricted_querysets_rows(book, client, monkeypatch, role):
    from kundennetz.core import paging

    user = book[role]
    client.force_login(user)
    for params in _filters(book):
        _rows, expected = _naive(book, user, params)
        last = max(1, -(-len(expected) // PAGE))
        for number, defer_from in ((1, 500), (2, 500), (4, 0), (last, 0), (last, 500)):
            monkeypatch.setattr(paging, "DEFER_FROM", defer_from)
            response = client.get(reverse("interactions:list"), {**params, "page": number})
            assert response.status_code == 200
            page = response.context["page"]
            assert page.paginator.count == len(expected), (role, params)
            shown = [row.pk for row in response.context["records"]]
            start = (page.number - 1) * PAGE
            assert shown == expected[start:start + PAGE], (role, params, number, defer_from)


def _everything_listed(client, params=None):
    """The ids on every page of the list, in order."""
    seen = []
    for number in range(1, 100):
        response = client.get(reverse("interactions:list"), {**(params or {}), "page": number})
        seen += [row.pk for row in response.context["records"]]
        if not response.context["page"].has_next():
            return seen
    raise AssertionError("more pages than expected")


def test_an_outsider_sees_none_of_anothers_interactions(book, client, api):
    from kundennetz.interactions.models import Interaction

    client.force_login(book["outsider"])
    assert _everything_listed(client) == []
    for params in ({"q": "seltenheit"}, {"account": str(book["own"][0].pk)}, {"type": "call"}):
        assert _everything_listed(client, params) == []
        answer = api(book["outsider"], "GET", "/api/interactions/", {**params, "limit": 500}).json()
        assert answer == {"items": [], "count": 0, "count_capped": False}
    # Another account manager: none of the interactions of the accounts only the owner works on.
    theirs_alone = set(Interaction.objects.filter(account__owner=book["owner"])
                       .exclude(account__team=book["other"]).values_list("pk", flat=True))
    client.force_login(book["other"])
    for params in ({}, {"q": "seltenheit"}, {"account": str(book["own"][0].pk)}, {"mine": "1"}):
        assert not set(_everything_listed(client, params)) & theirs_alone, params
        listed = api(book["other"], "GET", "/api/interactions/", {**params, "limit": 500}).json()["items"]
        assert not {item["id"] for item in listed} & theirs_alone, params
    # The team member: exactly the live interactions of the live accounts whose team they are on.
    client.force_login(book["member"])
    expected = set(Interaction.objects.filter(account__team=book["member"], account__deleted_at__isnull=True)
                   .values_list("pk", flat=True))
    assert expected and set(_everything_listed(client)) == expected


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context.captured_queries)


def test_the_list_takes_as_many_queries_for_a_large_book_as_for_a_small_one(book, client, monkeypatch):
    from kundennetz.core import paging

    monkeypatch.setattr(paging, "DEFER_FROM", 2 * PAGE)
    url = reverse("interactions:list")
    counts = {}
    for role in ("owner", "member", "head"):
        client.force_login(book[role])
        counts[role] = [_queries(client, url, params) for params in
                        ({"page": 1}, {"page": 3}, {"page": 1, "type": "call"}, {"page": 1, "q": "seltenheit"})]
        client.get(url)  # the session is stored; the API's token is looked up once more per request
        counts[role] += [_queries(client, "/api/interactions/", {"limit": 5, "offset": offset})
                         for offset in (0, 2 * PAGE)]
    assert counts["owner"] == counts["member"] == counts["head"], counts


@pytest.mark.parametrize("order", ["-date", "date", "-created_at", "updated_at"])
def test_the_api_list_pages_equal_the_restricted_queryset(book, api, order):
    for role in ("owner", "member", "outsider", "head"):
        _api_pages_equal_the_restricted_queryset(book, api, order, book[role])


def _api_pages_equal_the_restricted_queryset(book, api, order, user):
    from kundennetz.core.permissions import restrict
    from kundennetz.interactions.models import Interaction

    tie = "-id" if order.startswith("-") else "id"
    newest = book["newest"]
    for filters, lookups in (({}, {}), ({"type": "call"}, {"type": "call"}),
                             ({"q": "seltenheit"}, {"search_text__contains": "seltenheit"}),
                             ({"date_from": str(newest - timedelta(days=90))},
                              {"date__gte": newest - timedelta(days=90)}),
                             ({"person": book["owner"].pk}, {"our_people": book["owner"].pk}),
                             ({"account": book["own"][0].pk}, {"account": book["own"][0].pk})):
        expected = list(restrict(Interaction.objects.filter(**lookups), user)
                        .order_by(order, tie).values_list("pk", flat=True))
        for offset, limit in ((0, 7), (7, 7), (max(len(expected) - 5, 0), 50)):
            answer = api(user, "GET", "/api/interactions/",
                         {**filters, "order_by": order, "offset": offset, "limit": limit})
            assert answer.status_code == 200
            body = answer.json()
            assert [item["id"] for item in body["items"]] == expected[offset:offset + limit], (user, filters, offset)
            assert body["count"] == len(expected)
