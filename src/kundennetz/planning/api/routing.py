"""Planning's API router and what its endpoints share: periods, permission checks, conversions."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Router

from kundennetz.accounts.models import Account
from kundennetz.core.api_errors import FieldErrors
from kundennetz.core.permissions import VIEW, get_for
from kundennetz.domain import capacity as domain_capacity

from .. import services
from ..freshness import freshness_of
from ..models import Capacity, Period, Scenario
from ..permissions import can_plan, can_view_planning


router = Router(tags=["planning"])


# --- helpers ---------------------------------------------------------------------------------------


def _period(code: str, loc: tuple = ("query", "period")) -> Period:
    errors = FieldErrors(prefix=())
    period = _period_into(errors, code, loc)
    errors.raise_if_any()
    return period


def _period_into(errors: FieldErrors, code: str, loc="period") -> Period | None:
    """The period `code` names (made when nobody planned it yet), or None with the error added to `errors`
    (so that a request's other mistakes are reported in the same answer)."""
    try:
        return Period.get(code)
    except DjangoValidationError:
        errors.add(loc, _("Enter a year (2026) or a quarter (2026-Q3)."))
        return None


def period_to_read(code: str, loc: tuple = ("query", "period")) -> Period:
    """The period a read names: the stored one, or an unsaved one when nobody planned it yet (reading never
    writes). Filter by ``period__code``."""
    try:
        return Period.peek(code)
    except DjangoValidationError:
        errors = FieldErrors(prefix=())
        errors.add(loc, _("Enter a year (2026) or a quarter (2026-Q3)."))
        errors.raise_if_any()
        raise


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
        pk__in=set(Account.objects.order_by().values_list("owner_id", flat=True).distinct()) | set(
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
