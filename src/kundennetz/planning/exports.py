"""A scenario's accounts as CSV: the page's download, the background job for a large scenario, and the
`kundennetz plan export` command all read the rows here.

Rows are read in keyset batches (core.keyset.batches), by account name; a person sees the rows of the
accounts they may see. Up to `core.downloads.INLINE_ROWS` rows the file is made within the request; a
larger scenario is exported by a job (`tasks.start_export`) whose file is kept for a day.
"""

from __future__ import annotations

import csv

from django.utils.translation import gettext as _

from kundennetz.core import downloads
from kundennetz.core.permissions import VIEW, restrict

from .models import Scenario, ScenarioAccount
from .permissions import can_view_planning, visible_plans

EXPORT_COLUMNS = ("account_id", "account", "segment", "manager", "strategy", "hours_min", "hours_max",
                  "hours_per_contact", "hours_today", "hours", "contacts_today", "contacts", "support_today",
                  "support", "pr_today", "pr", "contribution_today", "contribution", "difference")
# Rows read per query: what an export holds in memory at once.
BATCH = 5_000


def scenario_rows(scenario: Scenario, user=None):
    """The scenario's accounts that `user` may see (all without a user), by account name."""
    queryset = ScenarioAccount.objects.filter(scenario=scenario)
    if user is not None:
        queryset = visible_plans(queryset, user)
    return queryset.order_by("account__name", "account_id")


def export_rows(scenario: Scenario, user=None, progress=None):
    """The scenario's accounts (those `user` may see; all without a user), by account name, as dicts;
    `progress(rows done)` after each batch."""
    rows = scenario_rows(scenario, user).values_list(
        "account_id", "account__name", "account__segment__code", "manager__first_name", "manager__last_name",
        "manager__username", "manager_label", "strategy", "hours_min", "hours_max", "contact_hours", "hours_today",
        "hours", "contacts_today", "contacts", "support_today", "support", "pr_today", "pr", "contribution_today",
        "contribution")
    for batch in downloads.batches(rows, BATCH, progress):
        for (account_id, name, segment, first, last, username, label, strategy, *numbers) in batch:
            manager = f"{first or ''} {last or ''}".strip() or username or label
            values = dict(zip(EXPORT_COLUMNS[5:-1], (round(v, 4) for v in numbers), strict=True))
            yield {"account_id": account_id, "account": name, "segment": segment or "", "manager": manager,
                   "strategy": strategy, **values, "difference": round(numbers[-1] - numbers[-2], 4)}


def csv_lines(scenario: Scenario, user=None, progress=None):
    """The CSV file as a stream of lines, header first."""
    writer = csv.writer(downloads.Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(scenario, user, progress):
        yield writer.writerow([row[c] for c in EXPORT_COLUMNS])


def write_csv(scenario: Scenario, user, stream, progress=None) -> None:
    downloads.write_text(stream, csv_lines(scenario, user, progress))


def file_name(scenario: Scenario) -> str:
    return f"scenario-{scenario.pk}.csv"


def run_export(job, progress) -> dict:
    """The job's scenario written to a temporary file, then kept with the job for a day. Its rights are
    those of the person who started it, as they are now: a person who may no longer see the scenario
    gets no file."""
    user = job.created_by
    if user is None or not user.is_active or not can_view_planning(user):
        raise PermissionError(_("The person who started this export has no access any more."))
    scenario = restrict(Scenario.objects.filter(pk=job.params["scenario"]), user, VIEW).first()
    if scenario is None:
        raise PermissionError(_("The scenario of this export no longer exists."))
    progress.total(scenario_rows(scenario, user).count())
    downloads.keep_file(job, lambda handle: write_csv(scenario, user, handle, progress), file_name(scenario))
    return {}
