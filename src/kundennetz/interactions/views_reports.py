"""My week (an account manager's due contacts) and the management view with its export.

My week (``my_week``) picks its accounts from the stored consistency rows and works out the shown page
live from MAX(date) aggregates, so it is current the moment an interaction is logged. The management view reads the stored snapshots
(`management_view`), which a nightly `kundennetz consistency` keeps.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kundennetz.core import downloads
from kundennetz.core.models import User
from kundennetz.core.paging import CappedPaginator, id_param
from kundennetz.domain import consistency as dc

from . import charts, management_view, reminders, services, tasks
from . import management_export as management_export_file
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


def _require_management(request):
    if not may_see_management(request.user):
        raise PermissionDenied


@login_required
@require_safe
def management(request):
    _require_management(request)
    overview = management_view.overview()
    params = request.GET
    rows = management_export_file.filtered_rows(params)
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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def management_export(request):
    """All accounts' stored measures as CSV, with the view's filters and order (`management_export`): up to
    a page of accounts at once (written whole, then sent); more in the background (asked first with a
    button: a GET starts nothing), with progress and a download kept for a day."""
    _require_management(request)
    if request.method == "POST":
        return redirect(tasks.start_management_export(request.user, request.GET))
    management_view.ensure_fresh()
    rows = management_export_file.filtered_rows(request.GET)
    if not downloads.fits_inline(rows):
        query = urlencode(management_export_file.job_params(request.GET))
        return render(request, "core/export_large.html", {
            "title": _("Export of the consistency figures (CSV)"), "limit": downloads.INLINE_ROWS,
            "query": query, "back_url": reverse("interactions:management") + (f"?{query}" if query else ""),
            "back_label": _("Consistency of the network")})
    return downloads.whole_file(lambda stream: management_export_file.write_csv(rows, stream),
                                management_export_file.file_name(), downloads.CSV)


@login_required
@require_POST
def management_refresh(request):
    """Recompute now, in the background whatever the size of the network (progress on the job's page)."""
    _require_management(request)
    return redirect(tasks.start_consistency(request.user))
