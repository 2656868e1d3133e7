"""Exports: every list (with its filters) as CSV or Excel, and everything a user may see as a zip of CSVs.

Only what the user may see (`restrict(..., "view")`) is written. Headers are in the user's language and
are recognised by the import in either language, so that an export can be edited and imported again:
a round trip reproduces the same records.

CSV is kept machine-friendly: UTF-8 with BOM (Excel then reads umlauts right), ISO dates, plain
decimals with a point, stored codes for choices and catalogues, the user name for owners. The
delimiter is ``;`` for German (what Excel expects in Switzerland and Germany) and ``,`` for English.
Excel files carry real numbers and dates (shown in the user's format) and labels for choices.
Text a spreadsheet would run as a formula (starting with = + - @ tab CR) is neutralised: in CSV by a
leading apostrophe (which the import removes again), in Excel by storing it as text with the
quote-prefix flag, which is what Excel does itself when someone types an apostrophe.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kundennetz.core import downloads
from kundennetz.core.permissions import VIEW, restrict
from kundennetz.domain.importing import FORMULA_TRIGGERS, neutralise

from . import fields

# Rows read per query (by keyset, see core.keyset.batches): what an export holds in memory at once.
BATCH = 2000

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("id", "external_id", "name", "legal_form", "industry", "segment", "street", "postal_code", "city",
                 "country", "website", "currency", "annual_revenue", "turnover", "potential", "contribution_margin_pct",
                 "status", "owner"),
    "contacts": ("id", "external_id", "account", "account_city", "account_external_id", "first_name", "last_name",
                 "function", "department", "email", "phone", "language", "buying_role", "influence", "attitude"),
    "opportunities": ("id", "external_id", "account", "account_city", "account_external_id", "title", "need",
                      "stage", "expected_volume", "expected_follow_up_volume", "offer_price",
                      "estimated_margin_pct", "expected_decision_date", "owner", "closing_reason", "closed_on"),
    "interactions": ("id", "external_id", "account", "account_city", "account_external_id", "type", "date",
                     "duration_minutes", "topics", "note", "follow_up_date", "our_people"),
}

FILTERS = {"accounts": "AccountFilter", "contacts": "ContactFilter", "opportunities": "OpportunityFilter"}


def is_german() -> bool:
    return (get_language() or "").startswith("de")


def column_labels(kind: str) -> dict[str, str]:
    """Column → header in the active language."""
    labels = fields.labels(kind)
    return {name: (_("Kundennetz ID") if name == "id" else labels[name]) for name in COLUMNS[kind]}


def delimiter() -> str:
    return ";" if is_german() else ","


class _Request:
    """What a filter set needs of a request when an export is made outside one (API, tests)."""

    def __init__(self, user):
        self.user = user


def queryset(kind: str, user, params=None, request=None):
    """The records of `kind` the user may see, narrowed by the list's filters in `params` (the same
    filter set as the list page), in the list's order."""
    model = fields.model_for(kind)
    records = restrict(model.objects.all(), user, VIEW)
    if params is not None and kind in FILTERS:
        from kundennetz.accounts import filters

        filterset = getattr(filters, FILTERS[kind])(params, queryset=records, request=request or _Request(user))
        records = filterset.qs
    related = {"accounts": ("owner", "segment"), "contacts": ("account",),
               "opportunities": ("account", "owner", "stage", "closing_reason"),
               "interactions": ("account",)}[kind]
    records = records.select_related(*related)
    if kind == "interactions":
        records = records.prefetch_related("our_people")
    if not records.query.order_by:
        records = records.order_by(*(model._meta.ordering or ["pk"]), "pk")
    return records


def _external_ids(kind: str, objects: list) -> dict[int, str]:
    if kind == "accounts" or not objects:
        return {}
    from .models import ExternalReference

    label = fields.model_for(kind)._meta.label_lower
    return dict(ExternalReference.objects.filter(model=label, object_id__in=[o.pk for o in objects])
                .values_list("object_id", "external_id"))


def _value(kind: str, name: str, obj, external: dict, for_people: bool):
    """The value of one column: codes for CSV, labels for Excel (`for_people`)."""
    if name == "id":
        return obj.pk
    if name == "external_id":
        return obj.external_id if kind == "accounts" else external.get(obj.pk, "")
    if name in ("account", "account_city", "account_external_id"):
        account = obj.account
        return {"account": account.name, "account_city": account.city,
                "account_external_id": account.external_id}[name]
    if name == "owner":
        return obj.owner.username
    if name == "segment":
        segment = obj.segment
        return "" if segment is None else (segment.name if for_people else segment.code)
    if name == "stage":
        return obj.stage.name if for_people else obj.stage.code
    if name == "closing_reason":
        return obj.closing_reason.name if obj.closing_reason_id else ""
    if name == "our_people":
        return ", ".join(sorted(user.username for user in obj.our_people.all()))
    field = obj._meta.get_field(name)
    if field.choices and for_people:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    return "" if value is None else value


