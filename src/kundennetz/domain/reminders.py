"""Reminders worth reading: who is reminded about which account, and due contacts grouped so that a
long list of stale items does not bury what needs doing this week.

Plain Python; the due contacts themselves come from `consistency.due_contacts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .consistency import DueContact

# Overdue by more than a year: summarised per account instead of listed item by item.
LONG_OVERDUE_DAYS = 365

FORMER = "former"
OVERRIDE = "override"


def wants_reminders(status: str | None, strategy_source: str | None) -> bool:
    """Whether an account's due contacts are reminded at all. Former customers are left out, unless a
    strategy was chosen for the account itself (an override, e.g. to win it back): then its care asks for them."""
    if status == FORMER:
        return strategy_source == OVERRIDE
    return True


@dataclass(frozen=True)
class AccountReminder:
    """One account's due contacts, split into what to read one by one and what is summarised."""

    account_id: object
    items: tuple[DueContact, ...]          # due soon or overdue up to LONG_OVERDUE_DAYS: one line each
    never_met: tuple[DueContact, ...]      # the account or key people with no contact recorded at all
    long_overdue: tuple[DueContact, ...]   # overdue for longer: one summary line

    @property
    def all(self) -> tuple[DueContact, ...]:
        return self.items + self.never_met + self.long_overdue

    @property
    def overdue(self) -> int:
        return sum(1 for d in self.all if d.overdue)

    @property
    def longest_overdue_days(self) -> int:
        return max((d.days_overdue for d in self.long_overdue), default=0)

    @property
    def last_contact(self) -> date | None:
        """The most recent contact among the long-overdue items (None when none was ever recorded)."""
        return max((d.last_contact for d in self.long_overdue if d.last_contact is not None), default=None)


def digest(due: Iterable[DueContact], long_overdue_days: int = LONG_OVERDUE_DAYS) -> list[AccountReminder]:
    """Due contacts per account, in the order the accounts first appear (`due_contacts` sorts by priority)."""
    if not isinstance(long_overdue_days, int) or long_overdue_days < 0:
        raise ValueError(f"long_overdue_days must be a whole number ≥ 0, got {long_overdue_days!r}")
    order: list = []
    parts: dict = {}
    for d in due:
        if d.account_id not in parts:
            order.append(d.account_id)
            parts[d.account_id] = ([], [], [])
        items, never, stale = parts[d.account_id]
        if d.last_contact is None and d.days_overdue >= 0:
            never.append(d)
        elif d.days_overdue > long_overdue_days:
            stale.append(d)
        else:
            items.append(d)
    return [AccountReminder(a, tuple(parts[a][0]), tuple(parts[a][1]), tuple(parts[a][2])) for a in order]


def span(days: int) -> tuple[int, str]:
    """A long stretch of days in the unit people use: (n, 'days'|'weeks'|'months'|'years')."""
    if days < 0:
        raise ValueError("days must be ≥ 0")
    if days < 60:
        return days, "days"
    if days < 730:
        return days // 30, "months"
    return days // 365, "years"


def counts(reminders: Sequence[AccountReminder]) -> tuple[int, int]:
    """(overdue, due) over all items."""
    overdue = sum(r.overdue for r in reminders)
    return overdue, sum(len(r.all) for r in reminders) - overdue
