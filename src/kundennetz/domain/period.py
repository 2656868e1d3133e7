"""One period type: a span of days, both ends inclusive, and — when it is one — the year or quarter it is.

Planning plans per year or quarter, the portfolio takes a snapshot per year or quarter, consistency and
the reports measure rolling twelve months or a quarter, reminders look a number of days ahead: all of
them use this ``Period`` instead of (start, end) pairs or (year, quarter) tuples. ``Period.parse("2026")``
and ``Period.parse("2026-Q3")`` read the codes people type; ``code`` gives it back ("" for a span that
is neither a calendar year nor a quarter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
_CODE = re.compile(r"\s*(?P<year>\d{4})(?:\s*-?\s*[Qq](?P<quarter>[1-4]))?\s*\Z")


class PeriodError(ValueError):
    """Text that is no year (2026) or quarter (2026-Q3)."""


@dataclass(frozen=True, slots=True)
class Period:
    """From ``start`` to ``end``, both inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise ValueError("a period needs a start date and an end date")
        if self.start > self.end:
            raise ValueError(f"the period starts ({self.start}) after it ends ({self.end})")

    # --- made from codes and days --------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026`` or ``2026-Q3`` (also ``2026Q3``, lower case); PeriodError for anything else."""
        match = _CODE.match(text or "")
        if not match or not 1900 <= int(match["year"]) <= 2999:
            raise PeriodError(f"enter a year (2026) or a quarter (2026-Q3), got {text!r}")
        year = int(match["year"])
        if match["quarter"] is None:
            return cls.year_of(date(year, 1, 1))
        quarter = int(match["quarter"])
        return cls.quarter_of(date(year, 3 * quarter - 2, 1))

    @classmethod
    def year_of(cls, day: date) -> Period:
        return cls(date(day.year, 1, 1), date(day.year, 12, 31))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        after = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
        return cls(start, after - ONE_DAY)

    # --- what it is --------------------------------------------------------------------------------

    @property
    def is_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and \
            self.start.year == self.end.year

    @property
    def quarter(self) -> int | None:
        """1–4 when the period is exactly one calendar quarter, else None."""
        if self.start.day != 1 or (self.start.month - 1) % 3:
            return None
        return (self.start.month - 1) // 3 + 1 if type(self).quarter_of(self.start) == self else None

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def kind(self) -> str:
        """"year", "quarter" or "span"."""
        return "year" if self.is_year else ("quarter" if self.quarter else "span")

    @property
    def code(self) -> str:
        """"2026", "2026-Q3", or "" for a span that is neither."""
        if self.is_year:
            return str(self.year)
        return f"{self.year}-Q{self.quarter}" if self.quarter else ""

    @property
    def share_of_year(self) -> float:
        """What part of a year's intensity the period carries: a quarter a quarter, whatever its days."""
        if self.is_year:
            return 1.0
        return 0.25 if self.quarter else self.days / 365.0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    calendar_days = days

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def observed_until(self, today: date) -> date | None:
        """The last day that can be judged: the end, or today while the period runs; None before it starts."""
        last = min(self.end, today)
        return last if last >= self.start else None

    def __str__(self) -> str:
        return self.code or f"{self.start.isoformat()}–{self.end.isoformat()}"
