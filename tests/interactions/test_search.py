"""Searching interactions: by their own folded topics and note (list page, API, admin) and, on the list page
and in the admin, by their account's name; accents and case folded, short words, characters that mean
something to LIKE or FTS5, an empty search; each role finds only what it may see; the folded column follows
every way an interaction is written; the number of queries does not grow with the matches."""

from datetime import date, timedelta

import pytest
from cast import ROLES, SEES
from django.urls import reverse

from kundennetz.accounts.models import Account
from kundennetz.domain.text import search_text
from kundennetz.interactions.models import Interaction

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 5)
# Who sees every account of the network (the test network's and the outsider's).
EVERYTHING = {"admin", "sales_head", "marketing", "read_only"}


@pytest.fixture
def rows(cast, network, log):
    """Interactions on the owner's account, on a second account of the owner and on the outsider's."""
    kaserei = Account.objects.create(name="Käserei Gruyère SA", owner=cast.owner, city="Zürich")
    return {
        "annual": log(network.account, DAY, topics="Jahresgespräch Zürich"),
        "offer": log(network.account, DAY + timedelta(days=1), topics="Offerte",
                     note='Herr MÜLLER wünscht 20% Rabatt_neu, "Pilot"* ab März.'),
        "visit": log(kaserei, DAY + timedelta(days=2), topics="Besuch", note="Degustation"),
        "foreign": log(network.other_account, DAY + timedelta(days=3), topics="Jahresgespräch", note="in zurich"),
        "kaserei": kaserei,
    }


@pytest.fixture
def web(client_for):
    """`web(user, q)`: the names of the interactions the list page shows `user` for the search `q`."""

    def search(user, q, names):
        response = client_for(user).get(reverse("interactions:list"), {"q": q})
        assert response.status_code == 200
        shown = {record.pk for record in response.context["records"]}
        return {name for name, row in names.items() if isinstance(row, Interaction) and row.pk in shown}

    return search


@pytest.fixture
def via_api(api):
    """`via_api(user, q)`: the names of the interactions /api/interactions/ gives `user` for the search `q`."""

    def search(user, q, names):
        response = api(user, "GET", "/api/interactions/", {"q": q})
        assert response.status_code == 200
        shown = {item["id"] for item in response.json()["items"]}
        return {name for name, row in names.items() if isinstance(row, Interaction) and row.pk in shown}

    return search


@pytest.mark.parametrize("q, expected", [
    ("zurich", {"annual", "foreign"}),              # topics of one, note of the other; not the account's city
    ("ZÜRICH", {"annual", "foreign"}),
    ("Zürich", {"annual", "foreign"}),
    ("jahresgespr", {"annual", "foreign"}),
    ("muller", {"offer"}),                          # in the note, accents and case folded
    ("offerte muller", {"offer"}),                  # every word, in topics or note
    ("muller jahresgesprach", set()),               # the words of two different interactions
    ("degust", {"visit"}),
    ("muster", {"annual", "offer"}),                # the account's name
    ("ENGINEERING muster", {"annual", "offer"}),
    ("kaserei", {"visit"}),
    ("gruyere", {"visit"}),
    ("fremd", {"foreign"}),
    ("ag", {"annual", "offer"}),                    # short: not in any topic or note, in "Muster Engineering AG"
    ("20", {"offer"}),                              # short and in the note
    ("%", {"offer"}), ("_", {"offer"}), ('"', {"offer"}), ("*", {"offer"}),  # taken literally
    ("20%", {"offer"}), ("rabatt_neu", {"offer"}), ('"pilot"*', {"offer"}),
    ("%%%", set()), ("___", set()), ('"""', set()), ("***", set()), ("a*b", set()),
    ("OR", set()), ("NEAR(", set()), ("muller OR degust", set()),  # no FTS5 operators
    ("nirgends", set()),
])
def test_the_list_finds_by_topics_note_and_account_name(cast, rows, web, q, expected):
    assert web(cast.sales_head, q, rows) == expected


@pytest.mark.parametrize("q", ["", "   ", "|"])
def test_an_empty_search_shows_everything(cast, rows, web, q):
    assert web(cast.sales_head, q, rows) == {"annual", "offer", "visit", "foreign"}


@pytest.mark.parametrize("q, expected", [
    ("zurich", {"annual", "foreign"}),
    ("muller", {"offer"}),
    ("MÜLLER", {"offer"}),
    ("20", {"offer"}),
    ("%", {"offer"}), ("_", {"offer"}), ('"pilot"*', {"offer"}),
    ("muster", set()),                              # the API searches topics and note only, as documented
    ("", {"annual", "offer", "visit", "foreign"}),
])
def test_the_api_finds_by_topics_and_note(cast, rows, via_api, q, expected):
    assert via_api(cast.sales_head, q, rows) == expected


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_only_what_it_may_see(role, cast, rows, web, via_api):
    user = getattr(cast, role)
    mine = {"annual"} if role in SEES else set()
    theirs = {"foreign"} if role in EVERYTHING | {"outsider"} else set()
    assert web(user, "jahresgespr", rows) == mine | theirs
    assert via_api(user, "jahresgespr", rows) == mine | theirs
    # By the account's name: an account outside the user's reach gives nothing away.
    assert web(user, "fremd", rows) == theirs
    assert web(user, "muster", rows) == ({"annual", "offer"} if role in SEES else set())


def test_trashed_interactions_and_accounts_are_not_found(cast, rows, web):
    rows["offer"].soft_delete(cast.owner)
    assert web(cast.sales_head, "muller", rows) == set()
    rows["kaserei"].soft_delete(cast.owner)
    assert web(cast.sales_head, "kaserei", rows) == set()
    assert web(cast.sales_head, "degust", rows) == set()


