from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundennetz.domain.schedule import Schedule, due_period

DAILY = Schedule("reminders", "x.y", "daily", time(6, 0))
WEEKLY = Schedule("fit", "x.z", "weekly", time(3, 0), weekday=0)


def test_daily_due_from_its_hour():
    assert due_period(DAILY, datetime(2026, 3, 2, 5, 59)) is None
    assert due_period(DAILY, datetime(2026, 3, 2, 6, 0)) == "2026-03-02"
    assert due_period(DAILY, datetime(2026, 3, 2, 23, 59)) == "2026-03-02"


def test_weekly_due_from_its_weekday_and_hour_until_the_week_ends():
    assert due_period(WEEKLY, datetime(2026, 3, 2, 2, 0)) is None  # Monday before 03:00
    assert due_period(WEEKLY, datetime(2026, 3, 2, 3, 0)) == "2026-W10"
    assert due_period(WEEKLY, datetime(2026, 3, 8, 23, 0)) == "2026-W10"  # Sunday: still that week
    assert due_period(Schedule("f", "x", "weekly", time(3), weekday=4), datetime(2026, 3, 4, 12)) is None


def test_bad_schedules_refused():
    with pytest.raises(ValueError):
        Schedule("x", "y", "hourly")
    with pytest.raises(ValueError):
        Schedule("x", "y", "weekly", weekday=7)


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_once_due_a_daily_job_stays_due_for_the_same_period_all_day(moment):
    period = due_period(DAILY, moment)
    later = min(moment + timedelta(minutes=1), datetime.combine(moment.date(), time(23, 59, 59)))
    if period is not None:
        assert due_period(DAILY, later) == period
    else:
        assert moment.time() < DAILY.at


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_a_weekly_job_has_one_period_per_iso_week(moment):
    period = due_period(WEEKLY, moment)
    if period is not None:
        year, week, _ = moment.isocalendar()
        assert period == f"{year}-W{week:02d}"
