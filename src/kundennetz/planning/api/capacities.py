"""Capacities and budgets in the API: listed, entered, changed and deleted by those who plan."""

from typing import Optional

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import PatchDict, Query, Status

from kundennetz.core import concurrency
from kundennetz.core.api_errors import COMMON_ERRORS, FieldErrors, RECORD_ERRORS, WRITE_ERRORS
from kundennetz.core.api_types import QueryId, Text, page_of
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict
from kundennetz.core.services import save_record

from ..models import Budget, Capacity, default_hours_per_day
from ..permissions import can_open_planning, can_view_planning
from .routing import checked_period_code, period_into, period_to_write, raise_django, require_plan, router
from .schemas import (
    BudgetIn,
    BudgetOut,
    BudgetPage,
    CapacityChange,
    CapacityIn,
    CapacityOut,
    CapacityPage,
    Page,
)


# --- helpers ---------------------------------------------------------------------------------------


def _capacity_out(c: Capacity) -> dict:
    return {"id": c.pk, "version": c.version, "manager": c.manager_id, "manager_name": c.manager.get_full_name() or c.manager.username,
            "period": c.period.code, "fte": c.fte, "working_days": c.working_days, "care_share_pct": c.care_share_pct,
            "absence_days": c.absence_days, "hours_per_day": c.hours_per_day, "available_hours": c.available_hours,
            "note": c.note, "updated_at": c.updated_at}


def _capacities():
    return Capacity.objects.select_related("manager", "period")


# --- capacities ------------------------------------------------------------------------------------


@router.get("capacities", response={200: CapacityPage, **COMMON_ERRORS}, summary="Capacities")
def list_capacities(request, page: Query[Page], period: Optional[Text] = None, manager: Optional[QueryId] = None):
    """Sales head, admin, marketing and read-only see all; an account manager their own."""
    if not can_open_planning(request.auth):
        raise PermissionDenied(_("You may not see capacities."))
    queryset = restrict(_capacities(), request.auth).order_by("-period__start", "manager__last_name", "pk")
    if period:
        queryset = queryset.filter(period__code=checked_period_code(period))
    if manager:
        queryset = queryset.filter(manager_id=manager)
    found = page_of(queryset, page.offset, page.limit)
    return {**found, "items": [_capacity_out(c) for c in found["items"]]}


@router.post("capacities", response={201: CapacityOut, **WRITE_ERRORS}, summary="Enter a capacity")
def create_capacity(request, payload: CapacityIn):
    require_plan(request.auth)
    from kundennetz.core.models import User

    errors = FieldErrors()
    period = period_into(errors, payload.period)
    manager = User.objects.filter(pk=payload.manager).first()
    if manager is None:
        errors.add("manager", _("Select a valid choice. That choice is not one of the available choices."))
    if manager is not None and period is not None and Capacity.objects.filter(manager=manager, period=period).exists():
        errors.add("manager", _("%(manager)s already has a capacity in %(period)s; change that one.") % {
            "manager": manager, "period": period.code})
    errors.raise_if_any()
    data = payload.dict(exclude={"manager", "period"})
    if data.get("hours_per_day") is None:
        data["hours_per_day"] = default_hours_per_day()
    capacity = Capacity(manager=manager, period=period, **data)
    try:
        save_record(capacity, request.auth)
    except DjangoValidationError as exc:
        raise_django(exc)
    return Status(201, _capacity_out(_capacities().get(pk=capacity.pk)))


def _visible_capacity(user, capacity_id: int, action: str = VIEW) -> Capacity:
    """The capacity if `user` may `action` it: 404 when they cannot see it, 403 when they may not change it."""
    return get_for(_capacities(), user, capacity_id, action)


@router.get("capacities/{int:capacity_id}", response={200: CapacityOut, **RECORD_ERRORS}, summary="Read a capacity")
def read_capacity(request, capacity_id: int):
    return _capacity_out(concurrency.record(_visible_capacity(request.auth, capacity_id)))


@router.patch("capacities/{int:capacity_id}", response={200: CapacityOut, **WRITE_ERRORS},
              summary="Change a capacity")
def update_capacity(request, capacity_id: int, payload: PatchDict[CapacityChange]):
    capacity = _visible_capacity(request.auth, capacity_id, CHANGE)
    concurrency.record(capacity)
    for name, value in payload.items():
        setattr(capacity, name, value)
    try:
        save_record(capacity, request.auth)
    except DjangoValidationError as exc:
        raise_django(exc)
    return _capacity_out(_capacities().get(pk=capacity.pk))


@router.delete("capacities/{int:capacity_id}", response={204: None, **RECORD_ERRORS}, summary="Delete a capacity")
def delete_capacity(request, capacity_id: int):
    capacity = _visible_capacity(request.auth, capacity_id, DELETE)
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
    queryset = (restrict(Budget.objects.select_related("period"), request.auth)
                .order_by("-period__start", "period__kind"))
    found = page_of(queryset, page.offset, page.limit)
    return {**found, "items": [_budget_out(b) for b in found["items"]]}


@router.get("budgets/{period}", response={200: BudgetOut, **RECORD_ERRORS}, summary="The budget of a period")
def read_budget(request, period: str):
    if not can_view_planning(request.auth):
        raise PermissionDenied(_("You may not see the budgets."))
    budget = restrict(Budget.objects.select_related("period"), request.auth).filter(
        period__code=checked_period_code(period, ("path", "period"))).first()
    if budget is None:
        raise Http404(_("No budget has been entered for %(period)s.") % {"period": period})
    return _budget_out(concurrency.record(budget))


@router.put("budgets/{period}", response={200: BudgetOut, **WRITE_ERRORS}, summary="Set the budget of a period")
def set_budget(request, period: str, payload: BudgetIn):
    require_plan(request.auth)
    record = period_to_write(period, ("path", "period"))

    def change(budget):
        concurrency.require_absent_if_match(budget.pk is not None)
        concurrency.record(budget if budget.pk else None)
        for name, value in payload.dict().items():
            setattr(budget, name, value)
        return save_record(budget, request.auth)

    try:
        budget = concurrency.upsert(Budget, {"period": record}, change)
    except DjangoValidationError as exc:
        raise_django(exc)
    return _budget_out(concurrency.record(Budget.objects.select_related("period").get(pk=budget.pk)))
