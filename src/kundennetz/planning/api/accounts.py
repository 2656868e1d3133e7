"""An account's plan in the API: the planned figure with its source, and the manager's estimates."""

from typing import Optional

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Status

from kundennetz.accounts.models import Account
from kundennetz.core import concurrency
from kundennetz.core.api_errors import RECORD_ERRORS, WRITE_ERRORS
from kundennetz.core.api_types import Text
from kundennetz.core.permissions import CHANGE, get_for
from kundennetz.core.services import save_record

from .. import services
from ..models import ResponseEstimate, Scenario
from ..permissions import can_view_planning
from .routing import period_to_read, period_to_write, raise_django, router
from .schemas import AccountPlanningOut, EstimateIn, EstimateOut


# --- one account -----------------------------------------------------------------------------------


def _visible_account(user, account_id: int) -> Account:
    return get_for(Account.objects.select_related("segment"), user, account_id)


def _estimate_out(e: ResponseEstimate) -> dict:
    return {"period": e.period.code, "current_hours": e.current_hours, "at_zero": e.at_zero,
            "at_current": e.at_current, "at_150": e.at_150, "at_saturation": e.at_saturation,
            "saturation_hours": e.saturation_hours, "m": e.m, "b": e.b, "baseline": e.baseline,
            "rms_error": e.rms_error, "warnings": e.warning_texts}


@router.get("accounts/{int:account_id}/plan", response={200: AccountPlanningOut, **RECORD_ERRORS},
            summary="The plan of an account")
def read_account_plan(request, account_id: int, period: Optional[Text] = None):
    """The applied plan (planned contacts, hours, money), the intensity its strategy asks for and the
    manager's estimates; for sales head, admin, marketing and read-only also the latest recommendation."""
    account = _visible_account(request.auth, account_id)
    record = None
    if period:
        record = period_to_read(period)
    view = services.account_plan(account, record, drafts=can_view_planning(request.auth))
    out = {"account": account.pk, "period": view.period.code if view.period else None, "plan": None,
           "recommendation": None, "intensity": None, "estimate": None, "planned": None}
    if record is None:
        from ..figures import as_dict, planned_for

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
    record = period_to_write(period, ("path", "period"))

    def change(estimate):
        concurrency.require_absent_if_match(estimate.pk is not None)
        concurrency.record(estimate if estimate.pk else None)
        for name, value in payload.dict().items():
            setattr(estimate, name, value)
        return save_record(estimate, request.auth)

    try:
        estimate = concurrency.upsert(ResponseEstimate, {"account": account, "period": record}, change)
    except DjangoValidationError as exc:
        raise_django(exc)
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
