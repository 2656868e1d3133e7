"""Numbers, money and percentages in the active language's format (de-CH: 1'250'000.50)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def format_number(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return "–"
    # Django's number_format cuts surplus decimals off; a figure is rounded (79'999.9999 → 80'000).
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_money(value, currency: str = "CHF", decimals: int = 0) -> str:
    if value is None or value == "":
        return "–"
    return f"{currency} {format_number(value, decimals)}"


def format_percent(value, decimals: int = 1) -> str:
    if value is None or value == "":
        return "–"
    return f"{format_number(value, decimals)} %"
