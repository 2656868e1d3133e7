"""Long work on scenarios started by people (pages and API), queued as background jobs: one start
function per use case, each returning the `Job` to follow (see core.jobs and planning.tasks)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Scenario


def start_compute(scenario: Scenario, user):
    """Queue the computation of `scenario` (it grows with the accounts planned) as a job of `user`;
    returns the `Job`."""
    from kundennetz.core import jobs

    from ..tasks import scenario_job

    return jobs.start_job(user, "scenario", _("Scenario “%(name)s” computed") % {"name": scenario.name},
                          scenario_job, {"scenario": scenario.pk, "record": f"/api/planning/scenarios/{scenario.pk}",
                                         "back": scenario.get_absolute_url()})


def start_apply(scenario: Scenario, user):
    """Queue making `scenario` the plan of its period as a job of `user`; returns the `Job`. A scenario
    that cannot be applied is refused here at once (ValidationError), before anything is queued."""
    from kundennetz.core import jobs

    from ..tasks import apply_job

    if not scenario.is_computed:
        raise ValidationError(_("Only a computed scenario with a plan can be applied."))
    return jobs.start_job(user, "scenario_apply", _("Scenario “%(name)s” applied") % {"name": scenario.name},
                          apply_job, {"scenario": scenario.pk, "record": f"/api/planning/scenarios/{scenario.pk}",
                                      "back": scenario.get_absolute_url()})
