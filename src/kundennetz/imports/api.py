"""Imports and exports over the JSON API.

Import in two steps, like the wizard: `POST /api/imports` (multipart: `file`, `kind`, optionally
`mapping` as JSON or `saved_mapping`) uploads and checks the file (a dry run) and answers with the
batch and its counts; `GET /api/imports/{id}/rows?action=error` lists each row's outcome with its
problems (`loc` = row and column, `msg` in your language, `type` = reason code); `POST
/api/imports/{id}/commit` imports every row in one transaction — or none: when a row fails now, the
answer is 422 with those rows' problems and nothing is saved. `POST /api/imports/{id}/undo` (admin and
sales head) moves what the import created to the trash and restores the fields it changed.
Files above the wizard's size limit are refused (413): import them with `kundennetz import`.

`GET /api/exports/{kind}.csv` or `.xlsx` exports the records you may see, with the filters of the
web list (`q`, `status`, `owner`, …).
"""

import json
from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
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

from . import exports, fields, services
from .models import ImportBatch, ImportRow, SavedMapping
from .permissions import visible_batches

router = Router(tags=["imports"])

Kind = Literal["accounts", "contacts", "opportunities", "interactions"]


class Counts(Schema):
    rows: int
    create: int
    update: int
    unchanged: int
    skip: int
    error: int


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


class UndoOut(Schema):
    batch: BatchOut
    trashed: int
    dependants: int
    restored_fields: int
    kept_fields: int


def _problem(issue: dict, loc: list) -> dict:
    where = list(loc)
    if issue.get("column"):
        where.append(issue["column"])
    elif issue.get("field"):
        where.append(issue["field"])
    return {"loc": where, "msg": services.issue_text(issue, get_language()), "type": issue.get("code", "invalid")}


def _batch(request, batch_id: int) -> ImportBatch:
    batch = visible_batches(ImportBatch.objects.all(), request.auth).filter(pk=batch_id).first()
    if batch is None:
        raise Http404(_("No such import."))
    return batch


@router.post("/imports", response={201: BatchOut, 413: MessageOut, **WRITE_ERRORS}, summary="Upload and check a file")
def upload(request, file: File[UploadedFile], kind: Form[Kind], mapping: Form[str | None] = None,
           saved_mapping: Form[int | None] = None):
    """Upload a CSV or .xlsx file and check it (dry run). `mapping` (JSON) may set `columns` (header →
    field or null), `key` (external_id, name_city, email), `date_order` (dmy, mdy, ymd), `decimal`
    (".", "," or auto), `default_country`, `defaults` (field → value for all rows), `encoding` and
    `delimiter`; anything left out is detected."""
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
        record = SavedMapping.objects.filter(pk=saved_mapping, owner=request.auth, kind=kind).first()
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
    if not batch.file_problem:
        services.check(batch, request.auth)
    if batch.file_problem:
        problem = batch.file_problem
        batch.delete()
        field = "mapping" if problem.get("code") == "missing_column" else "file"
        raise InvalidInput([_problem(problem, ["body", field])])
    return Status(201, batch)


@router.get("/imports", response={200: list[BatchOut], **COMMON_ERRORS}, summary="List imports")
@paginate(Pagination)
def list_imports(request, kind: Kind | None = None, status: str | None = None):
    """Your imports (admin and sales head: everyone's), newest first."""
    batches = visible_batches(ImportBatch.objects.all(), request.auth).defer("content")
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


@router.post("/imports/{int:batch_id}/commit", response={200: BatchOut, 409: MessageOut, **WRITE_ERRORS},
             summary="Import a checked file")
def commit_import(request, batch_id: int):
    """All rows or none. 422 lists the rows that stand in the way (nothing was saved)."""
    batch = _batch(request, batch_id)
    try:
        result = services.commit(batch, request.auth)
    except services.ImportRefused as exc:
        raise HttpError(409, str(exc)) from None
    if not result.ok:
        batch.refresh_from_db()
        problems = []
        if batch.file_problem:
            problems.append(_problem(batch.file_problem, ["file"]))
        for row in batch.rows.filter(action=ImportRow.Action.ERROR).order_by("row")[:500]:
            problems += [_problem(issue, ["file", row.row]) for issue in row.issues]
        raise InvalidInput(problems)
    batch.refresh_from_db()
    return batch


@router.post("/imports/{int:batch_id}/undo", response={200: UndoOut, 409: MessageOut, **RECORD_ERRORS},
             summary="Undo an import")
def undo_import(request, batch_id: int):
    """Admin and sales head: what the import created goes to the trash, what it changed gets its old
    values back (fields changed again since are left as they are)."""
    batch = _batch(request, batch_id)
    try:
        summary = services.undo(batch, request.auth)
    except services.ImportRefused as exc:
        raise HttpError(409, str(exc)) from None
    return {"batch": batch, **vars(summary)}


@router.get("/exports/{kind}.{fmt}", response={200: None, **COMMON_ERRORS}, summary="Export a list",
            openapi_extra={"responses": {200: {"description": "CSV or Excel file"}}})
def export_list(request, kind: Kind, fmt: Literal["csv", "xlsx"]):
    """The records you may see, narrowed by the same filters as the web list (as query parameters)."""
    if kind not in exports.export_kinds():
        raise Http404(_("Not found."))
    if not request.auth.is_active:
        raise PermissionDenied
    records = exports.queryset(kind, request.auth, request.GET)
    return export_response(kind, fmt, records)


def export_response(kind: str, fmt: str, records):
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_lines(kind, records), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{exports.file_name(kind, "csv")}"'
        return response
    stream = exports.spooled()
    exports.write_xlsx(kind, records, stream)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=exports.file_name(kind, "xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

