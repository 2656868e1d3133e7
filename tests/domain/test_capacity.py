"""Available hours of an account manager, and planning periods: the arithmetic and its edges."""

from datetime import date

import pytest

from kundennetz.domain.capacity import (
    DEFAULT_HOURS_PER_DAY,
    CapacityError,
    available_hours,
    parse_period,
    working_days_between,
)


def test_full_time_manager():
    # 1 FTE × (220 − 25) days × 8.4 h × 60 % for customer care
    assert available_hours(1.0, 220, 0.6, 25) == pytest.approx(195 * 8.4 * 0.6)


def test_part_time_scales_everything():
    assert available_hours(0.5, 220, 0.6, 25) == pytest.approx(0.5 * available_hours(1.0, 220, 0.6, 25))


@pytest.mark.parametrize("fte, share", [(0, 0.6), (0.8, 0)])
def test_zero_fte_or_zero_share_gives_zero_hours(fte, share):
    assert available_hours(fte, 220, share, 10) == 0.0


def test_absences_equal_to_working_days_give_zero_hours():
    assert available_hours(1, 20, 0.5, 20) == 0.0


def test_absences_beyond_working_days_are_an_error():
    with pytest.raises(CapacityError, match=r"absences \(30 days\) exceed the working days \(20 days\)") as info:
        available_hours(1, 20, 0.5, 30)
    assert info.value.field == "absence_days" and info.value.code == "absences_exceed_working_days"
    assert info.value.params == {"absences": 30, "working_days": 20}


@pytest.mark.parametrize("args, field", [
    ((1.2, 220, 0.5, 0), "fte"), ((-0.1, 220, 0.5, 0), "fte"), ((1, -1, 0.5, 0), "working_days"),
    ((1, 220, 1.5, 0), "care_share"), ((1, 220, 0.5, -2), "absence_days"), ((1, 220, float("nan"), 0), "care_share"),
    ((1, 220, 0.5, 0, 0), "hours_per_day"), ((1, 220, 0.5, 0, 25), "hours_per_day"), ((True, 220, 0.5, 0), "fte"),
])
def test_meaningless_figures_are_refused(args, field):
    with pytest.raises(CapacityError) as info:
        available_hours(*args)
    assert info.value.field == field


def test_default_day_is_a_42_hour_week():
    assert DEFAULT_HOURS_PER_DAY * 5 == pytest.approx(42)


def test_working_days_count_monday_to_friday():
    assert working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 261
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 8)) == 5  # Monday to Sunday
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 6), holidays=[date(2026, 3, 4)]) == 4
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 2)) == 0


@pytest.mark.parametrize("text, code, start, end, share", [
    ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31), 1.0),
    ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 0.25),
    (" 2028q1 ", "2028-Q1", date(2028, 1, 1), date(2028, 3, 31), 0.25),
    ("2026-Q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), 0.25),
])
def test_periods(text, code, start, end, share):
    period = parse_period(text)
    assert (period.code, period.start, period.end, period.share_of_year) == (code, start, end, share)


@pytest.mark.parametrize("text", ["26", "2026-Q5", "2026-13", "", "Q3-2026", "1800"])
def test_bad_periods(text):
    with pytest.raises(ValueError, match="2026-Q3"):
        parse_period(text)