def rows(kind: str, records, *, for_people: bool = False, progress=None):
    """Each record as a list of values in `COLUMNS[kind]` order, in the list's order, read in keyset
    batches of `BATCH` (a query each, none held open across the table; an interaction's people are
    fetched batch by batch too); `progress(rows done)` after each batch."""
    names = COLUMNS[kind]
    for batch in downloads.batches(records, BATCH, progress):
        external = _external_ids(kind, batch)
        for obj in batch:
            yield [_value(kind, name, obj, external, for_people) for name in names]


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_lines(kind: str, records, progress=None):
    """The CSV file as a stream of text pieces (header first, BOM included)."""
    writer = csv.writer(downloads.Echo(), delimiter=delimiter())
    yield "\ufeff" + writer.writerow(list(column_labels(kind).values()))
    for values in rows(kind, records, progress=progress):
        yield writer.writerow([csv_cell(value) for value in values])


def write_csv(kind: str, records, stream, progress=None) -> None:
    for piece in csv_lines(kind, records, progress):
        stream.write(piece)


def write_csv_file(kind: str, records, stream, progress=None) -> None:
    """The CSV file written to the binary `stream` (UTF-8)."""
    downloads.write_text(stream, csv_lines(kind, records, progress))


def write_xlsx(kind: str, records, stream, progress=None) -> None:
    """An Excel sheet written row by row (openpyxl's write-only mode keeps memory flat)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(fields.model_for(kind)._meta.verbose_name_plural)[:31])
    sheet.freeze_panes = "A2"
    labels = list(column_labels(kind).values())
    for index, label in enumerate(labels):
        sheet.column_dimensions[_letter(index)].width = max(10, min(40, len(label) + 4))
    bold = Font(bold=True)
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_format = "dd.mm.yyyy" if is_german() else "yyyy-mm-dd"
    for values in rows(kind, records, for_people=True, progress=progress):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(value, str) and value and value[0] in FORMULA_TRIGGERS:
                # Text, never a formula; the quote prefix is Excel's own marker for "typed as text".
                cell.data_type = "s"
                cell.quotePrefix = True
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, date):
                cell.number_format = date_format
            cells.append(cell)
        sheet.append(cells)
    workbook.save(stream)


def _xlsx_value(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        # Characters Excel files cannot hold (control characters other than tab and line breaks).
        return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
    return value


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def export_kinds() -> list[str]:
    return [kind for kind in ("accounts", "contacts", "opportunities", "interactions")
            if kind != "interactions" or fields.interactions_available()]


def full_export(user, stream, progress=None) -> None:
    """Everything `user` may see, one CSV per kind, in a zip written to `stream`."""
    before = 0

    def overall(done):
        if progress is not None:
            progress(before + done)

    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind in export_kinds():
            records = queryset(kind, user)
            with archive.open(f"{kind}.csv", "w") as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                write_csv(kind, records, text, overall)
                text.flush()
                text.detach()
            before += records.count() if progress is not None else 0


# -- larger than a page: in the background ---------------------------------------------------------

# Lists up to this many records are exported within the request (a page of the API at most, a few
# milliseconds); larger ones become a background job with progress and a download link kept a day.
INLINE_ROWS = downloads.INLINE_ROWS
CONTENT_TYPES = {"csv": downloads.CSV, "zip": "application/zip",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def download(kind: str, fmt: str, records):
    """The records (at most `INLINE_ROWS`) as a file to download at once: written whole first, then sent
    with its length, so that an error on the way is an error response, never a cut-off file."""
    write = write_csv_file if fmt == "csv" else write_xlsx
    return downloads.whole_file(lambda stream: write(kind, records, stream), file_name(kind, fmt),
                                CONTENT_TYPES[fmt])


def fits_inline(records) -> bool:
    """At most `INLINE_ROWS` records (a count capped at that, whatever the size of the list)."""
    return downloads.fits_inline(records, INLINE_ROWS)


def run_export(job, progress) -> dict:
    """The job's export written to a temporary file, then kept with the job: a file that could not be
    finished is never offered (the job fails instead)."""
    from django.http import QueryDict
    from django.utils import translation

    params = job.params
    user = job.created_by
    if user is None or not user.is_active:
        raise PermissionError(_("The person who started this export has no access any more."))
    with translation.override(params.get("language") or user.language or "de-ch"):
        kind, fmt = params["kind"], params["format"]
        if kind == "all":
            progress.total(sum(queryset(k, user).count() for k in export_kinds()))
            downloads.keep_file(job, lambda handle: full_export(user, handle, progress), file_name(kind, fmt))
            return {}
        query = QueryDict(mutable=True)
        for key, values in (params.get("query") or {}).items():
            query.setlist(key, values if isinstance(values, list) else [values])
        records = queryset(kind, user, query)
        progress.total(records.count())
        write = write_csv_file if fmt == "csv" else write_xlsx
        downloads.keep_file(job, lambda handle: write(kind, records, handle, progress), file_name(kind, fmt))
    return {}


def file_name(kind: str, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    names = {"accounts": _("accounts"), "contacts": _("contacts"), "opportunities": _("opportunities"),
             "interactions": _("interactions"), "all": _("kundennetz")}
    return f"{names.get(kind, kind)}-{stamp}.{extension}"


def interaction_model():
    try:
        return apps.get_model("interactions", "Interaction")
    except LookupError:
        return None
