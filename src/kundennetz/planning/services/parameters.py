"""A scenario's what-if parameters: checked (with a message per wrong value) and described in words."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kundennetz.accounts.models import Account, Segment
from kundennetz.core.formatting import format_number

from .. import counts
from ..models import Capacity, Period
from .strategies import Strategies, account_strategies


# The default intensity per customer group, the budget headroom (an account may get up to that many
# times its strategy's typical money) and the range of hours per contact (outside it: typos) are
# tunables: kundennetz.core.tunables (DefaultIntensities, PlanningFigures).
VISITS = ("continuous", "whole", "at_least_one")
# HiGHS variants solve a MILP over call levels; beyond this many accounts the request would wait too long.
MILP_ACCOUNT_LIMIT = 5_000


# --------------------------------------------------------------------------------------------------
# Scenario parameters
# --------------------------------------------------------------------------------------------------


class InvalidParameters(ValidationError):
    """What-if parameters that cannot be applied; ``items`` are (location, message) pairs."""

    def __init__(self, items: list[tuple[tuple, str]]):
        self.items = items
        super().__init__({"parameters": [message for _loc, message in items]})


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        try:
            number = float(value.replace("'", "").strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _ids(value) -> list[int] | None:
    if not isinstance(value, list | tuple):
        return None
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str) or not str(item).strip().isdigit():
            return None
        out.append(int(item))
    return out


PARAMETER_KEYS = ("budget_factor", "extra_managers", "removed_managers", "segment_strategies", "moved_accounts",
                  "visits", "extra_manager_hours")


def clean_parameters(raw, period: Period, strategies: Strategies | None = None) -> dict:
    """Check what-if parameters against the database and return them in their plain form.

    Raises InvalidParameters naming every problem with its place, e.g. ("removed_managers", 0, "to")."""
    errors: list[tuple[tuple, str]] = []
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidParameters([((), _("Expected an object."))])
    invalid = _("Select a valid choice. That choice is not one of the available choices.")
    out: dict = {}
    for key in raw:
        if key not in PARAMETER_KEYS:
            errors.append(((key,), _("Unknown field: it cannot be set here.")))

    managers = set(Capacity.objects.filter(period__code=period.code).values_list("manager_id", flat=True)) | \
        counts.owners()

    factor = raw.get("budget_factor")
    if factor is not None:
        if not isinstance(factor, dict):
            factor = {"support": factor, "pr": factor}
        cleaned = {}
        for name in ("support", "pr"):
            value = _number(factor.get(name, 1.0))
            if value is None or not 0 <= value <= 10:
                errors.append((("budget_factor", name), _("Enter a factor between 0 and 10 (0.8 = 20 % less).")))
            else:
                cleaned[name] = value
        for name in factor:
            if name not in ("support", "pr"):
                errors.append((("budget_factor", name), _("Unknown field: it cannot be set here.")))
        if len(cleaned) == 2 and cleaned != {"support": 1.0, "pr": 1.0}:
            out["budget_factor"] = cleaned

    def as_list(name):
        value = raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            errors.append(((name,), _("Enter a list of values.")))
            return []
        return value

    extra = []
    for k, item in enumerate(as_list("extra_managers")):
        if not isinstance(item, dict):
            errors.append((("extra_managers", k), _("Expected an object.")))
            continue
        hours = _number(item.get("hours"))
        if hours is None or not 0 < hours <= 5_000:
            errors.append((("extra_managers", k, "hours"), _("Enter the hours for customer care, more than 0 and at "
                                                             "most 5,000.")))
        name = str(item.get("name") or "").strip()[:100] or _("Additional account manager")
        accounts = _ids(item.get("accounts") or [])
        if accounts is None:
            errors.append((("extra_managers", k, "accounts"), _("Enter a list of account ids.")))
        if hours is not None and accounts is not None:
            extra.append({"name": name, "hours": hours, "accounts": accounts})
    if extra:
        out["extra_managers"] = extra

    removed = []
    for k, item in enumerate(as_list("removed_managers")):
        if not isinstance(item, dict):
            errors.append((("removed_managers", k), _("Expected an object.")))
            continue
        who, to = item.get("manager"), item.get("to")
        if isinstance(who, bool) or not isinstance(who, int) or who not in managers:
            errors.append((("removed_managers", k, "manager"), invalid))
            continue
        if to not in (None, "") and (isinstance(to, bool) or not isinstance(to, int) or to not in managers or to == who):
            errors.append((("removed_managers", k, "to"), _("Choose another account manager of this period to take "
                                                            "over the accounts.")))
            continue
        removed.append({"manager": who, "to": to if to not in (None, "") else None})
    if removed:
        gone = [r["manager"] for r in removed]
        if len(set(gone)) != len(gone):
            errors.append((("removed_managers",), _("Each account manager can be removed only once.")))
        if set(managers) <= set(gone):
            errors.append((("removed_managers",), _("At least one account manager must remain.")))
        for k, r in enumerate(removed):
            if r["to"] in gone:
                errors.append((("removed_managers", k, "to"), _("The accounts cannot go to a manager who is removed "
                                                                "as well.")))
        out["removed_managers"] = removed

    changes = []
    segment_codes = set(Segment.objects.values_list("code", flat=True))
    catalogue = (strategies.catalogue if strategies is not None else account_strategies({}).catalogue)
    for k, item in enumerate(as_list("segment_strategies")):
        if not isinstance(item, dict):
            errors.append((("segment_strategies", k), _("Expected an object.")))
            continue
        segment, strategy = item.get("segment"), item.get("strategy")
        if segment not in segment_codes:
            errors.append((("segment_strategies", k, "segment"), invalid + f" ({', '.join(sorted(segment_codes))})"))
        if strategy not in catalogue:
            errors.append((("segment_strategies", k, "strategy"), invalid + f" ({', '.join(catalogue)})"))
        if segment in segment_codes and strategy in catalogue:
            changes.append({"segment": segment, "strategy": strategy})
    if changes:
        out["segment_strategies"] = changes

    moves = []
    for k, item in enumerate(as_list("moved_accounts")):
        if not isinstance(item, dict):
            errors.append((("moved_accounts", k), _("Expected an object.")))
            continue
        to = item.get("to")
        if isinstance(to, bool) or not isinstance(to, int) or to not in managers:
            errors.append((("moved_accounts", k, "to"), invalid))
        move = {"to": to}
        if item.get("accounts"):
            accounts = _ids(item["accounts"])
            if accounts is None:
                errors.append((("moved_accounts", k, "accounts"), _("Enter a list of account ids.")))
                continue
            known = set(Account.objects.filter(pk__in=accounts).values_list("pk", flat=True))
            missing = [a for a in accounts if a not in known]
            if missing:
                errors.append((("moved_accounts", k, "accounts"), _("These accounts do not exist or are in the "
                                                                    "trash: %(ids)s") % {
                    "ids": ", ".join(map(str, missing[:10]))}))
                continue
            move["accounts"] = accounts
        else:
            source = item.get("from")
            if isinstance(source, bool) or not isinstance(source, int) or source not in managers:
                errors.append((("moved_accounts", k, "from"), _("Name the accounts, or the account manager whose "
                                                                "accounts move.")))
                continue
            if source == to:
                errors.append((("moved_accounts", k, "to"), _("Choose another account manager.")))
                continue
            move["from"] = source
            segment = item.get("segment") or None
            if segment is not None and segment not in segment_codes:
                errors.append((("moved_accounts", k, "segment"), invalid))
                continue
            move["segment"] = segment
        moves.append(move)
    if moves:
        out["moved_accounts"] = moves

    visits = raw.get("visits", "continuous") or "continuous"
    if visits not in VISITS:
        errors.append((("visits",), invalid + f" ({', '.join(VISITS)})"))
    elif visits != "continuous":
        out["visits"] = visits

    if raw.get("extra_manager_hours") not in (None, ""):
        hours = _number(raw["extra_manager_hours"])
        if hours is None or not 0 < hours <= 5_000:
            errors.append((("extra_manager_hours",), _("Enter the hours for customer care, more than 0 and at most "
                                                       "5,000.")))
        else:
            out["extra_manager_hours"] = hours
    if errors:
        raise InvalidParameters(errors)
    return out


def describe_parameters(parameters: dict, names: Mapping[int, str], strategies: Mapping[str, str]) -> list[str]:
    """The what-ifs of a scenario in words, for lists and headings."""
    out = []
    factor = parameters.get("budget_factor")
    if factor:
        if factor["support"] == factor["pr"]:
            out.append(_("budget %(change)s") % {"change": _change_pct(factor["support"])})
        else:
            out.append(_("sales-support budget %(support)s, PR budget %(pr)s") % {
                "support": _change_pct(factor["support"]), "pr": _change_pct(factor["pr"])})
    for item in parameters.get("extra_managers", []):
        out.append(_("%(name)s with %(hours)s h") % {"name": item["name"], "hours": format_number(item["hours"])})
    for item in parameters.get("removed_managers", []):
        who = names.get(item["manager"], item["manager"])
        if item.get("to"):
            out.append(_("without %(manager)s (accounts to %(to)s)") % {"manager": who,
                                                                         "to": names.get(item["to"], item["to"])})
        else:
            out.append(_("without %(manager)s") % {"manager": who})
    for item in parameters.get("segment_strategies", []):
        out.append(_("customer group %(segment)s: %(strategy)s") % {
            "segment": item["segment"], "strategy": strategies.get(item["strategy"], item["strategy"])})
    for item in parameters.get("moved_accounts", []):
        to = names.get(item["to"], item["to"])
        if "accounts" in item:
            out.append(_("%(count)s accounts to %(to)s") % {"count": format_number(len(item["accounts"])), "to": to})
        else:
            out.append(_("accounts of %(from)s%(segment)s to %(to)s") % {
                "from": names.get(item["from"], item["from"]), "to": to,
                "segment": f" ({item['segment']})" if item.get("segment") else ""})
    visits = parameters.get("visits")
    if visits == "whole":
        out.append(_("whole contacts"))
    elif visits == "at_least_one":
        out.append(_("at least one visit or none"))
    return out or [_("today's strategies, capacities and budget")]


def _change_pct(factor: float) -> str:
    change = round(100.0 * (factor - 1.0), 1)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{format_number(abs(change), 0 if float(change).is_integer() else 1)} %"
