"""The time half of the scarce resources: how many hours an account manager has for customer care in a
period, and the periods (a year or a quarter) that capacities, budgets and plans refer to.

    available hours = FTE × (working days − absence days) × hours per day × share of time for customer care

Working days are those of a full-time position in the period (Monday to Friday, public holidays
counted as absences or left out here, as the firm prefers); absences are full days away (holidays,
training, illness reserve). The FTE scales both, so a part-timer's absences are entered as full-time
days too. Pure Python and NumPy: no Django, no database.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np

from .period import Period  # noqa: F401 - the one period type, named here for the planning code

# A 42-hour week over five days, the most common full-time contract in Switzerland.
DEFAULT_HOURS_PER_DAY = 8.4
MAX_HOURS_PER_DAY = 24.0


class CapacityError(ValueError):
    """A figure that gives no meaningful capacity. ``field`` names it and ``code``/``params`` let a
    user interface say the same in its own words."""

    def __init__(self, field: str, code: str, message: str, **params):
        super().__init__(message)
        self.field, self.code, self.params = field, code, params


def _number(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool) \
        and math.isfinite(value)


def available_hours(fte: float, working_days: float, care_share: float, absence_days: float = 0.0,
                    hours_per_day: float = DEFAULT_HOURS_PER_DAY) -> float:
    """Hours for customer care in the period. ``care_share`` is a share 0–1 (not a percentage).

    Zero FTE or a zero care share gives zero hours, which is a valid capacity (a manager on leave);
    absences beyond the working days are an error, not zero, because they point at a typing mistake."""
    values = {"fte": fte, "working_days": working_days, "care_share": care_share,
              "absence_days": absence_days, "hours_per_day": hours_per_day}
    for name, value in values.items():
        if not _number(value):
            raise CapacityError(name, "not_a_number", f"{name.replace('_', ' ')} must be a number, got {value!r}",
                                value=value)
    if not 0 <= fte <= 1:
        raise CapacityError("fte", "fte_range", f"the FTE must lie between 0 and 1 (a full-time position), got {fte}",
                            value=fte)
    if working_days < 0:
        raise CapacityError("working_days", "negative", f"the working days must not be negative, got {working_days}",
                            value=working_days)
    if not 0 <= care_share <= 1:
        raise CapacityError("care_share", "share_range",
                            f"the share of time for customer care must lie between 0 and 1, got {care_share}",
                            value=care_share)
    if absence_days < 0:
        raise CapacityError("absence_days", "negative", f"the absence days must not be negative, got {absence_days}",
                            value=absence_days)
    if absence_days > working_days:
        raise CapacityError("absence_days", "absences_exceed_working_days",
                            f"the absences ({absence_days:g} days) exceed the working days ({working_days:g} days)",
                            absences=absence_days, working_days=working_days)
    if not 0 < hours_per_day <= MAX_HOURS_PER_DAY:
        raise CapacityError("hours_per_day", "hours_per_day_range",
                            f"the hours per day must lie in (0, {MAX_HOURS_PER_DAY:g}], got {hours_per_day}",
                            value=hours_per_day)
    return float(fte) * (float(working_days) - float(absence_days)) * float(hours_per_day) * float(care_share)


def working_days_between(start: date, end: date, holidays=()) -> int:
    """Monday-to-Friday days from ``start`` to ``end`` inclusive, less the given holidays."""
    if end < start:
        return 0
    return int(np.busday_count(start, end + timedelta(days=1), holidays=list(holidays)))


def parse_period(text: str) -> Period:
    """``2026`` or ``2026-Q3`` (also ``2026Q3``, lower case); ValueError for anything else (the one
    ``domain.period.Period``; its working days are ``working_days_between(period.start, period.end)``)."""
    return Period.parse(text)