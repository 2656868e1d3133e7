"""When a scheduled job is due: the period a moment belongs to, for jobs run daily or weekly.

Pure Python. A job is identified per period ("2026-03-02" for a day, "2026-W10" for an ISO week); the
worker records each (job, period) pair once, so a job runs once per period however many workers look,
and a worker that was down at the hour catches up as soon as it runs again within the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

EVERY = ("daily", "weekly")


@dataclass(frozen=True)
class Schedule:
    """`name` runs `task` (dotted path) `every` day or week, from `at` (local time; weekly: on `weekday`,
    0 = Monday)."""

    name: str
    task: str
    every: str = "daily"
    at: time = time(6, 0)
    weekday: int = 0

    def __post_init__(self):
        if self.every not in EVERY:
            raise ValueError(f"every must be one of {EVERY}, not {self.every!r}")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")


def due_period(schedule: Schedule, now: datetime) -> str | None:
    """The period `schedule` is due for at local time `now`, or None before its time in this period."""
    if schedule.every == "daily":
        if now.time() < schedule.at:
            return None
        return now.date().isoformat()
    year, week, weekday = now.isocalendar()
    if (weekday - 1, now.time()) < (schedule.weekday, schedule.at):
        return None
    return f"{year}-W{week:02d}"
