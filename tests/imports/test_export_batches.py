"""Exports read their rows by keyset, batch by batch: every row once, in the list's order, each batch a
bounded query of its own (no OFFSET, no cursor held open across the table), interactions' people too."""

import csv
import io
import math
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

ROWS = 30
BATCH = 7


@pytest.fixture
def small_batches(monkeypatch):
    from kundennetz.imports import exports

    monkeypatch.setattr(exports, "INLINE_ROWS", 5)
    monkeypatch.setattr(exports, "BATCH", BATCH)


@pytest.fixture
def accounts(cast):
    """Thirty accounts with names, cities and revenues that tie (and revenues that are empty)."""
    from kundennetz.accounts.models import Account

    for index in range(ROWS):
        Account.objects.create(name=f"Firma {index % 4}", city=("Bern", "Aarau", "Chur")[index % 3],
                               owner=cast.owner, annual_revenue=None if index % 5 == 0 else Decimal(index % 6))


def _exported(client, url) -> list[list[str]]:
    from kundennetz.core.models import Job

    response = client.post(url)
    job = Job.objects.get(pk=int(response.url.strip("/").split("/")[-1]))
    assert job.status == "done", job.reason
    body = b"".join(client.get(f"/jobs/{job.pk}/download").streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _selects(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")
            and f'FROM "{table}"' in q["sql"] and "COUNT(" not in q["sql"].upper()]


@pytest.mark.parametrize("sort", ["", "-revenue", "revenue", "city", "-name", "status"])
def test_a_list_export_reads_every_row_once_in_order_in_bounded_batches(cast, client_for, accounts,
                                                                        small_batches, sort):
    from kundennetz.imports import exports

    expected = list(exports.queryset("accounts", cast.admin, QueryDict(f"sort={sort}"))
                    .values_list("pk", flat=True))
    assert len(expected) == ROWS
    client = client_for(cast.admin)
    with CaptureQueriesContext(connection) as queries:
        rows = _exported(client, f"/exports/accounts.csv?sort={sort}")
    assert [int(row[0]) for row in rows[1:]] == expected
    reads = _selects(queries.captured_queries, "accounts_account")
    assert not [sql for sql in reads if "OFFSET" in sql.upper()]
    limited = [sql for sql in reads if re.search(rf"\bLIMIT {BATCH}\b", sql)]
    assert len(limited) >= math.ceil(ROWS / BATCH)
    # Every other read of accounts fetches the rows of one batch by their ids.
    for sql in reads:
        if sql not in limited:
            ids = re.search(r'"accounts_account"\."id" IN \(([^)]*)\)', sql)
            assert ids and len(ids.group(1).split(",")) <= BATCH, sql


def test_the_keyset_batches_of_a_nullable_sort(cast, accounts):
    """Empty values last, whichever way the key sorts; every row once."""
    from kundennetz.accounts.models import Account
    from kundennetz.core import keyset

    for order in (("annual_revenue", "name"), ("-annual_revenue", "-name")):
        records = Account.objects.order_by(*order)
        batches = list(keyset.batches(records, BATCH))
        seen = [account.pk for batch in batches for account in batch]
        assert sorted(seen) == sorted(Account.objects.values_list("pk", flat=True))
        assert len(seen) == len(set(seen)) and all(len(batch) <= BATCH for batch in batches)
        revenues = [account.annual_revenue for batch in batches for account in batch]
        filled = [r for r in revenues if r is not None]
        assert revenues == filled + [None] * (len(revenues) - len(filled))
        assert filled == sorted(filled, reverse=order[0].startswith("-"))


@pytest.fixture
def interactions(cast, network):
    from kundennetz.imports.fields import interactions_available

    if not interactions_available():
        pytest.skip("the interactions app has no model yet")
    from kundennetz.interactions.models import Interaction

    people = [cast.owner, cast.team_member]
    for index in range(ROWS - 1):  # the network has one interaction already, or none
        interaction = Interaction.objects.create(account=network.account, date=date(2026, 1, 1) + timedelta(days=index // 3),
                                                 type="call", topics=f"Thema {index}")
        interaction.our_people.set(people[: 1 + index % 2])
    return Interaction.objects.all()


def test_the_interactions_export_streams_in_batches_with_their_people(cast, client_for, interactions,
                                                                      small_batches):
    from kundennetz.imports import exports

    expected = list(exports.queryset("interactions", cast.admin).values_list("pk", flat=True))
    assert len(expected) >= ROWS - 1
    with CaptureQueriesContext(connection) as queries:
        rows = _exported(client_for(cast.admin), "/exports/interactions.csv")
    assert [int(row[0]) for row in rows[1:]] == expected
    people = {int(row[0]): row[-1] for row in rows[1:]}
    for interaction in interactions.prefetch_related("our_people"):
        assert people[interaction.pk] == ", ".join(sorted(u.username for u in interaction.our_people.all()))
    batches = math.ceil(len(expected) / BATCH)
    reads = _selects(queries.captured_queries, "interactions_interaction")
    assert not [sql for sql in reads if "OFFSET" in sql.upper()]
    assert len([sql for sql in reads if re.search(rf"\bLIMIT {BATCH}\b", sql)]) >= batches
    # The people are fetched for one batch at a time, never for the whole table at once.
    fetched = [q["sql"] for q in queries.captured_queries if "interactions_interaction_our_people" in q["sql"]
               and q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(fetched) >= batches
