"""Accounts of one group changed at the same moment in transactions open side by side (real threads on
PostgreSQL): no change of the counts is lost, none waits for another, and compacting meanwhile loses
nothing either."""

import threading

import pytest
from django.db import transaction
from threads import at_once, needs_real_database

from kundennetz.accounts.models import Account, Segment
from kundennetz.planning import counts

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), needs_real_database()]

N = 6


def test_changes_of_one_group_in_open_transactions_are_all_counted(cast):
    small = Segment.objects.get(code="small")
    movers = [Account.objects.create(name=f"Wechsel {i} AG", owner=cast.owner, segment=small) for i in range(N)]
    counts.compact()
    # Every transaction holds its change uncommitted until all have made theirs: a writer waiting for
    # another's lock on the counts would never get here (the barrier would break).
    inside = threading.Barrier(N)

    def change(i):
        with transaction.atomic():
            if i % 3 == 0:
                Account.objects.create(name=f"Neu {i} AG", owner=cast.owner, segment=small)
            elif i % 3 == 1:
                movers[i].owner = cast.outsider
                movers[i].save()
            else:
                movers[i].soft_delete(cast.owner)
            inside.wait(timeout=30)

    at_once(N, change)
    assert counts.stored_counts() == counts.counted_from_accounts()
    assert counts.stored_counts()[(cast.owner.pk, small.pk, "")] == N + N // 3 - 2 * (N // 3)


def test_compacting_beside_writers_loses_nothing(cast):
    small = Segment.objects.get(code="small")
    accounts = [Account.objects.create(name=f"Konto {i} AG", owner=cast.owner, segment=small) for i in range(N)]

    def work(i):
        if i % 2:
            counts.compact()
            return
        with transaction.atomic():
            Account.objects.create(name=f"Dazu {i} AG", owner=cast.outsider, segment=small)
            accounts[i].owner = cast.outsider
            accounts[i].save()

    for _round in range(3):
        at_once(N, work)
        assert counts.stored_counts() == counts.counted_from_accounts()
    counts.compact()
    assert counts.stored_counts() == counts.counted_from_accounts()
    assert counts.stored_counts()[(cast.outsider.pk, small.pk, "")] == 3 * (N // 2) + N // 2
