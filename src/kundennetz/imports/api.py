"""Imports and exports over the JSON API.

Import in steps, like the wizard; each long step runs in the background and answers 202 with the
batch at once: `POST /api/imports` (multipart: `file`, `kind`, optionally `mapping` as JSON or
`saved_mapping`; up to 100 MB) uploads the file and queues its check (status `checking`, then
`dry_run`); `GET /api/imports/{id}` shows the status and `progress` {"done": n, "total": m};
`GET /api/imports/{id}/rows?action=error` lists each row's outcome with its problems (`loc` = row and
column, `msg` in your language, `type` = reason code); `POST /api/imports/{id}/commit` queues the
import (`committing`, then `committed`) of every row — or none: when a row fails now the batch ends
`failed` with the reason and nothing is saved (`?skip_errors=true` imports the rows without errors
and leaves the others out; `GET /api/imports/{id}/rejected.csv` gives those rows with an error
column). `POST /api/imports/{id}/undo?attached=keep|trash` (admin and sales head) queues the undo
(`undoing`, then `undone`); `GET /api/imports/{id}/attached` lists first what others attached to its
new records since. Any step that fails ends `failed` with `failure` saying why.

`GET /api/exports/{kind}.csv` or `.xlsx` exports the records you may see, with the filters of the
web list (`q`, `status`, `owner`, …); lists larger than one page are made in the background:
`POST /api/exports/{kind}.{fmt}` answers 202 with a job to poll at `GET /api/jobs/{id}`.
"""

import json
from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate

from kundennetz.core.api_errors import (
    COMMON_ERRORS,
    RECORD_ERRORS,
    WRITE_ERRORS,
    InvalidInput,
    MessageOut,
)
from kundennetz.core.api_types import Pagination
from kundennetz.core.job_api import JobOut
from kundennetz.core.models import Job
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict

from . import exports, fields, services, tasks
from .models import ImportBatch, ImportRow, SavedMapping

router = Router(tags=["imports"])

Kind = Literal["accounts", "contacts", "opportunities", "interactions"]


class Counts(Schema):
    rows: int
    create: int
    update: int
    unchanged: int
    skip: int
    error: int


class Progress(Schema):
    done: int
    total: int


class Problem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class BatchOut(Schema):
    id: int
    kind: str
    status: str
    source: str
    file_name: str
    file_size: int
    file_format: str
    encoding: str
    delimiter: str
    layout: str
    headers: list[str]
    mapping: dict
    created_by: int | None
    created_at: datetime
    checked_at: datetime | None
    committed_at: datetime | None
    undone_at: datetime | None
    counts: Counts
    file_problem: Problem | None
    progress: Progress
    failure: str
    skip_errors: bool
    note: str

    @staticmethod
    def resolve_created_by(obj) -> int | None:
        return obj.created_by_id

    @staticmethod
    def resolve_counts(obj) -> dict:
        return {"rows": obj.rows_total, "create": obj.created_count, "update": obj.updated_count,
                "unchanged": obj.unchanged_count, "skip": obj.skipped_count, "error": obj.error_count}

    @staticmethod
    def resolve_file_problem(obj) -> dict | None:
        if not obj.file_problem:
            return None
        return _problem(obj.file_problem, ["file"])


class RowOut(Schema):
    row: int
    action: str
    label: str
    object_id: int | None
    problems: list[Problem]
    changes: dict

    @staticmethod
    def resolve_problems(obj) -> list[dict]:
        return [_problem(issue, [obj.row]) for issue in obj.issues]


class AttachedOut(Schema):
    model: str
    count: int
    examples: list[str]
    imports: list[int]


def _problem(issue: dict, loc: list) -> dict:
    where = list(loc)
    if issue.get("column"):
        where.append(issue["column"])
    elif issue.get("field"):
        where.append(issue["field"])
    return {"loc": where, "msg": services.issue_text(issue, get_language()), "type": issue.get("code", "invalid")}


