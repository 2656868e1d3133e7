"""My week (an account manager's due contacts) and the management view with its export.

My week (``my_week``) picks its accounts from the stored consistency rows and works out the shown page
live from MAX(date) aggregates, so it is current the moment an interaction is logged. The management view reads the stored snapshots
(`management_view`), which a nightly `kundennetz consistency` keeps.
"""

import csv
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kundennetz.core.models import User
from kundennetz.core.paging import CappedPaginator, id_param
from kundennetz.domain import consistency as dc

from . import charts, management_view, reminders, services, tasks
from .my_week import week_items
from .permissions import may_see_all_weeks, may_see_management

MAX_WITHIN_DAYS = 60


def _int(value, default: int, lo: int, hi: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(hi, max(lo, number))


@login_required
@require_safe
def my_week(request):
    user = request.user
    today = timezone.localdate()
    within = _int(request.GET.get("within"), services.due_within_days(), 0, MAX_WITHIN_DAYS)
    managers = None
    manager = user
    if may_see_all_weeks(user):
        managers = reminders.reminded_users()
        chosen = id_param(request.GET.get("manager"))
        if chosen:
            manager = User.objects.filter(pk=chosen).first() or user
    elif request.GET.get("manager") not in (None, "", str(user.pk)):
        raise PermissionDenied
    week = week_items(manager, today, within, request.GET.get("page"))
    page = week.page
    plans = week.planned
    return render(request, "interactions/my_week.html", {
        "groups": [(group, plans.get(group["account"].pk)) for group in page.object_list], "page": page,
        "overdue": week.overdue, "due_count": week.due, "status": week.status, "unmeasured": week.unmeasured,
        "recompute_url": reverse("interactions:management_refresh"), "can_recompute": may_see_management(user),
        "within": within, "manager": manager, "managers": managers,
        "today": today, "until": today + timedelta(days=within),
    })


def _filtered_rows(params):
    # "" shows every strategy; "-" the accounts without one yet.
    strategy = params.get("strategy") or None
    if strategy == "-":
        strategy = ""
    return management_view.account_rows(band=params.get("band", ""), manager=params.get("manager", ""),
                                        strategy=strategy, sort=params.get("sort", "score"))


def _require_management(request):
    if not may_see_management(request.user):
        raise PermissionDenied


@login_required
@require_safe
def management(request):
    _require_management(request)
    overview = management_view.overview()
    params = request.GET
    rows = _filtered_rows(params)
    page = CappedPaginator(rows, settings.KUNDENNETZ_PAGE_SIZE).get_page(params.get("page"))
    lang = services.reason_language()
    names = overview.strategy_names
    for row in page.object_list:
        row.reason_texts = [services.reason_text(r, lang) for r in row.reasons[:2]]
        row.strategy_name = names.get(row.strategy, row.strategy)
    cfg = services.config()
    manager_bars = [(row.name, dict(row.summary.bands)) for row in overview.managers]
    return render(request, "interactions/management.html", {
        "overview": overview,
        "page": page,
        "rows": page.object_list,
        "params": params,
        "bands": dc.BANDS,
        "sort": params.get("sort", "score"),
        "bars_svg": charts.bands_by_manager(manager_bars),
        "histogram_svg": charts.histogram(overview.histogram, cfg.green_from, cfg.amber_from),
        "strategy_rows": [(key, names.get(key, key) if key else _("No strategy yet"),
                           [counts.get(band, 0) for band in dc.BANDS], counts.get("none", 0))
                          for key, counts in overview.strategies],
        "strategy_names": names,
        "changes": management_view.recent_changes(),
        "live_limit": management_view.LIVE_REFRESH_LIMIT,
    })


class _Echo:
    def write(self, value):
        return value


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


def _round(value, digits: int = 1):
    return "" if value is None else round(value, digits)


@login_required
@require_safe
def management_export(request):
    """All accounts' stored measures as CSV (semicolon-separated, UTF-8 with BOM, so Excel in
    Switzerland opens it directly; numbers with a decimal point, dates ISO)."""
    _require_management(request)
    management_view.ensure_fresh()
    rows = _filtered_rows(request.GET)
    lang = services.reason_language()
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow([name for name, _get in EXPORT_COLUMNS])
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow([get(row, lang) for _name, get in EXPORT_COLUMNS])

    today = timezone.localdate()
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consistency-{today.isoformat()}.csv"'
    return response


@login_required
@require_POST
def management_refresh(request):
    """Recompute now, in the background whatever the size of the network (progress on the job's page)."""
    _require_management(request)
    return redirect(tasks.start_consistency(request.user))
