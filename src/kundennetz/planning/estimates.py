"""A manager's estimates of an account's response to effort (CALLPLAN): checked, and the curve fitted.

Kept apart from the services so that the model's ``clean()`` can call it without the models and the
services importing each other; it reads and fills the estimate's fields and touches no database.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_money, format_number
from kundennetz.domain import allocation as al

from .wording import stored_fit_warnings


def fit_estimate(estimate):
    """Check the estimates and fit the curve to them (fills m, b, baseline, deviation and warnings, the
    latter as codes that ``ResponseEstimate.warning_texts`` words). Raises ValidationError with the field
    that is wrong."""
    errors = {}
    order = [("at_zero", _("no effort")), ("at_current", _("today's effort")), ("at_150", _("150 % effort")),
             ("at_saturation", _("saturation"))]
    values = [(name, label, getattr(estimate, name)) for name, label in order]
    if any(v is None or v < 0 for _n, _l, v in values) or estimate.current_hours is None:
        return estimate  # the fields' own validators say what is missing or negative
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
    except ValueError:
        # The checks above cover what the domain refuses (its message is for developers); should the two
        # ever differ, the user still reads a sentence in their language.
        raise ValidationError(_("These estimates cannot be fitted to a curve; please check them.")) from None
    estimate.m, estimate.b = float(fit.curve.m), float(fit.curve.b)
    estimate.baseline, estimate.rms_error = fit.baseline, fit.rms_error
    estimate.warnings = stored_fit_warnings(fit)
    return estimate
