"""Background work of win/loss learning: the weekly re-fit (scheduled by the task workers, see core.jobs)."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import jobs

from . import services
from .permissions import may_fit


@task()
def refit_win_model() -> dict:
    """Fit the win model on the closed deals of today and re-score every opportunity; with too little
    history it stores nothing and says why."""
    try:
        record = services.fit_and_store_win_model()
    except services.Refused as refusal:
        return {"refused": str(refusal)}
    return services.fit_summary(record)


@task()
def refresh_win_scores() -> dict:
    """Re-score every opportunity (after the costs of a bid changed: the expected values move)."""
    return {"scored": services.refresh_scores()}


def _fit(job, progress) -> dict:
    record = services.fit_and_store_win_model(job.created_by)
    return {**services.fit_summary(record), "url": reverse("winloss:overview"), "api": "/api/winloss/model",
            "message": _("Win model version %(version)s fitted on %(deals)s closed deals.") % {
                "version": record.version, "deals": record.deals}}


@task()
def fit_job(job_id: int) -> None:
    """The win model fitted for the person who asked (its progress and result on the job's page)."""
    jobs.run_job(job_id, _fit)


def start_fit(user):
    """Queue fitting the win model (it grows with the history) as a background job of `user`; returns
    the `Job`. Too little history is refused here at once (`Refused`), before anything is queued."""
    if not may_fit(user):
        raise PermissionDenied(_("Only the sales head or an administrator can fit the win model."))
    services.check_history()
    return jobs.start_job(user, "win_model", _("Win model fitted"), fit_job)
