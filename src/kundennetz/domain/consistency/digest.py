"""The single pass over an account's interactions that every measure reads from."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from .arithmetic import add_months
from .config import ConsistencyConfig
from .model import Assignment, Id, Interaction, MessageSet, ONE_DAY, Period


# ---------------------------------------------------------------------------------------------
# The single pass over an account's interactions
# ---------------------------------------------------------------------------------------------


class Timeline:
    """Owner history reduced to runs of one responsible manager; changes are counted only between
    two different named managers, so a gap with nobody assigned is not a change by itself."""

    def __init__(self, assignments: Iterable[Assignment | tuple[date, Id | None]]):
        # sorted() is stable, so of two entries on the same day the later one (a correction) wins.
        dates: list[date] = []
        users: list[Id | None] = []
        for day, user in sorted(assignments, key=lambda a: a[0]):
            if dates and dates[-1] == day:
                users[-1] = user
                if len(users) >= 2 and users[-2] == user:
                    dates.pop()
                    users.pop()
                continue
            if users and users[-1] == user:
                continue
            dates.append(day)
            users.append(user)
        self.dates = dates
        self.users = users
        self.change_dates: list[date] = []
        self.first_named: date | None = None
        last_named = None
        for day, user in zip(dates, users):
            if user is None:
                continue
            if self.first_named is None:
                self.first_named = day
            if last_named is not None and user != last_named:
                self.change_dates.append(day)
            last_named = user

    def manager_on(self, day: date) -> Id | None:
        i = bisect_right(self.dates, day) - 1
        return self.users[i] if i >= 0 else None

    def changes_between(self, lo: date, hi: date) -> int:
        return bisect_right(self.change_dates, hi) - bisect_right(self.change_dates, lo - ONE_DAY)

    def managers_between(self, lo: date, hi: date) -> int:
        first = max(0, bisect_right(self.dates, lo) - 1)
        last = bisect_right(self.dates, hi)
        return len({u for u in self.users[first:last] if u is not None})


@dataclass
class Digest:
    """What the single pass over an account's interactions found, read by every measure."""

    as_of: date | None
    last_contact: date | None = None
    key_last: dict = field(default_factory=dict)
    contact_dates: list = field(default_factory=list)
    held: float = 0.0
    contacts: int = 0
    met: set = field(default_factory=set)
    quarter_held: list = field(default_factory=list)
    interactions: int = 0
    with_current: int = 0
    outside_interactions: int = 0
    outside: dict = field(default_factory=dict)
    bucket: str | None = None
    bucket_sets: list = field(default_factory=list)
    presence_count: int = 0
    presence_total: int = 0


@lru_cache(maxsize=64)
def quarter_slices(period: Period) -> tuple[tuple[date, date, int], ...]:
    """Quarters counted from the period's start (3-month steps), clipped at its end, with the
    length the quarter would have unclipped: a period need not start on a calendar quarter."""
    slices = []
    k = 0
    while True:
        start = add_months(period.start, 3 * k)
        if start > period.end:
            return tuple(slices)
        after = add_months(period.start, 3 * (k + 1))
        slices.append((start, min(after - ONE_DAY, period.end), (after - start).days))
        k += 1


def _bucket_starts(period: Period, as_of: date, quarters: Sequence[tuple[date, date, int]]) -> tuple[str | None, list[date]]:
    observed_quarters = [s for s, _, _ in quarters if s <= as_of]
    if len(observed_quarters) >= 2:
        return "quarter", observed_quarters
    observed_days = (as_of - period.start).days + 1
    if observed_days >= 2:
        return "half", [period.start, period.start + timedelta(days=observed_days // 2)]
    return None, []


def digest_interactions(
    interactions: Iterable[Interaction],
    period: Period,
    today: date,
    config: ConsistencyConfig,
    *,
    key_ids: frozenset = frozenset(),
    messages: MessageSet | None = None,
    timeline: Timeline | None = None,
) -> Digest:
    """The single pass over an account's interactions in the period, as observed until ``today``."""
    as_of = period.observed_until(today)
    digest = Digest(as_of=as_of)
    if as_of is None:
        return digest
    start = period.start
    quarters = quarter_slices(period)
    quarter_starts = [s for s, _, _ in quarters]
    digest.quarter_held = [0.0] * len(quarters)
    digest.bucket, bucket_starts = _bucket_starts(period, as_of, quarters)
    digest.bucket_sets = [set() for _ in bucket_starts]
    same_buckets = digest.bucket == "quarter"

    type_weights = config.type_weights
    default_weight = config.default_type_weight
    validity = messages.validity if messages is not None else {}
    check_messages = messages is not None
    use_timeline = timeline is not None and bool(timeline.dates)
    key_last = digest.key_last
    met = digest.met
    contact_dates = digest.contact_dates
    quarter_held = digest.quarter_held
    bucket_sets = digest.bucket_sets
    outside = digest.outside
    tl_dates = timeline.dates if use_timeline else []
    tl_users = timeline.users if use_timeline else []
    # Plain locals, not attributes of the digest: this loop runs a million times per network.
    last_contact = None
    held = 0.0
    n = contacts = with_current = outside_n = presence_total = presence_count = 0

    for it in interactions:
        day = it.date
        if day > as_of:
            continue
        weight = type_weights.get(it.type, default_weight)
        if weight > 0:
            if last_contact is None or day > last_contact:
                last_contact = day
            if key_ids:
                for cid in it.contact_ids:
                    if cid in key_ids:
                        seen = key_last.get(cid)
                        if seen is None or day > seen:
                            key_last[cid] = day
        if day < start:
            continue

        n += 1
        qi = bisect_right(quarter_starts, day) - 1
        if weight > 0:
            held += weight
            contacts += 1
            contact_dates.append(day)
            quarter_held[qi] += weight
            if key_ids:
                met.update(it.contact_ids)
            if use_timeline and it.user_ids:
                ti = bisect_right(tl_dates, day) - 1
                manager = tl_users[ti] if ti >= 0 else None
                if manager is not None:
                    presence_total += 1
                    if manager in it.user_ids:
                        presence_count += 1
        if check_messages and it.message_ids:
            carried_current = False
            carried_outside = False
            for mid in it.message_ids:
                span = validity.get(mid)
                if span is None:
                    status = "unknown"
                elif span[0] is not None and day < span[0]:
                    status = "not_yet_valid"
                elif span[1] is not None and day > span[1]:
                    status = "retired"
                else:
                    carried_current = True
                    continue
                carried_outside = True
                entry = outside.get(mid)
                if entry is None:
                    outside[mid] = [status, 1]
                else:
                    entry[1] += 1
            if carried_current:
                with_current += 1
            if carried_outside:
                outside_n += 1
            if bucket_sets:
                bi = qi if same_buckets else bisect_right(bucket_starts, day) - 1
                bucket_sets[bi].update(it.message_ids)
    digest.last_contact = last_contact
    digest.held = held
    digest.interactions = n
    digest.contacts = contacts
    digest.with_current = with_current
    digest.outside_interactions = outside_n
    digest.presence_total = presence_total
    digest.presence_count = presence_count
    return digest
