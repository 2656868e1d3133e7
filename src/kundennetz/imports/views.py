"""The import wizard (upload → mapping → dry-run preview → import → batch page with undo) and the
export downloads.

Checking, importing and undoing run in the background (a task worker): the batch page shows a
progress bar (HTMX polls `progress/`) and can be left and found again under Import. Uploads up to
`services.UPLOAD_MAX_BYTES` (100 MB) are streamed to the database, never read whole into memory.
"""

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict
from kundennetz.domain.importing import ENCODING_NAMES
from kundennetz.domain.progress import percent, seconds_left

from . import exports, fields, guessing, layouts, services, tasks
from .forms import MappingForm, UploadForm
from .models import ImportBatch, ImportRow, SavedMapping
from .permissions import may_import, may_undo

ROWS_PER_PAGE = 50
SAMPLE_ROWS = 3


def _visible(request, pk, action: str = VIEW) -> ImportBatch:
    """The import `pk` if the user may `action` it: 404 when they cannot see it, 403 when they see it
    but may not map and import it (CHANGE: not theirs) or undo it (DELETE: their role may not)."""
    return get_for(ImportBatch.objects.all(), request.user, pk, action)


@login_required
@require_safe
def batch_list(request):
    batches = restrict(ImportBatch.objects.select_related("created_by"), request.user)
    page = Paginator(batches.order_by("-created_at", "-id"), 25).get_page(request.GET.get("page"))
    return render(request, "imports/batch_list.html", {
        "page": page, "may_import": may_import(request.user),
        "mappings": restrict(SavedMapping.objects.all(), request.user),
    })


@login_required
def upload(request):
    if not may_import(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"kind": request.GET.get("kind", "accounts")})
    if request.method == "POST" and form.is_valid():
        saved = form.cleaned_data.get("saved_mapping")
        try:
            batch = services.start(request.user, form.cleaned_data["file"], form.cleaned_data["kind"],
                                   saved=saved.mapping if saved else None)
        except services.ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            if batch.file_problem:
                return redirect(batch)
            if saved is not None:
                tasks.request_check(batch, request.user)
                return redirect(batch)
            return redirect("imports:mapping", pk=batch.pk)
    return render(request, "imports/upload.html", {"form": form, "layouts": layouts.system_layouts(),
                                                   "limit_text": services.limit_text()})


def _samples(batch: ImportBatch) -> list[list[str]]:
    """The first few values of each column, to show what a column holds next to its choice."""
    if not batch.stored:
        return [[] for _header in batch.headers]
    columns = [[] for _header in batch.headers]
    try:
        with services.open_stored(batch) as source:
            for record in itertools.islice(source.records, SAMPLE_ROWS):
                for index in range(len(columns)):
                    value = record.cells[index] if index < len(record.cells) else ""
                    columns[index].append("" if value is None else str(value)[:60])
    except Exception:  # a sample is a courtesy; the check reports what is wrong with the file
        pass
    return columns


@login_required
def mapping(request, pk):
    batch = _visible(request, pk, CHANGE)
    if batch.status not in services.CHECKABLE or batch.status == ImportBatch.Status.CHECKING or not batch.stored \
            or batch.failed_step == "undo":
        return redirect(batch)
    form = MappingForm(request.POST or None, batch=batch, user=request.user)
    if request.method == "POST" and form.is_valid():
        chosen = form.mapping()
        name = form.cleaned_data["save_as"]
        if name:
            try:
                with transaction.atomic():
                    SavedMapping.objects.update_or_create(owner=request.user, kind=batch.kind, name=name,
                                                          defaults={"mapping": chosen})
            except IntegrityError:
                form.add_error("save_as", _("A mapping with this name exists already."))
        if not form.errors:
            if (chosen["encoding"], chosen["delimiter"]) != ((batch.mapping or {}).get("encoding", "auto"),
                                                             (batch.mapping or {}).get("delimiter", "auto")):
                batch.file_problem = None
            try:
                tasks.request_check(batch, request.user, mapping=chosen)
            except services.ImportRefused as exc:
                messages.error(request, str(exc))
            if name:
                messages.success(request, _("Mapping “%(name)s” saved.") % {"name": name})
            return redirect(batch)
    samples = _samples(batch)
    columns = [(header, form[name], samples[index] if index < len(samples) else [])
               for index, (header, name) in enumerate(form.column_fields)]
    return render(request, "imports/mapping.html", {
        "batch": batch, "form": form, "columns": columns,
        "layout_name": guessing.layout_names().get(batch.layout or "", ""),
        "encoding_name": ENCODING_NAMES.get(batch.encoding, batch.encoding),
        "default_fields": [form[name] for name in form.default_fields],
        "decimal_fields": [form[name] for _header, name in form.decimal_fields],
    })


