"""The plan the strategies imply and scenarios in the API: created, computed, compared, applied."""

from typing import Optional

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import PatchDict, Query, Status

from kundennetz.core.api_errors import COMMON_ERRORS, FieldErrors, MessageOut, RECORD_ERRORS, WRITE_ERRORS
from kundennetz.core.api_types import MAX_ID, QueryId, Text, page_of
from kundennetz.core.job_api import JobOut
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict
from kundennetz.core.services import save_record

from .. import counts, services, tasks
from ..freshness import freshness_of, scenario_inputs
from ..models import Capacity, Scenario, ScenarioAccount, ScenarioManager
from ..permissions import can_open_planning, can_view_planning, visible_plans
from .routing import checked_period_code, period_into, period_to_read, raise_django, require_plan, router
from .schemas import (
    ComparisonOut,
    Page,
    PlanOut,
    ScenarioAccountPage,
    ScenarioChange,
    ScenarioIn,
    ScenarioManagerOut,
    ScenarioOut,
    ScenarioPage,
)


# --- helpers ---------------------------------------------------------------------------------------


def _require_view(user) -> None:
    if not can_view_planning(user):
        raise PermissionDenied(_("Scenarios are for the sales head, admin, marketing and read-only users."))


def _conflicts_out(scenario: Scenario) -> list[dict]:
    return [{"kind": c["kind"], "name": c.get("label") or c["name"], "required": c["required"],
             "available": c["available"], "message": services.conflict_message(c, scenario.period.code)}
            for c in scenario.conflicts]


def _scenario_out(s: Scenario, names: dict | None = None, strategy_names: dict | None = None,
                  inputs_now: str | None = None) -> dict:
    fields = ("hours_available", "hours_required", "hours_today", "hours_recommended", "contacts_today",
              "contacts_recommended", "support_budget", "support_today", "support_recommended", "pr_budget",
              "pr_today", "pr_recommended", "contribution_today", "contribution", "support_price", "pr_price",
              "extra_manager_hours", "extra_manager_value")
    status = freshness_of(s, current=inputs_now)
    return {"id": s.pk, "name": s.name, "period": s.period.code, "parameters": s.parameters,
            "as_of": status.when, "out_of_date": status.out_of_date,
            "what_ifs": services.describe_parameters(s.parameters, names or {}, strategy_names or {}),
            "status": s.status, "computed": s.is_computed, "computed_at": s.computed_at, "seconds": s.seconds,
            "method": s.method, "conflicts": _conflicts_out(s), "account_count": s.account_count,
            "gain": s.gain, "created_at": s.created_at, "created_by": s.created_by_id, "applied_at": s.applied_at,
            **{f: getattr(s, f) for f in fields}}


def _names() -> tuple[dict, dict]:
    from kundennetz.core.models import User

    people = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(
        pk__in=counts.owners() | set(
            Capacity.objects.values_list("manager_id", flat=True)))}
    strategies = {k: i.name for k, i in services.account_strategies({}).catalogue.items()}
    return people, strategies


def _scenario(user, scenario_id: int, action: str = VIEW) -> Scenario:
    """Scenarios are for those who see planning (403 for the others, whichever id they name); then the
    scenario if `user` may `action` it (404 when there is none, 403 when they may not change it)."""
    _require_view(user)
    return get_for(Scenario.objects.select_related("period"), user, scenario_id, action)


def _parameter_errors(exc: services.InvalidParameters) -> None:
    errors = FieldErrors(prefix=("body", "parameters"))
    for loc, message in exc.items:
        errors.add(loc, message)
    errors.raise_if_any()


# --- the plan the strategies imply -----------------------------------------------------------------


@router.get("plan", response={200: PlanOut, **COMMON_ERRORS}, summary="Required against available hours")
def read_plan(request, period: Optional[Text] = None):
    """Per account manager the hours their accounts' strategies ask for against the hours available, and
    in total hours and money. An account manager gets only their own row and no totals."""
    if not can_open_planning(request.auth):
        raise PermissionDenied(_("You may not see the plan."))
    record = period_to_read(period or services.current_period_code())
    full = can_view_planning(request.auth)
    plan = services.implied_plan(record, manager=None if full else request.auth.pk)
    rows = plan.rows if full else [r for r in plan.rows if r.manager_id == request.auth.pk]
    out = {"period": record.code, "live": plan.as_of.live, "managers": [
        {"manager": r.manager_id, "name": r.name, "accounts": r.accounts, "available_hours": r.available,
         "required_hours": r.required, "minimum_hours": r.minimum, "contacts": r.contacts, "balance_hours": r.balance,
         "capacity_entered": r.has_capacity} for r in rows]}
    if full:
        out.update(accounts=plan.accounts, hours_available=plan.hours_available, hours_required=plan.hours_required,
                   support_budget=plan.support_budget, support_required=plan.support_required,
                   pr_budget=plan.pr_budget, pr_required=plan.pr_required, portfolio_snapshot=plan.snapshot)
    return out


