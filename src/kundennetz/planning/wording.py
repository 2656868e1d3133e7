"""Planning's findings in words: the allocation domain says what a fitted response curve warns of as codes
with figures (``domain.allocation.curves``); this module words them through the translation catalogue
in the reader's language, amounts through ``core.formatting``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundennetz.core.formatting import format_money
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