def _batch(request, batch_id: int, action: str = VIEW) -> ImportBatch:
    """The import `batch_id` if the caller may `action` it: 404 when they cannot see it, 403 when they see
    it but may not commit (CHANGE: it is not theirs) or undo (DELETE: their role may not)."""
    return get_for(ImportBatch.objects.all(), request.auth, batch_id, action)


@router.post("/imports", response={202: BatchOut, 413: MessageOut, **WRITE_ERRORS},
             summary="Upload a file and queue its check")
def upload(request, file: File[UploadedFile], kind: Form[Kind], mapping: Form[str | None] = None,
           saved_mapping: Form[int | None] = None):
    """Upload a CSV or .xlsx file (up to 100 MB) and queue its check (dry run); answers 202 with the
    batch (status `checking`). `mapping` (JSON) may set `columns` (header → field or null), `key`
    (external_id, name_city, email), `date_order` (dmy, mdy, ymd), `decimal` (".", "," or auto, and
    per column: `decimals` {header: "." or ","}), `default_country`, `defaults` (field → value for all
    rows), `encoding` and `delimiter`; anything left out is detected."""
    chosen = None
    if mapping:
        try:
            chosen = json.loads(mapping)
        except ValueError:
            chosen = None
        if not isinstance(chosen, dict):
            raise InvalidInput([{"loc": ["body", "mapping"], "msg": _("Enter a valid JSON."), "type": "json_invalid"}])
    saved = None
    if saved_mapping is not None:
        record = restrict(SavedMapping.objects.filter(kind=kind), request.auth).filter(pk=saved_mapping).first()
        if record is None:
            raise InvalidInput([{"loc": ["body", "saved_mapping"], "msg": _("No such saved mapping."),
                                 "type": "invalid_reference"}])
        saved = record.mapping
    if kind not in fields.kinds():
        raise InvalidInput([{"loc": ["body", "kind"], "msg": _("Interactions cannot be imported yet."),
                             "type": "invalid"}])
    try:
        batch = services.start(request.auth, file, kind, source=ImportBatch.Source.API, mapping=chosen, saved=saved)
    except services.ImportRefused as exc:
        raise HttpError(413, str(exc)) from None
    problem = batch.file_problem or services.column_problem(batch, request.auth)
    if problem:
        batch.delete()
        field = "mapping" if problem.get("code") == "missing_column" else "file"
        raise InvalidInput([_problem(problem, ["body", field])])
    return Status(202, tasks.request_check(batch, request.auth))


@router.get("/imports", response={200: list[BatchOut], **COMMON_ERRORS}, summary="List imports")
@paginate(Pagination)
def list_imports(request, kind: Kind | None = None, status: str | None = None):
    """Your imports (admin and sales head: everyone's), newest first."""
    batches = restrict(ImportBatch.objects.all(), request.auth)
    if kind:
        batches = batches.filter(kind=kind)
    if status:
        batches = batches.filter(status=status)
    return batches.order_by("-created_at", "-id")


@router.get("/imports/{int:batch_id}", response={200: BatchOut, **RECORD_ERRORS}, summary="Read an import")
def read_import(request, batch_id: int):
    return _batch(request, batch_id)


@router.get("/imports/{int:batch_id}/rows", response={200: list[RowOut], **RECORD_ERRORS},
            summary="Each row's outcome")
@paginate(Pagination)
def import_rows(request, batch_id: int,
                action: Literal["create", "update", "unchanged", "skip", "error"] | None = None):
    rows = ImportRow.objects.filter(batch=_batch(request, batch_id))
    if action:
        rows = rows.filter(action=action)
    return rows.order_by("row")


@router.get("/imports/{int:batch_id}/rejected.csv", response={200: None, **RECORD_ERRORS},
            summary="The rows with errors, with an error column",
            openapi_extra={"responses": {200: {"description": "CSV file"}}})
def rejected_rows(request, batch_id: int):
    batch = _batch(request, batch_id)
    return rejected_response(batch, get_language())


