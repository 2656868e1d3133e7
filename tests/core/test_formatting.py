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
