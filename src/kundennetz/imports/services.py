"""Import batches from upload to undo: start (read the header, detect the mapping), check (dry run),
commit (all or nothing), undo. Web wizard, API and command all go through here."""

import contextlib
import os
import tempfile
import zlib
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from kundennetz.core.jobs import Progress
from kundennetz.domain.importing import FileProblem, Issue, judge_decimal

from . import fields
from .engine import BULK, Importer, Mapping, Result, adapt, suggest
from .messages import describe
from .models import ExternalReference, ImportBatch, ImportedRecord, ImportFilePart, ImportRow
from .permissions import may_import, may_undo
from .readers import open_source

# The largest file the web wizard and the API accept: streamed to the database in parts, never held
# whole in memory; checked, committed and undone by a background worker.
UPLOAD_MAX_BYTES = getattr(settings, "KUNDENNETZ_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
PART_BYTES = 1024 * 1024
# Records per transaction when committing, reverting and undoing: other people's writes wait at most
# one chunk (SQLite has one writer at a time), and the batch's undo log keeps it all or nothing.
UNDO_CHUNK = 2000


class ImportRefused(Exception):
    """A step that cannot be taken in the batch's state (or with this file); the message is final."""


@dataclass
class UndoSummary:
    trashed: int = 0
    dependants: int = 0
    restored_fields: int = 0
    kept_fields: int = 0


def issue_text(issue: dict, language: str) -> str:
    """An issue as a sentence in `language`, with its column when it has one."""
    return describe(issue.get("code", ""), issue.get("params") or {}, language)


class BatchSink:
    """Keeps each row's outcome with the batch (all of them, or only errors and skipped rows)."""

    def __init__(self, batch: ImportBatch, everything: bool = True):
        self.batch, self.everything = batch, everything

    def __call__(self, outcomes) -> None:
        ImportRow.objects.bulk_create(
            [ImportRow(batch=self.batch, row=o.row, action=o.action, label=o.label, object_id=o.object_id,
                       issues=o.issues, changes=o.changes)
             for o in outcomes if self.everything or o.action in ("error", "skip")], batch_size=1000)


def _mapping_for(batch: ImportBatch, headers: list[str], mapping: dict | None, saved: dict | None) -> Mapping:
    if mapping:
        result = Mapping.from_json(mapping)
        detected = suggest(headers, batch.kind)
        result.columns = {header: result.columns.get(header, detected.columns.get(header)) for header in headers}
        result.layout = result.layout or detected.layout
        return result
    if saved:
        return adapt(saved, headers, batch.kind)
    return suggest(headers, batch.kind)


def start(user, file, kind: str, *, source: str = ImportBatch.Source.WEB, mapping: dict | None = None,
          saved: dict | None = None) -> ImportBatch:
    """Keep the uploaded `file` (streamed into the database in parts), read its header and detect its
    mapping (nothing is checked yet)."""
    if not may_import(user):
        raise PermissionDenied(_("Your role may not import records."))
    if kind not in fields.kinds():
        raise ImportRefused(_("Unknown kind of records: %(kind)s.") % {"kind": kind})
    size = getattr(file, "size", None)
    if size is not None and size > UPLOAD_MAX_BYTES:
        raise ImportRefused(too_large_message(size))
    name = os.path.basename(getattr(file, "name", "") or "import.csv")[:255]
    options = Mapping.from_json(mapping or saved or {})
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, created_by=user, source=source, file_name=name)
        batch.file_size, batch.progress_total = _store(batch, file)
        batch.stored = True
        try:
            with open_stored(batch, options) as src:
                batch.file_format, batch.encoding, batch.delimiter = src.format, src.encoding, src.delimiter
                batch.headers = src.headers
                if src.estimated_rows is not None:
                    batch.progress_total = src.estimated_rows
        except FileProblem as exc:
            batch.file_problem = exc.issue().as_dict()
            batch.mapping = options.as_json()
            batch.save()
            return batch
        chosen = _mapping_for(batch, batch.headers, mapping, saved)
        batch.mapping, batch.layout = chosen.as_json(), chosen.layout or ""
        batch.save()
    return batch


