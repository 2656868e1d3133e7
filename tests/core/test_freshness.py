"""The freshness fingerprint (``core.freshness``): it moves with every insert, update and delete of an input
that the app makes, stays put when nothing changed and when only stored figures are written, and reads each
input table by index only (EXPLAIN on both databases), so that it costs the same at a million rows."""

import json

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.test.utils import CaptureQueriesContext

from kundennetz.accounts.models import Account, Contact, Stage
from kundennetz.core import freshness
from kundennetz.core.models import ChangeCounter
from kundennetz.core.tunables.models import TunableVersion

pytestmark = pytest.mark.django_db

KIND = "portfolio"  # reads accounts, contacts, opportunities, stages, interactions, ratings, overrides …


def fingerprint() -> str:
    return freshness.fingerprint(KIND)


def all_fingerprints() -> dict[str, str]:
    return {kind: freshness.fingerprint(kind) for kind in freshness._INPUTS}


def counter_writes(queries) -> int:
    table = ChangeCounter._meta.db_table
    return sum(1 for query in queries if table in query["sql"] and query["sql"].lstrip().upper().startswith("INSERT"))


@pytest.fixture
def people(network):
    """Three more contacts of the network's account. The first two hold neither the newest id nor the
    newest change, so deleting one of them moves nothing but the change counter."""
    made = [Contact.objects.create(account=network.account, last_name=f"Person {i}") for i in range(3)]
    network.contact.refresh_from_db()
    network.contact.save()  # the newest change is elsewhere
    return made


class Boom(Exception):
    pass


def test_stable_when_nothing_changed(network):
    assert fingerprint() == fingerprint()
    assert all_fingerprints() == all_fingerprints()


def test_moves_on_insert_and_on_update(network, cast):
    before = fingerprint()
    Contact.objects.create(account=network.account, last_name="Neu")
    after_insert = fingerprint()
    assert after_insert != before
    network.opportunity.title = "ERP-Einführung, zweite Etappe"
    network.opportunity.save()
    assert fingerprint() != after_insert


def test_moves_on_orm_delete_of_an_old_row(people):
    before = fingerprint()
    people[0].delete()
    assert fingerprint() != before


def test_moves_on_a_queryset_delete_and_once_per_transaction(network, people):
    before = fingerprint()
    with CaptureQueriesContext(connection) as queries:
        deleted, _by_model = Contact.all_objects.filter(account=network.account).delete()
    assert deleted >= 4
    assert counter_writes(queries.captured_queries) == 1  # one counter row write, not one per row
    assert fingerprint() != before


def test_moves_on_every_delete_read_in_between_in_one_transaction(people):
    with transaction.atomic():
        before = fingerprint()
        people[0].delete()
        between = fingerprint()
        assert between != before
        # The fingerprint was read: a further delete in the same transaction moves it again.
        Contact.all_objects.filter(pk=people[1].pk).delete()
        assert fingerprint() != between


def test_a_delete_rolled_back_in_a_savepoint_is_counted_again_after(people):
    before = fingerprint()
    with transaction.atomic():
        with pytest.raises(Boom):
            with transaction.atomic():
                Contact.objects.get(pk=people[0].pk).delete()  # counted, then taken back with the savepoint
                raise Boom
        assert Contact.objects.filter(pk=people[0].pk).exists()
        # No reading in between: a delete after the rollback must count again, the rolled-back count is gone.
        Contact.objects.get(pk=people[1].pk).delete()
    assert fingerprint() != before


def test_a_savepoint_rollback_leaves_the_fingerprint_as_it_was(people):
    before = fingerprint()
    with pytest.raises(Boom):
        with transaction.atomic():
            people[0].delete()
            raise Boom
    assert fingerprint() == before


def test_moves_on_a_cascade_from_the_account(network):
    before = {label: ChangeCounter.objects.filter(label=label).first() for label in ("accounts.contact",
                                                                                       "accounts.opportunity")}
    assert before == {"accounts.contact": None, "accounts.opportunity": None}
    fp = fingerprint()
    Account.all_objects.filter(pk=network.account.pk).delete()
    assert fingerprint() != fp
    counted = dict(ChangeCounter.objects.values_list("label", "changes"))
    assert counted["accounts.account"] == counted["accounts.contact"] == counted["accounts.opportunity"] == 1


