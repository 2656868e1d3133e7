"""A manager's estimates of an account's response to effort (CALLPLAN): checked, and the curve fitted.

Kept apart from the services so that the model's ``clean()`` can call it without the models and the
services importing each other; it reads and fills the estimate's fields and touches no database.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kundennetz.domain import allocation as al

from .display import money as format_money
from .display import number as format_number


def _warning_text(text: str, rms: float) -> str:
    if "increasing returns" in text:
        return _("The estimates show increasing returns beyond today's effort; the curve assumes every further "
                 "hour yields less and cannot follow them exactly.")
    if "already saturates" in text:
        return _("The estimates say today's effort already saturates the account.")
    if "deviates" in text:
        return _("The curve deviates from the estimates by %(rms)s on average; please check them.") % {
            "rms": format_money(rms)}
    if "no response" in text:
        return _("The estimates show no response to effort.")
    return text


def fit_estimate(estimate):
    """Check the estimates and fit the curve to them (fills m, b, baseline, deviation and warnings).
    Raises ValidationError with the field that is wrong."""
    errors = {}
    order = [("at_zero", _("no effort")), ("at_current", _("today's effort")), ("at_150", _("150 % effort")),
             ("at_saturation", _("saturation"))]
    values = [(name, label, getattr(estimate, name)) for name, label in order]
    if any(v is None for _n, _l, v in values) or estimate.current_hours is None:
        return estimate
    for (_pn, plabel, pvalue), (name, _label, value) in pairwise(values):
        if value < pvalue:
            errors[name] = _("The estimates must not fall as effort grows: this one is below the one at %(previous)s "
                             "(%(amount)s).") % {"previous": plabel, "amount": format_money(pvalue)}
            break
    if estimate.current_hours <= 0:
        errors["current_hours"] = _("Today's effort must be more than 0 hours.")
    if estimate.saturation_hours is not None and estimate.current_hours > 0 \
            and estimate.saturation_hours <= estimate.current_hours * Decimal("1.5"):
        errors["saturation_hours"] = _("The effort at saturation must exceed 150 %% of today's effort (%(hours)s h).") % {
            "hours": format_number(estimate.current_hours * Decimal("1.5"), 1)}
    if errors:
        raise ValidationError(errors)
    try:
        fit = al.fit_curve(float(estimate.current_hours), float(estimate.at_zero), float(estimate.at_current),
                           float(estimate.at_150), float(estimate.at_saturation),
                           saturation_effort=float(estimate.saturation_hours) if estimate.saturation_hours else None)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    estimate.m, estimate.b = float(fit.curve.m), float(fit.curve.b)
    estimate.baseline, estimate.rms_error = fit.baseline, fit.rms_error
    estimate.warnings = [_warning_text(w, fit.rms_error) for w in fit.warnings]
    return estimate
