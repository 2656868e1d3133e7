"""One period type for planning, the portfolio, consistency and the reports."""

from datetime import date

import pytest

from kundennetz.domain import capacity
from kundennetz.domain import consistency as dc
from kundennetz.domain.period import Period, PeriodError


@pytest.mark.parametrize(("text", "code", "start", "end", "share"), [
    ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31), 1.0),
    ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 0.25),
    (" 2024q1 ", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31), 0.25),
    ("2026-Q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), 0.25),
])
def test_codes_people_type(text, code, start, end, share):
    period = Period.parse(text)
    assert (period.code, period.start, period.end, period.share_of_year) == (code, start, end, share)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-Q0", "1800", "Q3", "2026-13"])
def test_anything_else_is_refused(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_a_span_is_neither_year_nor_quarter():
    span = Period(date(2026, 2, 1), date(2026, 4, 30))
    assert (span.code, span.kind, span.quarter, span.days) == ("", "span", None, 89)
    assert date(2026, 3, 1) in span and date(2026, 5, 1) not in span
    with pytest.raises(ValueError):
        Period(date(2026, 2, 1), date(2026, 1, 1))


def test_quarter_and_year_of_a_day():
    day = date(2026, 11, 17)
    assert Period.quarter_of(day).code == "2026-Q4" and Period.year_of(day).code == "2026"
    assert Period.quarter_of(date(2026, 3, 31)).end == date(2026, 3, 31)


def test_planning_and_consistency_use_the_same_type():
    assert capacity.parse_period("2026-Q3") == dc.Period(date(2026, 7, 1), date(2026, 9, 30))
    assert dc.Period is Period
    assert dc.previous_period(Period.parse("2026-Q1")).code == "2025-Q4"
