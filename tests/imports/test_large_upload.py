"""A file far above FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) sent over HTTP, to the wizard's upload and to the
API's: Django streams it into a temporary file on disk instead of holding it in memory, the upload is
accepted, and the import keeps the whole file, byte for byte."""

import hashlib
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

pytestmark = pytest.mark.django_db

HEADER = "Name;Ort;Umsatz;Kundenberater\r\n"
SIZE = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def big_csv() -> bytes:
    """About 20 MB of accounts in the columns the import detects (name, city, revenue, account manager)."""
    rows = [f"Muster {n:07d} AG;Bern;{n % 9000 + 1000};owner\r\n" for n in range(SIZE // 32)]
    content = (HEADER + "".join(rows)).encode()
    assert content.count(b"\r\n") > 600_000 and len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE * 7
    return content


@pytest.fixture
def received(monkeypatch):
    """What the import's start was handed by the view: the uploaded file's class, whether it lay in a file on
    disk (and how large that file was) when the import began reading it."""
    from kundennetz.imports import services

    seen = []
    start = services.start

    def recording_start(user, file, kind, **kwargs):
        path = file.temporary_file_path() if isinstance(file, TemporaryUploadedFile) else None
        seen.append({"type": type(file), "on_disk": path is not None and os.path.isfile(path),
                     "disk_size": os.path.getsize(path) if path else None, "size": file.size})
        return start(user, file, kind, **kwargs)

    monkeypatch.setattr(services, "start", recording_start)
    return seen


def _stored(batch) -> bytes:
    from kundennetz.imports.models import ImportFilePart

    parts = ImportFilePart.objects.filter(batch=batch).order_by("number").values_list("data", flat=True)
    return b"".join(bytes(part) for part in parts)


def _kept_whole(batch, content: bytes, seen: list) -> None:
    assert seen == [{"type": TemporaryUploadedFile, "on_disk": True, "disk_size": len(content), "size": len(content)}]
    assert batch.stored and batch.file_size == len(content) and batch.file_name == "kunden.csv"
    assert batch.headers == ["Name", "Ort", "Umsatz", "Kundenberater"] and batch.delimiter == ";"
    stored = _stored(batch)
    assert len(stored) == len(content) and hashlib.sha256(stored).digest() == hashlib.sha256(content).digest()


def test_a_large_file_uploaded_in_the_wizard_goes_to_disk_and_is_kept_whole(cast, client_for, received, big_csv):
    from kundennetz.imports.models import ImportBatch

    response = client_for(cast.admin).post("/imports/new/", {
        "kind": "accounts", "file": SimpleUploadedFile("kunden.csv", big_csv, content_type="text/csv")})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{batch.pk}/mapping/"
    _kept_whole(batch, big_csv, received)
    assert batch.mapping["columns"]["Name"] == "name"


def test_a_large_file_uploaded_through_the_api_goes_to_disk_and_is_kept_whole(cast, client, token_for, received,
                                                                              big_csv, monkeypatch):
    from kundennetz.imports import tasks
    from kundennetz.imports.models import ImportBatch

    # The check of 650,000 rows is queued, not run here (tests run tasks at once): only the upload is tested.
    queued = []
    monkeypatch.setattr(tasks.jobs, "enqueue", lambda *args, **kwargs: queued.append(args))
    response = client.post("/api/imports", {
        "kind": "accounts", "file": SimpleUploadedFile("kunden.csv", big_csv, content_type="text/csv")},
        **token_for(cast.admin))
    assert response.status_code == 202, response.content[:500]
    batch = ImportBatch.objects.get()
    assert response.json()["id"] == batch.pk and response.json()["status"] == "checking"
    assert len(queued) == 1
    _kept_whole(batch, big_csv, received)
