"""The management view's export: every account's stored consistency measures as CSV (semicolon-separated,
UTF-8 with BOM, so that Excel in Switzerland opens it directly; numbers with a decimal point, dates ISO),
with the view's filters and order.

Rows are read in keyset batches (core.keyset.batches). Up to `core.downloads.INLINE_ROWS` rows the file is
made within the request; a larger network is exported by a job (`tasks.start_management_export`) whose
file is kept for a day.
"""

from __future__ import annotations

import csv

from django.utils import timezone
from django.utils.translation import gettext as _

from kundennetz.core import downloads

from . import management_view, services
from .permissions import may_see_management

# Rows read per query: what an export holds in memory at once.
BATCH = 2000
# The view's filters and sort, the only parameters an export takes along into its job.
PARAMS = ("band", "manager", "strategy", "sort")


def _round(value, digits: int = 1):
    return "" if value is None else round(value, digits)


EXPORT_COLUMNS = [
    ("account", lambda r, lang: r.account.name),
    ("account_id", lambda r, lang: r.account_id),
    ("account_manager", lambda r, lang: str(r.manager) if r.manager else ""),
    ("strategy", lambda r, lang: r.strategy),
    ("score", lambda r, lang: _round(r.score)),
    ("band", lambda r, lang: r.band),
    ("score_previous_period", lambda r, lang: _round(r.score_previous)),
    ("change", lambda r, lang: "" if r.score is None or r.score_previous is None else _round(r.score - r.score_previous)),
    ("manager_changes_in_period", lambda r, lang: r.manager_changes),
    ("manager_changes_18_months", lambda r, lang: r.manager_changes_window),
    ("tenure_days", lambda r, lang: "" if r.tenure_days is None else r.tenure_days),
    ("contacts_held", lambda r, lang: _round(r.contacts_held, 1)),
    ("contacts_planned", lambda r, lang: _round(r.contacts_planned, 1)),
    ("longest_gap_days", lambda r, lang: "" if r.longest_gap_days is None else r.longest_gap_days),
    ("last_contact", lambda r, lang: r.last_contact.isoformat() if r.last_contact else ""),
    ("decision_makers", lambda r, lang: r.decision_makers),
    ("decision_makers_covered", lambda r, lang: r.decision_makers_covered),
    ("key_people_not_met", lambda r, lang: r.key_people_not_met),
    ("share_with_core_message", lambda r, lang: "" if r.message_share is None else round(r.message_share, 3)),
    ("overdue_contacts", lambda r, lang: r.overdue_contacts),
    ("due_contacts", lambda r, lang: r.due_contacts),
    ("top_reasons", lambda r, lang: " | ".join(services.reason_text(x, lang) for x in r.reasons[:3])),
    ("period_start", lambda r, lang: r.period_start.isoformat()),
    ("period_end", lambda r, lang: r.period_end.isoformat()),
    ("as_of", lambda r, lang: r.as_of.isoformat()),
]


def filtered_rows(params):
    """The snapshot rows the management view lists for `params` (its filters and sort), in its order."""
    # "" shows every strategy; "-" the accounts without one yet.
    strategy = params.get("strategy") or None
    if strategy == "-":
        strategy = ""
    return management_view.account_rows(band=params.get("band", ""), manager=params.get("manager", ""),
                                        strategy=strategy, sort=params.get("sort", "score"))


def job_params(params) -> dict:
    """The filters and sort of `params` (a query string) to take along into an export job."""
    return {name: params.get(name) for name in PARAMS if params.get(name) is not None}


def csv_lines(rows, progress=None):
    """The CSV file as a stream of lines (header first, BOM included), in the active language's wording."""
    lang = services.reason_language()
    writer = csv.writer(downloads.Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([name for name, _get in EXPORT_COLUMNS])
    for batch in downloads.batches(rows, BATCH, progress):
        for row in batch:
            yield writer.writerow([get(row, lang) for _name, get in EXPORT_COLUMNS])


def write_csv(rows, stream, progress=None) -> None:
    downloads.write_text(stream, csv_lines(rows, progress))


def file_name() -> str:
    return f"consistency-{timezone.localdate().isoformat()}.csv"


def run_export(job, progress) -> dict:
    """The job's export written to a temporary file, then kept with the job for a day; only for a person
    who still may see the management view."""
    user = job.created_by
    if user is None or not user.is_active or not may_see_management(user):
        raise PermissionError(_("The person who started this export has no access any more."))
    rows = filtered_rows(job.params.get("query") or {})
    progress.total(rows.count())
    downloads.keep_file(job, lambda handle: write_csv(rows, handle, progress), file_name())
    return {}
