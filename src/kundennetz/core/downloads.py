"""Files to download (exports): a small one made whole within the request, a larger one by a background job.

A file of at most `INLINE_ROWS` rows (a page of the API at most) is written to its end before anything
is sent, then sent with its length: an error on the way is an error page, never a file that was cut
off and looks complete. A larger one is written by a job (`start_file_job`) to a temporary file that is
kept with the job only once it is finished (`keep_file`, core.jobs.store_file), with progress on the
job's page and a download link for a day.
"""

from __future__ import annotations

import io
import tempfile

from django.http import FileResponse

from . import jobs, keyset

INLINE_ROWS = 500
CSV = "text/csv; charset=utf-8"


class Echo:
    """What `csv.writer` writes to when each line is wanted as a string (``writer.writerow`` returns it)."""

    def write(self, value):
        return value


def batches(queryset, size: int, progress=None):
    """`queryset` in keyset batches of `size` (core.keyset.batches); `progress(rows done)` after each."""
    done = 0
    for batch in keyset.batches(queryset, size):
        yield batch
        done += len(batch)
        if progress is not None:
            progress(done)


def fits_inline(queryset, limit: int | None = None) -> bool:
    """At most `limit` (`INLINE_ROWS`) rows, counted no further than one more, whatever the list's size."""
    limit = INLINE_ROWS if limit is None else limit
    return queryset.order_by()[:limit + 1].count() <= limit


def spooled() -> tempfile.SpooledTemporaryFile:
    """A file for an export: in memory while small, on disk once it grows."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)


def write_text(stream, pieces) -> None:
    """Text `pieces` (a CSV's lines) written to the binary `stream` as UTF-8."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    for piece in pieces:
        text.write(piece)
    text.flush()
    text.detach()


def whole_file(write, file_name: str, content_type: str) -> FileResponse:
    """`write(stream)` run to its end, then the file sent with its Content-Length."""
    stream = spooled()
    try:
        write(stream)
    except BaseException:
        stream.close()
        raise
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=file_name, content_type=content_type)


def keep_file(job, write, file_name: str) -> None:
    """`write(stream)` to a temporary file, kept with `job` for a day once finished: a file that could not
    be finished is never offered (the job fails instead)."""
    with tempfile.TemporaryFile(prefix="kundennetz-export-") as handle:
        write(handle)
        jobs.store_file(job, handle, file_name)


def start_file_job(user, kind: str, title: str, task, params: dict, content_type: str):
    """Queue `task(job_id)`, which makes a file for `user` to download; returns the `Job`."""
    return jobs.start_job(user, kind, title, task, {**params, "content_type": content_type})