# --- scenarios -------------------------------------------------------------------------------------


@router.get("scenarios", response={200: ScenarioPage, **COMMON_ERRORS}, summary="Scenarios")
def list_scenarios(request, page: Query[Page], period: Optional[Text] = None):
    _require_view(request.auth)
    queryset = restrict(Scenario.objects.select_related("period"), request.auth).order_by("-created_at", "-pk")
    if period:
        queryset = queryset.filter(period__code=checked_period_code(period))
    names, strategies = _names()
    inputs_now = scenario_inputs()  # one query for the whole page
    found = page_of(queryset, page.offset, page.limit)
    return {**found, "items": [_scenario_out(s, names, strategies, inputs_now) for s in found["items"]]}


@router.post("scenarios", response={201: ScenarioOut, 202: JobOut, **WRITE_ERRORS},
             summary="Create (and compute) a scenario")
def create_scenario(request, payload: ScenarioIn):
    """Sales head and admin. With `compute` (default) the scenario is created and its computation
    queued: 202 with the job (`record` is the new scenario's address; poll `GET /api/jobs/{id}` until
    `done`, or `failed` when no plan meets every minimum: the scenario then names its `conflicts`).
    With `compute` false: 201 with the scenario, not computed."""
    require_plan(request.auth)
    errors = FieldErrors()
    period = period_into(errors, payload.period)
    if not payload.name:
        errors.add("name", _("This field is required."))
    elif Scenario.objects.filter(name=payload.name).exists():
        errors.add("name", _("A scenario with this name exists already."))
    errors.raise_if_any()
    try:
        scenario = services.create_scenario(payload.name, period, payload.parameters, request.auth, compute=False)
    except services.InvalidParameters as exc:
        _parameter_errors(exc)
    except DjangoValidationError as exc:
        raise_django(exc)
    if payload.compute:
        return Status(202, tasks.start_compute(scenario, request.auth))
    names, strategies = _names()
    return Status(201, _scenario_out(Scenario.objects.select_related("period").get(pk=scenario.pk), names,
                                     strategies))


@router.get("scenarios/compare", response={200: ComparisonOut, **COMMON_ERRORS}, summary="Scenarios side by side")
def compare_scenarios(request, s: list[int] = Query(..., description="Scenario ids, at least two.")):
    """`?s=1&s=2`: totals, contributions and shadow prices of each, side by side."""
    _require_view(request.auth)
    ids = s
    errors = FieldErrors(prefix=("query",))
    wanted = [i for i in ids if 1 <= i <= MAX_ID]
    found = restrict(Scenario.objects.filter(pk__in=wanted), request.auth).select_related("period")
    scenarios = {s.pk: s for s in found}
    missing = [i for i in ids if i not in scenarios]
    if missing:
        errors.add("s", _("These scenarios do not exist: %(ids)s") % {"ids": ", ".join(map(str, missing))})
    if len(set(ids)) < 2:
        errors.add("s", _("Choose at least two scenarios to compare."))
    errors.raise_if_any()
    ordered = [scenarios[i] for i in dict.fromkeys(ids)]
    table = services.comparison(ordered)
    return {"scenarios": [s.pk for s in ordered],
            "rows": [{"figure": r["name"], "label": r["label"], "values": r["values"]} for r in table["rows"]]}


@router.get("scenarios/{int:scenario_id}", response={200: ScenarioOut, **RECORD_ERRORS}, summary="Read a scenario")
def read_scenario(request, scenario_id: int):
    scenario = _scenario(request.auth, scenario_id)
    names, strategies = _names()
    return _scenario_out(scenario, names, strategies)


@router.patch("scenarios/{int:scenario_id}", response={200: ScenarioOut, **WRITE_ERRORS},
              summary="Rename a scenario or change its what-ifs")
