"""Numbers and money of planning in the user's format, rounded half up first.

Results are floats (79'999.9999 francs of a budget of 80'000); the shared formatting cuts off the
decimals it does not show, which would print 79'999. Rounding first prints 80'000.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from kundennetz.core.formatting import format_money, format_number


def _rounded(value, decimals: int):
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    if not number.is_finite():
        return None
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value, decimals: int = 0) -> str:
    rounded = _rounded(value, decimals)
    return "–" if rounded is None else format_number(rounded, decimals)


def money(value, decimals: int = 0) -> str:
    rounded = _rounded(value, decimals)
    return "–" if rounded is None else format_money(rounded, decimals=decimals)


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)
