"""The causes of slow lists at size, one test each, with 5,000 accounts for one account manager.

Each test measures what the page costs (its size, its queries) rather than its time, so that it holds on
any machine: a page that rendered every visible account as an option, counted every row, or drew one dot
per account grows with the data; these must not.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

ACCOUNTS = 5_000


@pytest.fixture
def big(db):
    """5,000 accounts (15,000 contacts, 5,000 opportunities) owned by one generated account manager."""
    from kundennetz.sample.generate import generate_network
    from kundennetz.core.models import User

    generate_network(ACCOUNTS, managers=1, interactions_per_account=1, seed=7, consistency=False)
    User.objects.filter(username__startswith="gen-").update(language="en")
    manager = User.objects.get(username__startswith="gen-", role="account_manager")
    head = User.objects.get(username__startswith="gen-", role="sales_head")
    return manager, head


def _get(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries.captured_queries), [q["sql"] for q in queries.captured_queries]


def _options(response) -> int:
    return len(re.findall(r"<option\b", response.content.decode()))


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/contacts/", "/opportunities/", "/accounts/", "/contacts/new/",
                                 "/opportunities/new/", "/interactions/new/", "/accounts/new/", "/portfolio/",
                                 "/planning/"])
def test_choosers_never_list_every_account(big, client, url):
    manager, head = big
    for user in (manager, head):
        response, _count, _sql = _get(client, user, url)
        # Stages, roles, statuses and the like stay; no select holds the 5,000 accounts.
        assert _options(response) < 120, (url, _options(response))
        assert len(response.content) < 150_000
    text = response.content.decode()
    if url in ("/accounts/", "/accounts/new/", "/portfolio/"):
        # Account managers are chosen by searching too (the filters and the owner of a new account).
        assert 'hx-get="/owners/choices/' in text
    elif url != "/planning/":
        assert 'hx-get="/accounts/choices/' in text


def test_account_chooser_answers_with_the_first_matches_accent_insensitive(big, client):
    manager, _head = big
    from kundennetz.accounts.models import Account

    response, count, _sql = _get(client, manager, "/accounts/choices/?term=zurcher&format=json")
    data = response.json()
    # SQLite first reads the index's first matches of the word to choose how to search (accounts.fts.way).
    assert 0 < len(data["results"]) <= 20 and data["more"] is True and count <= 4 + (connection.vendor == "sqlite")
    names = [row["text"] for row in data["results"]]
    assert all("zürcher" in name.lower() or "zurcher" in name.lower() for name in names)
    keys = [Account.objects.get(pk=row["id"]).name_sort for row in data["results"]]
    assert keys == sorted(keys)
    html, _count, _sql = _get(client, manager, "/accounts/choices/?term=zurcher")
    assert html.content.decode().count("<option") <= 22
    # Someone else's accounts are never offered.
    from cast import make_cast

    outsider = make_cast().outsider
    response, _count, _sql = _get(client, outsider, "/accounts/choices/?term=ag&format=json")
    assert response.json()["results"] == []


def _subqueries(sql: str) -> list[str]:
    """Each ``IN (SELECT …)`` of a statement, its own text only (what nested parentheses hold left out)."""
    found = []
    for match in re.finditer(r"\bIN \(SELECT ", sql):
        depth, own = 0, []
        for char in sql[match.end() - len("SELECT "):]:
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0:
                own.append(char)
        found.append("".join(own))
    return found


def _owner_scans(sql: list[str]) -> list[str]:
    """Lookups of owners (users) that take their ids from a subquery over the accounts or opportunities the
    user sees: ``User … WHERE id IN (SELECT owner_id FROM accounts_opportunity …)``, a scan of every visible
    row. A subquery stopped by a LIMIT (is the user the owner of one account?) or one starting from the
    user's own rows of the team table is no scan."""
    return [statement for statement in sql if 'FROM "core_user"' in statement
            for own in _subqueries(statement)
            if re.search(r'\bFROM "accounts_(account|opportunity)"', own) and not re.search(r"\bLIMIT \d+", own)]