def test_moves_on_trash_and_on_restore(network, cast):
    before = fingerprint()
    network.account.soft_delete(cast.sales_head)
    trashed = fingerprint()
    assert trashed != before
    Account.all_objects.get(pk=network.account.pk).restore(cast.sales_head)
    assert fingerprint() not in (before, trashed)


def test_moves_when_a_stage_without_updated_at_is_changed(network):
    before = fingerprint()
    stage = Stage.objects.get(code="qualifying")
    stage.name_en = stage.name_en + " (renamed)"
    stage.save()
    assert fingerprint() != before


def test_stored_figures_are_not_an_input_change(network, cast):
    from kundennetz.planning import stored

    assert Account.objects.filter(figures_at__isnull=True).exists()  # so the writer writes
    before = all_fingerprints()
    assert stored.refresh_figures() == Account.objects.count()
    assert not Account.objects.filter(figures_at__isnull=True).exists()
    assert all_fingerprints() == before


def test_every_input_model_is_watched():
    labels = {label for kind in freshness._INPUTS for label in freshness.inputs(kind)[0]}
    assert {"accounts.Account", "accounts.Contact", "interactions.Interaction", "planning.AccountPlan"} <= labels
    for label in labels:
        model = apps.get_model(label)
        uid = f"core.freshness:{model._meta.label_lower}"
        assert any(entry[0][0] == uid for entry in post_delete.receivers), label
        if not any(f.name == "updated_at" for f in model._meta.concrete_fields):
            assert any(entry[0][0] == uid for entry in post_save.receivers), label


# --------------------------------------------------------------------------------------------------
# Index only: the query's plan on either database
# --------------------------------------------------------------------------------------------------


def _pg_scans(node, parent=None):
    yield node, parent
    for child in node.get("Plans", ()):
        yield from _pg_scans(child, node)


def _expected_columns(kind) -> dict[str, set[str]]:
    """Per table the fingerprint reads, the columns it reads by index: the newest id and ``updated_at``
    of each input, the counters by label, the tunables by name."""
    expected = {ChangeCounter._meta.db_table: {"label"}, TunableVersion._meta.db_table: {"name"}}
    for label in freshness.inputs(kind)[0]:
        model = apps.get_model(label)
        columns = {model._meta.pk.column}
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            columns.add(model._meta.get_field("updated_at").column)
        expected[model._meta.db_table] = columns
    return expected


@pytest.mark.parametrize("kind", ["portfolio", "planning", "consistency"])
def test_the_fingerprint_reads_no_table_in_full(network, kind):
    sql, params = freshness.fingerprint_sql(kind)
    expected = _expected_columns(kind)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
            read = [line for line in plan if line.split(" ")[1:2] and line.split(" ")[1] in expected]
            assert {line.split(" ")[1] for line in read} == set(expected), plan
            # SEARCH: a lookup in an index (MAX over an indexed column, the counter by its label); SCAN would
            # read the whole table or index.
            assert all(line.startswith("SEARCH ") for line in read), plan
            return
        # PostgreSQL picks a sequential scan for a tiny table whatever its indexes; without that option
        # the plan shows whether an index serves each read.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (VERBOSE, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
        root = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
        scans = [(node, parent) for node, parent in _pg_scans(root) if node.get("Relation Name") in expected]
        assert {node["Relation Name"] for node, _parent in scans} == set(expected)
        used: dict[str, set[str]] = {}
        for node, parent in scans:
            assert node["Node Type"] in ("Index Scan", "Index Only Scan"), node
            if parent["Node Type"] == "Aggregate":
                # Only MAX, never a COUNT: on a nearly empty table the planner may walk the index instead of
                # taking its last entry, which costs nothing there; a count would walk it at any size.
                assert all(out.startswith("max(") for out in parent["Output"]), parent["Output"]
            cursor.execute("SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                           "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
                           "WHERE c.relname = %s", [node["Index Name"]])
            used.setdefault(node["Relation Name"], set()).add(cursor.fetchone()[0])
    # Each read is served by an index that starts with the column read: MAX is the last entry of that
    # index (PostgreSQL turns it into LIMIT 1 once a table holds more than a few rows), the counter and
    # the tunable one lookup by key.
    assert used == expected
