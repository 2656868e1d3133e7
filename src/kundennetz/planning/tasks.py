"""Background work of planning: computing an allocation scenario as a job."""

from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import jobs


def _compute(job, progress) -> dict:
    from . import services
    from .models import Scenario

    scenario = Scenario.objects.get(pk=job.params["scenario"])
    try:
        services.compute_scenario(scenario, job.created_by)
    except services.PlanningError as exc:
        raise ValueError(_("No plan meets every minimum: %(reason)s") % {"reason": exc.messages[0]}) from None
    return {"url": scenario.get_absolute_url(), "message": _("Scenario “%(name)s” computed in %(seconds)s s.") % {
        "name": scenario.name, "seconds": f"{scenario.seconds:.2f}"}}


@task()
def scenario_job(job_id: int) -> None:
    jobs.run_job(job_id, _compute)
