"""Web pages of planning: the sales head's planning page (capacities, budget, scenarios), a scenario's
result, scenarios side by side, exports, the response model explained, and an account's estimates.

Rules live in ``services`` and the domain, who may do what in ``permissions``. A forbidden change is a
403; a record outside the user's reach a 404. A scenario that finds no plan is not an error page: its
page names the conflicts.
"""

from __future__ import annotations

import csv
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kundennetz.accounts.forms import attach_errors
from kundennetz.accounts.models import Account
from kundennetz.core import downloads
from kundennetz.core.api_types import MAX_ID
from kundennetz.core.choosers import CHOOSER_LIMIT, chooser_response, term_words
from kundennetz.core.formatting import format_money, format_number
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict

from . import charts, exports, services, tasks
from .forms import BudgetForm, CapacityForm, EstimateForm, ScenarioForm, planned_people
from .freshness import freshness_of, scenario_inputs
from .models import (
    AccountPlan,
    Budget,
    Capacity,
    Period,
    ResponseEstimate,
    Scenario,
)
from .permissions import can_open_planning, can_plan, can_view_planning, visible_plans

GAIN = F("contribution") - F("contribution_today")
ACCOUNT_SORTS = {
    "gain": (GAIN.desc(), "account__name", "account_id"),
    "-gain": (GAIN.asc(), "account__name", "account_id"),
    "name": ("account__name", "account_id"),
    "manager": ("manager__last_name", "manager__first_name", "manager_label", "account__name", "account_id"),
    "contacts": (F("contacts").desc(), "account__name", "account_id"),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _period(request, value: str | None = None) -> Period:
    """The period a request names (else the current one): made when a POST plans it, only read on a GET
    (an unsaved period when nobody planned it yet: reading never writes)."""
    code = value or request.GET.get("period") or services.current_period_code()
    try:
        return Period.get(code) if request.method == "POST" else Period.peek(code)
    except ValidationError:
        raise Http404(_("Enter a year (2026) or a quarter (2026-Q3).")) from None


def _period_choices(period: Period) -> list[str]:
    today = services.current_period_code()
    codes = set(Period.objects.values_list("code", flat=True)) | {today, str(int(today) + 1), period.code}
    return sorted(codes, reverse=True)


def _planning_url(period: Period, anchor: str = "") -> str:
    return f"{reverse('planning:planning')}?{urlencode({'period': period.code})}{anchor}"


@login_required
@require_safe
def planning(request):
    _require(can_open_planning(request.user))
    period = _period(request)
    user = request.user
    # An account manager sees their own row only: only their counts are read.
    plan = services.implied_plan(period, manager=None if can_view_planning(user) else user.pk)
    context = {"period": period, "periods": _period_choices(period), "plan": plan, "can_plan": can_plan(user),
               "full": can_view_planning(user)}
    if can_view_planning(user):
        capacities = {c.manager_id: c for c in restrict(Capacity.objects.filter(period__code=period.code), user)}
        for row in plan.rows:
            row.capacity = capacities.get(row.manager_id)
        scenarios = list(restrict(Scenario.objects.filter(period__code=period.code), user)
                         .select_related("created_by", "applied_by"))
        inputs_now = scenario_inputs()  # one query for every scenario listed
        names = {r.manager_id: r.name for r in plan.rows}
        strategy_names = {k: i.name for k, i in services.account_strategies({}).catalogue.items()}
        for scenario in scenarios:
            scenario.what_ifs = services.describe_parameters(scenario.parameters, names, strategy_names)
            scenario.as_of = freshness_of(scenario, current=inputs_now)
        context.update(rows=plan.rows, chart=charts.capacity_chart(plan.rows), scenarios=scenarios,
                       form=ScenarioForm(period=period, initial={"name": _next_name(period)}) if can_plan(user)
                       else None)
    else:
        own = [r for r in plan.rows if r.manager_id == user.pk]
        accounts = (visible_plans(AccountPlan.objects.filter(period__code=period.code), user)
                    .select_related("account").order_by("account__name"))
        page = Paginator(accounts, settings.KUNDENNETZ_PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(rows=own, chart=charts.capacity_chart(own), own_plans=page)
    return render(request, "planning/planning.html", context)


def _next_name(period: Period) -> str:
    base = _("Scenario %(period)s") % {"period": period.code}
    taken = set(Scenario.objects.filter(name__startswith=base).values_list("name", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base} ({number})" in taken:
        number += 1
    return f"{base} ({number})"


@login_required
@require_safe
def plan_export(request):
    """The plan the strategies imply as CSV: one row per account manager, then the totals."""
    _require(can_open_planning(request.user))
    period = _period(request)
    full = can_view_planning(request.user)
    plan = services.implied_plan(period, manager=None if full else request.user.pk)
    rows = plan.rows if full else [r for r in plan.rows if r.manager_id == request.user.pk]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="capacity-{period.code}.csv"'
    writer = csv.writer(response)
    writer.writerow(["period", "manager_id", "manager", "accounts", "available_hours", "required_hours",
                     "minimum_hours", "contacts", "balance_hours", "capacity_entered"])
    for r in rows:
        writer.writerow([period.code, r.manager_id, r.name, r.accounts, _plain(r.available), _plain(r.required),
                         _plain(r.minimum), _plain(r.contacts), _plain(r.balance), "yes" if r.has_capacity else "no"])
    if full:
        writer.writerow([period.code, "", "total", plan.accounts, _plain(plan.hours_available),
                         _plain(plan.hours_required), _plain(plan.hours_minimum), _plain(plan.contacts_required),
                         _plain(plan.hours_balance), ""])
        writer.writerow([])
        writer.writerow(["period", "budget", "available", "required_by_strategies"])
        writer.writerow([period.code, "sales_support", _plain(plan.support_budget), _plain(plan.support_required)])
        writer.writerow([period.code, "pr", _plain(plan.pr_budget), _plain(plan.pr_required)])
    return response


def _plain(value, decimals: int = 2) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


# --- capacities and budgets ------------------------------------------------------------------------


@login_required
def capacity_edit(request, pk=None):
    _require(can_plan(request.user))
    if pk is None:
        period = _period(request, request.POST.get("period_code") or None)
        instance = Capacity(period=period)
        manager = request.GET.get("manager")
        initial = {"manager": manager} if manager and manager.isdigit() else {}
    else:
        instance = get_for(Capacity.objects.select_related("period", "manager"), request.user, pk, CHANGE)
        period, initial = instance.period, {}
    form = CapacityForm(request.POST or None, instance=instance, user=request.user, period=period, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            capacity = form.save()
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Capacity of %(manager)s saved: %(hours)s hours for customer care.") % {
                "manager": capacity.manager, "hours": format_number(capacity.available_hours)})
            return redirect(_planning_url(period, "#capacities"))
    return render(request, "planning/form.html", {
        "form": form, "period": period, "title": _("Capacity") if pk is None else str(instance),
        "back": _planning_url(period, "#capacities"), "delete_url": reverse("planning:capacity_delete", args=[pk])
        if pk else None})


@login_required
@require_POST
def capacity_delete(request, pk):
    _require(can_plan(request.user))
    capacity = get_for(Capacity.objects.select_related("period"), request.user, pk, DELETE)
    period = capacity.period
    capacity._history_user = request.user
    capacity.delete()
    messages.success(request, _("Capacity deleted."))
    return redirect(_planning_url(period, "#capacities"))


@login_required
def budget_edit(request, code):
    _require(can_plan(request.user))
    period = _period(request, code)
    instance = (restrict(Budget.objects.filter(period__code=period.code), request.user, CHANGE).first()
                or Budget(period=period))
    form = BudgetForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Budget %(period)s saved.") % {"period": period.code})
            return redirect(_planning_url(period, "#budget"))
    return render(request, "planning/form.html", {
        "form": form, "period": period, "title": _("Budget %(period)s") % {"period": period.code},
        "back": _planning_url(period, "#budget")})


# --- scenarios -------------------------------------------------------------------------------------


def _scenario(request, pk, action: str = VIEW) -> Scenario:
    """Scenarios are for those who see planning (403 for the others, whichever id they name); then the
    scenario `pk` if the user may `action` it (404 when there is none, 403 when they may not change it)."""
    _require(can_view_planning(request.user))
    return get_for(Scenario.objects.select_related("period", "created_by", "applied_by"), request.user, pk, action)


@login_required
def scenario_create(request):
    _require(can_plan(request.user))
    period = _period(request, request.POST.get("period_code") or None)
    strategies = services.account_strategies({})
    form = ScenarioForm(request.POST or None, period=period, strategies=strategies,
                        initial={"name": _next_name(period)})
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.create_scenario(form.cleaned_data["name"], period, form.cleaned_parameters,
                                                request.user, compute=False)
        except services.InvalidParameters as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            # The optimisation grows with the accounts planned: a background job (progress on its page).
            return redirect(tasks.start_compute(scenario, request.user))
    return render(request, "planning/scenario_form.html", {"form": form, "period": period,
                                                            "back": _planning_url(period, "#scenarios")})


@login_required
@require_safe
def people_choices(request):
    """The first people whose time a plan of the period can hold matching what a planner typed (the
    scenario form's choosers of account managers)."""
    _require(can_plan(request.user))
    queryset = planned_people(_period(request))
    for word in term_words(request):
        queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                                   | Q(username__icontains=word))
    found = list(queryset[:CHOOSER_LIMIT + 1])
    return chooser_response(request, [(u.pk, u.get_full_name() or u.username) for u in found[:CHOOSER_LIMIT]],
                            more=len(found) > CHOOSER_LIMIT, empty_label="–")


@login_required
@require_safe
def scenario_detail(request, pk):
    scenario = _scenario(request, pk)
    managers = list(scenario.manager_results.select_related("manager").order_by("order"))
    sort = request.GET.get("sort") or "gain"
    if sort not in ACCOUNT_SORTS:
        sort = "gain"
    rows = (visible_plans(scenario.account_results.all(), request.user)
            .select_related("account", "manager").order_by(*ACCOUNT_SORTS[sort]))
    page = Paginator(rows, settings.KUNDENNETZ_PAGE_SIZE).get_page(request.GET.get("page"))
    names = {m.manager_id: m.label for m in managers if m.manager_id}
    strategies = services.account_strategies({})
    strategy_names = {k: i.name for k, i in strategies.catalogue.items()}
    estimated = set(ResponseEstimate.objects.filter(
        period=scenario.period, account_id__in=[row.account_id for row in page.object_list]).values_list(
        "account_id", flat=True))
    for row in page.object_list:
        row.strategy_name = strategy_names.get(row.strategy, row.strategy)
        row.own_estimate = row.account_id in estimated
    own_estimates = ResponseEstimate.objects.filter(period=scenario.period).count()
    others = restrict(Scenario.objects.filter(period=scenario.period, computed_at__isnull=False, conflicts=[]),
                      request.user).exclude(pk=scenario.pk).order_by("-created_at")[:5]
    return render(request, "planning/scenario.html", {
        "scenario": scenario, "managers": managers, "page": page, "sort": sort,
        "what_ifs": services.describe_parameters(scenario.parameters, names | _names_of(scenario), strategy_names),
        "conflicts": [services.conflict_message(c, scenario.period.code) for c in scenario.conflicts],
        "as_of": freshness_of(scenario), "can_plan": can_plan(request.user), "others": others,
        "max_price": max((m.hour_price for m in managers), default=None),
        "hours_chart": charts.hours_chart(managers) if managers else None,
        "price_chart": charts.price_chart(managers) if managers else None,
        "contribution_chart": charts.contribution_chart(
            [(scenario.name, scenario.contribution_today, scenario.contribution)]) if scenario.is_computed else None,
        "own_estimates": min(own_estimates, scenario.account_count),
        "default_curves": max(0, scenario.account_count - own_estimates),
        "sorts": [("gain", _("Largest gain")), ("-gain", _("Smallest gain")), ("contacts", _("Most contacts")),
                  ("name", _("Account")), ("manager", _("Account manager"))],
    })


def _names_of(scenario: Scenario) -> dict:
    ids = set()
    for item in scenario.parameters.get("removed_managers", []):
        ids |= {item.get("manager"), item.get("to")}
    for item in scenario.parameters.get("moved_accounts", []):
        ids |= {item.get("from"), item.get("to")}
    ids.discard(None)
    from kundennetz.core.models import User

    return {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}


@login_required
@require_POST
def scenario_compute(request, pk):
    scenario = _scenario(request, pk, CHANGE)
    # The optimisation grows with the accounts planned: a background job (progress on its page).
    return redirect(tasks.start_compute(scenario, request.user))


@login_required
@require_POST
def scenario_apply(request, pk):
    scenario = _scenario(request, pk, CHANGE)
    try:
        # Writing a plan per account grows with the accounts: a background job (progress on its page).
        job = tasks.start_apply(scenario, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(scenario)
    return redirect(job)


@login_required
@require_POST
def scenario_delete(request, pk):
    scenario = _scenario(request, pk, DELETE)
    period = scenario.period
    if scenario.status == Scenario.Status.APPLIED:
        messages.error(request, _("The applied scenario is the plan of its period and cannot be deleted; apply "
                                  "another one first."))
        return redirect(scenario)
    scenario.delete()
    messages.success(request, _("Scenario deleted."))
    return redirect(_planning_url(period, "#scenarios"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scenario_export(request, pk):
    """The scenario's accounts as CSV: a scenario of up to a page of accounts at once (written whole, then
    sent); a larger one in the background (asked first with a button: a GET starts nothing), with
    progress and a download kept for a day."""
    scenario = _scenario(request, pk)
    if request.method == "POST":
        return redirect(tasks.start_export(scenario, request.user))
    if not downloads.fits_inline(exports.scenario_rows(scenario, request.user)):
        return render(request, "core/export_large.html", {
            "title": _("Export of scenario “%(name)s” (CSV)") % {"name": scenario.name},
            "limit": downloads.INLINE_ROWS, "back_url": scenario.get_absolute_url(), "back_label": scenario.name})
    return downloads.whole_file(lambda stream: exports.write_csv(scenario, request.user, stream),
                                exports.file_name(scenario), downloads.CSV)


@login_required
@require_safe
def compare(request):
    _require(can_view_planning(request.user))
    ids = [int(v) for v in request.GET.getlist("s") if v.isdigit() and 0 < int(v) <= MAX_ID][:6]
    scenarios = list(restrict(Scenario.objects.filter(pk__in=ids), request.user).select_related("period"))
    scenarios.sort(key=lambda s: ids.index(s.pk))
    if len(scenarios) < 2:
        messages.error(request, _("Choose at least two scenarios to compare."))
        period = scenarios[0].period if scenarios else _period(request)
        return redirect(_planning_url(period, "#scenarios"))
    table = services.comparison(scenarios)
    periods = {s.period.code for s in scenarios}
    return render(request, "planning/compare.html", {
        **table, "one_period": scenarios[0].period.code if len(periods) == 1 else None, "chart": charts.contribution_chart([(s.name, s.contribution_today, s.contribution)
                                                     for s in scenarios])})


@login_required
@require_safe
def about(request):
    """The response model as users see it: what the curve means, where its parameters come from."""
    return render(request, "planning/about.html", {
        "curve": charts.response_curve(30_000, 40), "defaults": services.default_groups(),
        "lang": services.current_language()})


# --- an account's estimates ------------------------------------------------------------------------


@login_required
def estimates(request, pk):
    account = get_for(Account.objects.select_related("segment", "owner"), request.user, pk, CHANGE)
    period = _period(request, request.POST.get("period_code") or None)
    instance = ResponseEstimate.objects.filter(account=account, period__code=period.code).first() or ResponseEstimate(
        account=account, period=period)
    form = EstimateForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and request.POST.get("remove") and instance.pk:
        instance._history_user = request.user
        instance.delete()
        messages.success(request, _("Estimates removed; the curve comes from the plain figures again."))
        return redirect(account.get_absolute_url() + "#planning")
    if request.method == "POST" and form.is_valid():
        try:
            estimate = form.save()
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Estimates saved: m = %(m)s, half of it after %(half)s hours.") % {
                "m": format_money(estimate.m), "half": format_number(math.log(2) / estimate.b, 1) if estimate.b > 0 else "–"})
            for warning in estimate.warning_texts:
                messages.warning(request, warning)
            return redirect(account.get_absolute_url() + "#planning")
    return render(request, "planning/estimates.html", {
        "form": form, "account": account, "period": period, "estimate": instance if instance.pk else None,
        "back": account.get_absolute_url() + "#planning"})
