"""A scenario's export: a page of accounts at once, written whole before it is sent; a larger scenario as a
background job (a GET starts nothing) with progress and a file kept for a day, for its starter only;
rows read in keyset batches."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundennetz.planning import services


@pytest.fixture
def scenario(planned, cast):
    return services.create_scenario("Basis", planned["period"], {}, cast.sales_head)


def _rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_a_small_scenario_is_sent_whole_with_its_length(scenario, cast, client_for):
    response = client_for(cast.sales_head).get(f"/planning/scenarios/{scenario.pk}/export.csv")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and int(response["Content-Length"]) == len(body)
    assert len(_rows(body)) == 6


def test_a_small_scenario_that_breaks_off_is_an_error_not_a_cut_off_file(scenario, cast, client, monkeypatch):
    from kundennetz.planning import exports

    original = exports.export_rows

    def breaks(*args, **kwargs):
        for index, row in enumerate(original(*args, **kwargs)):
            if index == 3:
                raise OSError("disk full")
            yield row

    monkeypatch.setattr(exports, "export_rows", breaks)
    client.raise_request_exception = False
    client.force_login(cast.sales_head)
    response = client.get(f"/planning/scenarios/{scenario.pk}/export.csv")
    assert response.status_code == 500


def test_a_large_scenario_is_exported_as_a_job_with_a_download_kept_a_day(scenario, cast, client_for,
                                                                          monkeypatch):
    from kundennetz.core import downloads
    from kundennetz.core.models import Job
    from kundennetz.planning import exports

    client = client_for(cast.sales_head)
    inline = _rows(b"".join(client.get(f"/planning/scenarios/{scenario.pk}/export.csv").streaming_content))
    monkeypatch.setattr(downloads, "INLINE_ROWS", 4)
    monkeypatch.setattr(exports, "BATCH", 4)
    page = client.get(f"/planning/scenarios/{scenario.pk}/export.csv")
    assert page.status_code == 200 and 'id="start-export"' in page.content.decode()
    assert not Job.objects.exists()  # asking writes nothing
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/planning/scenarios/{scenario.pk}/export.csv")
    # Taken now: the next request empties the connection's log of queries.
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "planning_scenarioaccount"' in q["sql"]]
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.done, job.total, job.created_by) == ("scenario_export", "done", 6, 6,
                                                                          cast.sales_head)
    assert job.expires_at - job.finished_at > timedelta(hours=23)
    assert 'id="job-download"' in client.get(f"/jobs/{job.pk}/").content.decode()
    download = client.get(f"/jobs/{job.pk}/download")
    body = b"".join(download.streaming_content)
    assert int(download["Content-Length"]) == len(body) and download["Content-Type"].startswith("text/csv")
    assert _rows(body) == inline
    # Read in batches of four: bounded queries, none skipping rows with OFFSET.
    assert len([sql for sql in reads if re.search(r"\bLIMIT 4\b", sql)]) >= 2
    assert not [sql for sql in reads if "OFFSET" in sql.upper()]
    # Nobody else downloads it: not another viewer of the scenarios, nor an account manager.
    for other in (cast.marketing, cast.outsider, cast.owner):
        assert client_for(other).get(f"/jobs/{job.pk}/download").status_code == 404
        assert client_for(other).get(f"/jobs/{job.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["owner", "outsider"])
def test_account_managers_export_no_scenario(scenario, cast, client_for, monkeypatch, role):
    from kundennetz.core import downloads
    from kundennetz.core.models import Job

    monkeypatch.setattr(downloads, "INLINE_ROWS", 4)
    client = client_for(getattr(cast, role))
    assert client.get(f"/planning/scenarios/{scenario.pk}/export.csv").status_code == 403
    assert client.post(f"/planning/scenarios/{scenario.pk}/export.csv").status_code == 403
    assert not Job.objects.exists()


def test_the_job_exports_with_its_starters_rights_as_they_are_when_it_runs(scenario, cast):
    """A job queued by someone who has since lost the right to see planning ends failed, without a file."""
    from kundennetz.core import jobs
    from kundennetz.core.models import Job, JobFilePart
    from kundennetz.planning import exports

    job = Job.objects.create(kind="scenario_export", created_by=cast.owner, params={"scenario": scenario.pk})
    jobs.run_job(job.pk, exports.run_export)
    job.refresh_from_db()
    assert job.status == "failed" and not job.downloadable and not JobFilePart.objects.exists()
