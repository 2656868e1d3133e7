"""Planning in the JSON API: capacities, budgets, the plan the strategies imply, scenarios (create,
compute, read, compare, apply) and the plan of an account with its estimates.

Same rules as the web pages: sales head and admin change capacities, budgets and scenarios and apply
plans; marketing and read-only see them; an account manager sees their own capacity and the plan of
the accounts they may see, but not the colleagues' capacities or the scenarios (403). Invalid input
answers 422 with the field in ``loc``; a scenario without a plan that meets every minimum answers 409
with the conflicts named (which manager, hours required against available).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Optional

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Router, Schema, Status

from kundennetz.accounts.models import Account
from kundennetz.core.api_errors import (
    COMMON_ERRORS,
    RECORD_ERRORS,
    WRITE_ERRORS,
    FieldErrors,
    MessageOut,
)
from kundennetz.core import concurrency
from kundennetz.core.api_types import MAX_ID, Id, InputSchema, QueryId, Text
from kundennetz.core.permissions import CHANGE, get_for
from kundennetz.core.services import save_record
from kundennetz.domain import capacity as domain_capacity

from . import services
from .models import (
    Budget,
    Capacity,
    Period,
    ResponseEstimate,
    Scenario,
    ScenarioAccount,
    ScenarioManager,
)
from .permissions import can_open_planning, can_plan, can_view_planning, visible_capacities, visible_plans

router = Router(tags=["planning"])


class Page(Schema):
    limit: int = Field(50, ge=1, le=500, description="How many records to return (1–500).")
    offset: int = Field(0, ge=0, le=10**9, description="How many records to skip.")


PeriodCode = Field(description="A year (\"2026\") or a quarter (\"2026-Q3\").")


# --- schemas ---------------------------------------------------------------------------------------


class CapacityIn(InputSchema):
    manager: Id
    period: Text = PeriodCode
    fte: Decimal = Field(Decimal("1"), description="Share of a full-time position, 0–1.")
    working_days: Decimal = Field(description="Working days of a full-time position in the period.")
    care_share_pct: Decimal = Field(Decimal("60"), description="Share of the time for customer care, 0–100.")
    absence_days: Decimal = Decimal("0")
    hours_per_day: Decimal | None = Field(None, description="Default: the setting “hours per day” (8.4).")
    note: Text = ""


class CapacityChange(InputSchema):
    fte: Decimal
    working_days: Decimal
    care_share_pct: Decimal
    absence_days: Decimal
    hours_per_day: Decimal
    note: Text


class CapacityOut(Schema):
    id: int
    version: int = Field(description="Raised by each change; the ETag (send it back in If-Match).")
    manager: int
    manager_name: str
    period: str
    fte: Decimal
    working_days: Decimal
    care_share_pct: Decimal
    absence_days: Decimal
    hours_per_day: Decimal
    available_hours: float = Field(description="FTE × (working days − absences) × hours per day × care share.")
    note: str
    updated_at: datetime


class CapacityPage(Schema):
    items: list[CapacityOut]
    count: int


class BudgetIn(InputSchema):
    sales_support: Decimal = Field(description="CHF for sales support in the period.")
    pr: Decimal = Field(description="CHF for communication/PR in the period.")
    note: Text = ""


class BudgetOut(Schema):
    period: str
    sales_support: Decimal
    pr: Decimal
    note: str
    updated_at: datetime


class BudgetPage(Schema):
    items: list[BudgetOut]
    count: int


class ManagerLoadOut(Schema):
    manager: int
    name: str
    accounts: int
    available_hours: float
    required_hours: float = Field(description="What the strategies of their accounts ask for.")
    minimum_hours: float
    contacts: float
    balance_hours: float = Field(description="Slack when positive, overload when negative.")
    capacity_entered: bool


class PlanOut(Schema):
    period: str
    managers: list[ManagerLoadOut]
    accounts: Optional[int] = None
    hours_available: Optional[float] = None
    hours_required: Optional[float] = None
    support_budget: Optional[float] = None
    support_required: Optional[float] = None
    pr_budget: Optional[float] = None
    pr_required: Optional[float] = None
    portfolio_snapshot: Optional[str] = Field(None, description="Snapshot the strategies come from, if any.")


class ConflictOut(Schema):
    kind: Literal["manager", "budget", "account"]
    name: str
    required: float
    available: float
    message: str = Field(description="In your language, naming what conflicts.")


class ScenarioIn(InputSchema):
    name: Text
    period: Text = PeriodCode
    parameters: dict[str, Any] = Field(default_factory=dict, description=(
        "What-ifs, any combination: budget_factor {support, pr} (0.8 = 20 % less); extra_managers "
        "[{name, hours, accounts}] (no accounts: they relieve the busiest colleagues); removed_managers "
        "[{manager, to}] (to: who takes the accounts, null = the colleague with most hours to spare); "
        "segment_strategies [{segment, strategy}]; moved_accounts [{accounts, to} or {from, segment, to}]; "
        "visits \"continuous\" | \"whole\" | \"at_least_one\"; extra_manager_hours (hours of the additional "
        "manager whose value is reported)."))
    compute: bool = Field(True, description="Compute right away (the answer then carries the result).")


class ScenarioChange(InputSchema):
    name: Text
    parameters: dict[str, Any]


class ScenarioOut(Schema):
    id: int
    name: str
    period: str
    parameters: dict
    what_ifs: list[str] = Field(description="The what-ifs in words, in your language.")
    status: Literal["draft", "applied"]
    computed: bool
    computed_at: Optional[datetime]
    seconds: Optional[float]
    method: str
    conflicts: list[ConflictOut]
    account_count: int
    hours_available: Optional[float]
    hours_required: Optional[float]
    hours_today: Optional[float]
    hours_recommended: Optional[float]
    contacts_today: Optional[float]
    contacts_recommended: Optional[float]
    support_budget: Optional[float]
    support_today: Optional[float]
    support_recommended: Optional[float]
    pr_budget: Optional[float]
    pr_today: Optional[float]
    pr_recommended: Optional[float]
    contribution_today: Optional[float] = Field(description="Expected contribution of today's plan.")
    contribution: Optional[float] = Field(description="Expected contribution of the recommendation.")
    gain: Optional[float]
    support_price: Optional[float] = Field(description="What one more franc of sales support would add.")
    pr_price: Optional[float] = Field(description="What one more franc of PR would add.")
    extra_manager_hours: Optional[float]
    extra_manager_value: Optional[float] = Field(description="What an additional account manager would add.")
    created_at: datetime
    created_by: Optional[int]
    applied_at: Optional[datetime]


class ScenarioPage(Schema):
    items: list[ScenarioOut]
    count: int


class ScenarioManagerOut(Schema):
    manager: Optional[int] = Field(description="null for an additional manager of the scenario.")
    name: str
    accounts: int
    available_hours: float
    relief_hours: float = Field(description="Hours an additional manager takes over from them.")
    required_hours: float
    minimum_hours: float
    hours_today: float
    hours: float
    hour_price: float = Field(description="What one more of their hours would add (shadow price, CHF).")


class ScenarioAccountOut(Schema):
    account: int
    name: str
    manager: Optional[int]
    manager_name: str
    strategy: str
    hours_min: float
    hours_max: float
    contact_hours: float
    hours_today: float
    hours: float
    contacts_today: float
    contacts: float
    support_today: float
    support: float
    pr_today: float
    pr: float
    contribution_today: float
    contribution: float


class ScenarioAccountPage(Schema):
    items: list[ScenarioAccountOut]
    count: int


class ComparisonRowOut(Schema):
    figure: str
    label: str
    values: list[Optional[float]]


class ComparisonOut(Schema):
    scenarios: list[int]
    rows: list[ComparisonRowOut]


class ApplyOut(Schema):
    scenario: int
    period: str
    plans: int


class IntensityOut(Schema):
    key: str
    name: str
    source: Literal["portfolio", "default"]
    contacts_min: float
    contacts_max: float
    min_per_quarter: float
    hours: float


class AccountPlanOut(Schema):
    period: str
    scenario: Optional[int]
    contacts: int
    hours: float
    support: Decimal
    pr: Decimal
    expected_contribution: Optional[float]


class RecommendationOut(Schema):
    scenario: int
    scenario_name: str
    applied: bool
    contacts: float
    hours: float
    support: float
    pr: float
    contribution: float
    contribution_today: float


class EstimateIn(InputSchema):
    current_hours: Decimal
    at_zero: Decimal
    at_current: Decimal
    at_150: Decimal
    at_saturation: Decimal
    saturation_hours: Optional[Decimal] = None


class EstimateOut(Schema):
    period: str
    current_hours: Decimal
    at_zero: Decimal
    at_current: Decimal
    at_150: Decimal
    at_saturation: Decimal
    saturation_hours: Optional[Decimal]
    m: float
    b: float
    baseline: float
    rms_error: float
    warnings: list[str]


class PlannedOut(Schema):
    contacts: float = Field(description="Planned contacts in the period, rounded to one decimal.")
    hours: float
    period: str
    source: str = Field(description="adopted (the adopted allocation), strategy (implied by the portfolio "
                                    "strategy today) or default (implied by the customer group's default).")
    basis: str = Field(description="The adopted scenario's or the strategy's name.")
    label: str


class AccountPlanningOut(Schema):
    account: int
    period: Optional[str]
    planned: Optional[PlannedOut] = Field(None, description="The one planned figure every page shows.")
    plan: Optional[AccountPlanOut]
    recommendation: Optional[RecommendationOut]
    intensity: Optional[IntensityOut]
    estimate: Optional[EstimateOut]


class InfeasibleOut(Schema):
    detail: str
    conflicts: list[ConflictOut]


# --- helpers ---------------------------------------------------------------------------------------


def _period(code: str, loc: tuple = ("query", "period")) -> Period:
    try:
        return Period.get(code)
    except DjangoValidationError:
        errors = FieldErrors(prefix=())
        errors.add(loc, _("Enter a year (2026) or a quarter (2026-Q3)."))
        errors.raise_if_any()


def _period_code(code: str, loc: tuple = ("query", "period")) -> str:
    """The code of a period named in a read: checked, but no period row is made for it (reading never
    writes; a period nobody planned holds nothing)."""
    try:
        return domain_capacity.parse_period(code).code
    except ValueError:
        errors = FieldErrors(prefix=())
        errors.add(loc, _("Enter a year (2026) or a quarter (2026-Q3)."))
        errors.raise_if_any()
        raise


def _require_plan(user) -> None:
    if not can_plan(user):
        raise PermissionDenied(_("Only a sales head or an admin may change planning."))


def _require_view(user) -> None:
    if not can_view_planning(user):
        raise PermissionDenied(_("Scenarios are for the sales head, admin, marketing and read-only users."))


def _raise_django(exc: DjangoValidationError, prefix=("body",)) -> None:
    errors = FieldErrors(prefix=prefix)
    errors.add_django(exc)
    errors.raise_if_any()


def _capacity_out(c: Capacity) -> dict:
    return {"id": c.pk, "version": c.version, "manager": c.manager_id, "manager_name": c.manager.get_full_name() or c.manager.username,
            "period": c.period.code, "fte": c.fte, "working_days": c.working_days, "care_share_pct": c.care_share_pct,
            "absence_days": c.absence_days, "hours_per_day": c.hours_per_day, "available_hours": c.available_hours,
            "note": c.note, "updated_at": c.updated_at}


def _capacities():
    return Capacity.objects.select_related("manager", "period")


def _conflicts_out(scenario: Scenario) -> list[dict]:
    return [{"kind": c["kind"], "name": c.get("label") or c["name"], "required": c["required"],
             "available": c["available"], "message": services.conflict_message(c, scenario.period.code)}
            for c in scenario.conflicts]


def _scenario_out(s: Scenario, names: dict | None = None, strategy_names: dict | None = None) -> dict:
    fields = ("hours_available", "hours_required", "hours_today", "hours_recommended", "contacts_today",
              "contacts_recommended", "support_budget", "support_today", "support_recommended", "pr_budget",
              "pr_today", "pr_recommended", "contribution_today", "contribution", "support_price", "pr_price",
              "extra_manager_hours", "extra_manager_value")
    return {"id": s.pk, "name": s.name, "period": s.period.code, "parameters": s.parameters,
            "what_ifs": services.describe_parameters(s.parameters, names or {}, strategy_names or {}),
            "status": s.status, "computed": s.is_computed, "computed_at": s.computed_at, "seconds": s.seconds,
            "method": s.method, "conflicts": _conflicts_out(s), "account_count": s.account_count,
            "gain": s.gain, "created_at": s.created_at, "created_by": s.created_by_id, "applied_at": s.applied_at,
            **{f: getattr(s, f) for f in fields}}


def _names() -> tuple[dict, dict]:
    from kundennetz.core.models import User

    people = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(
        pk__in=set(Account.objects.order_by().values_list("owner_id", flat=True).distinct()) | set(
            Capacity.objects.values_list("manager_id", flat=True)))}
    strategies = {k: i.name for k, i in services.account_strategies({}).catalogue.items()}
    return people, strategies


def _scenario(scenario_id: int) -> Scenario:
    return get_object_or_404(Scenario.objects.select_related("period"), pk=scenario_id)


def _parameter_errors(exc: services.InvalidParameters) -> None:
    errors = FieldErrors(prefix=("body", "parameters"))
    for loc, message in exc.items:
        errors.add(loc, message)
    errors.raise_if_any()


# --- capacities ------------------------------------------------------------------------------------


@router.get("capacities", response={200: CapacityPage, **COMMON_ERRORS}, summary="Capacities")
def list_capacities(request, page: Query[Page], period: Optional[Text] = None, manager: Optional[QueryId] = None):
    """Sales head, admin, marketing and read-only see all; an account manager their own."""
    if not can_open_planning(request.auth):
        raise PermissionDenied(_("You may not see capacities."))
    queryset = visible_capacities(_capacities(), request.auth).order_by("-period__start", "manager__last_name", "pk")
    if period:
        queryset = queryset.filter(period__code=_period_code(period))
    if manager:
        queryset = queryset.filter(manager_id=manager)
    return {"items": [_capacity_out(c) for c in queryset[page.offset:page.offset + page.limit]],
            "count": queryset.count()}


@router.post("capacities", response={201: CapacityOut, **WRITE_ERRORS}, summary="Enter a capacity")
def create_capacity(request, payload: CapacityIn):
    _require_plan(request.auth)
    from kundennetz.core.models import User

    errors = FieldErrors()
    period = None
    try:
        period = Period.get(payload.period)
    except DjangoValidationError:
        errors.add("period", _("Enter a year (2026) or a quarter (2026-Q3)."))
    manager = User.objects.filter(pk=payload.manager).first()
    if manager is None:
        errors.add("manager", _("Select a valid choice. That choice is not one of the available choices."))
    if manager is not None and period is not None and Capacity.objects.filter(manager=manager, period=period).exists():
        errors.add("manager", _("%(manager)s already has a capacity in %(period)s; change that one.") % {
            "manager": manager, "period": period.code})
    errors.raise_if_any()
    data = payload.dict(exclude={"manager", "period"})
    if data.get("hours_per_day") is None:
        from .models import default_hours_per_day

        data["hours_per_day"] = default_hours_per_day()
    capacity = Capacity(manager=manager, period=period, **data)
    try:
        save_record(capacity, request.auth)
    except DjangoValidationError as exc:
        _raise_django(exc)
    return Status(201, _capacity_out(_capacities().get(pk=capacity.pk)))


def _visible_capacity(user, capacity_id: int) -> Capacity:
    capacity = visible_capacities(_capacities(), user).filter(pk=capacity_id).first()
    if capacity is None:
        raise Http404(_("No %(verbose_name)s found matching the query") % {"verbose_name": Capacity._meta.verbose_name})
    return capacity


@router.get("capacities/{int:capacity_id}", response={200: CapacityOut, **RECORD_ERRORS}, summary="Read a capacity")
def read_capacity(request, capacity_id: int):
    return _capacity_out(concurrency.record(_visible_capacity(request.auth, capacity_id)))


@router.patch("capacities/{int:capacity_id}", response={200: CapacityOut, **WRITE_ERRORS},
              summary="Change a capacity")
def update_capacity(request, capacity_id: int, payload: PatchDict[CapacityChange]):
    capacity = _visible_capacity(request.auth, capacity_id)
    _require_plan(request.auth)
    concurrency.record(capacity)
    for name, value in payload.items():
        setattr(capacity, name, value)
    try:
        save_record(capacity, request.auth)
    except DjangoValidationError as exc:
        _raise_django(exc)
    return _capacity_out(_capacities().get(pk=capacity.pk))


@router.delete("capacities/{int:capacity_id}", response={204: None, **RECORD_ERRORS}, summary="Delete a capacity")
def delete_capacity(request, capacity_id: int):
    capacity = _visible_capacity(request.auth, capacity_id)
    _require_plan(request.auth)
    concurrency.record(capacity)
    capacity._history_user = request.auth
    capacity.delete()
    return Status(204, None)


# --- budgets ---------------------------------------------------------------------------------------


def _budget_out(b: Budget) -> dict:
    return {"period": b.period.code, "sales_support": b.sales_support, "pr": b.pr, "note": b.note,
            "updated_at": b.updated_at}


@router.get("budgets", response={200: BudgetPage, **COMMON_ERRORS}, summary="Budgets")
def list_budgets(request, page: Query[Page]):
    """Sales head, admin, marketing and read-only."""
    if not can_view_planning(request.auth):
        raise PermissionDenied(_("You may not see the budgets."))
    queryset = Budget.objects.select_related("period").order_by("-period__start", "period__kind")
    return {"items": [_budget_out(b) for b in queryset[page.offset:page.offset + page.limit]],
            "count": queryset.count()}


@router.get("budgets/{period}", response={200: BudgetOut, **RECORD_ERRORS}, summary="The budget of a period")
def read_budget(request, period: str):
    if not can_view_planning(request.auth):
        raise PermissionDenied(_("You may not see the budgets."))
    budget = Budget.objects.select_related("period").filter(
        period__code=_period_code(period, ("path", "period"))).first()
    if budget is None:
        raise Http404(_("No budget has been entered for %(period)s.") % {"period": period})
    return _budget_out(concurrency.record(budget))


@router.put("budgets/{period}", response={200: BudgetOut, **WRITE_ERRORS}, summary="Set the budget of a period")
def set_budget(request, period: str, payload: BudgetIn):
    _require_plan(request.auth)
    record = _period(period, ("path", "period"))

    def change(budget):
        concurrency.require_absent_if_match(budget.pk is not None)
        concurrency.record(budget if budget.pk else None)
        for name, value in payload.dict().items():
            setattr(budget, name, value)
        return save_record(budget, request.auth)

    try:
        budget = concurrency.upsert(Budget, {"period": record}, change)
    except DjangoValidationError as exc:
        _raise_django(exc)
    return _budget_out(concurrency.record(Budget.objects.select_related("period").get(pk=budget.pk)))


# --- the plan the strategies imply -----------------------------------------------------------------


@router.get("plan", response={200: PlanOut, **COMMON_ERRORS}, summary="Required against available hours")
def read_plan(request, period: Optional[Text] = None):
    """Per account manager the hours their accounts' strategies ask for against the hours available, and
    in total hours and money. An account manager gets only their own row and no totals."""
    if not can_open_planning(request.auth):
        raise PermissionDenied(_("You may not see the plan."))
    record = _period(period or services.current_period_code())
    plan = services.implied_plan(record)
    full = can_view_planning(request.auth)
    rows = plan.rows if full else [r for r in plan.rows if r.manager_id == request.auth.pk]
    out = {"period": record.code, "managers": [
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
    queryset = Scenario.objects.select_related("period").order_by("-created_at", "-pk")
    if period:
        queryset = queryset.filter(period__code=_period_code(period))
    names, strategies = _names()
    return {"items": [_scenario_out(s, names, strategies) for s in queryset[page.offset:page.offset + page.limit]],
            "count": queryset.count()}


@router.post("scenarios", response={201: ScenarioOut, **WRITE_ERRORS}, summary="Create (and compute) a scenario")
def create_scenario(request, payload: ScenarioIn):
    """Sales head and admin. With `compute` (default) the answer carries the result; a scenario whose
    minimums cannot be met is still created, with `computed` false and the `conflicts` named."""
    _require_plan(request.auth)
    errors = FieldErrors()
    period = None
    try:
        period = Period.get(payload.period)
    except DjangoValidationError:
        errors.add("period", _("Enter a year (2026) or a quarter (2026-Q3)."))
    if not payload.name:
        errors.add("name", _("This field is required."))
    elif Scenario.objects.filter(name=payload.name).exists():
        errors.add("name", _("A scenario with this name exists already."))
    errors.raise_if_any()
    try:
        scenario = services.create_scenario(payload.name, period, payload.parameters, request.auth,
                                            compute=payload.compute)
    except services.InvalidParameters as exc:
        _parameter_errors(exc)
    except DjangoValidationError as exc:
        _raise_django(exc)
    except services.PlanningError:
        scenario = Scenario.objects.get(name=payload.name)
    scenario.refresh_from_db()
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
    scenarios = {s.pk: s for s in Scenario.objects.filter(pk__in=wanted).select_related("period")}
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
    _require_view(request.auth)
    names, strategies = _names()
    return _scenario_out(_scenario(scenario_id), names, strategies)


@router.patch("scenarios/{int:scenario_id}", response={200: ScenarioOut, **WRITE_ERRORS},
              summary="Rename a scenario or change its what-ifs")
def update_scenario(request, scenario_id: int, payload: PatchDict[ScenarioChange]):
    """Changed what-ifs drop the result: compute the scenario again."""
    scenario = _scenario(scenario_id)
    _require_plan(request.auth)
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
            services._reset_totals(scenario)
            scenario.computed_at, scenario.conflicts = None, []
    try:
        save_record(scenario, request.auth)
    except DjangoValidationError as exc:
        _raise_django(exc)
    names, strategies = _names()
    return _scenario_out(_scenario(scenario.pk), names, strategies)


@router.delete("scenarios/{int:scenario_id}", response={204: None, **RECORD_ERRORS}, summary="Delete a scenario")
def delete_scenario(request, scenario_id: int):
    scenario = _scenario(scenario_id)
    _require_plan(request.auth)
    if scenario.status == Scenario.Status.APPLIED:
        raise PermissionDenied(_("The applied scenario is the plan of its period and cannot be deleted; apply "
                                 "another one first."))
    scenario.delete()
    return Status(204, None)


@router.post("scenarios/{int:scenario_id}/compute", response={200: ScenarioOut, 409: InfeasibleOut, **WRITE_ERRORS},
             summary="Compute a scenario")
def compute_scenario(request, scenario_id: int):
    """Solves the scenario with today's records of its period. 409 when no plan meets every minimum:
    `conflicts` names them (which manager, the hours their accounts' minimums need, the hours available)."""
    scenario = _scenario(scenario_id)
    _require_plan(request.auth)
    try:
        computed = services.compute_scenario(scenario, request.auth)
    except services.InvalidParameters as exc:
        _parameter_errors(exc)
    except services.PlanningError as exc:
        scenario = getattr(exc, "scenario", scenario)
        scenario.refresh_from_db()
        conflicts = _conflicts_out(scenario)
        return Status(409, {"detail": _("No plan meets every minimum: %(reasons)s") % {
            "reasons": " ".join(exc.messages)}, "conflicts": conflicts})
    names, strategies = _names()
    # Computing the applied scenario makes a new draft (returned here); the plan itself stays.
    return _scenario_out(_scenario(computed.pk), names, strategies)


@router.post("scenarios/{int:scenario_id}/apply", response={200: ApplyOut, 409: MessageOut, **RECORD_ERRORS},
             summary="Apply a scenario as the plan")
def apply_scenario(request, scenario_id: int):
    """Sales head and admin: the scenario's recommendation becomes the plan of its period (the account
    plans that "my week" and the account pages show), replacing the plan applied before."""
    scenario = _scenario(scenario_id)
    _require_plan(request.auth)
    try:
        count = services.apply_scenario(scenario, request.auth)
    except DjangoValidationError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    return {"scenario": scenario.pk, "period": scenario.period.code, "plans": count}


@router.get("scenarios/{int:scenario_id}/managers", response={200: list[ScenarioManagerOut], **RECORD_ERRORS},
            summary="A scenario per account manager")
def scenario_managers(request, scenario_id: int):
    scenario = _scenario(scenario_id)
    _require_view(request.auth)
    rows = ScenarioManager.objects.filter(scenario=scenario).order_by("order")
    return [{"manager": m.manager_id, "name": m.label, "accounts": m.account_count,
             "available_hours": m.available_hours, "relief_hours": m.relief_hours, "required_hours": m.required_hours,
             "minimum_hours": m.minimum_hours, "hours_today": m.hours_today, "hours": m.hours,
             "hour_price": m.hour_price} for m in rows]


@router.get("scenarios/{int:scenario_id}/accounts", response={200: ScenarioAccountPage, **RECORD_ERRORS},
            summary="A scenario per account")
def scenario_accounts(request, scenario_id: int, page: Query[Page], manager: Optional[QueryId] = None):
    """Today's plan next to the recommendation for every account, by account name."""
    scenario = _scenario(scenario_id)
    _require_view(request.auth)
    queryset = (visible_plans(ScenarioAccount.objects.filter(scenario=scenario), request.auth)
                .select_related("account", "manager").order_by("account__name", "account_id"))
    if manager:
        queryset = queryset.filter(manager_id=manager)
    numbers = ("hours_min", "hours_max", "contact_hours", "hours_today", "hours", "contacts_today", "contacts",
               "support_today", "support", "pr_today", "pr", "contribution_today", "contribution")
    items = [{"account": r.account_id, "name": r.account.name, "manager": r.manager_id,
              "manager_name": (r.manager.get_full_name() or r.manager.username) if r.manager else r.manager_label,
              "strategy": r.strategy, **{n: getattr(r, n) for n in numbers}}
             for r in queryset[page.offset:page.offset + page.limit]]
    return {"items": items, "count": queryset.count()}


# --- one account -----------------------------------------------------------------------------------


def _visible_account(user, account_id: int) -> Account:
    return get_for(Account.objects.select_related("segment"), user, account_id)


def _estimate_out(e: ResponseEstimate) -> dict:
    return {"period": e.period.code, "current_hours": e.current_hours, "at_zero": e.at_zero,
            "at_current": e.at_current, "at_150": e.at_150, "at_saturation": e.at_saturation,
            "saturation_hours": e.saturation_hours, "m": e.m, "b": e.b, "baseline": e.baseline,
            "rms_error": e.rms_error, "warnings": e.warnings}


@router.get("accounts/{int:account_id}/plan", response={200: AccountPlanningOut, **RECORD_ERRORS},
            summary="The plan of an account")
def read_account_plan(request, account_id: int, period: Optional[Text] = None):
    """The applied plan (planned contacts, hours, money), the intensity its strategy asks for and the
    manager's estimates; for sales head, admin, marketing and read-only also the latest recommendation."""
    account = _visible_account(request.auth, account_id)
    record = None
    if period:
        record = _period(period)
    view = services.account_plan(account, record, drafts=can_view_planning(request.auth))
    out = {"account": account.pk, "period": view.period.code if view.period else None, "plan": None,
           "recommendation": None, "intensity": None, "estimate": None, "planned": None}
    if record is None:
        from .figures import as_dict, planned_for

        figure = planned_for(account)
        out["planned"] = as_dict(figure) if figure is not None else None
    if view.plan is not None:
        p = view.plan
        out["plan"] = {"period": view.period.code, "scenario": p.scenario_id, "contacts": p.contacts, "hours": p.hours,
                       "support": p.support, "pr": p.pr, "expected_contribution": p.expected_contribution}
    rec = view.recommendation
    if rec is not None:
        out["recommendation"] = {
            "scenario": rec.scenario_id, "scenario_name": rec.scenario.name,
            "applied": rec.scenario.status == Scenario.Status.APPLIED, "contacts": rec.contacts, "hours": rec.hours,
            "support": rec.support, "pr": rec.pr, "contribution": rec.contribution,
            "contribution_today": rec.contribution_today}
    if view.intensity is not None:
        i = view.intensity
        out["intensity"] = {"key": i.key, "name": i.name, "source": i.source, "contacts_min": i.contacts_min,
                            "contacts_max": i.contacts_max, "min_per_quarter": i.min_per_quarter, "hours": i.hours}
    if view.estimate is not None:
        view.estimate.period = view.period
        out["estimate"] = _estimate_out(view.estimate)
    return out


@router.put("accounts/{int:account_id}/estimates/{period}", response={200: EstimateOut, **WRITE_ERRORS},
            summary="Enter a manager's estimates (CALLPLAN)")
def set_estimates(request, account_id: int, period: str, payload: EstimateIn):
    """The expected contribution in the period with no effort, today's effort (in hours), 150 % of it and at
    saturation; the fitted curve replaces the default one in the next computed scenario. For whoever may
    change the account."""
    account = get_for(Account.objects.all(), request.auth, account_id, CHANGE)
    record = _period(period, ("path", "period"))

    def change(estimate):
        concurrency.require_absent_if_match(estimate.pk is not None)
        concurrency.record(estimate if estimate.pk else None)
        for name, value in payload.dict().items():
            setattr(estimate, name, value)
        return save_record(estimate, request.auth)

    try:
        estimate = concurrency.upsert(ResponseEstimate, {"account": account, "period": record}, change)
    except DjangoValidationError as exc:
        _raise_django(exc)
    return _estimate_out(estimate)


@router.delete("accounts/{int:account_id}/estimates/{period}", response={204: None, **RECORD_ERRORS},
               summary="Remove a manager's estimates")
def delete_estimates(request, account_id: int, period: str):
    account = get_for(Account.objects.all(), request.auth, account_id, CHANGE)
    estimate = ResponseEstimate.objects.filter(account=account, period__code=period).first()
    if estimate is None:
        raise Http404(_("No estimates for this account and period."))
    estimate._history_user = request.auth
    estimate.delete()
    return Status(204, None)