def test_a_word_deep_in_a_long_note_is_found(cast, network, log, web):
    long = log(network.account, DAY, note="Protokoll. " * 200 + "Schlusswort Überraschung")
    assert len(long.search_text) > 2000
    assert web(cast.owner, "uberraschung", {"long": long}) == {"long"}


def test_the_folded_column_follows_every_save_path(cast, network):
    def folded(row):
        row.refresh_from_db()
        return row.search_text

    row = Interaction(account=network.account, date=DAY, topics="Erstgespräch", note="")
    row.save()
    assert folded(row) == "erstgesprach"
    row.note = "Grüezi"
    row.save(update_fields=["note"])
    assert folded(row) == "erstgesprach | gruezi"
    made = Interaction.objects.bulk_create([Interaction(account=network.account, date=DAY, topics="Ölwechsel")])
    assert folded(made[0]) == "olwechsel"
    made[0].topics = "Änderung"
    Interaction.objects.bulk_update(made, ["topics"])
    assert folded(made[0]) == "anderung"
    row.note = "ohne search_text in update_fields"
    row.save(update_fields=["note", "updated_at"])
    assert folded(row) == "erstgesprach | ohne search_text in update_fields"
    assert folded(row) == search_text(row.topics, row.note, limit=None)


def test_logging_and_editing_on_the_site_and_the_api_keep_the_folded_column(cast, network, client_for, api):
    response = api(cast.owner, "POST", "/api/interactions/", {
        "account": network.account.pk, "date": "2026-01-05", "type": "call", "topics": "Gespräch über Zölle"})
    assert response.status_code == 201
    row = Interaction.objects.get(pk=response.json()["id"])
    assert row.search_text == "gesprach uber zolle"
    response = api(cast.owner, "PATCH", f"/api/interactions/{row.pk}", {"note": "Nächster Schritt"},
                   HTTP_IF_MATCH=f'"{row.version}"')
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.search_text == "gesprach uber zolle | nachster schritt"
    client = client_for(cast.owner)
    response = client.post(reverse("interactions:update", args=[row.pk]), {
        "account": network.account.pk, "type": "call", "date": "2026-01-05", "topics": "Zölle",
        "note": "", "version": row.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.search_text == "zolle"


def test_the_migration_fills_existing_rows(cast, network, log):
    """The data migration's fill (what an existing database of a million accounts gets), then the SQLite
    index rebuilt from the column as the migration does."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    from kundennetz.accounts import fts
    from kundennetz.interactions.filters import search_interactions

    migration = importlib.import_module("kundennetz.interactions.migrations.0008_search_text")
    one = log(network.account, DAY, topics="Äpfel", note="Birnen")
    two = log(network.account, DAY, topics="", note="")
    Interaction.all_objects.update(search_text="")
    fts.drop(connection, (migration.TABLE,))
    migration.fill(None, SimpleNamespace(connection=connection))
    if connection.vendor == "postgresql":
        # The rows logged above leave foreign-key checks pending in the test's transaction (a migration
        # starts without), and PostgreSQL builds no index while any are.
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    migration.indexes(None, SimpleNamespace(connection=connection, execute=connection.cursor().execute))
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.search_text, two.search_text) == ("apfel | birnen", "")
    found = search_interactions(Interaction.objects.all(), "birne apfel")
    assert list(found.values_list("pk", flat=True)) == [one.pk]


def test_query_count_of_a_search_does_not_grow_with_matches(cast, network, log, client_for, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(call):
        with CaptureQueriesContext(connection) as context:
            assert call().status_code == 200
        return len(context.captured_queries)

    client = client_for(cast.owner)
    url = reverse("interactions:list")
    log(network.account, DAY, topics="Suchwort")
    api(cast.owner, "GET", "/api/interactions/")  # the token is issued (and first used) outside the count
    few = (count(lambda: client.get(url, {"q": "suchwort"})), count(lambda: client.get(url, {"q": "muster"})),
           count(lambda: api(cast.owner, "GET", "/api/interactions/", {"q": "suchwort"})))
    for i in range(12):
        log(network.account, DAY + timedelta(days=i + 1), topics="Suchwort", people=[cast.owner, cast.team_member])
    many = (count(lambda: client.get(url, {"q": "suchwort"})), count(lambda: client.get(url, {"q": "muster"})),
            count(lambda: api(cast.owner, "GET", "/api/interactions/", {"q": "suchwort"})))
    assert many == few


def test_many_accounts_of_one_name_are_asked_for_by_subquery(cast, monkeypatch):
    """Past ACCOUNT_IDS_MAX accounts of that name the search asks the database by subquery: same result."""
    from kundennetz.interactions import filters

    accounts = Account.objects.bulk_create([Account(name=f"Vielfach {i} AG", owner=cast.owner) for i in range(4)])
    rows = Interaction.objects.bulk_create([Interaction(account=a, date=DAY, topics="x") for a in accounts])
    as_list = filters.accounts_named(["vielfach"])
    assert sorted(as_list) == sorted(a.pk for a in accounts)
    monkeypatch.setattr(filters, "ACCOUNT_IDS_MAX", 2)
    assert not isinstance(filters.accounts_named(["vielfach"]), list)
    found = filters.search_interactions(Interaction.objects.all(), "vielfach", account_names=True)
    assert sorted(found.values_list("pk", flat=True)) == sorted(r.pk for r in rows)
