"""Two batches with the same new keys committed at the same moment create each record once."""

import threading

import pytest
from importing_helpers import Upload

HEADER = "Name;Ort;Umsatz;Kundenberater;Externe ID\r\n"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_batches_with_the_same_new_accounts_at_once_create_each_once(cast):
    from django.db import connection, connections

    from kundennetz.accounts.models import Account
    from kundennetz.imports import services
    from kundennetz.imports.models import ImportBatch

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's in-memory test database cannot be shared by two writers "
                    "(on SQLite itself, write transactions run one after the other anyway)")
    content = (HEADER + "".join(f"Parallel {i} AG;Bern;1;owner;P-{i}\r\n" for i in range(300))).encode()
    batches = []
    for _ in range(2):
        batch = services.start(cast.admin, Upload(content, "same.csv"), "accounts")
        services.check(batch, cast.admin)
        batch.refresh_from_db()
        assert batch.created_count == 300
        ImportBatch.objects.filter(pk=batch.pk).update(status="committing")
        batches.append(batch)
    start = threading.Barrier(2)
    errors = []

    def commit(batch):
        try:
            start.wait()
            services.commit(batch, cast.admin)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert Account.objects.filter(name__startswith="Parallel").count() == 300
    outcomes = sorted((b.status, b.created_count, b.unchanged_count) for b in ImportBatch.objects.all())
    assert outcomes == [("committed", 0, 300), ("committed", 300, 0)]
