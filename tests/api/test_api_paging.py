"""The API's lists: a capped count with `count_capped`, deep offsets read ids first (the same answer as
OFFSET), offset paging that walks past the cap to the end, and clear refusals of bad paging parameters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(db):
    """80 generated accounts of two account managers (160 contacts, 80 opportunities, 160 interactions)."""
    from kundennetz.core.models import User
    from kundennetz.sample.generate import generate_network

    generate_network(80, managers=2, contacts_per_account=2, interactions_per_account=2, seed=41,
                     consistency=False)
    return {
        "head": User.objects.get(username__startswith="gen-", role="sales_head"),
        "manager": User.objects.filter(username__startswith="gen-", role="account_manager").order_by("pk").first(),
    }


def _get(api, user, path, params):
    with CaptureQueriesContext(connection) as queries:
        response = api(user, "GET", path, params)
    assert response.status_code == 200, (path, params, response.content[:500])
    return response.json(), len(queries.captured_queries)


LISTS = [
    ("/api/accounts", {}), ("/api/accounts", {"order_by": "-annual_revenue"}),
    ("/api/accounts", {"order_by": "potential"}), ("/api/accounts", {"order_by": "-city", "status": "customer"}),
    ("/api/contacts", {}), ("/api/contacts", {"order_by": "-last_name"}), ("/api/contacts", {"order_by": "created_at"}),
    ("/api/opportunities", {}), ("/api/opportunities", {"order_by": "expected_decision_date"}),
    ("/api/opportunities", {"order_by": "-expected_volume"}),
    ("/api/interactions/", {}), ("/api/interactions/", {"order_by": "date", "type": "meeting"}),
    ("/api/checklists", {"order_by": "-win_probability"}), ("/api/checklists", {"order_by": "recommendation"}),
]


@pytest.mark.parametrize(("path", "params"), LISTS)
def test_a_deep_offset_answers_exactly_what_offset_answers(api, generated, monkeypatch, path, params):
    from kundennetz.core import paging

    compared = 0
    for user in generated.values():
        total, _queries = _get(api, user, path, {**params, "limit": 1})
        for offset in (7, total["count"] - 5):
            query = {**params, "limit": 10, "offset": max(offset, 0)}
            monkeypatch.setattr(paging, "DEFER_FROM", 10**9)
            plain, plain_queries = _get(api, user, path, query)
            monkeypatch.setattr(paging, "DEFER_FROM", 0)
            deferred, deferred_queries = _get(api, user, path, query)
            assert deferred == plain, (path, query)  # the whole answer, every field of every item
            if plain["items"]:
                assert deferred_queries == plain_queries + 1, (path, query)
            compared += len(plain["items"])
    assert compared


def test_the_count_stops_at_the_cap_and_says_so(api, generated, monkeypatch):
    from kundennetz.core import paging

    head = generated["head"]
    body, _queries = _get(api, head, "/api/contacts", {"limit": 5})
    assert body["count"] == 160 and body["count_capped"] is False
    monkeypatch.setattr(paging, "COUNT_CAP", 100)
    with CaptureQueriesContext(connection) as queries:
        body, _count = _get(api, head, "/api/contacts", {"limit": 5})
    assert body["count"] == 100 and body["count_capped"] is True and len(body["items"]) == 5
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 101" in counts[0]
    # Exactly at the cap is not "more".
    monkeypatch.setattr(paging, "COUNT_CAP", 160)
    body, _queries = _get(api, head, "/api/contacts", {"limit": 5})
    assert body["count"] == 160 and body["count_capped"] is False


@pytest.mark.parametrize("path", ["/api/accounts", "/api/contacts", "/api/opportunities", "/api/interactions/"])
def test_offset_paging_walks_past_the_cap_to_the_end(api, generated, monkeypatch, path):
    """With the count capped at 50, a client paging by offset still gets every record once, in order."""
    from kundennetz.core import paging

    head = generated["head"]
    everything, _queries = _get(api, head, path, {"limit": 500})
    expected = [item["id"] for item in everything["items"]]
    assert len(expected) > 60 and everything["count_capped"] is False
    monkeypatch.setattr(paging, "COUNT_CAP", 50)
    monkeypatch.setattr(paging, "DEFER_FROM", 20)
    seen, offset = [], 0
    while True:
        page, _queries = _get(api, head, path, {"limit": 30, "offset": offset})
        assert page["count"] == 50 and page["count_capped"] is True
        seen += [item["id"] for item in page["items"]]
        if len(page["items"]) < 30:
            break
        offset += 30
    assert seen == expected
    # An offset past the cap, and the last few records: there, not cut off by the count.
    tail, _queries = _get(api, head, path, {"limit": 30, "offset": len(expected) - 3})
    assert [item["id"] for item in tail["items"]] == expected[-3:]


def test_an_offset_past_the_end_answers_no_items(api, generated, monkeypatch):
    from kundennetz.core import paging

    head = generated["head"]
    for offset in (160, 161, 10**9):
        body, queries = _get(api, head, "/api/contacts", {"offset": offset})
        assert body == {"items": [], "count": 160, "count_capped": False}
    monkeypatch.setattr(paging, "COUNT_CAP", 100)
    body, _queries = _get(api, head, "/api/contacts", {"offset": 10**9})
    assert body == {"items": [], "count": 100, "count_capped": True}


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"limit": -1}, "limit"), ({"limit": "abc"}, "limit"),
    ({"limit": "1.5"}, "limit"), ({"offset": -1}, "offset"), ({"offset": 10**9 + 1}, "offset"),
    ({"offset": 10**30}, "offset"), ({"offset": "abc"}, "offset"), ({"offset": ""}, "offset"),
])
@pytest.mark.parametrize("path", ["/api/contacts", "/api/interactions/", "/api/portfolio/accounts",
                                  "/api/planning/capacities"])
def test_bad_paging_parameters_are_refused_with_the_field_named(api, cast, params, field, path):
    response = api(cast.sales_head, "GET", path, params)
    assert response.status_code == 422, (path, params)
    detail = response.json()["detail"]
    assert [problem["loc"] for problem in detail] == [["query", field]]
    assert detail[0]["msg"]


def test_an_account_manager_pages_only_through_their_own_records(api, generated, monkeypatch):
    from kundennetz.accounts.models import Account, Contact
    from kundennetz.core import paging

    manager = generated["manager"]
    mine = set(Account.objects.restrict(manager, "view").values_list("pk", flat=True))
    visible = Contact.objects.restrict(manager, "view").count()
    assert 0 < len(mine) < 80
    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    seen = []
    for offset in range(0, visible + 20, 20):
        page, _queries = _get(api, manager, "/api/contacts", {"limit": 20, "offset": offset})
        assert page["count"] == visible and page["count_capped"] is False
        seen += page["items"]
    assert len(seen) == visible == len({item["id"] for item in seen})
    assert {item["account"] for item in seen} <= mine
    accounts, _queries = _get(api, manager, "/api/accounts", {"limit": 10, "offset": 10})
    assert {item["id"] for item in accounts["items"]} <= mine and accounts["count"] == len(mine)


def test_the_outsider_pages_through_nothing(api, cast, generated, monkeypatch):
    from kundennetz.core import paging

    monkeypatch.setattr(paging, "DEFER_FROM", 0)
    for path in ("/api/accounts", "/api/contacts", "/api/opportunities", "/api/interactions/"):
        body, _queries = _get(api, cast.outsider, path, {"offset": 5})
        assert body == {"items": [], "count": 0, "count_capped": False}


def test_every_list_in_the_schema_documents_count_capped(client):
    """Every answer with `items` and `count` (paginated or paged by hand) has `count_capped`, described."""
    schema = client.get("/api/openapi.json").json()
    lists = {name: component for name, component in schema["components"]["schemas"].items()
             if {"items", "count"} <= set(component.get("properties", {}))}
    assert len(lists) >= 20
    for name, component in lists.items():
        properties = component["properties"]
        assert properties["count_capped"]["type"] == "boolean", name
        assert "more records than `count`" in properties["count_capped"]["description"], name
        assert "10,000" in properties["count"]["description"], name
        assert {"count", "count_capped", "items"} <= set(component["required"]), name
    assert "count_capped" in schema["info"]["description"]


@pytest.mark.parametrize("path", ["/api/portfolio/accounts", "/api/portfolio/snapshots",
                                  "/api/portfolio/value-propositions", "/api/planning/capacities",
                                  "/api/planning/budgets", "/api/planning/scenarios", "/api/competitors",
                                  "/api/users", "/api/relations", "/api/imports", "/api/checklists",
                                  "/api/interactions/core-messages"])
def test_every_list_answers_count_capped(api, cast, network, path):
    from datetime import date

    from kundennetz.portfolio import services

    services.recompute(period="2026-Q4", as_of=date(2026, 11, 30))  # a snapshot for the portfolio's lists
    response = api(cast.sales_head, "GET", path, {"limit": 2})
    assert response.status_code == 200, (path, response.content[:300])
    body = response.json()
    assert body["count_capped"] is False and body["count"] >= len(body["items"])


def test_contacts_by_name_in_the_web_lists_german_order_both_ways(api, generated):
    """Last name, then first name, umlauts with their base letter ("Äbi" beside "Abi", not after "Z"; then the
    first name decides), as the web list sorts them — from the same stored key and its index."""
    from kundennetz.accounts.models import Contact

    first, second, third = Contact.objects.order_by("pk")[:3]
    for contact, (last, given) in zip((first, second, third), (("Zürcher", "Anna"), ("Äbi", "Beat"), ("Abi", "Carla"))):
        contact.last_name, contact.first_name = last, given
        contact.save()
    expected = list(Contact.objects.order_by("last_name_sort", "id").values_list("pk", flat=True))
    answer, _queries = _get(api, generated["head"], "/api/contacts", {"limit": 500})
    ids = [row["id"] for row in answer["items"]]
    assert ids == expected
    assert ids.index(second.pk) < ids.index(third.pk) < ids.index(first.pk)
    answer, _queries = _get(api, generated["head"], "/api/contacts", {"limit": 500, "order_by": "-last_name"})
    assert [row["id"] for row in answer["items"]] == expected[::-1]
