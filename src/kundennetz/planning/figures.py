"""The one figure "planned contacts and hours of this account in this period".

``planned_for_accounts(ids, day)`` gives per account a ``domain.planned.Planned``: the adopted
allocation of the period holding ``day`` (the year's plan before a quarter's) when one is adopted,
else the plan its strategy today implies (``domain.planned.implied_effort`` of the strategy's care
intensity, or of its customer group's default intensity) for the year of ``day``. Every place that
shows planned contacts shows this figure with its source: the account page, the portfolio panel,
planning, My week, the consistency panel (whose cadence measures against it), the API and
``kundennetz plan planned``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kundennetz.accounts.models import Account
from kundennetz.core.idsets import narrowed
from kundennetz.domain import capacity as domain_capacity
from kundennetz.domain.planned import ADOPTED, DEFAULT, STRATEGY, Planned, implied_effort, planned

from .models import AccountPlan, Period

def year_of(day: date | None = None) -> domain_capacity.Period:
    return domain_capacity.parse_period(str((day or timezone.localdate()).year))


def _adopted(ids: list | None, day: date) -> dict[int, tuple]:
    """Account id -> (contacts, hours, scenario name, period code, share of year) of the adopted plan."""
    rows = narrowed(AccountPlan.objects.filter(period__start__lte=day, period__end__gte=day), ids)
    wanted = None if ids is None else set(ids)
    # The year's plan wins over a quarter's: read quarters first and let the year overwrite them.
    rows = rows.annotate(_order=Case(When(period__kind=Period.Kind.YEAR, then=Value(1)), default=Value(0),
                                     output_field=IntegerField())).order_by("_order")
    out = {}
    for account_id, contacts, hours, name, code, kind in rows.values_list(
            "account_id", "contacts", "hours", "scenario__name", "period__code", "period__kind"):
        if wanted is None or account_id in wanted:
            out[account_id] = (contacts, hours, name or "", code, 1.0 if kind == Period.Kind.YEAR else 0.25)
    return out


def planned_for_accounts(account_ids: Iterable | None = None, day: date | None = None) -> dict[int, Planned]:
    """The planned contacts and hours per account (all accounts when None); a handful of queries."""
    from .services import account_strategies, effort_settings

    day = day or timezone.localdate()
    ids = None if account_ids is None else list(account_ids)
    adopted = _adopted(ids, day)
    year = year_of(day)
    wanted = None if ids is None else set(ids)
    segments = {pk: code for pk, code in narrowed(Account.objects.all(), ids, "pk").values_list("pk", "segment__code")
                if wanted is None or pk in wanted}
    rest = {pk: code for pk, code in segments.items() if pk not in adopted}
    strategies = account_strategies(rest) if rest else None
    settings = effort_settings()
    by_key: dict[str, tuple] = {}
    out: dict[int, Planned] = {}
    for account_id in segments:
        if account_id in adopted:
            contacts, hours, name, code, _share = adopted[account_id]
            out[account_id] = Planned(float(contacts), float(hours), ADOPTED, code, name)
            continue
        key = strategies.of_account[account_id]
        if key not in by_key:
            i = strategies.catalogue[key]
            by_key[key] = (implied_effort(i.contacts_min, i.contacts_max, i.min_per_quarter, i.hours,
                                          year.share_of_year, **settings),
                           STRATEGY if i.source == "portfolio" else DEFAULT, i.name)
        effort, source, name = by_key[key]
        out[account_id] = planned(period=year.code, adopted=None, implied=effort, implied_source=source,
                                  implied_basis=name)
    return out


def planned_for(account, day: date | None = None) -> Planned | None:
    return planned_for_accounts([account.pk], day).get(account.pk)


def share_of_year(figure: Planned) -> float:
    return 0.25 if "-Q" in figure.period else 1.0


def source_label(figure: Planned) -> str:
    """Where the figure comes from, in words."""
    if figure.source == ADOPTED:
        return _("adopted plan “%(name)s”") % {"name": figure.basis} if figure.basis else _("adopted plan")
    if figure.source == STRATEGY:
        return _("implied by the strategy “%(name)s”") % {"name": figure.basis}
    return _("implied by the default of the customer group (“%(name)s”)") % {"name": figure.basis}


def as_dict(figure: Planned) -> dict:
    """The figure for the API and the command line."""
    return {"contacts": round(figure.contacts, 1), "hours": round(figure.hours, 1), "period": figure.period,
            "source": figure.source, "basis": figure.basis, "label": source_label(figure)}


SOURCES = (ADOPTED, STRATEGY, DEFAULT)
