"""Numbers and money in the user's format: Swiss grouping under de-CH, rounding rather than cutting off."""

import html
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from kundennetz.core.formatting import format_money, format_number, format_percent


@pytest.mark.parametrize("language,expected", [("de-ch", "1'250'000.50"), ("en", "1,250,000.50")])
def test_grouping_follows_the_language(language, expected):
    with translation.override(language):
        assert format_number(Decimal("1250000.5"), 2) == expected


def test_figures_are_rounded_not_cut_off():
    with translation.override("de-ch"):
        assert format_number(Decimal("79999.9999")) == "80'000"
        assert format_money(Decimal("0.5"), "CHF") == "CHF 1"
        assert format_percent(Decimal("12.345")) == "12.3 %"


def test_missing_values_show_as_a_dash():
    assert format_number(None) == format_money("") == format_percent(None) == "–"


def test_bare_numbers_in_templates_are_not_grouped():
    with translation.override("de-ch"):
        assert Template("{{ pk }}").render(Context({"pk": 100800})) == "100800"
        rendered = Template("{% load kundennetz %}{{ v|money }}").render(Context({"v": 100800}))
        assert html.unescape(rendered) == "CHF 100'800"


@pytest.mark.parametrize("language", ["de-ch", "en"])
def test_numbers_read_as_djangos_number_format_writes_them(language):
    """The quick way of writing a number gives Django's number_format's answer, digit for digit."""
    from django.utils.formats import number_format
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kundennetz.core.formatting import _rounded

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**12, max_value=10**12),
                     st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
                     st.integers(min_value=-10**15, max_value=10**15)),
           st.integers(min_value=0, max_value=3))
    def check(value, decimals):
        rounded = _rounded(value, decimals)
        assert format_number(value, decimals) == number_format(rounded, decimal_pos=decimals, use_l10n=True,
                                                               force_grouping=True)

    with translation.override(language):
        check()
        assert format_number(-0.4) == number_format(Decimal("-0"), decimal_pos=0, use_l10n=True, force_grouping=True)