@login_required
@require_safe
def batch_detail(request, pk):
    batch = _visible(request, pk)
    action = request.GET.get("action", "")
    rows = ImportRow.objects.filter(batch=batch)
    if action in ImportRow.Action.values:
        rows = rows.filter(action=action)
    page = Paginator(rows.order_by("row"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    language = get_language()
    labels = fields.labels(batch.kind)
    shown = []
    for row in page.object_list:
        problems = [{"column": issue.get("column") or labels.get(issue.get("field") or "", ""),
                     "text": services.issue_text(issue, language)} for issue in row.issues]
        changes = [(labels.get(name, name), old, new) for name, (old, new) in (row.changes or {}).items()]
        shown.append({"row": row, "problems": problems, "changes": changes})
    file_problem = None
    if batch.file_problem:
        file_problem = services.issue_text(batch.file_problem, language)
    counts = [(value, label, getattr(batch, {"create": "created_count", "update": "updated_count",
                                             "unchanged": "unchanged_count", "skip": "skipped_count",
                                             "error": "error_count"}[value]))
              for value, label in ImportRow.Action.choices]
    return render(request, "imports/batch.html", {
        **_progress_context(batch),
        "batch": batch, "page": page, "rows": shown, "action": action, "counts": counts,
        "file_problem": file_problem, "is_owner": batch.created_by_id == request.user.pk,
        "may_undo": may_undo(request.user) and (batch.status == ImportBatch.Status.COMMITTED or (
            batch.status == ImportBatch.Status.FAILED and batch.failed_step == "undo")),
        "may_remap": batch.stored and batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.DRY_RUN)
        or batch.status == ImportBatch.Status.FAILED and batch.failed_step in ("check", "commit"),
        "layout_name": guessing.layout_names().get(batch.layout or "", ""),
        "encoding_name": ENCODING_NAMES.get(batch.encoding, batch.encoding),
        "mapped": [(header, labels.get(target, "")) for header, target in
                   ((batch.mapping or {}).get("columns") or {}).items() if target],
        "key_label": fields.KEY_LABELS.get((batch.mapping or {}).get("key", ""), ""),
    })


def _progress_context(batch: ImportBatch) -> dict:
    elapsed = (timezone.now() - batch.progress_started_at).total_seconds() if batch.progress_started_at else 0
    left = seconds_left(elapsed, batch.progress_done, batch.progress_total)
    return {"percent": percent(batch.progress_done, batch.progress_total),
            "minutes_left": None if left is None else max(1, round(left / 60)) if left >= 60 else None,
            "seconds_left": None if left is None or left >= 60 else left}


@login_required
@require_safe
def progress(request, pk):
    """The progress bar, polled by the batch page while a task works; a reload once it is done."""
    batch = _visible(request, pk)
    if not batch.working:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/_progress.html", {"batch": batch, **_progress_context(batch)})


@login_required
@require_POST
def commit(request, pk):
    batch = _visible(request, pk, CHANGE)
    skip = request.POST.get("skip_errors") == "1"
    try:
        tasks.request_commit(batch, request.user, skip_errors=skip)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect(batch)


@login_required
def undo(request, pk):
    """A confirmation page (what goes to the trash, what was attached since and what to do with it),
    then the undo in the background."""
    batch = _visible(request, pk, DELETE)
    if request.method == "POST":
        attached = request.POST.get("attached", "keep")
        try:
            tasks.request_undo(batch, request.user, attached)
        except services.ImportRefused as exc:
            messages.error(request, str(exc))
        return redirect(batch)
    if batch.status not in (ImportBatch.Status.COMMITTED, ImportBatch.Status.FAILED):
        messages.error(request, _("Only an imported batch can be undone, and only once."))
        return redirect(batch)
    return render(request, "imports/undo_confirm.html", {
        "batch": batch, "attached": services.attached_since(batch),
        "created": batch.records.filter(action="created").count(),
        "updated": batch.records.filter(action="updated").count(),
    })


@login_required
@require_safe
def rejected(request, pk):
    batch = _visible(request, pk)
    response = StreamingHttpResponse(services.rejected_csv(batch, get_language()),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{batch.pk}.csv"'
    return response


@login_required
@require_POST
def delete_mapping(request, pk):
    saved = get_for(SavedMapping.objects.all(), request.user, pk, DELETE)
    saved.delete()
    messages.success(request, _("Mapping “%(name)s” deleted.") % {"name": saved.name})
    return redirect("imports:list")


@login_required
@require_safe
def export_page(request):
    return render(request, "imports/exports.html", {
        "limit": exports.INLINE_ROWS,
        "kinds": [(kind, fields.model_for(kind)._meta.verbose_name_plural) for kind in exports.export_kinds()],
    })


@login_required
def export_list(request, kind, fmt):
    """A list as CSV or Excel: at once when it fits a page; larger lists are made in the background
    (asked first with a button: a GET starts nothing)."""
    if kind not in exports.export_kinds() or fmt not in ("csv", "xlsx"):
        raise Http404
    params = request.GET.copy()
    params.pop("page", None)
    if request.method == "POST":
        job = tasks.start_export(request.user, kind, fmt, params)
        return redirect(job)
    records = exports.queryset(kind, request.user, params, request=request)
    if not exports.fits_inline(records):
        return render(request, "core/export_large.html", {
            "title": _("Export of %(kind)s") % {"kind": fields.model_for(kind)._meta.verbose_name_plural},
            "limit": exports.INLINE_ROWS, "query": params.urlencode(), **_export_page()})
    return exports.download(kind, fmt, records)


@login_required
def export_all(request):
    """Everything the user may see as a zip: always made in the background (it grows with the data)."""
    if request.method == "POST":
        return redirect(tasks.start_full_export(request.user))
    return render(request, "core/export_large.html", {"title": _("Export of everything (zip)"), "all": True,
                                                      "limit": exports.INLINE_ROWS, "query": "", **_export_page()})


def _export_page() -> dict:
    """Where the page asking to start an export leads back to: the exports page."""
    return {"back_url": reverse("imports:exports"), "back_label": _("Export")}
