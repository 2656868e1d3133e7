"""Every offered filter and sort of the lists is served by an index, checked by EXPLAIN on both databases.

SQLite: the plan reads the list's table through an index and needs no temporary b-tree to sort.
PostgreSQL: with sequential scans and explicit sorts priced out (``enable_seqscan``/``enable_sort`` off),
the plan still has no Sort node: an index delivers the rows in order. (At a few thousand rows the planner
would rightly pick a plain scan; the question here is whether an index exists that serves the page.)

An account manager's list is the other way round: it starts at their own accounts (ids through the owner
index and the team table's user index, `core.permissions.worked_on_by`) and sorts those few thousand rows;
walking a whole sort index and throwing away 99.5 % of it is what made their lists take seconds at a
million accounts. For them the check is that no table is scanned and the restriction is read by index.

Sorting by another record (an account's owner or customer group, an opportunity's account, stage or
owner) reads that record's sort key copied onto the listed row (accounts.sortkeys), indexed like any other
column. Contacts by their account need no copy: the account's name index is walked account by account,
each account's few contacts read by the account index and only those of one name put in order (tested
on its own below).
"""

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import translation

CASES = {
    "account": ["", "name", "-name", "city", "-city", "status", "revenue", "-revenue", "potential", "-potential",
                "planned", "-planned", "owner", "-owner", "segment", "-segment", "q=zurich", "status=customer",
                "owner=ME", "strategy=selective_withdrawal"],
    "contact": ["", "name", "-name", "function", "role", "-role", "buying_role=coach", "q=muller"],
    "opportunity": ["", "title", "-title", "volume", "-volume", "decision", "-decision", "recommendation",
                    "-recommendation", "open_points", "-open_points", "account", "-account", "stage", "-stage",
                    "owner", "-owner", "recommendation=offer", "recommendation=none", "q=projekt"],
}


def _list_query(kind, case, user, *, first_page=True):
    from kundennetz.accounts.filters import AccountFilter, ContactFilter, OpportunityFilter
    from kundennetz.accounts.models import Account, Contact, Opportunity

    model, filterset, related = {
        "account": (Account, AccountFilter, ("segment", "owner")),
        "contact": (Contact, ContactFilter, ("account",)),
        "opportunity": (Opportunity, OpportunityFilter, ("account", "stage", "owner")),
    }[kind]
    if "=" in case:
        key, value = case.split("=", 1)
        params = {key: str(user.pk) if value == "ME" else value}
    else:
        params = {"sort": case} if case else {}
    request = RequestFactory().get("/", params)
    request.user = user
    listed = filterset(params, queryset=model.objects.restrict(user).select_related(*related), request=request).qs
    return listed[:25] if first_page else listed


def _sqlite_problems(queryset, table):
    plan = queryset.explain()
    problems = [line for line in plan.splitlines() if "TEMP B-TREE" in line]
    problems += [line for line in plan.splitlines() if f"SCAN {table}" in line and "INDEX" not in line]
    return problems, plan


def _postgres_problems(queryset, table):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        plan = queryset.explain()
    problems = [line for line in plan.splitlines() if line.strip().lstrip("-> ").startswith("Sort")]
    problems += [line for line in plan.splitlines() if f"Seq Scan on {table}" in line]
    return problems, plan


def _restricted_problems(queryset, table):
    """An account manager's list: the user's ids first (by index), then their rows; a sort of those is fine."""
    if connection.vendor == "sqlite":
        plan = queryset.explain()
        problems = [line for line in plan.splitlines() if " SCAN " in f" {line} " and "INDEX" not in line
                    and "SUBQUERY" not in line]
        if "owner_id=?" not in plan or "user_id=?" not in plan:
            problems.append("the restriction is not read through the owner and team indexes")
        return problems, plan
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    problems = [line for line in plan.splitlines() if "Seq Scan" in line]
    if "owner_id = " not in plan or "user_id = " not in plan:
        problems.append("the restriction is not read through the owner and team indexes")
    return problems, plan


