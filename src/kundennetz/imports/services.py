"""Import batches from upload to undo: start (read the header, detect the mapping), check (dry run),
commit (all or nothing), undo. Web wizard, API and command all go through here."""

import io
import os
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from kundennetz.domain.importing import FileProblem, describe

from . import fields
from .engine import BULK, Importer, Mapping, Result, adapt, suggest
from .models import ExternalReference, ImportBatch, ImportedRecord, ImportRow
from .permissions import may_import, may_undo
from .readers import open_source

# Files up to this size are checked and committed inside the web request (a few seconds at most:
# about 25,000 rows of accounts). Larger files go through `kundennetz import`, which shows progress.
INLINE_MAX_BYTES = getattr(settings, "KUNDENNETZ_IMPORT_INLINE_MAX_BYTES", 5 * 1024 * 1024)


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
    """Keep the uploaded `file`, read its header and detect its mapping (nothing is checked yet)."""
    if not may_import(user):
        raise PermissionDenied(_("Your role may not import records."))
    if kind not in fields.kinds():
        raise ImportRefused(_("Unknown kind of records: %(kind)s.") % {"kind": kind})
    size = getattr(file, "size", None)
    if size is not None and size > INLINE_MAX_BYTES:
        raise ImportRefused(too_large_message(size))
    content = file.read(INLINE_MAX_BYTES + 1)
    if len(content) > INLINE_MAX_BYTES:
        raise ImportRefused(too_large_message(len(content)))
    name = os.path.basename(getattr(file, "name", "") or "import.csv")[:255]
    batch = ImportBatch(kind=kind, created_by=user, source=source, file_name=name, file_size=len(content),
                        content=content)
    options = Mapping.from_json(mapping or saved or {})
    try:
        with open_source(io.BytesIO(content), name, encoding=options.encoding, delimiter=options.delimiter) as src:
            batch.file_format, batch.encoding, batch.delimiter = src.format, src.encoding, src.delimiter
            batch.headers = src.headers
    except FileProblem as exc:
        batch.file_problem = exc.issue().as_dict()
        batch.mapping = options.as_json()
        batch.save()
        return batch
    chosen = _mapping_for(batch, batch.headers, mapping, saved)
    batch.mapping, batch.layout = chosen.as_json(), chosen.layout or ""
    batch.save()
    return batch


def too_large_message(size: int) -> str:
    return _("The file has %(size)s MB; files above %(limit)s MB are imported with the command "
             "“kundennetz import FILE --kind …”, which shows its progress.") % {
        "size": f"{size / 1024 / 1024:.1f}", "limit": f"{INLINE_MAX_BYTES / 1024 / 1024:.0f}"}


def _open(batch: ImportBatch):
    mapping = Mapping.from_json(batch.mapping)
    return open_source(io.BytesIO(bytes(batch.content)), batch.file_name, encoding=mapping.encoding,
                       delimiter=mapping.delimiter)


def check(batch: ImportBatch, user, mapping: dict | None = None) -> Result:
    """The dry run: every row's outcome kept with the batch, nothing else written."""
    if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.DRY_RUN) or batch.content is None:
        raise ImportRefused(_("This import can no longer be checked."))
    if mapping is not None:
        batch.mapping = Mapping.from_json(mapping).as_json()
    ImportRow.objects.filter(batch=batch).delete()
    result = Result()
    try:
        with _open(batch) as source:
            batch.file_format, batch.encoding, batch.delimiter = source.format, source.encoding, source.delimiter
            batch.headers = source.headers
            importer = Importer(batch.kind, user, Mapping.from_json(batch.mapping), batch=batch,
                                sink=BatchSink(batch))
            result = importer.run(source)
    except FileProblem as exc:
        result.file_problem = exc.issue()
    batch.file_problem = result.file_problem.as_dict() if result.file_problem else None
    batch.set_counts(result.counts)
    batch.status, batch.checked_at = ImportBatch.Status.DRY_RUN, timezone.now()
    batch.save()
    return result


