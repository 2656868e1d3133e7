"""The accounts counted per account manager, customer group and stored strategy (planning.counts): after every
kind of change the stored counts equal the straight count over the accounts, and the plan the planning page
and the API build from them equals the plan computed account by account, for the sales head and for each
account manager; nobody sees another manager's row who may not."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundennetz.accounts.models import Account, Segment
from kundennetz.planning import counts, services
from kundennetz.planning.models import AccountCount, AccountCountChange, Capacity

pytestmark = pytest.mark.django_db

TOTALS = ("accounts", "from_portfolio", "hours_available", "hours_required", "hours_minimum", "contacts_required",
          "support_budget", "support_required", "pr_budget", "pr_required")


def rows(plan) -> list[tuple]:
    return [(r.manager_id, r.name, r.accounts, round(r.available, 6), round(r.required, 6), round(r.minimum, 6),
             round(r.contacts, 6), r.has_capacity) for r in plan.rows]


def agree(period):
    """Stored counts = straight count (overall and per manager); the plan read from them = the plan computed
    account by account (totals, every manager's row, and each manager's plan read alone). The stored plan."""
    straight = counts.counted_from_accounts()
    assert counts.stored_counts() == straight
    stored = services.implied_plan(period)
    live = services.implied_plan(period, services.load(period))
    assert stored.accounts == Account.objects.count()
    for name in TOTALS:
        assert round(getattr(stored, name), 6) == round(getattr(live, name), 6), name
    assert rows(stored) == rows(live)
    for row in stored.rows:
        assert counts.stored_counts(row.manager_id) == counts.counted_from_accounts(row.manager_id) == {
            group: n for group, n in straight.items() if group[0] == row.manager_id}
        assert rows(services.implied_plan(period, manager=row.manager_id)) == [
            r for r in rows(stored) if r[0] == row.manager_id]
    return stored


def accounts_of(plan, manager) -> int:
    return next((r.accounts for r in plan.rows if r.manager_id == manager.pk), 0)


# --- every kind of change ---------------------------------------------------------------------------


def test_new_accounts(planned, cast):
    period = planned["period"]
    before = accounts_of(agree(period), cast.owner)
    small = Segment.objects.get(code="small")
    Account.objects.create(name="Neu AG", owner=cast.owner, segment=small)
    Account.objects.create(name="Ohne Gruppe AG", owner=cast.owner)
    Account.objects.bulk_create([Account(name=f"Viele {i} AG", owner=cast.owner, segment=small) for i in range(5)])
    assert accounts_of(agree(period), cast.owner) == before + 7


def test_owner_changes_one_by_one_and_in_bulk(planned, cast):
    period = planned["period"]
    agree(period)
    alpha = planned["accounts"]["alpha"]
    alpha.owner = cast.outsider
    alpha.save()
    plan = agree(period)
    assert (accounts_of(plan, cast.owner), accounts_of(plan, cast.outsider)) == (2, 4)
    Account.objects.filter(owner=cast.outsider).update(owner=cast.team_member)
    plan = agree(period)
    assert (accounts_of(plan, cast.outsider), accounts_of(plan, cast.team_member)) == (0, 4)
    assert cast.outsider.pk in {r.manager_id for r in plan.rows}  # their capacity keeps them on the page


def test_customer_group_changes(planned, cast):
    period = planned["period"]
    required = {r.manager_id: r.required for r in agree(period).rows}
    beta = planned["accounts"]["beta"]  # small (8 h) becomes a key account (60 h)
    beta.segment = Segment.objects.get(code="key_accounts")
    beta.save()
    after = {r.manager_id: r.required for r in agree(period).rows}
    assert after[cast.owner.pk] > required[cast.owner.pk]
    beta.segment = None
    beta.save()
    agree(period)


def test_trash_restore_and_delete(planned, cast):
    from kundennetz.accounts.services import restore

    period = planned["period"]
    agree(period)
    gamma = planned["accounts"]["gamma"]
    gamma.soft_delete(cast.outsider)
    assert accounts_of(agree(period), cast.outsider) == 2
    gamma.soft_delete(cast.outsider)  # trashed again: still counted once less, not twice
    assert accounts_of(agree(period), cast.outsider) == 2
    gamma.refresh_from_db()
    assert restore(gamma, cast.sales_head)
    assert accounts_of(agree(period), cast.outsider) == 3
    # A trashed account changing hands is not counted anywhere until it comes back.
    gamma.soft_delete(cast.outsider)
    Account.all_objects.filter(pk=gamma.pk).update(owner=cast.owner)
    assert accounts_of(agree(period), cast.owner) == 3
    gone = Account.objects.create(name="Kurz AG", owner=cast.owner)
    assert accounts_of(agree(period), cast.owner) == 4
    Account.all_objects.filter(pk=gone.pk).delete()
    assert accounts_of(agree(period), cast.owner) == 3


def test_snapshot_override_and_applied_plan(planned, cast, django_capture_on_commit_callbacks):
    from kundennetz.portfolio import services as portfolio

    period = planned["period"]
    agree(period)
    with django_capture_on_commit_callbacks(execute=True):
        portfolio.recompute(period="2026-Q4")
    plan = agree(period)
    assert plan.from_portfolio > 0
    # Added to the counts once the snapshot committed: nothing is left to add.
    assert not AccountCountChange.objects.exists()
    beta = planned["accounts"]["beta"]
    with django_capture_on_commit_callbacks(execute=True):
        portfolio.set_override(beta, cast.sales_head, "selective_withdrawal", "Klein")
    assert counts.stored_counts(cast.owner.pk).get((cast.owner.pk, beta.segment_id, "selective_withdrawal")) == 1
    agree(period)
    portfolio.clear_override(beta, cast.sales_head)  # not compacted: the changes are read beside the counts
    agree(period)
    services.apply_scenario(services.create_scenario("Basis", period, {}, cast.sales_head), cast.sales_head)
    agree(period)


def test_capacity_changes(planned, cast):
    period = planned["period"]
    agree(period)
    capacity = planned["capacities"]["owner"]
    capacity.working_days = Decimal("200")
    capacity.save()
    Capacity.objects.create(manager=cast.team_member, period=period, working_days=Decimal("100"))
    plan = agree(period)
    row = next(r for r in plan.rows if r.manager_id == cast.team_member.pk)
    assert (row.accounts, row.has_capacity, row.available > 0) == (0, True, True)


def test_a_generated_network_and_the_demo_are_counted(db):
    from datetime import date

    from kundennetz.sample.demo import load_demo
    from kundennetz.sample.generate import generate_network

    generate_network(60, managers=2, interactions_per_account=1, seed=5)
    assert counts.stored_counts() == counts.counted_from_accounts()
    assert sum(counts.stored_counts().values()) == 60
    load_demo(force=True, today=date(2026, 5, 4))  # deletes the generated network first
    assert counts.stored_counts() == counts.counted_from_accounts()
    assert sum(counts.stored_counts().values()) == Account.objects.count() > 0


def test_owners_are_those_with_an_account_not_in_the_trash(planned, cast):
    assert counts.owners() == {cast.owner.pk, cast.outsider.pk} == set(Account.objects.values_list("owner_id", flat=True))
    for account in Account.objects.filter(owner=cast.outsider):
        account.soft_delete(cast.outsider)
    assert counts.owners() == {cast.owner.pk}
    # A what-if naming them is checked against the managers planned: with a capacity they still count.
    services.clean_parameters({"removed_managers": [{"manager": cast.outsider.pk}]}, planned["period"])
    Capacity.objects.filter(manager=cast.outsider).delete()
    with pytest.raises(services.InvalidParameters):
        services.clean_parameters({"removed_managers": [{"manager": cast.outsider.pk}]}, planned["period"])


# --- kept by the database; put back when missing ----------------------------------------------------


def test_compacting_keeps_the_counts(planned, cast):
    owner = cast.owner
    Account.objects.filter(owner=owner).update(owner=cast.outsider)
    Account.objects.filter(owner=cast.outsider).update(owner=owner)
    before = counts.stored_counts()
    counts.compact()
    assert counts.stored_counts() == before == counts.counted_from_accounts()
    assert not AccountCountChange.objects.exists()
    assert not AccountCount.objects.filter(accounts=0).exists()  # groups left empty are dropped
    if connection.vendor == "sqlite":
        return
    # PostgreSQL: writers only append; the counts move only when compacted.
    stored = dict(AccountCount.objects.values_list("owner_id", "accounts").filter(owner_id=owner.pk, strategy="",
                                                                                    segment_id=0))
    Account.objects.create(name="Neu AG", owner=owner)
    assert dict(AccountCount.objects.values_list("owner_id", "accounts").filter(
        owner_id=owner.pk, strategy="", segment_id=0)) == stored
    assert AccountCountChange.objects.get().accounts == 1
    assert counts.stored_counts() == counts.counted_from_accounts()


def test_missing_triggers_are_put_back_and_the_accounts_counted_again(planned, cast):
    assert not counts.ensure(connection)  # all there: nothing done
    counts.drop(connection)
    Account.objects.create(name="Ungezählt AG", owner=cast.owner)
    planned["accounts"]["gamma"].soft_delete(cast.outsider)
    assert counts.stored_counts() != counts.counted_from_accounts()
    assert counts.ensure(connection)
    assert counts.stored_counts() == counts.counted_from_accounts()
    Account.objects.create(name="Wieder gezählt AG", owner=cast.owner)
    assert counts.stored_counts() == counts.counted_from_accounts()


def test_the_migration_counts_the_accounts_already_there(planned, cast):
    migration = importlib.import_module("kundennetz.planning.migrations.0006_account_counts")
    migration.drop(None, type("Editor", (), {"connection": connection})())
    AccountCount.objects.all().delete()
    AccountCountChange.objects.all().delete()
    assert counts.stored_counts() == {}
    migration.create(None, type("Editor", (), {"connection": connection})())
    assert counts.stored_counts() == counts.counted_from_accounts()
    assert sum(counts.stored_counts().values()) == Account.objects.count() == 6


# --- who sees what -----------------------------------------------------------------------------------


def _page_rows(client, user):
    client.force_login(user)
    response = client.get("/planning/?period=2026")
    assert response.status_code == 200
    return response, [(r.manager_id, r.accounts, round(r.required, 6), round(r.available, 6))
                      for r in response.context["rows"]]


def _live_rows(period, *managers):
    live = services.implied_plan(period, services.load(period))
    return [(r.manager_id, r.accounts, round(r.required, 6), round(r.available, 6)) for r in live.rows
            if not managers or r.manager_id in managers]


def test_the_sales_head_sees_every_manager_live(planned, cast, client, api):
    period = planned["period"]
    Account.objects.create(name="Neu AG", owner=cast.team_member)
    response, shown = _page_rows(client, cast.sales_head)
    assert shown == _live_rows(period)
    assert {cast.owner.pk, cast.outsider.pk, cast.team_member.pk} <= {row[0] for row in shown}
    # The page says the figures are live, not a stored result of some time ago.
    assert 'data-live="true"' in response.content.decode()
    body = api(cast.sales_head, "GET", "/api/planning/plan", {"period": "2026"}).json()
    assert body["live"] is True and body["accounts"] == Account.objects.count()
    assert [(m["manager"], m["accounts"], round(m["required_hours"], 6)) for m in body["managers"]] == [
        (pk, n, required) for pk, n, required, _available in shown]


@pytest.mark.parametrize("member", ["owner", "outsider", "team_member"])
def test_an_account_manager_sees_their_own_row_only(member, planned, cast, client, api):
    period = planned["period"]
    user = getattr(cast, member)
    Account.objects.create(name="Team AG", owner=cast.team_member)
    with CaptureQueriesContext(connection) as queries:
        response, shown = _page_rows(client, user)
    assert shown == _live_rows(period, user.pk)
    assert [row[0] for row in shown] == [user.pk]
    # Only their own counts are read: the others' are never loaded for them.
    read = [q["sql"] for q in queries.captured_queries if AccountCount._meta.db_table in q["sql"]]
    assert read and all(f"owner_id = {user.pk}" in sql for sql in read)
    others = {cast.owner.pk, cast.outsider.pk, cast.team_member.pk} - {user.pk}
    html = response.content.decode()
    assert not any(f'data-manager-id="{pk}"' in html for pk in others)
    answer = api(user, "GET", "/api/planning/plan", {"period": "2026"})
    assert answer.status_code == 200
    body = answer.json()
    assert [m["manager"] for m in body["managers"]] == [user.pk] and body["hours_required"] is None
    assert body["managers"][0]["accounts"] == next(r[1] for r in shown)
    export = client.get("/planning/capacity.csv?period=2026").content.decode().splitlines()
    assert len(export) == 2 and export[1].split(",")[1] == str(user.pk)


def test_nobody_else_gets_in(planned, client, api):
    assert client.get("/planning/?period=2026").status_code == 302
    assert api(None, "GET", "/api/planning/plan").status_code == 401


def test_the_page_costs_the_same_queries_for_one_manager_as_for_ten(planned, cast, client):
    from cast import make_user

    client.force_login(cast.sales_head)
    client.get("/planning/?period=2026")

    def cost(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/planning/?period=2026").status_code == 200
        return len(queries.captured_queries)

    head, owner = cost(cast.sales_head), cost(cast.owner)
    small = Segment.objects.get(code="small")
    for i in range(10):
        manager = make_user(f"manager{i}", "account_manager")
        Account.objects.bulk_create([Account(name=f"M{i} {k}", owner=manager, segment=small) for k in range(3)])
        Capacity.objects.create(manager=manager, period=planned["period"], working_days=Decimal("100"))
    assert (cost(cast.sales_head), cost(cast.owner)) == (head, owner)


# --- the scenario form's choosers of people -----------------------------------------------------------


def test_the_scenario_form_lists_no_one_and_finds_people_by_name(planned, cast, client):
    client.force_login(cast.sales_head)
    html = client.get("/planning/?period=2026").content.decode()
    # The four choosers of account managers hold only their empty choice; a search box fills them.
    assert html.count('hx-get="/planning/people/choices/?period=2026"') == 4
    assert f'<option value="{cast.outsider.pk}"' not in html
    found = client.get("/planning/people/choices/", {"period": "2026", "term": "outs"}).content.decode()
    assert f'<option value="{cast.outsider.pk}">' in found and f'value="{cast.owner.pk}"' not in found
    # A chosen one is submitted and checked against everyone who can be planned, as before.
    response = client.post("/planning/scenarios/new/?period=2026", {
        "period_code": "2026", "name": "Umzug", "move_from": cast.owner.pk, "move_to": cast.outsider.pk,
        "visits": "continuous"})
    assert response.status_code == 302
    response = client.post("/planning/scenarios/new/?period=2026", {
        "period_code": "2026", "name": "Unbekannt", "move_from": cast.owner.pk, "move_to": 999_999,
        "visits": "continuous"})
    assert response.status_code == 200 and "move_to" in response.context["form"].errors


@pytest.mark.parametrize("member", ["owner", "team_member", "outsider", "marketing", "read_only"])
def test_only_planners_search_people(member, planned, cast, client):
    client.force_login(getattr(cast, member))
    assert client.get("/planning/people/choices/", {"period": "2026", "term": "o"}).status_code == 403
