"""One account's plan, as the account page and My week show it, and planned contacts per account."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from kundennetz.accounts.models import Account

from ..models import AccountPlan, Period, ResponseEstimate, Scenario, ScenarioAccount
from .data import current_period_code
from .strategies import Intensity, account_strategies


# --------------------------------------------------------------------------------------------------
# One account's plan (the account page, "my week")
# --------------------------------------------------------------------------------------------------


@dataclass
class AccountPlanView:
    account: Account
    period: Period | None
    plan: AccountPlan | None
    recommendation: ScenarioAccount | None
    intensity: Intensity | None
    estimate: ResponseEstimate | None


def periods_of_day(day=None) -> list[Period]:
    day = day or timezone.localdate()
    return list(Period.objects.filter(start__lte=day, end__gte=day).order_by("kind"))


def account_plan(account: Account, period: Period | None = None, *, drafts: bool = False) -> AccountPlanView:
    """The applied plan of the account for the period (default: the year of today, else a quarter that
    holds today), the recommendation of the applied scenario (with ``drafts``: of the latest computed
    one), and the intensity its strategy asks for."""
    if period is None:
        candidates = periods_of_day()
        period = next((p for p in candidates if AccountPlan.objects.filter(account=account, period=p).exists()),
                      None) or next((p for p in candidates if p.kind == Period.Kind.YEAR), None)
        if period is None:
            period = Period.objects.filter(code=current_period_code()).first()
    plan = recommendation = estimate = None
    if period is not None:
        # By code: a period named in a read may be unsaved (nobody planned it yet).
        plan = AccountPlan.objects.filter(account=account, period__code=period.code).select_related("scenario").first()
        results = ScenarioAccount.objects.filter(account=account, scenario__period__code=period.code,
                                                 scenario__computed_at__isnull=False).select_related("scenario")
        if not drafts:
            results = results.filter(scenario__status=Scenario.Status.APPLIED)
        recommendation = results.order_by("-scenario__computed_at", "-scenario_id").first()
        estimate = ResponseEstimate.objects.filter(account=account, period__code=period.code).first()
    code = account.segment.code if account.segment_id else None
    strategies = account_strategies({account.pk: code})
    intensity = strategies.catalogue.get(strategies.of_account.get(account.pk))
    return AccountPlanView(account, period, plan, recommendation, intensity, estimate)


@dataclass(frozen=True)
class PlannedContacts:
    contacts: int
    hours: float
    period: str


def planned_contacts(account_ids: Iterable[int], day=None) -> dict[int, PlannedContacts]:
    """The applied plan's contacts per account for the period that holds ``day`` (a year before a
    quarter), in one query: for "my week" and other lists."""
    periods = periods_of_day(day)
    if not periods:
        return {}
    ids = list(account_ids)
    out: dict[int, PlannedContacts] = {}
    order = {p.pk: (0 if p.kind == Period.Kind.YEAR else 1) for p in periods}
    code = {p.pk: p.code for p in periods}
    rows = AccountPlan.objects.filter(period__in=periods, account_id__in=ids).values_list(
        "account_id", "period_id", "contacts", "hours")
    for account_id, period_id, contacts, hours in sorted(rows, key=lambda r: order[r[1]], reverse=True):
        out[account_id] = PlannedContacts(contacts, hours, code[period_id])
    return out
