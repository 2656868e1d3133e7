"""Background work of planning: computing an allocation scenario as a job."""

from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import jobs


def _compute(job, progress) -> dict:
    from . import services
    from .models import Scenario

    scenario = Scenario.objects.get(pk=job.params["scenario"])
    applied = scenario.status == Scenario.Status.APPLIED
    try:
        # Computing the applied plan makes a new draft; the plan stays until another is applied.
        computed = services.compute_scenario(scenario, job.created_by)
    except services.PlanningError as exc:
        raise ValueError(_("No plan meets every minimum: %(reason)s") % {"reason": exc.messages[0]}) from None
    if applied:
        message = _("Computed as the new draft “%(name)s”; “%(plan)s” stays the plan until you apply another "
                    "one.") % {"name": computed.name, "plan": scenario.name}
    else:
        message = _("Scenario “%(name)s” computed in %(seconds)s s.") % {
            "name": computed.name, "seconds": f"{computed.seconds:.2f}"}
    return {"url": computed.get_absolute_url(), "message": message}


@task()
def scenario_job(job_id: int) -> None:
    jobs.run_job(job_id, _compute)
