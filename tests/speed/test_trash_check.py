"""Records of accounts in the trash are left out of every list (``core.permissions.of_live_accounts``). On
SQLite that is a check against the few trashed accounts, not a condition on the joined account: with the
latter and its statistics, SQLite builds a Bloom filter over every live account before the first row of a
list (a quarter of a second per page at a million accounts)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kundennetz.accounts.models import Account, Contact
from kundennetz.core.permissions import restrict
from kundennetz.interactions.models import Interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(cast):
    accounts = [Account.objects.create(name=f"Firma {n}", owner=cast.owner) for n in range(6)]
    Interaction.objects.bulk_create([
        Interaction(account=accounts[n % 6], date=date(2026, 1, 1) + timedelta(days=n), type="call",
                    topics=f"Gespräch {n}") for n in range(300)])
    for account in accounts:
        Contact.objects.create(account=account, first_name="Anna", last_name=account.name)
    trashed = accounts[0]
    Account.all_objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    return accounts, trashed


@pytest.mark.parametrize("role", ["sales_head", "owner"])
def test_records_of_a_trashed_account_are_left_out(book, cast, role):
    accounts, trashed = book
    user = getattr(cast, role)
    shown = restrict(Interaction.objects.all(), user)
    assert shown.count() == 250
    assert not shown.filter(account=trashed).exists()
    assert set(restrict(Contact.objects.all(), user).values_list("account_id", flat=True)) == {
        a.pk for a in accounts[1:]}
    assert restrict(Interaction.objects.all(), user, with_trashed_accounts=True).count() == 300


def test_sqlite_walks_the_list_without_a_bloom_filter_over_the_accounts(book, cast):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = (restrict(Interaction.objects.all(), cast.sales_head).select_related("account")
            .order_by("-date", "-pk")[:25])
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " | ".join(row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "BLOOM FILTER" not in plan, plan
    assert len(list(rows)) == 25
