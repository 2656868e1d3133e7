"""Background work of interactions: the daily reminders (scheduled by the task workers, see core.jobs), the
recompute of the consistency figures and the export of a large network's figures, each as a job."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import downloads, jobs
from kundennetz.domain import consistency as dc

from . import management_export, reminders, services
from .wording import consistency_refusal


@task()
def send_daily_reminders() -> dict:
    """Today's reminders for every account manager (each person at most once a day)."""
    report = reminders.send_reminders(timezone.localdate())
    counts: dict[str, int] = {}
    for line in report:
        counts[line.status] = counts.get(line.status, 0) + 1
    return counts


@task()
def refresh_consistency() -> dict:
    """Every account's consistency recomputed (the nightly run of the task workers)."""
    return {"accounts": services.refresh_snapshots()}


def _consistency(job, progress) -> dict:
    try:
        count = services.refresh_snapshots()
    except dc.ConsistencyError as exc:
        raise ValidationError(consistency_refusal(exc)) from None
    return {"url": reverse("interactions:management"), "api": None,
            "message": _("Consistency recomputed for %(count)s accounts.") % {"count": count}}


@task()
def consistency_job(job_id: int) -> None:
    """The consistency of every account recomputed (the management view's figures)."""
    jobs.run_job(job_id, _consistency)


def start_consistency(user):
    """Queue the recompute of every account's consistency (the management view's figures) as a
    background job of `user`; returns the `Job`."""
    return jobs.start_job(user, "consistency", _("Consistency recomputed"), consistency_job)


@task()
def management_export_job(job_id: int) -> None:
    """The management view's figures as CSV, kept with the job as a file for a day."""
    jobs.run_job(job_id, management_export.run_export)


def start_management_export(user, params):
    """Queue the export of the management view's figures (with its filters and sort in `params`) as a
    background job of `user`; returns the `Job`."""
    return downloads.start_file_job(user, "consistency_export", _("Export of the consistency figures (CSV)"),
                                    management_export_job, {"query": management_export.job_params(params),
                                                            "back": reverse("interactions:management")},
                                    downloads.CSV)
