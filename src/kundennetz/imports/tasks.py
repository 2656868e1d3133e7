"""The background steps of an import: check, commit, undo (queued by services.request_*).

Each step runs in the language of the person who started it, so that a failure reads in theirs, and
turns any unexpected error into the batch's status "failed" with the reason instead of leaving it
"checking", "committing" or "undoing". A step that runs again after its worker died picks up from
the batch's state (see services.commit and services.undo).
"""

import logging

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core.models import User

from . import services
from .models import ImportBatch

logger = logging.getLogger("kundennetz.imports")


def _run(step: str, batch_id: int, user_id: int, work) -> str:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    user = User.objects.filter(pk=user_id).first()
    if batch is None:
        return "gone"
    language = (user.language if user is not None else "") or "de-ch"
    with translation.override(language):
        if user is None or not user.is_active:
            services._fail(batch, step, _("The person who started this step has no access any more."))
            return "failed"
        try:
            work(batch, user)
        except services.ImportRefused as exc:
            batch.refresh_from_db()
            if batch.status in ImportBatch.WORKING:
                services._fail(batch, step, str(exc))
        except Exception as exc:
            logger.exception("Import #%s: %s failed", batch_id, step)
            services._fail(batch, step, _("Unexpected error (%(error)s); nothing was left half done. "
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
    from kundennetz.core import jobs

    from . import exports

    jobs.run_job(job_id, exports.run_export)
