"""`core.bulk.upsert`: rows written set-based read back exactly as the ORM would have stored them."""

from datetime import date, datetime, timezone

import pytest
from django.db import connection, transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(owner):
    from kundennetz.accounts.models import Account

    return [Account.objects.create(name=f"Bulk {i} AG", owner=owner) for i in range(3)]


def _row(account, **values):
    row = dict(account_id=account.pk, computed_at=datetime(2026, 3, 1, 12, 30, 15, 250, tzinfo=timezone.utc),
               as_of=date(2026, 3, 1), period_start=date(2025, 3, 2), period_end=date(2026, 3, 1),
               strategy="develop", priority=0.75, score=61.5, band="amber", manager_changes=2,
               due_dates=["2026-03-04", None], reasons=[{"code": "gap", "params": {"days": 40}, "impact": 1.5}],
               next_due=date(2026, 3, 1))
    row.update(values)
    return row


FIELDS = ("computed_at", "as_of", "period_start", "period_end", "strategy", "priority", "score", "band",
          "manager_changes", "due_dates", "reasons", "next_due", "contacts_held", "last_contact", "inputs")


def _stored(account_ids):
    from kundennetz.interactions.models import ConsistencySnapshot

    return {pk: values for pk, *values in ConsistencySnapshot.objects.filter(account_id__in=account_ids)
            .order_by("account_id").values_list("account_id", *FIELDS)}


def test_inserts_and_overwrites_exactly_as_the_orm_stores(accounts):
    from kundennetz.core import bulk
    from kundennetz.interactions.models import ConsistencySnapshot

    first, second, third = accounts
    rows = [_row(first), _row(second, score=None, band="", due_dates=[], reasons=[], next_due=None,
                              last_contact=date(2026, 2, 3), strategy="Ä \t\\ \"x\"\n")]
    assert bulk.upsert(ConsistencySnapshot, rows, key="account") == 2
    written = _stored([first.pk, second.pk])
    # The same rows through the ORM, on another account each, read back the same.
    ConsistencySnapshot.objects.filter(account_id__in=[first.pk, second.pk]).delete()
    ConsistencySnapshot.objects.bulk_create([ConsistencySnapshot(**row) for row in rows])
    assert _stored([first.pk, second.pk]) == written
    assert written[second.pk][FIELDS.index("strategy")] == "Ä \t\\ \"x\"\n"
    assert written[first.pk][FIELDS.index("due_dates")] == ["2026-03-04", None]

    # Again with one row changed and one new: the existing row is overwritten, not duplicated.
    assert bulk.upsert(ConsistencySnapshot, [_row(first, score=12.0, band="red"), _row(third)], key="account") == 2
    assert ConsistencySnapshot.objects.filter(account_id__in=[a.pk for a in accounts]).count() == 3
    now = _stored([first.pk, third.pk])
    assert now[first.pk][FIELDS.index("score")] == 12.0 and now[first.pk][FIELDS.index("band")] == "red"
    # A field the row leaves out gets its default, also over an old value.
    assert now[first.pk][FIELDS.index("contacts_held")] == 0


def test_two_calls_in_one_transaction_and_many_batches(accounts):
    from kundennetz.core import bulk
    from kundennetz.interactions.models import ConsistencySnapshot

    with transaction.atomic():
        bulk.upsert(ConsistencySnapshot, [_row(a) for a in accounts], key="account", batch=2)
        bulk.upsert(ConsistencySnapshot, [_row(a, priority=2) for a in accounts], key="account", batch=1)
    assert sorted(ConsistencySnapshot.objects.filter(account_id__in=[a.pk for a in accounts])
                  .values_list("priority", flat=True)) == [2.0, 2.0, 2.0]


def test_a_row_without_a_required_value_writes_nothing(accounts):
    from kundennetz.core import bulk
    from kundennetz.interactions.models import ConsistencySnapshot

    from django.db import IntegrityError

    broken = _row(accounts[1])
    del broken["as_of"]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.upsert(ConsistencySnapshot, [_row(accounts[0]), broken], key="account", batch=1)
    assert not ConsistencySnapshot.objects.filter(account_id__in=[a.pk for a in accounts]).exists()


def test_a_key_that_does_not_exist_is_refused_whole(accounts):
    from django.db import IntegrityError

    from kundennetz.core import bulk
    from kundennetz.interactions.models import ConsistencySnapshot

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.upsert(ConsistencySnapshot, [_row(accounts[0]), dict(_row(accounts[1]), account_id=10**9)],
                    key="account")
        # The key is checked at the end of the transaction (deferred): asked for now.
        if connection.vendor == "sqlite":
            connection.check_constraints(table_names=[ConsistencySnapshot._meta.db_table])
        else:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not ConsistencySnapshot.objects.filter(account_id__in=[a.pk for a in accounts]).exists()
