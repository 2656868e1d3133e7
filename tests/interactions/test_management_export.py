"""The management view's export: a page of accounts at once, written whole before it is sent; a larger
network as a background job (a GET starts nothing) with the view's filters and order, progress and a file
kept for a day, for its starter only; rows read in keyset batches in the view's order."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
URL = "/management/consistency/export.csv"


@pytest.fixture
def overdue(network, owner_history, log, cast):
    """The test account under care since 2024, last contact 200 days ago: overdue, with its decision maker."""
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    log(network.account, timezone.localdate() - timedelta(days=200), contacts=[network.contact])
    return network.account


def _rows(body: bytes) -> list[dict]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_small_export_is_sent_whole_with_its_length(cast, overdue, client_for):
    response = client_for(cast.sales_head).get(URL, {"sort": "name"})
    body = _body(response)
    assert response.status_code == 200 and int(response["Content-Length"]) == len(body)
    assert [row["account"] for row in _rows(body)] == ["Fremd Consulting GmbH", "Muster Engineering AG"]


def test_a_small_export_that_breaks_off_is_an_error_not_a_cut_off_file(cast, overdue, client, monkeypatch):
    from kundennetz.interactions import services

    original = services.reason_text
    calls = []

    def breaks(*args):
        calls.append(args)
        if len(calls) > 1:
            raise OSError("disk full")
        return original(*args)

    client.force_login(cast.sales_head)
    client.get(reverse("interactions:management"))  # computes the rows (a small network on the spot)
    monkeypatch.setattr(services, "reason_text", breaks)
    client.raise_request_exception = False
    response = client.get(URL, {"sort": "-score"})
    assert calls and response.status_code == 500


def test_a_large_export_is_a_job_with_the_views_filters_and_order(cast, overdue, client_for, monkeypatch):
    from kundennetz.core import downloads
    from kundennetz.core.models import Job
    from kundennetz.interactions import management_export

    client = client_for(cast.sales_head)
    inline = _rows(_body(client.get(URL, {"sort": "-score"})))
    monkeypatch.setattr(downloads, "INLINE_ROWS", 1)
    monkeypatch.setattr(management_export, "BATCH", 1)
    page = client.get(URL, {"sort": "-score", "page": "3"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="start-export"' in html and 'action="?sort=-score"' in html
    assert not Job.objects.exists()  # asking writes nothing
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL + "?sort=-score")
    # Taken now: the next request empties the connection's log of queries.
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "interactions_consistencysnapshot"' in q["sql"]]
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.done, job.total) == ("consistency_export", "done", 2, 2)
    assert job.params["query"] == {"sort": "-score"}
    assert job.expires_at - job.finished_at > timedelta(hours=23)
    download = client.get(f"/jobs/{job.pk}/download")
    body = _body(download)
    assert int(download["Content-Length"]) == len(body)
    assert _rows(body) == inline
    assert len([sql for sql in reads if re.search(r"\bLIMIT 1\b", sql)]) >= 2
    assert not [sql for sql in reads if "OFFSET" in sql.upper()]
    # Nobody else downloads it, not even another member of management.
    for other in (cast.admin, cast.outsider, cast.owner, cast.marketing):
        status = client_for(other).get(f"/jobs/{job.pk}/download").status_code
        assert status == (200 if other == cast.admin else 404)


@pytest.mark.parametrize("role", ["owner", "outsider", "marketing", "read_only"])
def test_only_management_starts_the_export(cast, overdue, client_for, monkeypatch, role):
    from kundennetz.core import downloads
    from kundennetz.core.models import Job

    monkeypatch.setattr(downloads, "INLINE_ROWS", 1)
    client = client_for(getattr(cast, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert not Job.objects.exists()


def test_the_job_exports_only_for_someone_who_still_sees_management(cast, overdue):
    from kundennetz.core import jobs
    from kundennetz.core.models import Job, JobFilePart
    from kundennetz.interactions import management_export

    job = Job.objects.create(kind="consistency_export", created_by=cast.owner, params={"query": {}})
    jobs.run_job(job.pk, management_export.run_export)
    job.refresh_from_db()
    assert job.status == "failed" and not job.downloadable and not JobFilePart.objects.exists()


@pytest.fixture
def snapshots(cast):
    """Twenty-five accounts' stored rows whose scores, changes and overdue contacts tie, some unscored."""
    from kundennetz.accounts.models import Account
    from kundennetz.interactions.models import ConsistencySnapshot

    day = timezone.localdate()
    for index in range(25):
        account = Account.objects.create(name=f"Firma {index % 7}", owner=cast.owner)
        score = None if index % 6 == 0 else float(index % 4) * 10
        previous = None if index % 5 == 0 else float(index % 3) * 10
        ConsistencySnapshot.objects.create(account=account, as_of=day, period_start=day - timedelta(days=365),
                                           period_end=day, score=score, score_previous=previous,
                                           overdue_contacts=index % 3, manager_changes=index % 2)


@pytest.mark.parametrize("sort", ["score", "-score", "delta", "-delta", "name", "overdue", "changes"])
def test_the_export_reads_every_row_once_in_the_views_order(snapshots, sort):
    from kundennetz.core import keyset
    from kundennetz.interactions import management_view

    rows = management_view.account_rows(sort=sort)
    batches = list(keyset.batches(rows, 4))
    assert all(len(batch) <= 4 for batch in batches)
    assert [row.pk for batch in batches for row in batch] == list(rows.values_list("pk", flat=True))
    scores = [row.score for batch in batches for row in batch]
    if sort in ("score", "-score"):
        assert scores[-4:] == [None] * 4  # unscored last, whichever way