def _store(batch: ImportBatch, file) -> tuple[int, int]:
    """Write `file` into the batch's parts, 1 MB at a time; (bytes, line breaks). Refuses beyond the limit."""
    chunks = file.chunks(PART_BYTES) if hasattr(file, "chunks") else iter(lambda: file.read(PART_BYTES), b"")
    size = lines = number = 0
    pending = bytearray()
    for piece in chunks:
        size += len(piece)
        if size > UPLOAD_MAX_BYTES:
            raise ImportRefused(too_large_message(size))
        lines += piece.count(b"\n")
        pending += piece
        while len(pending) >= PART_BYTES:
            ImportFilePart.objects.create(batch=batch, number=number, data=bytes(pending[:PART_BYTES]))
            del pending[:PART_BYTES]
            number += 1
    if pending or number == 0:
        ImportFilePart.objects.create(batch=batch, number=number, data=bytes(pending))
    return size, max(0, lines - 1)


def too_large_message(size: int) -> str:
    return _("The file has %(size)s MB; files up to %(limit)s MB can be imported.") % {
        "size": f"{size / 1024 / 1024:.1f}", "limit": f"{UPLOAD_MAX_BYTES / 1024 / 1024:.0f}"}


def limit_text() -> str:
    """The upload limit as people read it before choosing a file."""
    return _("CSV or Excel (.xlsx), up to %(limit)s MB.") % {"limit": f"{UPLOAD_MAX_BYTES / 1024 / 1024:.0f}"}


@contextlib.contextmanager
def open_stored(batch: ImportBatch, mapping: Mapping | None = None):
    """The batch's file as a `Source`, spooled from its parts to a temporary file (flat memory)."""
    mapping = mapping or Mapping.from_json(batch.mapping)
    with tempfile.TemporaryFile(prefix="kundennetz-import-") as handle:
        for data in ImportFilePart.objects.filter(batch=batch).order_by("number").values_list(
                "data", flat=True).iterator(chunk_size=4):
            handle.write(data)
        handle.seek(0)
        with open_source(handle, batch.file_name, encoding=mapping.encoding, delimiter=mapping.delimiter) as source:
            yield source


def mark_failed(batch: ImportBatch, step: str, reason: str) -> None:
    """The batch failed at `step` (check, commit, undo) for `reason`, a sentence in the user's language."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, failure=reason[:4000],
                                                   failed_step=step)
    batch.refresh_from_db()


def _progress(batch: ImportBatch, total: int) -> Progress:
    progress = Progress(ImportBatch, batch.pk, done_field="progress_done", total_field="progress_total")
    ImportBatch.objects.filter(pk=batch.pk).update(progress_done=0, progress_total=total,
                                                   progress_started_at=timezone.now())
    return progress


# -- check ----------------------------------------------------------------------------------------

CHECKABLE = (ImportBatch.Status.UPLOADED, ImportBatch.Status.CHECKING, ImportBatch.Status.DRY_RUN,
             ImportBatch.Status.FAILED)


def check(batch: ImportBatch, user, mapping: dict | None = None, _again: bool = False) -> Result:
    """The dry run: every row's outcome kept with the batch, nothing else written."""
    if batch.status not in CHECKABLE or not batch.stored:
        raise ImportRefused(_("This import can no longer be checked."))
    if mapping is not None:
        batch.mapping = Mapping.from_json(mapping).as_json()
    ImportRow.objects.filter(batch=batch).delete()
    result = Result()
    progress = _progress(batch, batch.progress_total)
    try:
        with open_stored(batch) as source:
            batch.file_format, batch.encoding, batch.delimiter = source.format, source.encoding, source.delimiter
            batch.headers = source.headers
            if source.estimated_rows is not None:
                progress.total(source.estimated_rows)
            importer = Importer(batch.kind, user, Mapping.from_json(batch.mapping), batch=batch,
                                sink=BatchSink(batch), progress=progress)
            result = importer.run(source)
    except FileProblem as exc:
        result.file_problem = exc.issue()
    else:
        # Amount columns are judged as a whole: where ambiguous cells (1.250) have company that reads
        # one way only (1.5), the column is read that way (checked again); otherwise the user is asked.
        judged = {header: judge_decimal(evidence) for header, evidence in importer.evidence.items()}
        decided = {header: sep for header, sep in judged.items() if sep in (".", ",")}
        if decided and not _again:
            mapping_now = Mapping.from_json(batch.mapping)
            mapping_now.decimals.update(decided)
            batch.mapping = mapping_now.as_json()
            return check(batch, user, _again=True)
        asked = sorted(header for header, sep in judged.items() if sep == "ask")
        if asked and result.file_problem is None:
            result.file_problem = Issue("ambiguous_decimal", {"columns": ", ".join(asked)}, field="decimal")
    batch.file_problem = result.file_problem.as_dict() if result.file_problem else None
    batch.set_counts(result.counts)
    batch.status, batch.checked_at = ImportBatch.Status.DRY_RUN, timezone.now()
    batch.failure, batch.failed_step = "", ""
    batch.progress_done = batch.progress_total = result.counts.get("rows", 0)
    batch.save()
    return result


