"""Sorting a list by another record (an account's owner and customer group, an opportunity's account, stage
and owner) reads that record's sort key copied onto the listed row (accounts.sortkeys). Whatever writes
the rows or the records they refer to, the order stays the one of the join: German order, records without
a customer group last either way, ties by id — on a generated network and after every kind of write."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse
from html_forms import form_data
from join_sorts import expected, listed, misordered, off_copies

from kundennetz.accounts import sortkeys
from kundennetz.accounts.models import Account, Opportunity, Segment, Stage
from kundennetz.core.models import User
from kundennetz.domain.text import sort_key


@pytest.fixture
def generated(cast):
    from kundennetz.sample.generate import generate_network

    generate_network(30, managers=3, contacts_per_account=0, opportunities_per_account=2,
                     interactions_per_account=0, seed=7, consistency=False)
    managers = list(User.objects.filter(username__startswith="gen-am-").order_by("pk"))
    assert not off_copies() and not misordered(cast.sales_head)
    return managers


def _open_stage(order_from_end=0):
    stages = Stage.objects.filter(type=Stage.Type.OPEN, requires_pursuit_decision=False).order_by("order", "pk")
    return list(stages)[-1 - order_from_end]


def test_the_generated_network_is_listed_in_the_joins_order(generated, cast):
    """The generator writes the copies itself (its load sets the triggers aside): checked by the fixture."""
    head = cast.sales_head
    assert len(listed("opportunity", "-stage", head)) == Opportunity.objects.count() == 60
    assert len({row for row in Account.objects.values_list("owner_sort", flat=True)}) == 3


def test_every_write_of_the_listed_rows_keeps_the_order(generated, cast):
    """ORM create and save, bulk_create, bulk_update, queryset update, and SQL by hand."""
    first, second, third = generated
    accounts = list(Account.objects.order_by("pk"))
    key_accounts, mid = Segment.objects.get(code="key_accounts"), Segment.objects.get(code="mid_market")

    Account.objects.create(name="Ärni Holz AG", owner=third, segment=mid)
    Account.objects.bulk_create([Account(name="Zeta AG", owner=second), Account(name="Ölwerk AG", owner=first,
                                                                               segment=key_accounts)])
    account = accounts[0]
    account.owner, account.segment = third, None
    account.save()
    Account.objects.filter(pk__in=[a.pk for a in accounts[1:4]]).update(owner=first, segment=key_accounts)
    for row in accounts[4:8]:
        row.owner, row.segment = second, mid
    Account.objects.bulk_update(accounts[4:8], ["owner", "segment"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_account SET owner_id = %s, segment_id = NULL WHERE id = %s",
                       [first.pk, accounts[9].pk])

    opportunities = list(Opportunity.objects.order_by("pk"))
    Opportunity.objects.create(account=accounts[2], title="Neu", owner=third, stage=_open_stage())
    opportunity = opportunities[0]
    opportunity.owner, opportunity.account, opportunity.stage = first, accounts[5], _open_stage(1)
    opportunity.save()
    Opportunity.objects.filter(pk__in=[o.pk for o in opportunities[1:5]]).update(stage=_open_stage(), owner=second)
    for row in opportunities[5:9]:
        row.account = accounts[1]
    Opportunity.objects.bulk_update(opportunities[5:9], ["account"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_opportunity SET owner_id = %s WHERE id = %s", [third.pk, opportunities[9].pk])

    assert off_copies() == []
    assert misordered(cast.sales_head) == []


def test_renaming_and_reordering_the_referenced_records_keeps_the_order(generated, cast,
                                                                        django_capture_on_commit_callbacks):
    """A user, a customer group and an account renamed (save, update, bulk_update), the stages reordered
    (customer groups and stages: their keys passed on by a task once committed)."""
    first, second, third = generated
    first.last_name = "Älbi"  # now the first owner in German order (an A), not the last (bytes)
    first.save()
    User.objects.filter(pk=second.pk).update(last_name="Zwyssig", first_name="Émile")
    third.first_name = "Aaron"
    User.objects.bulk_update([third], ["first_name"])
    assert User.objects.get(pk=second.pk).name_sort == sort_key("Zwyssig", "Émile")

    with django_capture_on_commit_callbacks(execute=True):
        segment = Segment.objects.get(code="mid_market")
        segment.name_de, segment.name_en = "Ämter", "Zoo"
        segment.save()
        Segment.objects.filter(code="key_accounts").update(name_en=F("name_de"))

    account = Account.objects.order_by("-pk").first()
    account.name = "Ärztekasse"
    account.save()
    renamed = list(Account.objects.order_by("pk")[:3])
    for row, name in zip(renamed, ("Öko Strom", "Zürcher Bank", "être SA"), strict=True):
        row.name = name
    Account.objects.bulk_update(renamed, ["name"])

    with django_capture_on_commit_callbacks(execute=True):
        stages = list(Stage.objects.order_by("order", "pk"))
        stages[0].order = 90
        stages[0].save()
        Stage.objects.filter(pk=stages[1].pk).update(order=F("order") + 40)
        stages[2].order = 95
        Stage.objects.bulk_update([stages[2]], ["order"])

    assert off_copies() == []
    assert misordered(cast.sales_head) == []


def test_the_web_form_api_and_admin_keep_the_keys(generated, cast, client_for, network,
                                                   django_capture_on_commit_callbacks):
    first, second, _third = generated
    client = client_for(cast.admin)
    # The admin: an account handed to another owner, a customer group renamed.
    url = reverse("admin:accounts_account_change", args=[network.account.pk])
    data = form_data(client.get(url).content.decode())
    assert client.post(url, {**data, "owner": [str(first.pk)]}).status_code == 302
    segment = Segment.objects.get(code="key_accounts")
    url = reverse("admin:accounts_segment_change", args=[segment.pk])
    data = form_data(client.get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**data, "name_de": ["Äpfel und Birnen"]}).status_code == 302
    # The API: an opportunity moved to another stage and owner.
    from kundennetz.core.models import ApiToken

    token = ApiToken.issue(cast.sales_head, "tests")[1]
    response = client.patch(f"/api/opportunities/{network.opportunity.pk}",
                            {"owner": second.pk, "stage": _open_stage().code}, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    opportunity = Opportunity.objects.get(pk=network.opportunity.pk)
    assert (opportunity.owner_sort, opportunity.stage_sort) == (second.name_sort, _open_stage().order)
    assert off_copies() == []
    assert misordered(cast.sales_head) == []


def test_trashed_rows_keep_their_keys_and_come_back_in_place(generated, cast):
    account = Account.objects.order_by("pk").first()
    account.soft_delete(cast.sales_head)
    owner = account.owner
    owner.last_name = "Abegglen"
    owner.save()
    Account.all_objects.get(pk=account.pk).restore(cast.sales_head)
    assert off_copies() == []
    assert misordered(cast.sales_head) == []


def test_an_account_manager_sees_only_their_own_in_the_same_order(generated, cast):
    manager = generated[0]
    for kind, sort in (("account", "owner"), ("account", "-segment"), ("opportunity", "stage"),
                       ("opportunity", "-account")):
        shown = listed(kind, sort, manager)
        assert shown == expected(kind, sort, manager) and shown
        model = Account if kind == "account" else Opportunity
        assert set(shown) == set(model.objects.restrict(manager).values_list("pk", flat=True))
        assert len(shown) < model.objects.count()


def test_copies_written_while_the_triggers_were_away_are_filled_and_the_triggers_come_back(generated, cast):
    """What a migration does for existing rows, and what happens after SQLite rebuilt a table."""
    first = generated[0]
    sortkeys.drop(connection)
    Account.objects.filter(owner=first).update(owner_sort="zzz")
    Opportunity.objects.update(stage_sort=0, account_sort="")
    first.last_name = "Aebi"
    first.save()
    assert off_copies()
    assert sortkeys.ensure(connection) is True
    assert off_copies() == []
    assert sortkeys.ensure(connection) is False  # all there: nothing to do
    first.last_name = "Zürcher"
    first.save()  # the triggers work again
    assert off_copies() == []
    assert misordered(cast.sales_head) == []


def test_a_customer_group_renamed_or_a_stage_moved_reaches_its_rows_after_the_commit_in_ranges(
        generated, cast, django_capture_on_commit_callbacks, monkeypatch):
    """The save writes one row; the task passes the key on, a range of ids per transaction."""
    monkeypatch.setattr(sortkeys, "PASS_ON_RANGE", 7)
    segment = Segment.objects.get(code="mid_market")
    members = Account.all_objects.filter(segment=segment).count()
    assert members > 7
    stage = Opportunity.objects.values_list("stage", flat=True).order_by("pk").first()
    with django_capture_on_commit_callbacks() as callbacks:
        segment.name_de = "Ämter"
        segment.save()
        Stage.objects.filter(pk=stage).update(order=77)
    # Committed, not yet passed on: the rows still carry the old keys (the lists keep the old order).
    off = off_copies()
    assert {kind for kind, *_rest in off} == {"account", "opportunity"}
    assert len([row for row in off if row[0] == "account"]) == members
    for callback in callbacks:
        callback()
    assert off_copies() == []
    assert misordered(cast.sales_head) == []
    # Nothing off: the task writes nothing.
    assert sortkeys.pass_on(connection, "accounts_segment", segment.pk) == 0


def test_the_nightly_pass_on_catches_what_sql_changed(generated, cast):
    from kundennetz.accounts.tasks import pass_on_all_sort_keys

    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_segment SET name_sort_de = %s, name_de = %s WHERE code = %s",
                       [sort_key("Aa Gruppe"), "Aa Gruppe", "small"])
        cursor.execute("UPDATE accounts_stage SET \"order\" = \"order\" + 50 WHERE type = %s", ["won"])
    assert off_copies()
    assert pass_on_all_sort_keys.call() > 0
    assert off_copies() == []
    assert misordered(cast.sales_head) == []


def test_a_trigger_left_from_before_for_a_deferred_source_is_dropped(db):
    """A database that once passed customer groups on by trigger loses that trigger at the next migrate."""
    old = tuple(copy.__class__(**{**copy.__dict__, "deferred": False}) for copy in sortkeys.COPIES)
    sortkeys.install(connection, old)
    with connection.cursor() as cursor:
        assert "accounts_segment_sort_out" in sortkeys._existing(cursor, connection.vendor)
    assert sortkeys.ensure(connection) is True
    with connection.cursor() as cursor:
        existing = sortkeys._existing(cursor, connection.vendor)
    assert "accounts_segment_sort_out" not in existing and "accounts_stage_sort_out" not in existing
    assert set(sortkeys.trigger_names(connection.vendor)) <= existing


def test_the_triggers_are_the_ones_named(db):
    expected_names = set(sortkeys.trigger_names(connection.vendor))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s", ["%_sort_%"])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_sort_%'")
        assert {name for (name,) in cursor.fetchall()} == expected_names


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_sqlite_a_migration_rebuilding_a_table_finds_the_triggers_out_of_its_way(cast):
    """SQLite renames a rebuilt table into place, which fails while a trigger elsewhere names it (a user's
    rename passed on to the accounts): migrate sets them aside first and puts them back after."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL changes tables in place")
    from cast import make_network
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
    from django.db import models
    from django.db.migrations.loader import MigrationLoader

    network = make_network(cast)
    city = Account._meta.get_field("city")
    wider = models.CharField(max_length=120, blank=True)
    wider.set_attributes_from_name("city")
    wider.model = Account

    def rebuild(old, new):
        with connection.schema_editor() as editor:
            editor.alter_field(Account, old, new)

    # Without the signal first, the rebuild fails: "error in trigger …: no such table: main.accounts_account".
    migration = MigrationLoader(connection).get_migration("accounts", "0019_join_sort_keys")
    emit_pre_migrate_signal(0, False, "default", plan=[(migration, False)])
    rebuild(city, wider)
    rebuild(wider, city)
    emit_post_migrate_signal(0, False, "default")
    assert set(sortkeys.trigger_names("sqlite")) <= {
        name for (name,) in connection.cursor().execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    cast.owner.last_name = "Abderhalden"
    cast.owner.save()
    assert Account.objects.get(pk=network.account.pk).owner_sort == sort_key("Abderhalden", cast.owner.first_name)
    assert off_copies() == []


def test_a_migrate_with_nothing_to_do_leaves_the_triggers_alone(db):
    from django.core.management.sql import emit_pre_migrate_signal

    emit_pre_migrate_signal(0, False, "default", plan=[])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert set(sortkeys.trigger_names(connection.vendor)) <= {name for (name,) in cursor.fetchall()}
