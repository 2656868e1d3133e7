"""Helpers shared by the import tests (this folder is put on the path by its conftest)."""

import io
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent / "samples"
import os

SHARED_DATA = Path(os.environ.get("KUNDENNETZ_SHARED_DATA")
                   or Path(__file__).resolve().parents[2].parent / "shared" / "data")


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def shared(relative: str) -> Path:
    """A file of the shared test data, or a skip that says what is missing and where it was looked for."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared test data not found: {path} (these tests read the real files in ../shared/data)")
    return path


class Upload(io.BytesIO):
    """A file as the wizard receives it: bytes with a name and a size."""

    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name, self.size = name, len(content)


def outcomes(batch) -> dict[int, tuple[str, list[str]]]:
    """Row number → (action, issue codes)."""
    return {row.row: (row.action, [issue["code"] for issue in row.issues]) for row in batch.rows.order_by("row")}


def commit_now(batch, user, skip_errors=False):
    """The commit as the wizard and the API queue it (the task runs at once in tests)."""
    from kundennetz.imports import tasks

    tasks.request_commit(batch, user, skip_errors=skip_errors)
    batch.refresh_from_db()
    return batch


def undo_now(batch, user, attached="keep"):
    from kundennetz.imports import tasks

    tasks.request_undo(batch, user, attached)
    batch.refresh_from_db()
    return batch


def full_export_bytes(client) -> bytes:
    """The zip of everything, as a person gets it: the button, the job (run at once in tests), the download."""
    from kundennetz.core.models import Job

    response = client.post("/exports/all.zip")
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert response.url == f"/jobs/{job.pk}/" and job.status == "done", job.reason
    return b"".join(client.get(f"/jobs/{job.pk}/download").streaming_content)
