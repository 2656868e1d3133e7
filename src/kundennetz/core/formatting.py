"""Numbers, money, percentages and days in the active language's format (de-CH: 1'250'000.50): the one
formatting module. Django's own formats do the grouping and the decimal mark (``kundennetz/formats``);
domain/ returns numbers and never formats them for people.

A figure is rounded half up before it is shown (a result of 79'999.9999 francs reads 80'000, where
Django's number_format would cut it to 79'999); a missing or non-finite value reads "–", never 0.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import get_language, pgettext

MISSING = "–"


def is_number(value) -> bool:
    """A finite number (not a bool): what can be shown as a figure."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


def _rounded(value, decimals: int) -> Decimal | None:
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    if not number.is_finite():
        return None
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


_MARKS: dict[str, tuple] = {}


def _marks() -> tuple[str, str, object]:
    """The active language's decimal mark, thousands separator and grouping (Django's formats), looked up
    once per language."""
    language = get_language()
    marks = _MARKS.get(language)
    if marks is None:
        marks = _MARKS[language] = tuple(get_format(name, language) for name in (
            "DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR", "NUMBER_GROUPING"))
    return marks


@receiver(setting_changed)
def _forget_marks(**kwargs) -> None:
    _MARKS.clear()


def format_number(value, decimals: int = 0) -> str:
    rounded = _rounded(value, decimals)
    if rounded is None:
        return MISSING
    decimal_mark, thousands, grouping = _marks()
    if grouping == 3 and decimals >= 0 and rounded.adjusted() < 100:
        # What Django's number_format answers for groups of three, written by Python's own formatting: a
        # fifth of the time, and pages with a few thousand figures (planning per account manager) show it.
        # (A zero is written without its sign, as number_format writes it.)
        return f"{abs(rounded) if not rounded else rounded:,.{decimals}f}".translate({ord(","): thousands, ord("."): decimal_mark})
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_money(value, currency: str = "CHF", decimals: int = 0) -> str:
    if _rounded(value, decimals) is None:
        return MISSING
    return f"{currency} {format_number(value, decimals)}"


def format_percent(value, decimals: int = 1) -> str:
    if _rounded(value, decimals) is None:
        return MISSING
    return f"{format_number(value, decimals)} %"


def format_day(value) -> str:
    """A day inside a sentence: "01.03.2019" in German, "1 Mar 2019" in English (the format is the
    catalogue's: a translator gives each language its own)."""
    return date_format(value, pgettext("format of a day inside a sentence (PHP-style, as Django's date filter)",
                                       "j M Y"))