def test_owner_choices_do_not_scan_the_accounts(big, client):
    """The owner chooser searched, and the lists filtered by an owner (the chosen owner is looked up among
    those the user may choose), never read the owners out of every visible account or opportunity."""
    manager, head = big
    term = manager.last_name[:4]
    for user in (manager, head):
        for url in (f"/owners/choices/?term={term}&format=json", f"/owners/choices/?term={term}",
                    f"/opportunities/?owner={manager.pk}", f"/accounts/?owner={manager.pk}"):
            response, _count, sql = _get(client, user, url)
            # The owners the user may choose were asked for (else there would be nothing to check) ...
            assert any('FROM "core_user"' in s and '"accounts_account' in s for s in sql), (user, url)
            # ... without a scan: the old form was User … WHERE id IN (SELECT owner_id FROM every visible row).
            assert not _owner_scans(sql), (user.role, url, _owner_scans(sql))
            if "format=json" in url:
                assert manager.pk in [row["id"] for row in response.json()["results"]], (user, url)
            else:
                assert re.search(rf'<option value="{manager.pk}"[^>]*>', response.content.decode()), (user, url)


def _capped_contacts(big, client, monkeypatch, role: str) -> list[str]:
    """The count queries of the contact list with the cap at 1,000, after checking the page says so."""
    from kundennetz.core import paging

    manager, head = big
    monkeypatch.setattr(paging, "COUNT_CAP", 1_000)
    response, _count, sql = _get(client, head if role == "head" else manager, "/contacts/")
    text = response.content.decode()
    assert "More than 1,000 contacts" in text and "Page 1 of many" in text
    return [s for s in sql if "COUNT(" in s]


def test_counts_stop_at_the_cap(big, client, monkeypatch):
    counts = _capped_contacts(big, client, monkeypatch, "head")
    assert counts and all("LIMIT 1001" in s for s in counts)


def test_counts_stop_at_the_cap_for_an_account_manager(big, client, monkeypatch):
    """An account manager's list is counted account by account (`paging.ByAccount.count_query`): that count
    stops at the cap too."""
    counts = _capped_contacts(big, client, monkeypatch, "am")
    # The count went account by account (the manager's list of accounts, then each one's rows) ...
    assert any("kn_account" in s for s in counts), counts
    # ... and no count reads past the cap.
    assert counts and all("LIMIT 1001" in s for s in counts), counts


def test_query_counts_do_not_grow_with_the_data(big, client):
    """The same pages cost the same number of queries for 5,000 accounts as for a handful."""
    manager, head = big
    from kundennetz.sample.generate import generate_network
    from kundennetz.core.models import User

    generate_network(3, managers=1, interactions_per_account=1, seed=8)
    small = User.objects.filter(username__startswith="gen-2-", role="account_manager").get()
    small_head = User.objects.filter(username__startswith="gen-2-", role="sales_head").get()
    User.objects.filter(username__startswith="gen-2-").update(language="en")
    for url in ("/accounts/", "/contacts/", "/opportunities/", "/opportunities/?recommendation=offer",
                "/accounts/?q=zurich&sort=-revenue", "/contacts/?sort=-name", "/portfolio/"):
        _r, many, _s = _get(client, manager, url)
        _r, few, _s = _get(client, small, url)
        # The picture too: dots for a few accounts, the density grid from the snapshot's stored counts
        # for thousands, in as many queries.
        assert many == few, (url, many, few)
        _r, many, _s = _get(client, head, url)
        _r, few, _s = _get(client, small_head, url)
        assert abs(many - few) <= 1, (url, many, few)  # the picture's density adds no query per account


def test_portfolio_picture_is_a_density_grid_at_size(big, client):
    manager, head = big
    response, count, _sql = _get(client, head, "/portfolio/")
    text = response.content.decode()
    assert response.context["aggregated"] and 'class="density-cell"' in text
    assert 'class="largest-account"' in text
    assert len(response.content) < 250_000 and count < 20
    # Filtered down to a few hundred accounts, the dots come back.
    response, _count, _sql = _get(client, head, "/portfolio/?abc=A&cell=star&segment=key_accounts")
    assert not response.context["aggregated"]


def test_search_is_accent_insensitive_and_names_sort_in_german_order(big, client):
    manager, _head = big
    response, _count, _sql = _get(client, manager, "/accounts/?q=zurich")
    names = [r.name for r in response.context["records"]]
    assert names and all("zürich" in (r.search_text + r.city.lower()) or "zurich" in r.search_text
                         for r in response.context["records"])
    response, _count, _sql = _get(client, manager, "/accounts/?q=Bäckerei")
    assert all("backerei" in r.search_text for r in response.context["records"])
    response, _count, _sql = _get(client, manager, "/accounts/?sort=name")
    keys = [r.name_sort for r in response.context["records"]]
    assert keys == sorted(keys)