def update_scenario(request, scenario_id: int, payload: PatchDict[ScenarioChange]):
    """Changed what-ifs drop the result: compute the scenario again."""
    scenario = _scenario(request.auth, scenario_id, CHANGE)
    errors = FieldErrors()
    if "name" in payload:
        if not payload["name"]:
            errors.add("name", _("This field is required."))
        elif Scenario.objects.filter(name=payload["name"]).exclude(pk=scenario.pk).exists():
            errors.add("name", _("A scenario with this name exists already."))
        scenario.name = payload["name"]
    errors.raise_if_any()
    if "parameters" in payload:
        try:
            cleaned = services.clean_parameters(payload["parameters"], scenario.period)
        except services.InvalidParameters as exc:
            _parameter_errors(exc)
        if cleaned != scenario.parameters:
            if scenario.status == Scenario.Status.APPLIED:
                raise PermissionDenied(_("The applied scenario is the plan of its period; create a new scenario "
                                         "to try other what-ifs."))
            scenario.parameters = cleaned
            scenario.account_results.all().delete()
            scenario.manager_results.all().delete()
            services.reset_totals(scenario)
            scenario.computed_at, scenario.conflicts = None, []
    try:
        save_record(scenario, request.auth)
    except DjangoValidationError as exc:
        raise_django(exc)
    names, strategies = _names()
    return _scenario_out(_scenario(request.auth, scenario.pk), names, strategies)


@router.delete("scenarios/{int:scenario_id}", response={204: None, **RECORD_ERRORS}, summary="Delete a scenario")
def delete_scenario(request, scenario_id: int):
    scenario = _scenario(request.auth, scenario_id, DELETE)
    if scenario.status == Scenario.Status.APPLIED:
        raise PermissionDenied(_("The applied scenario is the plan of its period and cannot be deleted; apply "
                                 "another one first."))
    scenario.delete()
    return Status(204, None)


@router.post("scenarios/{int:scenario_id}/compute", response={202: JobOut, **WRITE_ERRORS},
             summary="Compute a scenario (background)")
def compute_scenario(request, scenario_id: int):
    """Solves the scenario with today's records of its period, in the background: 202 with the job;
    poll `GET /api/jobs/{id}`. Once `done`, `result` is the computed scenario's address (computing the
    applied scenario makes a new draft; the plan itself stays). `failed` when no plan meets every
    minimum: `reason` says so and the scenario's `conflicts` name them (which manager, the hours their
    accounts' minimums need, the hours available)."""
    scenario = _scenario(request.auth, scenario_id, CHANGE)
    return Status(202, tasks.start_compute(scenario, request.auth))


@router.post("scenarios/{int:scenario_id}/apply", response={202: JobOut, 409: MessageOut, **RECORD_ERRORS},
             summary="Apply a scenario as the plan (background)")
def apply_scenario(request, scenario_id: int):
    """Sales head and admin: the scenario's recommendation becomes the plan of its period (the account
    plans that "my week" and the account pages show), replacing the plan applied before. 202 with the
    job; 409 at once when the scenario has no plan to apply."""
    scenario = _scenario(request.auth, scenario_id, CHANGE)
    try:
        job = tasks.start_apply(scenario, request.auth)
    except DjangoValidationError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    return Status(202, job)


@router.get("scenarios/{int:scenario_id}/managers", response={200: list[ScenarioManagerOut], **RECORD_ERRORS},
            summary="A scenario per account manager")
def scenario_managers(request, scenario_id: int):
    scenario = _scenario(request.auth, scenario_id)
    rows = restrict(ScenarioManager.objects.filter(scenario=scenario), request.auth).order_by("order")
    return [{"manager": m.manager_id, "name": m.label, "accounts": m.account_count,
             "available_hours": m.available_hours, "relief_hours": m.relief_hours, "required_hours": m.required_hours,
             "minimum_hours": m.minimum_hours, "hours_today": m.hours_today, "hours": m.hours,
             "hour_price": m.hour_price} for m in rows]


@router.get("scenarios/{int:scenario_id}/accounts", response={200: ScenarioAccountPage, **RECORD_ERRORS},
            summary="A scenario per account")
def scenario_accounts(request, scenario_id: int, page: Query[Page], manager: Optional[QueryId] = None):
    """Today's plan next to the recommendation for every account, by account name."""
    scenario = _scenario(request.auth, scenario_id)
    queryset = (visible_plans(ScenarioAccount.objects.filter(scenario=scenario), request.auth)
                .select_related("account", "manager").order_by("account__name", "account_id"))
    if manager:
        queryset = queryset.filter(manager_id=manager)
    numbers = ("hours_min", "hours_max", "contact_hours", "hours_today", "hours", "contacts_today", "contacts",
               "support_today", "support", "pr_today", "pr", "contribution_today", "contribution")
    found = page_of(queryset, page.offset, page.limit)
    items = [{"account": r.account_id, "name": r.account.name, "manager": r.manager_id,
              "manager_name": (r.manager.get_full_name() or r.manager.username) if r.manager else r.manager_label,
              "strategy": r.strategy, **{n: getattr(r, n) for n in numbers}}
             for r in found["items"]]
    return {**found, "items": items}
