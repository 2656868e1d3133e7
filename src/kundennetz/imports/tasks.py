"""The background steps of an import (check, commit, undo) and of an export: how each is queued and
how the worker runs it.

Queueing lives here, above `services` and `exports`, so that those run the steps without knowing the
queue (and neither imports this module). Each step runs in the language of the person who started it, so that a failure reads in theirs, and
turns any unexpected error into the batch's status "failed" with the reason instead of leaving it
"checking", "committing" or "undoing". A step that runs again after its worker died picks up from
the batch's state (see services.commit and services.undo).
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import jobs
from kundennetz.core.models import Job, User

from . import exports, fields, services
from .engine import Mapping
from .models import ImportBatch
from .permissions import may_import, may_undo
from .services import ATTACHED_CHOICES, CHECKABLE, ImportRefused

logger = logging.getLogger("kundennetz.imports")


def _run(step: str, batch_id: int, user_id: int, work) -> str:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    user = User.objects.filter(pk=user_id).first()
    if batch is None:
        return "gone"
    language = (user.language if user is not None else "") or "de-ch"
    with translation.override(language):
        if user is None or not user.is_active:
            services.mark_failed(batch, step, _("The person who started this step has no access any more."))
            return "failed"
        try:
            work(batch, user)
        except services.ImportRefused as exc:
            batch.refresh_from_db()
            if batch.status in ImportBatch.WORKING:
                services.mark_failed(batch, step, str(exc))
        except Exception as exc:
            logger.exception("Import #%s: %s failed", batch_id, step)
            services.mark_failed(batch, step, _("Unexpected error (%(error)s); nothing was left half done. "
                                          "Please tell your administrator.") % {"error": type(exc).__name__})
    batch.refresh_from_db()
    return batch.status


@task()
def check_batch(batch_id: int, user_id: int) -> str:
    return _run("check", batch_id, user_id, lambda batch, user: services.check(batch, user))


@task()
def commit_batch(batch_id: int, user_id: int) -> str:
    return _run("commit", batch_id, user_id, lambda batch, user: services.commit(batch, user))


@task()
def undo_batch(batch_id: int, user_id: int, attached: str = "keep") -> str:
    return _run("undo", batch_id, user_id, lambda batch, user: services.undo(batch, user, attached))


@task()
def export_job(job_id: int) -> None:
    """A list export or the full export, kept with the job as a file for a day."""
    jobs.run_job(job_id, exports.run_export)


# -- queueing ------------------------------------------------------------------------------------


def request_check(batch: ImportBatch, user, mapping: dict | None = None) -> ImportBatch:
    """Queue the dry run (status "checking"); the worker runs `check`."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in CHECKABLE or not locked.stored or locked.failed_step == "undo":
            raise ImportRefused(_("This import can no longer be checked."))
        if mapping is not None:
            locked.mapping = Mapping.from_json(mapping).as_json()
        locked.status, locked.failure, locked.failed_step = ImportBatch.Status.CHECKING, "", ""
        locked.progress_done, locked.progress_started_at = 0, timezone.now()
        locked.save()
        jobs.enqueue(check_batch, locked.pk, user.pk)
    batch.refresh_from_db()
    return batch


def request_commit(batch: ImportBatch, user, skip_errors: bool = False) -> ImportBatch:
    """Queue the import of a checked batch (status "committing"); the worker runs `commit`."""
    if batch.created_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    if not may_import(user):
        raise PermissionDenied(_("Your role may not import records."))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.DRY_RUN or not locked.stored:
            raise ImportRefused(_("Only a checked import can be committed, and only once."))
        if locked.file_problem or (locked.error_count and not skip_errors):
            raise ImportRefused(_("The check found errors; correct the file or the mapping first, "
                                  "or choose to leave the rows with errors out."))
        if skip_errors and not locked.importable_rows:
            raise ImportRefused(_("No row could be imported."))
        locked.status, locked.skip_errors = ImportBatch.Status.COMMITTING, skip_errors
        locked.progress_done, locked.progress_started_at = 0, timezone.now()
        locked.save()
        jobs.enqueue(commit_batch, locked.pk, user.pk)
    batch.refresh_from_db()
    return batch


def request_undo(batch: ImportBatch, user, attached: str = "keep", *, queue: bool = True) -> ImportBatch:
    """Queue the undo of a committed batch (status "undoing"); the worker runs `undo`. `attached`: what
    happens to records others attached since ("keep" them, or "trash" them too)."""
    if not may_undo(user):
        raise PermissionDenied(_("Only an administrator or the sales head can undo an import."))
    if attached not in ATTACHED_CHOICES:
        raise ImportRefused(_("Choose whether to keep the records attached since or to move them to the trash."))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        retry = locked.status == ImportBatch.Status.FAILED and locked.failed_step == "undo"
        if locked.status != ImportBatch.Status.COMMITTED and not retry:
            raise ImportRefused(_("Only an imported batch can be undone, and only once."))
        locked.status, locked.failure, locked.failed_step = ImportBatch.Status.UNDOING, "", ""
        locked.progress_done, locked.progress_started_at = 0, timezone.now()
        locked.progress_total = locked.records.count()
        locked.save()
        if queue:  # the command runs `undo` itself
            jobs.enqueue(undo_batch, locked.pk, user.pk, attached)
    batch.refresh_from_db()
    return batch


def start_export(user, kind: str, fmt: str, params) -> Job:
    """Queue the export of a list (with the list's filters in `params`) as a background job."""
    query = {key: params.getlist(key) for key in params} if hasattr(params, "getlist") else dict(params or {})
    query.pop("page", None)
    title = _("Export of %(kind)s (%(format)s)") % {"kind": fields.model_for(kind)._meta.verbose_name_plural,
                                                   "format": fmt.upper() if fmt == "csv" else "Excel"}
    return jobs.start_job(user, "export", title, export_job, {
        "kind": kind, "format": fmt, "query": query, "language": get_language(), "content_type": exports.CONTENT_TYPES[fmt]})


def start_full_export(user) -> Job:
    return jobs.start_job(user, "export_all", _("Export of everything (zip)"), export_job, {
        "kind": "all", "format": "zip", "query": {}, "language": get_language(), "content_type": exports.CONTENT_TYPES["zip"]})