def commit(batch: ImportBatch, user) -> Result:
    """Import every row in one transaction; if any row fails now, nothing is saved and the batch shows
    the current outcomes."""
    if batch.created_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    if not may_import(user):
        raise PermissionDenied(_("Your role may not import records."))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.DRY_RUN or locked.content is None:
            raise ImportRefused(_("Only a checked import can be committed, and only once."))
        if locked.file_problem or locked.error_count:
            raise ImportRefused(_("The check found errors; correct the file or the mapping first."))
        ImportRow.objects.filter(batch=batch).delete()
        try:
            with _open(batch) as source:
                result = Importer(batch.kind, user, Mapping.from_json(batch.mapping), commit=True, batch=batch,
                                  sink=BatchSink(batch)).run(source)
        except FileProblem as exc:
            result = Result(file_problem=exc.issue())
        if result.ok:
            batch.set_counts(result.counts)
            batch.status, batch.committed_at = ImportBatch.Status.COMMITTED, timezone.now()
            batch.save()
        else:
            transaction.set_rollback(True)
    if not result.ok:
        # Nothing was saved; show what stands in the way now (the data may have changed since the check).
        batch.refresh_from_db()
        check(batch, user)
    return result


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
            with _RoomyCache(), transaction.atomic():
                batch = ImportBatch.objects.create(
                    kind=kind, created_by=user, source=ImportBatch.Source.COMMAND,
                    file_name=os.path.basename(path)[:255], file_size=os.path.getsize(path),
                    file_format=source.format, encoding=source.encoding, delimiter=source.delimiter,
                    headers=source.headers, mapping=mapping.as_json(), layout=mapping.layout or "")
                keep = BatchSink(batch, everything=False)

                def both(outcomes):
                    keep(outcomes)
                    if sink is not None:
                        sink(outcomes)

                result = Importer(kind, user, mapping, commit=True, batch=batch, sink=both,
                                  progress=progress).run(source)
                if not result.ok:
                    transaction.set_rollback(True)
                    return result, None
                batch.set_counts(result.counts)
                batch.status = ImportBatch.Status.COMMITTED
                batch.checked_at = batch.committed_at = timezone.now()
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


def undo(batch: ImportBatch, user) -> UndoSummary:
    """Undo a committed import: what it created goes to the trash (with what was added to it since,
    so that a restore brings both back), and each field it changed gets its old value back — unless
    someone changed that field again after the import, in which case their value stays."""
    if not may_undo(user):
        raise PermissionDenied(_("Only an administrator or the sales head can undo an import."))
    summary = UndoSummary()
    reason = f"undo import #{batch.pk}"
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.COMMITTED:
            raise ImportRefused(_("Only an imported batch can be undone, and only once."))
        now = timezone.now()
        records = ImportedRecord.objects.filter(batch=batch)
        labels = set(records.values_list("model", flat=True).distinct())
        for label in labels:
            model = apps.get_model(label)
            manager = getattr(model, "all_objects", model._default_manager)
            updated = list(records.filter(model=label, action=ImportedRecord.Action.UPDATED)
                           .values_list("object_id", "previous", "values"))
            for chunk in _chunks(updated):
                objects = manager.in_bulk([item[0] for item in chunk])
                changed, names = [], set()
                for pk, previous, values in chunk:
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
            created = list(records.filter(model=label, action=ImportedRecord.Action.CREATED)
                           .values_list("object_id", flat=True))
            for chunk in _chunks(created):
                summary.trashed += _trash(model, manager.filter(pk__in=chunk), user, now, reason)
                if label == "accounts.account":
                    for dependant in _account_dependants():
                        summary.dependants += _trash(
                            dependant, dependant.all_objects.filter(account_id__in=chunk), user, now, reason)
                ExternalReference.objects.filter(model=label, object_id__in=chunk).delete()
        locked.status, locked.undone_at, locked.undone_by = ImportBatch.Status.UNDONE, now, user
        locked.save(update_fields=["status", "undone_at", "undone_by"])
    batch.refresh_from_db()
    return summary


def _account_dependants() -> list:
    from kundennetz.accounts.models import Contact, Opportunity

    models = [Contact, Opportunity]
    if fields.interactions_available():
        models.append(apps.get_model("interactions", "Interaction"))
    return models


def _trash(model, queryset, user, when, reason) -> int:
    """Move the records of `queryset` that are not yet in the trash there, in bulk, with history."""
    objects = list(queryset.filter(deleted_at__isnull=True))
    for obj in objects:
        obj.deleted_at, obj.deleted_by = when, user
        if hasattr(obj, "updated_by"):
            obj.updated_by, obj.updated_at = user, when
    if objects:
        names = ["deleted_at", "deleted_by"] + (["updated_by", "updated_at"] if hasattr(objects[0], "updated_by") else [])
        bulk_update_with_history(objects, model, names, batch_size=BULK, default_user=user,
                                 default_change_reason=reason, default_date=when,
                                 manager=getattr(model, "all_objects", model._default_manager))
    return len(objects)