# -- commit ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _chunk_transaction(kind: str):
    """One chunk of a commit: its own transaction, holding the lock on imports of `kind`, so that two
    batches with the same new keys cannot both find them missing (the second finds the first's records).
    SQLite needs no extra lock: its write transactions (IMMEDIATE) already run one after the other."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"kundennetz-import-{kind}".encode())])
        yield


def commit(batch: ImportBatch, user) -> Result:
    """Import the rows chunk by chunk, each chunk in its own transaction (so that others can write in
    between); if a row fails now (and the batch does not leave rows with errors out), everything the
    earlier chunks wrote is taken back from the batch's undo log, so nothing stays. A run that finds
    records of an earlier, interrupted run (a worker that died) takes them back first."""
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.COMMITTING:
        raise ImportRefused(_("Only a checked import can be committed, and only once."))
    if batch.records.exists():
        revert(batch)
    ImportRow.objects.filter(batch=batch).delete()
    progress = _progress(batch, batch.rows_total)
    importer = None
    try:
        with _RoomyCache(), open_stored(batch) as source:
            importer = Importer(batch.kind, user, Mapping.from_json(batch.mapping), commit=True, batch=batch,
                                sink=BatchSink(batch), progress=progress, skip_errors=batch.skip_errors,
                                chunk_guard=lambda: _chunk_transaction(batch.kind))
            result = importer.run(source)
    except FileProblem as exc:
        result = Result(file_problem=exc.issue())
    ok = result.ok or (batch.skip_errors and result.file_problem is None and importer is not None
                       and not importer.failed)
    batch.set_counts(result.counts)
    if ok:
        batch.status, batch.committed_at = ImportBatch.Status.COMMITTED, timezone.now()
        batch.progress_done = batch.progress_total = result.counts.get("rows", 0)
        batch.save()
        return result
    # Nothing may stay: take back what the earlier chunks wrote, then show what stands in the way now.
    batch.file_problem = result.file_problem.as_dict() if result.file_problem else None
    batch.save()
    revert(batch)
    errors = result.counts.get("error", 0)
    if result.file_problem is not None:
        reason = issue_text(result.file_problem.as_dict(), translation.get_language())
    else:
        reason = ngettext("%(count)d row cannot be imported now; nothing was imported.",
                          "%(count)d rows cannot be imported now; nothing was imported.", errors) % {"count": errors}
    mark_failed(batch, "commit", reason)
    return result


def revert(batch: ImportBatch) -> int:
    """Take back, without a trace, what a commit that did not finish wrote (from its undo log): its new
    records deleted with their history, the fields it changed set back. Chunk by chunk."""
    reason = f"import #{batch.pk}"
    reverted = 0
    records = ImportedRecord.objects.filter(batch=batch)
    for label in list(records.values_list("model", flat=True).distinct()):
        model = apps.get_model(label)
        manager = getattr(model, "all_objects", model._default_manager)
        history = model.history.model if hasattr(model, "history") else None
        while True:
            with transaction.atomic():
                chunk = list(records.filter(model=label).order_by("pk")[:UNDO_CHUNK])
                if not chunk:
                    break
                created = [r.object_id for r in chunk if r.action == ImportedRecord.Action.CREATED]
                updated = [r for r in chunk if r.action == ImportedRecord.Action.UPDATED]
                if updated:
                    objects = manager.in_bulk([r.object_id for r in updated])
                    names = set()
                    for record in updated:
                        obj = objects.get(record.object_id)
                        if obj is None:
                            continue
                        for attname, old in (record.previous or {}).items():
                            field = next(f for f in model._meta.concrete_fields if f.attname == attname)
                            setattr(obj, attname, field.to_python(old))
                            names.add(field.name)
                    if names:
                        manager.bulk_update(list(objects.values()), sorted(names), batch_size=BULK)
                touched = created + [r.object_id for r in updated]
                if history is not None:
                    history.objects.filter(id__in=touched, history_change_reason=reason).delete()
                if created:
                    ExternalReference.objects.filter(model=label, object_id__in=created).delete()
                    manager.filter(pk__in=created).delete()
                ImportedRecord.objects.filter(pk__in=[r.pk for r in chunk]).delete()
                reverted += len(chunk)
    return reverted


def import_file(path: str, kind: str, user, mapping: Mapping, *, commit_changes: bool, sink=None,
                progress=None, on_open=None) -> tuple[Result, ImportBatch | None]:
    """The command's import of a file on disk of any size: a dry run, or a commit recorded as a batch
    (keeping the outcomes of errors and skipped rows; the records it touched are in its records)."""
    if not may_import(user):
        raise PermissionDenied(_("Your role may not import records."))
    with open(path, "rb") as stream:
        with open_source(stream, os.path.basename(path), encoding=mapping.encoding,
                         delimiter=mapping.delimiter) as source:
            if on_open is not None:
                mapping = on_open(source, mapping) or mapping
            if not commit_changes:
                return Importer(kind, user, mapping, sink=sink, progress=progress).run(source), None
            batch = ImportBatch.objects.create(
                kind=kind, created_by=user, source=ImportBatch.Source.COMMAND, status=ImportBatch.Status.COMMITTING,
                file_name=os.path.basename(path)[:255], file_size=os.path.getsize(path),
                file_format=source.format, encoding=source.encoding, delimiter=source.delimiter,
                headers=source.headers, mapping=mapping.as_json(), layout=mapping.layout or "",
                progress_started_at=timezone.now())
            keep = BatchSink(batch, everything=False)

            def both(outcomes):
                keep(outcomes)
                if sink is not None:
                    sink(outcomes)

            try:
                with _RoomyCache():
                    result = Importer(kind, user, mapping, commit=True, batch=batch, sink=both, progress=progress,
                                      chunk_guard=lambda: _chunk_transaction(kind)).run(source)
            except BaseException:
                revert(batch)
                batch.delete()
                raise
            if not result.ok:
                # Chunks were committed one by one (others could write in between): take them back.
                revert(batch)
                batch.delete()
                return result, None
            batch.set_counts(result.counts)
            batch.status = ImportBatch.Status.COMMITTED
            batch.checked_at = batch.committed_at = timezone.now()
            batch.progress_done = batch.progress_total = result.counts.get("rows", 0)
            batch.save()
            return result, batch


class _RoomyCache:
    """A larger SQLite page cache while one import transaction runs (64 MB, then back to what it was).

    An import of 100,000 rows writes some 300,000 rows in one transaction; with SQLite's default 2 MB
    cache their pages are spilled to disk and read back mid-transaction, which costs a sixth of the time.
    The cache is bounded, so memory stays flat however large the file. Other databases manage their own.
    """

    SIZE_KIB = 65536

    def __enter__(self):
        from django.db import connection

        self.previous = None
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                self.previous = cursor.execute("PRAGMA cache_size").fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = -{self.SIZE_KIB}")
        return self

    def __exit__(self, *exc):
        from django.db import connection

        if self.previous is not None and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self.previous)}")


def _chunks(items, size=BULK * 4):
    for start_at in range(0, len(items), size):
        yield items[start_at:start_at + size]


ATTACHED_CHOICES = ("keep", "trash")


@dataclass
class Attached:
    """Records that others attached to what a batch created, after it was imported."""

    label: str
    model: object
    count: int
    examples: list
    batches: list


def attached_since(batch: ImportBatch, examples: int = 10) -> list[Attached]:
    """Per kind of record: what was attached to the batch's new records since (by other imports or by
    people), with a few examples and the imports they came from. A few queries, whatever the size."""
    if batch.kind != "accounts":
        return []
    created = ImportedRecord.objects.filter(batch=batch, model="accounts.account",
                                            action=ImportedRecord.Action.CREATED).values("object_id")
    result = []
    for model in _account_dependants():
        queryset = model.all_objects.filter(account_id__in=created, deleted_at__isnull=True)
        count = queryset.count()
        if not count:
            continue
        label = model._meta.label_lower
        batches = list(ImportedRecord.objects.filter(model=label, action=ImportedRecord.Action.CREATED,
                                                     object_id__in=queryset.values("pk"))
                       .exclude(batch=batch).values_list("batch_id", flat=True).distinct().order_by("batch_id")[:20])
        result.append(Attached(label, model, count, [str(obj) for obj in queryset.order_by("pk")[:examples]],
                               batches))
    return result


def undo(batch: ImportBatch, user, attached: str = "keep") -> UndoSummary:
    """Undo a committed import, chunk by chunk (each chunk its own transaction; running it again after
    an interruption finishes the job): what it created goes to the trash; each field it changed gets
    its old value back — unless someone changed that field again after the import, in which case their
    value stays. Records others attached to its new records since stay (`attached="keep"`) or go to
    the trash too ("trash"); the imports they came from say so."""
    if not may_undo(user):
        raise PermissionDenied(_("Only an administrator or the sales head can undo an import."))
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.UNDOING:
        raise ImportRefused(_("Only an imported batch can be undone, and only once."))
    summary = UndoSummary()
    reason = f"undo import #{batch.pk}"
    now = timezone.now()
    progress = _progress(batch, batch.records.count())
    done = 0
    if attached == "trash":
        for item in attached_since(batch, examples=0):
            created = ImportedRecord.objects.filter(batch=batch, model="accounts.account",
                                                    action=ImportedRecord.Action.CREATED).values("object_id")
            others = set(item.batches)
            while True:
                with transaction.atomic():
                    ids = list(item.model.all_objects.filter(account_id__in=created, deleted_at__isnull=True)
                               .values_list("pk", flat=True)[:UNDO_CHUNK])
                    if not ids:
                        break
                    summary.dependants += _trash(item.model, item.model.all_objects.filter(pk__in=ids), user,
                                                 now, reason)
            _mark_others(others, item.label, batch, user, now)
    records = ImportedRecord.objects.filter(batch=batch)
    for label in list(records.values_list("model", flat=True).distinct()):
        model = apps.get_model(label)
        manager = getattr(model, "all_objects", model._default_manager)
        updated_ids = list(records.filter(model=label, action=ImportedRecord.Action.UPDATED)
                           .order_by("pk").values_list("pk", flat=True))
        for chunk_ids in _chunks(updated_ids, UNDO_CHUNK):
            with transaction.atomic():
                _restore(model, manager, records.filter(pk__in=chunk_ids).values_list(
                    "object_id", "previous", "values"), user, now, reason, summary)
            done += len(chunk_ids)
            progress(done)
        created = list(records.filter(model=label, action=ImportedRecord.Action.CREATED)
                       .order_by("pk").values_list("object_id", flat=True))
        for chunk in _chunks(created, UNDO_CHUNK):
            with transaction.atomic():
                summary.trashed += _trash(model, manager.filter(pk__in=chunk), user, now, reason)
                ExternalReference.objects.filter(model=label, object_id__in=chunk).delete()
            done += len(chunk)
            progress(done)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.UNDONE, undone_at=now, undone_by=user, progress_done=done,
        failure="", failed_step="")
    batch.refresh_from_db()
    return summary


def _restore(model, manager, items, user, now, reason, summary) -> None:
    items = list(items)
    objects = manager.in_bulk([item[0] for item in items])
    changed, names = [], set()
    for pk, previous, values in items:
        obj = objects.get(pk)
        if obj is None:
            continue
        touched = False
        for attname, old in (previous or {}).items():
            field = next(f for f in model._meta.concrete_fields if f.attname == attname)
            imported = field.to_python((values or {}).get(attname))
            if field.to_python(getattr(obj, attname)) == imported:
                setattr(obj, attname, field.to_python(old))
                names.add(attname)
                summary.restored_fields += 1
                touched = True
            else:
                summary.kept_fields += 1
        if touched:
            obj.updated_by, obj.updated_at = user, now
            changed.append(obj)
    if changed:
        bulk_update_with_history(changed, model, sorted(names | {"updated_by_id", "updated_at"}),
                                 batch_size=BULK, default_user=user, default_change_reason=reason,
                                 default_date=now, manager=manager)


def _mark_others(batch_ids, label, undone: ImportBatch, user, now) -> None:
    """Keep the status of imports whose records went to the trash with `undone` true: undone when all
    their new records are in the trash now, otherwise a note of what happened."""
    model = apps.get_model(label)
    for other in ImportBatch.objects.filter(pk__in=batch_ids, status=ImportBatch.Status.COMMITTED):
        ids = ImportedRecord.objects.filter(batch=other, model=label, action=ImportedRecord.Action.CREATED
                                            ).values("object_id")
        live = model.all_objects.filter(pk__in=ids, deleted_at__isnull=True).count()
        note = _("Records of this import were moved to the trash with the undo of import #%(number)d.") % {
            "number": undone.pk}
        if live == 0:
            other.status, other.undone_at, other.undone_by = ImportBatch.Status.UNDONE, now, user
        other.note = (other.note + "\n" + note).strip()
        other.save(update_fields=["status", "undone_at", "undone_by", "note"])


def _account_dependants() -> list:
    from kundennetz.accounts.models import Contact, Opportunity

    models = [Contact, Opportunity]
    if fields.interactions_available():
        models.append(apps.get_model("interactions", "Interaction"))
    return models


def _trash(model, queryset, user, when, reason) -> int:
    """Move the records of `queryset` that are not yet in the trash there: one UPDATE for the chunk (all
    get the same values) and their history rows in bulk, attributed to `user` with `reason`."""
    manager = getattr(model, "all_objects", model._default_manager)
    ids = list(queryset.filter(deleted_at__isnull=True).values_list("pk", flat=True))
    if not ids:
        return 0
    values = {"deleted_at": when, "deleted_by": user}
    if any(f.name == "updated_by" for f in model._meta.concrete_fields):
        values.update(updated_by=user, updated_at=when)
    manager.filter(pk__in=ids).update(**values)
    history = getattr(model, "history", None)
    if history is not None:
        history.bulk_history_create(list(manager.filter(pk__in=ids)), batch_size=BULK, update=True,
                                    default_user=user, default_change_reason=reason, default_date=when)
    return len(ids)


def column_problem(batch: ImportBatch, user) -> dict | None:
    """A required column the mapping leaves out (checked at once, before the rows are)."""
    importer = Importer(batch.kind, user, Mapping.from_json(batch.mapping), batch=batch)
    problem = importer._check_columns(importer._column_index(batch.headers))
    return problem.as_dict() if problem else None


def rejected_csv(batch: ImportBatch, language: str):
    """The rows with errors as they were in the file, plus a column with the errors (CSV lines, UTF-8
    with BOM for spreadsheets), to correct and import again."""
    import csv
    import io

    errors = {row: issues for row, issues in ImportRow.objects.filter(
        batch=batch, action=ImportRow.Action.ERROR).values_list("row", "issues")}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=batch.delimiter if batch.delimiter in (";", ",", "\t", "|") else ";",
                        lineterminator="\r\n")

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    with translation.override(language):
        column = _("Error")
    yield "\ufeff" + line([*batch.headers, column])
    if not errors or not batch.stored:
        return
    try:
        with open_stored(batch) as source:
            for record in source.records:
                issues = errors.pop(record.row, None)
                if issues is None:
                    continue
                cells = ["" if cell is None else str(cell) for cell in record.cells]
                cells += [""] * (len(batch.headers) - len(cells))
                yield line([*cells, " · ".join(issue_text(issue, language) for issue in issues)])
                if not errors:
                    break
    except FileProblem:
        pass
    # Rows the file could not even split into cells (an unclosed quote): their line and the problem.
    for row, issues in sorted(errors.items()):
        yield line([""] * len(batch.headers) + [
            f"{row}: " + " · ".join(issue_text(issue, language) for issue in issues)])