def rejected_response(batch, language):
    response = StreamingHttpResponse(services.rejected_csv(batch, language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{batch.pk}.csv"'
    return response


@router.post("/imports/{int:batch_id}/commit", response={202: BatchOut, 409: MessageOut, **WRITE_ERRORS},
             summary="Queue the import of a checked file")
def commit_import(request, batch_id: int, skip_errors: bool = False):
    """All rows or none (`skip_errors=true`: the rows without errors). Answers 202 with the batch
    (status `committing`); it ends `committed`, or `failed` with the reason and nothing saved."""
    batch = _batch(request, batch_id, CHANGE)
    try:
        batch = tasks.request_commit(batch, request.auth, skip_errors=skip_errors)
    except services.ImportRefused as exc:
        raise HttpError(409, str(exc)) from None
    return Status(202, batch)


@router.get("/imports/{int:batch_id}/attached", response={200: list[AttachedOut], **RECORD_ERRORS},
            summary="What others attached to the import's new records since")
def attached(request, batch_id: int):
    batch = _batch(request, batch_id)
    return [{"model": item.label, "count": item.count, "examples": item.examples, "imports": item.batches}
            for item in services.attached_since(batch)]


@router.post("/imports/{int:batch_id}/undo", response={202: BatchOut, 409: MessageOut, **RECORD_ERRORS},
             summary="Queue the undo of an import")
def undo_import(request, batch_id: int, attached: Literal["keep", "trash"] = "keep"):
    """Admin and sales head: what the import created goes to the trash, what it changed gets its old
    values back (fields changed again since are left as they are). Records others attached to its new
    records since stay (`attached=keep`) or go to the trash too (`attached=trash`). Answers 202."""
    batch = _batch(request, batch_id, DELETE)
    try:
        batch = tasks.request_undo(batch, request.auth, attached)
    except services.ImportRefused as exc:
        raise HttpError(409, str(exc)) from None
    return Status(202, batch)


def _job(request, job_id: int):
    return get_for(Job.objects.all(), request.auth, job_id)


@router.get("/jobs/{int:job_id}", response={200: JobOut, **RECORD_ERRORS}, summary="Read a background job")
def read_job(request, job_id: int):
    """Status (`queued`, `running`, `done`, `failed` with `reason`), `progress` and, once done, the
    `download` link of its file (kept for a day)."""
    return _job(request, job_id)


@router.get("/jobs/{int:job_id}/download", response={200: None, **RECORD_ERRORS}, summary="Download a job's file",
            openapi_extra={"responses": {200: {"description": "The file, with its Content-Length"}}})
def download_job(request, job_id: int):
    from kundennetz.core.job_views import download_response

    return download_response(_job(request, job_id))


@router.post("/exports/all.zip", response={202: JobOut, **COMMON_ERRORS}, summary="Export everything (background)")
def export_everything(request):
    return Status(202, tasks.start_full_export(request.auth))


@router.post("/exports/{kind}.{fmt}", response={202: JobOut, **COMMON_ERRORS}, summary="Export a list (background)")
def export_list_job(request, kind: Kind, fmt: Literal["csv", "xlsx"]):
    """Any size: answers 202 with a job; poll `GET /api/jobs/{id}`, then download its file."""
    if kind not in exports.export_kinds():
        raise Http404(_("Not found."))
    return Status(202, tasks.start_export(request.auth, kind, fmt, request.GET))


@router.get("/exports/{kind}.{fmt}", response={200: None, 409: MessageOut, **COMMON_ERRORS}, summary="Export a list",
            openapi_extra={"responses": {200: {"description": "CSV or Excel file"}}})
def export_list(request, kind: Kind, fmt: Literal["csv", "xlsx"]):
    """The records you may see, narrowed by the same filters as the web list (as query parameters); up to
    500 records (more: 409, use the POST of the same path, which makes the file in the background)."""
    if kind not in exports.export_kinds():
        raise Http404(_("Not found."))
    if not request.auth.is_active:
        raise PermissionDenied
    records = exports.queryset(kind, request.auth, request.GET)
    if not exports.fits_inline(records):
        raise HttpError(409, _("More than %(limit)d records: export them in the background with POST "
                               "/api/exports/%(kind)s.%(format)s.") % {"limit": exports.INLINE_ROWS, "kind": kind,
                                                                       "format": fmt})
    return exports.download(kind, fmt, records)
