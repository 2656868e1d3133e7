"""Background work of the portfolio: a snapshot (every account scored) as a job, queued by
`start_snapshot`."""

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import jobs

from .models import ScoringModel, parse_period, period_of


def _snapshot(job, progress) -> dict:
    from . import services

    as_of = job.params.get("as_of")
    snapshot = services.recompute(period=job.params["period"], as_of=date.fromisoformat(as_of) if as_of else None,
                                  user=job.created_by)
    return {"url": reverse("portfolio:portfolio"), "api": f"/api/portfolio/snapshots/{snapshot.pk}",
            "snapshot": snapshot.pk, "message": _(
                "Snapshot %(period)s taken: %(count)s accounts scored.") % {"period": snapshot.period,
                                                                             "count": snapshot.account_count}}


@task()
def store_missing_summaries() -> int:
    """The stored counts of snapshots that have none (an account deleted for good left them)."""
    from . import summary

    return summary.store_missing()


@task()
def snapshot_job(job_id: int) -> None:
    jobs.run_job(job_id, _snapshot)


def start_snapshot(user, *, period: str | None = None, as_of: date | None = None):
    """Queue the recompute of the portfolio (a snapshot of `period`, every account scored) as a
    background job of `user`; returns the `Job`. What can be told at once (a period that is no period,
    no scoring model) is refused here with a ValidationError, before anything is queued."""
    as_of = as_of or timezone.localdate()
    period = (period or period_of(as_of)).strip()
    parse_period(period)
    if not ScoringModel.objects.exists():
        raise ValidationError(_("There is no scoring model yet."))
    return jobs.start_job(user, "portfolio_snapshot", _("Portfolio snapshot %(period)s") % {"period": period},
                          snapshot_job, {"period": period, "as_of": as_of.isoformat()})