@pytest.fixture
def generated(db):
    from kundennetz.sample.generate import generate_network
    from kundennetz.core.models import User

    # Indexes kept while loading: built again inside this test's transaction over rows the load updated
    # in place (HOT), PostgreSQL marks them unusable until that transaction is over (pg_index.indcheckxmin),
    # which is every EXPLAIN below. Whether updates are HOT depends on free room on the pages, which the
    # tests before this one leave behind; after a real run's commit the indexes serve at once.
    generate_network(3_000, managers=3, interactions_per_account=0, seed=11, consistency=False,
                     rebuild_indexes=False)
    return {
        "head": User.objects.get(username__startswith="gen-", role="sales_head"),
        "am": User.objects.filter(username__startswith="gen-", role="account_manager").order_by("pk").first(),
    }


@pytest.mark.django_db
def test_every_offered_filter_and_sort_has_an_index(generated):
    unrestricted = _postgres_problems if connection.vendor == "postgresql" else _sqlite_problems
    failures = []
    for role, user in generated.items():
        check = _restricted_problems if role == "am" else unrestricted
        for kind, cases in CASES.items():
            table = f"accounts_{kind}"
            for case in cases:
                if connection.vendor == "sqlite" and case.startswith("q="):
                    continue  # SQLite: the search reads its FTS5 index (tested below)
                problems, plan = check(_list_query(kind, case, user), table)
                if problems:
                    failures.append(f"{role} {kind} {case or 'default'}: {problems}\n{plan}")
    with translation.override("en"):  # the customer groups' English names have a key and an index of their own
        for case in ("segment", "-segment"):
            problems, plan = unrestricted(_list_query("account", case, generated["head"]), "accounts_account")
            if problems or "segment_en" not in plan:
                failures.append(f"head account {case} (en): {problems}\n{plan}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db
def test_contacts_by_account_walk_the_account_name_index(generated):
    """Account by account in name order, its contacts by the account index: a page reads its own rows and
    sorts only contacts of accounts with one name among themselves (by id), however many contacts there are."""
    for case in ("account", "-account"):
        queryset = _list_query("contact", case, generated["head"])
        if connection.vendor == "sqlite":
            plan = queryset.explain()
            assert "SCAN accounts_account USING INDEX account_live_name" in plan, plan
            assert "SEARCH accounts_contact USING" in plan and "(account_id=?" in plan, plan
            sorts = [line for line in plan.splitlines() if "TEMP B-TREE" in line]
            assert all("RIGHT PART OF ORDER BY" in line for line in sorts), plan
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
        assert "account_live_name" in plan and "Presorted Key: accounts_account.name_sort" in plan, plan
        assert not [line for line in plan.splitlines() if line.strip().lstrip("-> ").startswith("Sort  (")], plan


@pytest.mark.django_db
def test_the_owner_or_team_restriction_reads_the_team_by_index(generated):
    from kundennetz.accounts.models import Account

    plan = Account.objects.restrict(generated["am"])[:25].explain()
    if connection.vendor == "sqlite":
        assert "SCAN accounts_account_team" not in plan.replace("USING COVERING INDEX", "").replace(
            "USING INDEX", "INDEX") or "INDEX" in plan, plan
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = Account.objects.restrict(generated["am"])[:25].explain()
        assert "Seq Scan on accounts_account_team" not in plan, plan


@pytest.mark.django_db
def test_substring_search_uses_the_trigram_index_on_postgresql(generated):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; SQLite searches the folded column")
    from kundennetz.accounts.models import Account, Contact, Opportunity

    for model in (Account, Contact, Opportunity):
        with transaction.atomic(), connection.cursor() as cursor:
            # Only bitmap scans left: with plain index scans allowed, a walk down any full index (the live
            # ids, say) filtering every row may be priced below the trigram index on a few thousand rows.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
            plan = model.all_objects.filter(search_text__contains="2999").order_by().explain()
        assert f"{model._meta.db_table}_search_trgm" in plan, plan


@pytest.mark.django_db
def test_substring_search_uses_the_fts5_index_on_sqlite(generated, monkeypatch):
    """Where the matches are read from the index (few, or sparse: ``fts.way``; the other way, a dense word
    tested while the list's order is walked, see tests/speed/test_search_ways.py)."""
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's; PostgreSQL searches through its trigram indexes")
    from kundennetz.accounts import fts

    monkeypatch.setattr(fts, "way", lambda found, ordered: "list")
    for kind, case in (("account", "q=urich"), ("contact", "q=muller"), ("opportunity", "q=projekt 29")):
        queryset = _list_query(kind, case, generated["am"])
        plan = queryset.explain()
        assert "VIRTUAL TABLE INDEX" in plan and f"accounts_{kind}_fts" in plan, plan
        assert f"SCAN accounts_{kind}\n" not in plan + "\n", plan


@pytest.mark.django_db
def test_the_sqlite_search_index_follows_every_write_and_survives_a_table_rebuild(generated):
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    from kundennetz.accounts import fts
    from kundennetz.accounts.filters import search_words
    from kundennetz.accounts.models import Account

    def found(text):
        return set(search_words(Account.all_objects.all(), value=text).values_list("pk", flat=True))

    account = Account.objects.order_by("pk").first()
    account.name, account.city = "Grüezi Kässerei", "Zürich"
    account.save()
    assert found("kasser zuri") == {account.pk}  # accents and case folded, substrings of three or more
    Account.objects.filter(pk=account.pk).update(search_text="anders")  # raw writes too (trigger)
    assert found("kasser") == set() and found("ander") >= {account.pk}
    with connection.cursor() as cursor:  # what a table rebuild by a schema change leaves behind
        cursor.execute("DROP TRIGGER accounts_account_fts_au")
    assert fts.ensure(connection) == ["accounts_account"]
    Account.objects.filter(pk=account.pk).update(search_text="wieder da")
    assert found("wieder") == {account.pk}
    Account.all_objects.filter(pk=account.pk).delete()
    assert found("wieder") == set()


@pytest.mark.django_db
def test_the_management_views_latest_changes_and_overview_check_read_indexes(generated):
    """The latest account-manager changes walk a partial index; whether the stored overview still holds is
    one step down the computed_at index (neither scans every account's row)."""
    from kundennetz.interactions import management_view, services

    services.refresh_snapshots()
    table = "interactions_consistencysnapshot"
    check = _postgres_problems if connection.vendor == "postgresql" else _sqlite_problems
    if connection.vendor == "postgresql":
        # SQLite's planner picks by the data's statistics (a few thousand rows with hardly a change: the
        # accounts first); PostgreSQL, with scans and sorts priced out, shows the index serves the order.
        problems, plan = check(management_view.recent_changes(), table)
        assert not problems and "consistency_latest_change" in plan, plan
    from django.db.models import Max

    from kundennetz.interactions.models import ConsistencySnapshot

    newest = ConsistencySnapshot.objects.values("computed_at").order_by("-computed_at")[:1]
    problems, plan = check(newest, table)
    assert not problems and "compute" in plan, plan
    assert ConsistencySnapshot.objects.aggregate(m=Max("computed_at"))["m"] is not None


@pytest.mark.django_db
def test_the_ids_of_a_deep_page_come_from_the_sort_index(generated):
    """A deep page first reads its ids (`core.paging.page_ids`): through the sort's index, with no sort,
    on both databases. On PostgreSQL the accounts' ids come from the index alone (Index Only Scan); the
    contacts and opportunities still visit their rows to join the account (is it in the trash?)."""
    from kundennetz.core.paging import page_ids

    check = _postgres_problems if connection.vendor == "postgresql" else _sqlite_problems
    failures = []
    for kind, cases in {"account": ["", "-name", "city", "-revenue", "potential", "status=customer"],
                        "contact": ["", "-name", "role"], "opportunity": ["", "-volume", "decision"]}.items():
        for case in cases:
            ids = page_ids(_list_query(kind, case, generated["head"], first_page=False), 500, 525)
            problems, plan = check(ids, f"accounts_{kind}")
            if connection.vendor == "postgresql" and kind == "account" and "Index Only Scan" not in plan:
                problems.append("not index-only")
            if problems:
                failures.append(f"{kind} {case or 'default'}: {problems}\n{plan}")
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def with_interactions(db):
    """A small generated network with interactions, three of which carry a rare word in their note, and
    one account of a rare name."""
    from kundennetz.accounts.models import Account
    from kundennetz.core.models import User
    from kundennetz.interactions.models import Interaction
    from kundennetz.sample.generate import generate_network

    generate_network(400, managers=3, interactions_per_account=40, seed=11, consistency=False,
                     rebuild_indexes=False)  # see `generated`
    rare = list(Interaction.objects.order_by("pk")[:3])
    for row in rare:
        row.note = "Seltenheit besprochen"
    Interaction.objects.bulk_update(rare, ["note"])
    account = Account.objects.order_by("-pk").first()
    account.name = "Einzigartig AG"
    account.save()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk write: move the new rows out of the GIN index's pending
            # list, which the planner otherwise prices as a scan of every row just written.
            cursor.execute("SELECT gin_clean_pending_list('interactions_interaction_search_trgm')")
        cursor.execute("ANALYZE")
    return {
        "head": User.objects.get(username__startswith="gen-", role="sales_head"),
        "am": User.objects.filter(username__startswith="gen-", role="account_manager").order_by("pk").first(),
    }


def _interaction_list(user, params=None):
    """What the list page reads for `user` with these filters: the restricted queryset, or an account
    manager's list read account by account (`core.paging.by_account`)."""
    from kundennetz.core.paging import by_account
    from kundennetz.interactions.filters import search_interactions
    from kundennetz.interactions.models import Interaction

    params = params or {}
    queryset = Interaction.objects.select_related("account", "opportunity").order_by("-date", "-id")
    queryset = search_interactions(queryset, params.get("q"), account_names=True)
    if "type" in params:
        queryset = queryset.filter(type=params["type"])
    return by_account(queryset, user)


def _list_plan(rows, start=0, stop=25, *, count=False):
    """The plan of a page (or of the count) of `_interaction_list`, on the test's own settings."""
    from kundennetz.core.paging import ByAccount

    if not isinstance(rows, ByAccount):
        return rows.order_by()[:stop].explain() if count else rows[start:stop].explain()
    sql, params = rows.count_query(stop) if count else rows.ids_query(start, stop)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(f"{row[0]} {row[1]} {row[2]} {row[3]}" for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _interaction_search(user, q):
    """The plan of the list page's first page for the search `q`."""
    return _list_plan(_interaction_list(user, {"q": q}))


@pytest.mark.django_db
def test_the_interaction_search_reads_the_fts5_indexes_on_sqlite(with_interactions, monkeypatch):
    """Topics and note through the interactions' FTS5 index, the account's name through the accounts'
    (and their interactions by the account index): no scan of every interaction. (Where the matches are
    read from the index: few or sparse ones, ``fts.way``.)"""
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's; PostgreSQL searches through its trigram indexes")
    from kundennetz.accounts import fts
    from kundennetz.accounts.filters import search_words

    monkeypatch.setattr(fts, "way", lambda found, ordered: "list")
    from kundennetz.accounts.models import Account

    for role, user in with_interactions.items():
        for q in ("seltenheit", "jahresgespr", "alpen", "alpen ag"):
            plan = _interaction_search(user, q)
            assert "SCAN interactions_interaction_fts VIRTUAL TABLE INDEX" in plan, (role, q, plan)
            assert "SCAN interactions_interaction\n" not in plan + "\n", (role, q, plan)
            assert "SCAN interactions_interaction USING" not in plan, (role, q, plan)
        plan = _interaction_search(user, "alpen")
        # The named accounts' interactions by an index on the account.
        assert ("SEARCH interactions_interaction USING INDEX" in plan.replace("USING COVERING INDEX", "USING INDEX")
                and "(account_id=?)" in plan), plan
    plan = search_words(Account.objects.all(), words=["alpen"]).filter(name_sort__contains="alpen").explain()
    assert "SCAN accounts_account_fts VIRTUAL TABLE INDEX" in plan, plan


@pytest.mark.django_db
def test_the_interaction_search_reads_the_trigram_index_on_postgresql(with_interactions):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; SQLite searches through FTS5")
    from kundennetz.interactions.models import Interaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Interaction.all_objects.filter(search_text__contains="seltenheit").order_by().explain()
        assert "interactions_interaction_search_trgm" in plan, plan
        for q in ("seltenheit", "seltenheit alpen", "einzigartig"):
            plan = _interaction_search(with_interactions["head"], q)
            assert "interactions_interaction_search_trgm" in plan, (q, plan)
            assert "Seq Scan on interactions_interaction" not in plan, (q, plan)
        # A rare account name: its interactions by the account index, merged with the text's by trigram.
        assert "BitmapOr" in plan and "Index Cond: (account_id " in plan, plan
        # An account manager's few accounts may be read first, by the account index, instead.
        plan = _interaction_search(with_interactions["am"], "seltenheit")
        assert "Seq Scan on interactions_interaction" not in plan, plan


@pytest.mark.django_db
def test_an_account_managers_interaction_list_reads_their_accounts_by_the_account_index(with_interactions):
    """An account manager's list (first page, deep page, one type, its count): their accounts first, read
    through the owner and team indexes, then each account's interactions through the index that starts
    with the account; never a walk down the date index or a scan of every interaction, whatever the
    planner would estimate. (The sales head's list walks the date index: tested above.)"""
    from kundennetz.core.paging import ByAccount

    failures = []
    for params in ({}, {"type": "call"}):
        rows = _interaction_list(with_interactions["am"], params)
        assert isinstance(rows, ByAccount)
        for what, start, stop, count in (("page", 0, 25, False), ("deep page", 5000, 5025, False),
                                         ("count", 0, 10_001, True)):
            if connection.vendor == "sqlite":
                plan = _list_plan(rows, start, stop, count=count)
                lines = plan.splitlines()
                problems = [line for line in lines if "SCAN interactions_interaction" in line]
                reads = [n for n, line in enumerate(lines) if "SEARCH interactions_interaction USING COVERING INDEX "
                         "interaction_account_date (account_id=?)" in line]
                outer = [n for n, line in enumerate(lines) if "SCAN kn_account" in line]
                if not reads or not outer or outer[0] > reads[0]:
                    problems.append("not the accounts first, then each one's interactions by the account index")
                if "owner_id=?" not in plan or "user_id=?" not in plan:
                    problems.append("the accounts are not read through the owner and team indexes")
            else:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_seqscan = off")
                    plan = _list_plan(rows, start, stop, count=count)
                problems = [line for line in plan.splitlines()
                            if "Seq Scan on interactions_interaction" in line or "interaction_date_" in line]
                if "Nested Loop" not in plan or "Index Cond: ((account_id = " not in plan.replace(
                        "Index Cond: (account_id = ", "Index Cond: ((account_id = "):
                    problems.append("not each account's interactions by the account index")
                if "owner_id = " not in plan or "user_id = " not in plan:
                    problems.append("the accounts are not read through the owner and team indexes")
            if problems:
                failures.append(f"{params} {what}: {problems}\n{plan}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db
def test_an_account_managers_page_reads_its_rows_by_their_ids_alone(with_interactions):
    """The rows of the page are fetched by the ids the account-by-account query picked and by nothing else:
    the list's filters repeated there would give the planner another way in (SQLite started from the
    thousands of matches of a common word and took longer than the whole list)."""
    from django.test.utils import CaptureQueriesContext

    from kundennetz.core.paging import rows_between

    for params in ({"q": "jahresgespr"}, {"type": "call"}, {}):
        rows = _interaction_list(with_interactions["am"], params)
        with CaptureQueriesContext(connection) as queries:
            assert len(rows_between(rows, 0, 25)) == 25
        (page,) = [q["sql"] for q in queries.captured_queries
                   if q["sql"].startswith('SELECT "interactions_interaction"."id", ')]
        where = page.split(" WHERE ", 1)[1]
        assert where.startswith('"interactions_interaction"."id" IN (WITH kn_listed'), where[:200]
        assert page.count(" MATCH ") + page.count(" LIKE ") <= 1 and page.count("'call'") <= 1, page
