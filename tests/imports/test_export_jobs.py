"""Exports larger than a page run in the background: a button (a GET starts nothing), progress, a
download kept for a day, and never a cut-off file that looks complete."""

import csv
import io
from datetime import timedelta

import pytest


@pytest.fixture
def many(cast, monkeypatch):
    """Twelve accounts and a page of five, so that the list is "larger than a page"."""
    from kundennetz.accounts.models import Account
    from kundennetz.imports import exports

    monkeypatch.setattr(exports, "INLINE_ROWS", 5)
    for index in range(12):
        Account.objects.create(name=f"Firma {index:02d} AG", city="Bern", owner=cast.owner)


def test_large_list_export_as_a_job_with_progress_and_a_download(cast, client_for, many):
    from kundennetz.core.models import Job, JobFilePart

    client = client_for(cast.admin)
    page = client.get("/exports/accounts.csv?q=firma")
    assert page.status_code == 200 and 'id="start-export"' in page.content.decode()
    assert Job.objects.count() == 0  # asking writes nothing
    response = client.post("/exports/accounts.csv?q=firma")
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/"
    assert (job.status, job.done, job.total, job.created_by) == ("done", 12, 12, cast.admin)
    assert job.expires_at - job.finished_at > timedelta(hours=23)
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-download"' in detail
    download = client.get(f"/jobs/{job.pk}/download")
    body = b"".join(download.streaming_content)
    assert int(download["Content-Length"]) == len(body) == job.file_size
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 13 and rows[1][2] == "Firma 00 AG"
    assert JobFilePart.objects.filter(job=job).exists()
    assert client_for(cast.owner).get(f"/jobs/{job.pk}/download").status_code == 404  # not theirs


def _break_at_the_eighth_account(monkeypatch):
    """Writing the file fails at "Firma 07 AG" (as a full disk would)."""
    from kundennetz.imports import exports

    original = exports.csv_cell

    def dies(value):
        if value == "Firma 07 AG":
            raise OSError("disk full")
        return original(value)

    monkeypatch.setattr(exports, "csv_cell", dies)


def test_an_export_that_breaks_off_leaves_no_file(cast, client_for, many, monkeypatch):
    from kundennetz.core.models import Job, JobFilePart

    _break_at_the_eighth_account(monkeypatch)
    client = client_for(cast.admin)
    client.post("/exports/accounts.csv")
    job = Job.objects.get()
    assert job.status == "failed" and "disk full" in job.reason
    assert not job.downloadable and not JobFilePart.objects.exists()
    assert client.get(f"/jobs/{job.pk}/download").status_code == 404


def test_files_are_kept_a_day(cast, client_for, many):
    from django.utils import timezone

    from kundennetz.core import jobs
    from kundennetz.core.models import Job, JobFilePart

    client_for(cast.admin).post("/exports/accounts.xlsx")
    job = Job.objects.get()
    assert job.file_name.endswith(".xlsx") and jobs.purge_expired() == 0
    assert jobs.purge_expired(timezone.now() + timedelta(days=1, minutes=1)) >= 1
    job.refresh_from_db()
    assert not JobFilePart.objects.exists() and not job.downloadable


def test_api_export_flow(cast, client, many, token_for):
    admin = token_for(cast.admin)
    refused = client.get("/api/exports/accounts.csv", **admin)
    assert refused.status_code == 409 and "POST /api/exports/accounts.csv" in refused.json()["detail"]
    started = client.post("/api/exports/accounts.csv", **admin)
    assert started.status_code == 202
    job = client.get(f"/api/jobs/{started.json()['id']}", **admin).json()
    assert job["status"] == "done" and job["progress"] == {"done": 12, "total": 12}
    body = b"".join(client.get(job["download"], **admin).streaming_content)
    assert body.decode("utf-8-sig").count("\n") == 13
    assert client.get(f"/api/jobs/{job['id']}", **token_for(cast.owner)).status_code == 404
    everything = client.post("/api/exports/all.zip", **admin)
    assert everything.status_code == 202


@pytest.mark.parametrize("url", ["/exports/accounts.csv", "/exports/accounts.xlsx", "/api/exports/accounts.csv"])
def test_a_small_export_is_sent_whole_with_its_length(cast, client, many, monkeypatch, token_for, url):
    from kundennetz.imports import exports

    monkeypatch.setattr(exports, "INLINE_ROWS", 50)
    client.force_login(cast.admin)
    response = client.get(url, **token_for(cast.admin))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and int(response["Content-Length"]) == len(body)
    if url.endswith(".csv"):
        assert body.decode("utf-8-sig").count("\n") == 13


@pytest.mark.parametrize("url", ["/exports/accounts.csv", "/api/exports/accounts.csv"])
def test_a_small_export_that_breaks_off_is_an_error_not_a_cut_off_file(cast, client, many, monkeypatch,
                                                                       token_for, url):
    """Made within the request, the file is written to its end before anything is sent: an error on the
    way answers 500, never a 200 whose file stops after the rows written so far."""
    from kundennetz.imports import exports

    monkeypatch.setattr(exports, "INLINE_ROWS", 50)
    _break_at_the_eighth_account(monkeypatch)
    client.raise_request_exception = False
    client.force_login(cast.admin)
    response = client.get(url, **token_for(cast.admin))
    assert response.status_code == 500
    assert b"Firma 06 AG" not in (response.content if not response.streaming else b"")


def test_an_export_job_holds_what_its_starter_may_see_and_is_theirs_alone(cast, client, client_for, token_for,
                                                                          monkeypatch):
    """The outsider's large export has their accounts only; no other account manager (nor marketing)
    reads or downloads it, on the pages or through the API."""
    from kundennetz.accounts.models import Account
    from kundennetz.core.models import Job
    from kundennetz.imports import exports

    monkeypatch.setattr(exports, "INLINE_ROWS", 2)
    for index in range(4):
        Account.objects.create(name=f"Eigen {index} AG", city="Chur", owner=cast.outsider)
        Account.objects.create(name=f"Fremd {index} AG", city="Bern", owner=cast.owner)
    client_for(cast.outsider).post("/exports/accounts.csv")
    job = Job.objects.get()
    body = b"".join(client_for(cast.outsider).get(f"/jobs/{job.pk}/download").streaming_content)
    names = {row[2] for row in list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]}
    assert names == {f"Eigen {index} AG" for index in range(4)}
    for other in (cast.owner, cast.team_member, cast.marketing, cast.read_only):
        web = client_for(other)
        assert web.get(f"/jobs/{job.pk}/download").status_code == 404
        assert web.get(f"/jobs/{job.pk}/").status_code == 404
        client.logout()
        api = client.get(f"/api/jobs/{job.pk}/download", **token_for(other))
        assert api.status_code == 404


def test_an_export_job_of_someone_no_longer_active_leaves_no_file(cast, many):
    from kundennetz.core import jobs
    from kundennetz.core.models import Job, JobFilePart
    from kundennetz.imports import exports

    cast.owner.is_active = False
    cast.owner.save()
    job = Job.objects.create(kind="export", created_by=cast.owner, params={"kind": "accounts", "format": "csv"})
    jobs.run_job(job.pk, exports.run_export)
    job.refresh_from_db()
    assert job.status == "failed" and not JobFilePart.objects.exists()
