"""Background work of planning: computing an allocation scenario, applying it as the plan and exporting
a large one, each as a job (queued by `start_compute`, `start_apply` and `start_export`), and the nightly
refresh of the stored per-account figures (scheduled by the task workers, see core.jobs)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_tasks import task

from kundennetz.core import downloads, jobs

from . import exports
from .models import Scenario
from .stored import refresh_figures


def _api(scenario) -> str:
    return f"/api/planning/scenarios/{scenario.pk}"


def _compute(job, progress) -> dict:
    from . import services
    scenario = Scenario.objects.get(pk=job.params["scenario"])
    applied = scenario.status == Scenario.Status.APPLIED
    try:
        # Computing the applied plan makes a new draft; the plan stays until another is applied.
        computed = services.compute_scenario(scenario, job.created_by)
    except services.PlanningError as exc:
        # Recomputing the applied plan left a new draft naming the conflicts: point the job at it.
        draft = getattr(exc, "scenario", None) or scenario
        if draft.pk != scenario.pk:
            type(job).objects.filter(pk=job.pk).update(params={**job.params, "record": _api(draft),
                                                               "back": draft.get_absolute_url()})
        raise ValueError(_("No plan meets every minimum: %(reason)s") % {"reason": " ".join(exc.messages)}) from None
    if applied:
        message = _("Computed as the new draft “%(name)s”; “%(plan)s” stays the plan until you apply another "
                    "one.") % {"name": computed.name, "plan": scenario.name}
    else:
        message = _("Scenario “%(name)s” computed in %(seconds)s s.") % {
            "name": computed.name, "seconds": f"{computed.seconds:.2f}"}
    return {"url": computed.get_absolute_url(), "api": _api(computed), "scenario": computed.pk, "message": message}


def _apply(job, progress) -> dict:
    from . import services
    scenario = Scenario.objects.select_related("period").get(pk=job.params["scenario"])
    count = services.apply_scenario(scenario, job.created_by)
    return {"url": scenario.get_absolute_url(), "api": _api(scenario), "scenario": scenario.pk, "plans": count,
            "message": _("“%(name)s” is now the plan of %(period)s for %(count)s accounts.") % {
                "name": scenario.name, "period": scenario.period.code, "count": count}}


@task()
def scenario_job(job_id: int) -> None:
    jobs.run_job(job_id, _compute)


@task()
def apply_job(job_id: int) -> None:
    jobs.run_job(job_id, _apply)


@task()
def export_job(job_id: int) -> None:
    """A scenario's accounts as CSV, kept with the job as a file for a day."""
    jobs.run_job(job_id, exports.run_export)


def start_export(scenario: Scenario, user):
    """Queue the export of `scenario`'s accounts (those `user` may see) as a job of `user`; returns the `Job`."""
    return downloads.start_file_job(user, "scenario_export", _("Export of scenario “%(name)s” (CSV)") % {
        "name": scenario.name}, export_job, {"scenario": scenario.pk, "back": scenario.get_absolute_url()},
        downloads.CSV)


def start_compute(scenario: Scenario, user):
    """Queue the computation of `scenario` (it grows with the accounts planned) as a job of `user`;
    returns the `Job`."""
    return jobs.start_job(user, "scenario", _("Scenario “%(name)s” computed") % {"name": scenario.name},
                          scenario_job, {"scenario": scenario.pk, "record": f"/api/planning/scenarios/{scenario.pk}",
                                         "back": scenario.get_absolute_url()})


def start_apply(scenario: Scenario, user):
    """Queue making `scenario` the plan of its period as a job of `user`; returns the `Job`. A scenario
    that cannot be applied is refused here at once (ValidationError), before anything is queued."""
    if not scenario.is_computed:
        raise ValidationError(_("Only a computed scenario with a plan can be applied."))
    return jobs.start_job(user, "scenario_apply", _("Scenario “%(name)s” applied") % {"name": scenario.name},
                          apply_job, {"scenario": scenario.pk, "record": f"/api/planning/scenarios/{scenario.pk}",
                                      "back": scenario.get_absolute_url()})


@task()
def refresh_stored_figures() -> dict:
    """Every account's stored strategy and planned figures brought up to date (the nightly run of the task
    workers: the year and the quarter turn over and plans of a new period come into force; only figures
    that changed are written)."""
    return {"accounts": refresh_figures()}
