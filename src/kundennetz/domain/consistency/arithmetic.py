"""Month arithmetic and rounding shared by the consistency measures."""

from __future__ import annotations

import calendar
import math
from datetime import date
from typing import Any


def is_number(value: Any) -> bool:
    """A finite int or float, not a bool."""
    # bool is an int in Python, but `true` as a weight is a typo, not a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Calendar months later (earlier if negative), the day clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def round_half_up(value: float) -> int:
    """The nearest whole number, halves rounded up."""
    # round() rounds half to even; a score shown as 75 must be green when green starts at 75.
    return math.floor(value + 0.5)


def clean_number(value: float) -> int | float:
    """Whole numbers as int, others to one decimal, so parameters read well and survive JSON."""
    if isinstance(value, int):
        return value
    if float(value).is_integer():
        return int(value)
    return round(float(value), 1)
