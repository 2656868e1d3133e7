"""Background work of the portfolio: a snapshot (every account scored) as a job, queued by
`services.start_snapshot`."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import jobs


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
def snapshot_job(job_id: int) -> None:
    jobs.run_job(job_id, _snapshot)
