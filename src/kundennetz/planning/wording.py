"""Planning's findings in words: the allocation domain says what a fitted response curve warns of as codes
with figures (``domain.allocation.curves``); this module words them through the translation catalogue
in the reader's language, amounts through ``core.formatting``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundennetz.core.formatting import format_money, format_number
from kundennetz.domain import allocation as al

_FIT_WARNINGS = {
    al.NO_RESPONSE_TO_EFFORT: gettext_lazy("The estimates show no response to effort."),
    al.INCREASING_RETURNS: gettext_lazy(
        "The estimates show increasing returns beyond today's effort; the curve assumes every further hour "
        "yields less and cannot follow them exactly."),
    al.ALREADY_SATURATED: gettext_lazy("The estimates say today's effort already saturates the account."),
}


def fit_warning_text(code: str, params: Mapping[str, float]) -> str:
    """One warning of a fitted curve in words; a code this version does not know reads as the code."""
    if code == al.DEVIATES:
        return _("The curve deviates from the estimates by %(rms)s on average; please check them.") % {
            "rms": format_money(params["rms"])}
    return str(_FIT_WARNINGS[code]) if code in _FIT_WARNINGS else code


def stored_fit_warnings(fit: al.CurveFit) -> list[dict]:
    """The warnings as an estimate stores them: codes and figures, worded when shown."""
    return [{"code": code, "params": dict(params)} for code, params in fit.warnings]


def fit_warnings(stored: Iterable[dict | str]) -> list[str]:
    """An estimate's stored warnings in words (rows saved before they were stored as codes hold the text)."""
    return [w if isinstance(w, str) else fit_warning_text(w["code"], w.get("params", {})) for w in stored]


# A figure the allocation cannot plan with (domain.allocation.FigureError), named by account or manager.
_FIGURES = {
    "manager_hours": gettext_lazy("the available hours of %(manager)s must not be negative (%(value)s)"),
    "budget": gettext_lazy("the %(budget)s must not be negative (%(value)s)"),
    "contact_hours": gettext_lazy("the hours per contact of %(account)s must be more than 0 (%(value)s)"),
    "response_figure": gettext_lazy("a figure of the response curve of %(account)s for %(resource)s must not be "
                                    "negative (%(value)s)"),
    "response_speed": gettext_lazy("the response curve of %(account)s for %(resource)s rises too slowly to plan "
                                   "with; please check its estimates"),
    "potential": gettext_lazy("the potential of %(account)s must not be negative (%(value)s)"),
    "margin": gettext_lazy("the margin of %(account)s must be a percentage from 0 to 100 (%(value)s)"),
    "typical_effort": gettext_lazy("the typical effort for %(account)s must be more than 0 (%(value)s)"),
    "position": gettext_lazy("the position of %(account)s must lie between 0 and 1 (%(value)s)"),
    "reachable_share": gettext_lazy("the share of the potential effort can reach must lie between 0 and 1 "
                                    "(%(value)s)"),
    "response_at_typical": gettext_lazy("the response at typical effort must lie between 0 and 1, that of the "
                                        "weakest position not above that of the strongest"),
    "no_new_manager": gettext_lazy("nobody takes over the accounts %(accounts)s"),
    "no_other_manager": gettext_lazy("the accounts of %(manager)s must go to another account manager"),
}
_RESOURCES = {"hours": gettext_lazy("hours"), "support": gettext_lazy("sales support"), "pr": gettext_lazy("PR")}
_BUDGETS = {"support": gettext_lazy("sales-support budget"), "pr": gettext_lazy("PR budget")}


def figure_refusal(error: al.FigureError, accounts: Mapping[str, str], managers: Mapping[str, str],
                   account_at: Iterable[str] = ()) -> str:
    """Why the figures cannot be planned with, naming the account or manager: `accounts` and `managers` map
    the problem's ids to names, `account_at` gives the names in the order of the figures (for ``index``)."""
    params = dict(error.params)
    names = list(account_at)
    account = params.get("account")
    if account is None and params.get("index") is not None and params["index"] < len(names):
        account = names[params["index"]]
    else:
        account = accounts.get(str(account), account)
    values = {
        "account": account if account is not None else "–",
        "manager": managers.get(str(params.get("manager")), params.get("manager")),
        "accounts": ", ".join(accounts.get(str(a), str(a)) for a in params.get("accounts", ())),
        "resource": _RESOURCES.get(params.get("resource"), params.get("resource")),
        "budget": _BUDGETS.get(params.get("resource"), params.get("resource")),
        "value": format_number(params["value"], 2) if "value" in params else "",
    }
    template = _FIGURES.get(error.code)
    return str(template) % values if template is not None else _("a figure cannot be planned with")
