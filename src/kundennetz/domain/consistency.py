"""Consistency of appearance (part 2 of the seed) made measurable, with reasons in words.

Per account and period: continuity of the responsible account manager, contact cadence against
the planned intensity, how consistently the core messages are carried, and a 0–100 score whose
lost points are attributed to reasons sorted by impact. Aggregates per account manager and for
the whole network, a trend against a previous period, and the contacts that are due.

Everything here takes plain values and returns frozen dataclasses; the weights and thresholds
come from ``interactions/consistency_weights.json`` (see ``docs/consistency.md``).

Complexity: one pass over an account's interactions plus one sort of its contact dates, so
O(n log n) per account (O(n) for date-sorted input, as timsort finds the run) with n its
interactions; O(a log a) for a assignments; O(c) for c contacts. A network is the sum over its
accounts; aggregates are O(accounts log accounts) for the median; due contacts are
O(m log m) for m people and accounts listed.
"""

from __future__ import annotations

import calendar
import json
import math
import statistics
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

Id = Hashable

ONE_DAY = timedelta(days=1)

DECISION_MAKER = "decision_maker"
INFLUENCER = "influencer"
TECHNICAL_EVALUATOR = "technical_evaluator"
USER = "user"
GATEKEEPER = "gatekeeper"
COACH = "coach"
ROLES = (DECISION_MAKER, INFLUENCER, TECHNICAL_EVALUATOR, USER, GATEKEEPER, COACH)

GREEN, AMBER, RED = "green", "amber", "red"
BANDS = (GREEN, AMBER, RED)

CONTINUITY, CADENCE, MESSAGES = "continuity", "cadence", "messages"
COMPONENT_MEASURES: Mapping[str, tuple[str, ...]] = {
    CONTINUITY: ("changes", "tenure", "presence"),
    CADENCE: ("plan", "gap", "key_people", "quarters"),
    MESSAGES: ("share", "outside", "steadiness"),
}

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "interactions" / "consistency_weights.json"


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """Both ends inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise ValueError("a period needs a start date and an end date")
        if self.start > self.end:
            raise ValueError(f"the period starts ({self.start}) after it ends ({self.end})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def observed_until(self, today: date) -> date | None:
        """The last day that can be judged: the end, or today while the period runs; None before it starts."""
        last = min(self.end, today)
        return last if last >= self.start else None


def previous_period(period: Period) -> Period:
    """The period of the same length just before; whole months stay whole months (a quarter → the previous quarter)."""
    after_end = period.end + ONE_DAY
    if period.start.day == 1 and after_end.day == 1:
        months = (after_end.year * 12 + after_end.month) - (period.start.year * 12 + period.start.month)
        return Period(add_months(period.start, -months), period.start - ONE_DAY)
    end = period.start - ONE_DAY
    return Period(end - timedelta(days=period.days - 1), end)


class Assignment(NamedTuple):
    """From ``date_from`` on, ``user_id`` is the responsible account manager (None: nobody)."""

    date_from: date
    user_id: Id | None


class Interaction(NamedTuple):
    """One logged contact. A NamedTuple rather than a dataclass because a network holds a million
    of them and tuples are built about three times faster; any containers supporting ``in`` will do."""

    date: date
    type: str
    user_ids: Iterable[Id] = frozenset()
    contact_ids: Iterable[Id] = frozenset()
    message_ids: Iterable[Id] = frozenset()


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at the customer; ``influence`` is a relative weight (e.g. 1–5), 0 allowed."""

    id: Id
    name: str
    role: str | None = None
    influence: float = 1.0


@dataclass(frozen=True, slots=True)
class CoreMessage:
    """A core message valid from/to (inclusive; None: open-ended)."""

    id: Id
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(f"core message {self.id!r} is valid from {self.valid_from} after it ends ({self.valid_to})")


@dataclass(frozen=True)
class MessageSet:
    """The central catalogue of core messages, indexed once for all accounts."""

    validity: Mapping[Id, tuple[date | None, date | None]]

    @classmethod
    def of(cls, messages: Iterable[CoreMessage] | MessageSet) -> MessageSet:
        if isinstance(messages, MessageSet):
            return messages
        return cls({m.id: (m.valid_from, m.valid_to) for m in messages})

    def current_on(self, day: date) -> frozenset[Id]:
        return frozenset(
            mid for mid, (lo, hi) in self.validity.items() if (lo is None or lo <= day) and (hi is None or day <= hi)
        )


@dataclass(frozen=True, slots=True)
class Intensity:
    """Planned care: contacts per year (min, optional max) and a minimum per quarter. All zero: take-along account."""

    contacts_per_year_min: float
    contacts_per_year_max: float | None = None
    min_per_quarter: float = 0

    def __post_init__(self) -> None:
        for name in ("contacts_per_year_min", "min_per_quarter"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                raise ValueError(f"intensity: {name} must be a number ≥ 0, got {value!r}")
        hi = self.contacts_per_year_max
        if hi is not None and (not _is_number(hi) or hi < self.contacts_per_year_min):
            raise ValueError(f"intensity: contacts_per_year_max must be ≥ the minimum, got {hi!r}")

    @property
    def is_zero(self) -> bool:
        return self.contacts_per_year_min == 0 and self.min_per_quarter == 0

    @property
    def interval_days(self) -> int | None:
        """Days allowed between two contacts; the stricter of the yearly and the quarterly plan."""
        candidates = []
        if self.contacts_per_year_min > 0:
            candidates.append(max(1, math.floor(365 / self.contacts_per_year_min)))
        if self.min_per_quarter > 0:
            candidates.append(max(1, math.floor(365 / 4 / self.min_per_quarter)))
        return min(candidates) if candidates else None


@dataclass(frozen=True)
class AccountHistory:
    """Everything known about one account, as plain values."""

    account_id: Id
    assignments: Sequence[Assignment | tuple[date, Id | None]] = ()
    interactions: Sequence[Interaction] = ()
    contacts: Sequence[Contact] = ()
    intensity: Intensity | None = None


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsistencyConfig:
    """Validated weights and thresholds; build with ``parse_config`` or ``load_config``."""

    component_weights: Mapping[str, float]
    measure_weights: Mapping[str, Mapping[str, float]]
    gap_days: int
    change_window_months: int
    change_penalty: float
    full_tenure_days: int
    presence_target: float
    message_share_target: float
    steadiness_target: float
    key_person_days: Mapping[str, int]
    green_from: float
    amber_from: float
    type_weights: Mapping[str, float]
    default_type_weight: float
    default_intensity: Intensity

    def band(self, score: float | None) -> str | None:
        if score is None:
            return None
        shown = _round_half_up(score)
        if shown >= self.green_from:
            return GREEN
        if shown >= self.amber_from:
            return AMBER
        return RED


_THRESHOLDS: Mapping[str, tuple[str, float, float]] = {
    # name: (kind, lowest, highest)
    "gap_days": ("int", 1, 3650),
    "change_window_months": ("int", 1, 240),
    "change_penalty": ("float", 0, 1),
    "full_tenure_days": ("int", 1, 3650),
    "presence_target": ("fraction", 0, 1),
    "message_share_target": ("fraction", 0, 1),
    "steadiness_target": ("fraction", 0, 1),
}
_TOP_KEYS = ("components", "thresholds", "key_people", "bands", "interaction_types", "default_intensity")


def parse_config(raw: Any) -> ConsistencyConfig:
    """Validate a decoded JSON document; every problem is a ValueError naming the offending key."""
    _check_keys(raw, "", required=_TOP_KEYS)
    components = raw["components"]
    _check_keys(components, "components", required=tuple(COMPONENT_MEASURES))
    component_weights: dict[str, float] = {}
    measure_weights: dict[str, dict[str, float]] = {}
    for name, measures in COMPONENT_MEASURES.items():
        entry = components[name]
        path = f"components.{name}"
        _check_keys(entry, path, required=("weight", "measures"))
        component_weights[name] = _weight(entry["weight"], f"{path}.weight")
        _check_keys(entry["measures"], f"{path}.measures", required=measures)
        measure_weights[name] = {m: _weight(entry["measures"][m], f"{path}.measures.{m}") for m in measures}
        if component_weights[name] > 0 and sum(measure_weights[name].values()) == 0:
            raise ValueError(f"consistency weights: {path}.measures are all 0 although the component weighs {component_weights[name]}")
    if sum(component_weights.values()) == 0:
        raise ValueError("consistency weights: all component weights are 0; at least one must be positive")

    thresholds = raw["thresholds"]
    _check_keys(thresholds, "thresholds", required=tuple(_THRESHOLDS))
    values: dict[str, float] = {}
    for name, (kind, lo, hi) in _THRESHOLDS.items():
        value = thresholds[name]
        path = f"thresholds.{name}"
        if not _is_number(value):
            raise ValueError(f"consistency weights: {path} must be a number, got {value!r}")
        if kind == "int" and value != int(value):
            raise ValueError(f"consistency weights: {path} must be a whole number, got {value!r}")
        if kind == "fraction" and not (lo < value <= hi):
            raise ValueError(f"consistency weights: {path} must be above {lo} and at most {hi}, got {value!r}")
        if kind != "fraction" and not (lo <= value <= hi):
            raise ValueError(f"consistency weights: {path} must be between {lo} and {hi}, got {value!r}")
        values[name] = int(value) if kind == "int" else float(value)

    key_people = raw["key_people"]
    _check_keys(key_people, "key_people", optional=ROLES)
    key_person_days: dict[str, int] = {}
    for role, days in key_people.items():
        if role.startswith("_"):
            continue
        if not _is_number(days) or days != int(days) or days < 1:
            raise ValueError(f"consistency weights: key_people.{role} must be a whole number of days ≥ 1, got {days!r}")
        key_person_days[role] = int(days)

    bands = raw["bands"]
    _check_keys(bands, "bands", required=(GREEN, AMBER))
    for name in (GREEN, AMBER):
        if not _is_number(bands[name]) or not (0 <= bands[name] <= 100):
            raise ValueError(f"consistency weights: bands.{name} must be a score between 0 and 100, got {bands[name]!r}")
    if bands[AMBER] > bands[GREEN]:
        raise ValueError(f"consistency weights: bands.amber ({bands[AMBER]}) must not be above bands.green ({bands[GREEN]})")

    types = raw["interaction_types"]
    if not isinstance(types, Mapping) or "default" not in types:
        raise ValueError("consistency weights: interaction_types must be an object with a 'default' weight")
    type_weights = {t: _weight(w, f"interaction_types.{t}") for t, w in types.items() if not t.startswith("_")}
    default_type_weight = type_weights.pop("default")

    intensity = raw["default_intensity"]
    _check_keys(intensity, "default_intensity", required=("contacts_per_year_min", "min_per_quarter"), optional=("contacts_per_year_max",))
    try:
        default_intensity = Intensity(
            intensity["contacts_per_year_min"], intensity.get("contacts_per_year_max"), intensity["min_per_quarter"]
        )
    except ValueError as exc:
        raise ValueError(f"consistency weights: default_intensity: {exc}") from None

    return ConsistencyConfig(
        component_weights=component_weights,
        measure_weights=measure_weights,
        gap_days=int(values["gap_days"]),
        change_window_months=int(values["change_window_months"]),
        change_penalty=values["change_penalty"],
        full_tenure_days=int(values["full_tenure_days"]),
        presence_target=values["presence_target"],
        message_share_target=values["message_share_target"],
        steadiness_target=values["steadiness_target"],
        key_person_days=key_person_days,
        green_from=float(bands[GREEN]),
        amber_from=float(bands[AMBER]),
        type_weights=type_weights,
        default_type_weight=default_type_weight,
        default_intensity=default_intensity,
    )


def load_config(path: str | Path | None = None) -> ConsistencyConfig:
    """Read and validate a weights file (the shipped one by default)."""
    path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"consistency weights: cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"consistency weights: {path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    return parse_config(raw)


@lru_cache(maxsize=1)
def default_config() -> ConsistencyConfig:
    return load_config()


def _check_keys(obj: Any, path: str, required: Sequence[str] = (), optional: Sequence[str] = ()) -> None:
    where = path or "the top level"
    if not isinstance(obj, Mapping):
        raise ValueError(f"consistency weights: {where} must be an object, got {type(obj).__name__}")
    # Keys starting with "_" are comments, since JSON has none.
    keys = {k for k in obj if not (isinstance(k, str) and k.startswith("_"))}
    missing = [k for k in required if k not in keys]
    if missing:
        raise ValueError(f"consistency weights: {where} lacks {', '.join(repr(k) for k in missing)}")
    unknown = sorted(str(k) for k in keys - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(sorted([*required, *optional]))
        raise ValueError(f"consistency weights: unknown key {', '.join(repr(k) for k in unknown)} in {where} (allowed: {allowed})")


def _weight(value: Any, path: str) -> float:
    if not _is_number(value) or value < 0:
        raise ValueError(f"consistency weights: {path} must be a number ≥ 0, got {value!r}")
    return float(value)


def _is_number(value: Any) -> bool:
    # bool is an int in Python, but `true` as a weight is a typo, not a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------------------------------------
# Reasons
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """A finding as a code with JSON-friendly parameters (dates as ISO strings), so it can be
    stored, compared and rendered in any language later. ``impact``: score points it costs."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    impact: float = 0.0

    def text(self, lang: str = "de") -> str:
        return render(self, lang)


@dataclass(frozen=True)
class Part:
    """One sub-measure as the score sees it: 1 = no concern, 0 = worst, None = not applicable.
    ``split`` says how its lost points divide among its reasons (default: equally)."""

    name: str
    value: float | None
    reasons: tuple[Reason, ...] = ()
    split: tuple[float, ...] = ()


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Continuity:
    manager_id: Id | None
    manager_since: date | None
    tenure_days: int | None
    first_manager: bool
    changes_in_period: int
    changes_in_window: int
    window_months: int
    managers_in_period: int
    managers_in_window: int
    presence: float | None
    presence_count: int
    presence_total: int
    parts: tuple[Part, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(r for p in self.parts for r in p.reasons)


@dataclass(frozen=True)
class KeyPersonGap:
    """A key person (decision maker, influencer, …) not met in the period, or met longer ago than
    the days set for the role: met in February of a yearly period and then ignored is a gap too."""

    contact_id: Id
    name: str
    role: str
    influence: float
    last_met: date | None
    days_since: int | None
    met_in_period: bool


@dataclass(frozen=True)
class QuarterShortfall:
    start: date
    end: date
    held: float
    minimum: float


@dataclass(frozen=True)
class Cadence:
    take_along: bool
    observed_days: int
    held: float
    contacts: int
    planned: float
    planned_due: int
    planned_max: float | None
    longest_gap_days: int | None
    longest_gap_from: date | None
    longest_gap_to: date | None
    last_contact: date | None
    days_since_last_contact: int | None
    key_people: int
    key_people_gaps: tuple[KeyPersonGap, ...]
    quarters_judged: int
    quarters_below: tuple[QuarterShortfall, ...]
    parts: tuple[Part, ...]

    @property
    def key_people_not_met(self) -> tuple[KeyPersonGap, ...]:
        return tuple(g for g in self.key_people_gaps if not g.met_in_period)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(r for p in self.parts for r in p.reasons)


@dataclass(frozen=True)
class OutsideMessage:
    message_id: Id
    status: str  # "retired", "not_yet_valid" or "unknown", judged on the interaction's date
    interactions: int


@dataclass(frozen=True)
class MessageConsistency:
    interactions: int
    with_current: int
    share: float | None
    outside_interactions: int
    outside: tuple[OutsideMessage, ...]
    steadiness: float | None
    bucket: str | None  # "quarter" or "half"
    buckets_compared: int
    parts: tuple[Part, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(r for p in self.parts for r in p.reasons)


@dataclass(frozen=True)
class Score:
    value: float | None
    band: str | None
    components: Mapping[str, float | None]
    reasons: tuple[Reason, ...]
    notes: tuple[Reason, ...] = ()

    @property
    def rounded(self) -> int | None:
        return None if self.value is None else _round_half_up(self.value)

    def top(self, n: int = 3) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.impact > 0)[:n]


@dataclass(frozen=True)
class AccountConsistency:
    account_id: Id
    manager_id: Id | None
    period: Period
    as_of: date | None
    continuity: Continuity
    cadence: Cadence
    messages: MessageConsistency
    score: Score


# ---------------------------------------------------------------------------------------------
# The single pass over an account's interactions
# ---------------------------------------------------------------------------------------------


class _Timeline:
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
class _Digest:
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
def _quarter_slices(period: Period) -> tuple[tuple[date, date, int], ...]:
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


def _digest(
    interactions: Iterable[Interaction],
    period: Period,
    today: date,
    config: ConsistencyConfig,
    *,
    key_ids: frozenset = frozenset(),
    messages: MessageSet | None = None,
    timeline: _Timeline | None = None,
) -> _Digest:
    as_of = period.observed_until(today)
    digest = _Digest(as_of=as_of)
    if as_of is None:
        return digest
    start = period.start
    quarters = _quarter_slices(period)
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


# ---------------------------------------------------------------------------------------------
# The three measures
# ---------------------------------------------------------------------------------------------


def continuity(
    assignments: Iterable[Assignment | tuple[date, Id | None]],
    period: Period,
    today: date,
    interactions: Iterable[Interaction] = (),
    config: ConsistencyConfig | None = None,
) -> Continuity:
    """Changes of the responsible account manager, tenure of the current one, and how often they
    took part in the contacts themselves. A change dated on the period's first or last day counts
    as in the period; a change dated after today (a planned handover) does not count yet."""
    config = config or default_config()
    timeline = _Timeline(assignments)
    digest = _digest(interactions, period, today, config, timeline=timeline)
    return _continuity(timeline, period, today, digest, config)


def _continuity(timeline: _Timeline, period: Period, today: date, digest: _Digest, config: ConsistencyConfig) -> Continuity:
    as_of = digest.as_of
    reference = as_of if as_of is not None else min(today, period.end)
    manager = timeline.manager_on(reference)
    months = config.change_window_months
    window_start = add_months(reference, -months)
    changes_window = timeline.changes_between(window_start, reference)
    changes_before = bisect_right(timeline.change_dates, reference)
    if manager is None:
        since = None
    elif changes_before:
        since = timeline.change_dates[changes_before - 1]
    else:
        since = timeline.first_named
    tenure = (reference - since).days if since is not None else None
    first_manager = changes_before == 0
    if as_of is not None:
        changes_period = timeline.changes_between(period.start, as_of)
        managers_period = timeline.managers_between(period.start, as_of)
    else:
        changes_period = managers_period = 0
    presence = digest.presence_count / digest.presence_total if digest.presence_total else None

    parts: list[Part]
    if as_of is None:
        parts = [Part(name, None) for name in COMPONENT_MEASURES[CONTINUITY]]
    elif manager is None:
        # Nobody responsible is the worst continuity there is, whatever else happened.
        parts = [Part("changes", 0.0, (Reason("no_account_manager", {}),)), Part("tenure", None), Part("presence", None)]
    else:
        changes_value = max(0.0, 1.0 - config.change_penalty * changes_window)
        changes_reasons = ()
        if changes_window:
            changes_reasons = (
                Reason("manager_changes", {"changes": changes_window, "managers": changes_window + 1, "months": months}),
            )
        # A first manager on a new account has a short tenure without any inconsistency.
        tenure_value = 1.0 if first_manager else min(1.0, tenure / config.full_tenure_days)
        tenure_reasons = (Reason("short_tenure", {"days": tenure}),) if tenure_value < 1 else ()
        if presence is None:
            presence_part = Part("presence", None)
        else:
            presence_value = min(1.0, presence / config.presence_target)
            presence_reasons = ()
            if presence_value < 1:
                presence_reasons = (
                    Reason("manager_rarely_present", {"count": digest.presence_count, "total": digest.presence_total}),
                )
            presence_part = Part("presence", presence_value, presence_reasons)
        parts = [Part("changes", changes_value, changes_reasons), Part("tenure", tenure_value, tenure_reasons), presence_part]

    return Continuity(
        manager_id=manager,
        manager_since=since,
        tenure_days=tenure,
        first_manager=first_manager,
        changes_in_period=changes_period,
        changes_in_window=changes_window,
        window_months=months,
        managers_in_period=managers_period,
        managers_in_window=timeline.managers_between(window_start, reference),
        presence=presence,
        presence_count=digest.presence_count,
        presence_total=digest.presence_total,
        parts=tuple(parts),
    )


def cadence(
    interactions: Iterable[Interaction],
    period: Period,
    today: date,
    contacts: Iterable[Contact] = (),
    intensity: Intensity | None = None,
    config: ConsistencyConfig | None = None,
) -> Cadence:
    """Contacts held against the plan, gaps, key people not met (in the period, or for longer than
    the days set for their role), quarters below the minimum.

    The plan is prorated to the observed part of the period (start to the end, or to today while
    it runs), and only whole planned contacts are expected: early in a period nothing is due yet.
    Gaps run from the period's start to the first contact, between contacts, and from the last
    contact to the end or today. Only full quarters that have passed are judged against the
    minimum per quarter. A take-along account (zero planned intensity) gets figures, no penalty."""
    config = config or default_config()
    contacts = tuple(contacts)
    key_ids = frozenset(c.id for c in contacts if c.role in config.key_person_days)
    digest = _digest(interactions, period, today, config, key_ids=key_ids)
    return _cadence(contacts, intensity or config.default_intensity, period, digest, config)


def _cadence(contacts: Sequence[Contact], intensity: Intensity, period: Period, digest: _Digest, config: ConsistencyConfig) -> Cadence:
    as_of = digest.as_of
    key_people = [c for c in contacts if c.role in config.key_person_days]
    if as_of is None:
        return Cadence(
            take_along=intensity.is_zero, observed_days=0, held=0.0, contacts=0, planned=0.0, planned_due=0,
            planned_max=None if intensity.contacts_per_year_max is None else 0.0,
            longest_gap_days=None, longest_gap_from=None, longest_gap_to=None, last_contact=None,
            days_since_last_contact=None, key_people=len(key_people), key_people_gaps=(), quarters_judged=0,
            quarters_below=(), parts=tuple(Part(name, None) for name in COMPONENT_MEASURES[CADENCE]),
        )

    observed_days = (as_of - period.start).days + 1
    planned = intensity.contacts_per_year_min * observed_days / 365
    planned_due = math.floor(planned + 1e-9)
    planned_max = None
    if intensity.contacts_per_year_max is not None:
        planned_max = intensity.contacts_per_year_max * observed_days / 365

    dates = sorted(digest.contact_dates)
    if dates:
        previous = period.start
        longest, gap_from, gap_to = -1, period.start, period.start
        for day in dates:
            gap = (day - previous).days
            if gap > longest:
                longest, gap_from, gap_to = gap, previous, day
            previous = day
        trailing = (as_of - previous).days
        # On a tie the trailing gap wins: "no contact for N days" is the one to act on.
        trailing_longest = trailing >= longest
        if trailing_longest:
            longest, gap_from, gap_to = trailing, previous, as_of
    else:
        longest, gap_from, gap_to, trailing_longest = observed_days, period.start, as_of, True
    last_contact = digest.last_contact
    days_since = (as_of - last_contact).days if last_contact is not None else None

    gaps = []
    for person in key_people:
        seen = digest.key_last.get(person.id)
        since = (as_of - seen).days if seen is not None else None
        met = person.id in digest.met
        if met and since <= config.key_person_days[person.role]:
            continue
        gaps.append(
            KeyPersonGap(
                contact_id=person.id, name=person.name, role=person.role, influence=person.influence,
                last_met=seen, days_since=since, met_in_period=met,
            )
        )
    gaps.sort(key=lambda g: (-g.influence, g.days_since is not None, -(g.days_since or 0), g.name))

    quarters = _quarter_slices(period)
    judged = 0
    below = []
    for (q_start, q_end, full_length), q_held in zip(quarters, digest.quarter_held):
        if q_end > as_of or (q_end - q_start).days + 1 < full_length:
            continue
        judged += 1
        if q_held < intensity.min_per_quarter:
            below.append(QuarterShortfall(q_start, q_end, q_held, intensity.min_per_quarter))

    if intensity.is_zero:
        parts = tuple(Part(name, None) for name in COMPONENT_MEASURES[CADENCE])
    else:
        parts = (
            _plan_part(digest.held, planned_due),
            _gap_part(longest, gap_from, gap_to, trailing_longest, bool(dates), days_since, observed_days, config),
            _key_people_part(key_people, gaps),
            _quarters_part(intensity, judged, below),
        )
    return Cadence(
        take_along=intensity.is_zero, observed_days=observed_days, held=digest.held, contacts=digest.contacts,
        planned=planned, planned_due=planned_due, planned_max=planned_max, longest_gap_days=longest,
        longest_gap_from=gap_from, longest_gap_to=gap_to, last_contact=last_contact, days_since_last_contact=days_since,
        key_people=len(key_people), key_people_gaps=tuple(gaps), quarters_judged=judged,
        quarters_below=tuple(below), parts=parts,
    )


def _plan_part(held: float, planned_due: int) -> Part:
    if planned_due < 1:
        return Part("plan", None)
    value = min(1.0, held / planned_due)
    reasons = (Reason("below_plan", {"held": _clean(held), "planned": planned_due}),) if value < 1 else ()
    return Part("plan", value, reasons)


def _gap_part(
    longest: int, gap_from: date, gap_to: date, trailing: bool, any_contact: bool,
    days_since: int | None, observed_days: int, config: ConsistencyConfig,
) -> Part:
    threshold = config.gap_days
    if longest <= threshold:
        return Part("gap", 1.0)
    # Full marks up to the red flag, nothing left at twice the red flag.
    value = max(0.0, 1.0 - (longest - threshold) / threshold)
    if not any_contact and days_since is None:
        reason = Reason("no_contact_in_period", {"days": observed_days})
    elif trailing:
        reason = Reason("no_contact_since", {"days": days_since, "threshold": threshold})
    else:
        reason = Reason(
            "longest_gap",
            {"days": longest, "threshold": threshold, "from": gap_from.isoformat(), "to": gap_to.isoformat()},
        )
    return Part("gap", value, (reason,))


def _key_people_part(key_people: Sequence[Contact], gaps: Sequence[KeyPersonGap]) -> Part:
    if not key_people:
        return Part("key_people", None)
    # Influence weighs who matters more; if nobody has any, every person counts the same.
    use_influence = sum(max(0.0, p.influence) for p in key_people) > 0
    weight = (lambda x: max(0.0, x.influence)) if use_influence else (lambda x: 1.0)
    total = sum(weight(p) for p in key_people)
    missing = sum(weight(g) for g in gaps)
    reasons = tuple(_key_person_reason(g) for g in gaps)
    return Part("key_people", 1.0 - missing / total, reasons, tuple(weight(g) for g in gaps))


def _key_person_reason(gap: KeyPersonGap) -> Reason:
    known = {DECISION_MAKER: "decision_maker", INFLUENCER: "influencer"}.get(gap.role)
    if known:
        if gap.days_since is None:
            return Reason(f"{known}_never_met", {"name": gap.name})
        return Reason(f"no_contact_{known}", {"name": gap.name, "days": gap.days_since})
    if gap.days_since is None:
        return Reason("key_person_never_met", {"name": gap.name, "role": gap.role})
    return Reason("no_contact_key_person", {"name": gap.name, "role": gap.role, "days": gap.days_since})


def _quarters_part(intensity: Intensity, judged: int, below: Sequence[QuarterShortfall]) -> Part:
    if intensity.min_per_quarter <= 0 or judged == 0:
        return Part("quarters", None)
    reasons = ()
    if below:
        reasons = (
            Reason("quarters_below_minimum", {"count": len(below), "judged": judged, "minimum": _clean(intensity.min_per_quarter)}),
        )
    return Part("quarters", 1.0 - len(below) / judged, reasons)


def message_consistency(
    interactions: Iterable[Interaction],
    messages: Iterable[CoreMessage] | MessageSet,
    period: Period,
    today: date,
    config: ConsistencyConfig | None = None,
) -> MessageConsistency:
    """Share of interactions carrying at least one core message valid on the interaction's date,
    messages carried outside that set, and how steady the carried set is over time.

    Steadiness is the mean Jaccard similarity |A∩B| / |A∪B| of the message sets of consecutive
    quarters of the observed period (halves when it spans fewer than two quarters); quarters in
    which no message was carried are skipped, since silence is a cadence matter, not a change of
    message. Needs two such quarters or halves, else it is not applicable."""
    config = config or default_config()
    digest = _digest(interactions, period, today, config, messages=MessageSet.of(messages))
    return _messages(digest, config)


def _messages(digest: _Digest, config: ConsistencyConfig) -> MessageConsistency:
    n = digest.interactions
    outside = tuple(
        sorted(
            (OutsideMessage(mid, status, count) for mid, (status, count) in digest.outside.items()),
            key=lambda o: (-o.interactions, str(o.message_id)),
        )
    )
    non_empty = [s for s in digest.bucket_sets if s]
    compared = max(0, len(non_empty) - 1)
    steadiness = None
    if compared:
        steadiness = sum(len(a & b) / len(a | b) for a, b in zip(non_empty, non_empty[1:])) / compared
    if n == 0:
        return MessageConsistency(
            interactions=0, with_current=0, share=None, outside_interactions=0, outside=outside,
            steadiness=steadiness, bucket=digest.bucket, buckets_compared=compared,
            parts=tuple(Part(name, None) for name in COMPONENT_MEASURES[MESSAGES]),
        )
    share = digest.with_current / n
    share_value = min(1.0, share / config.message_share_target)
    share_reasons = () if share_value >= 1 else (Reason("low_message_share", {"count": digest.with_current, "total": n}),)
    outside_value = 1.0 - digest.outside_interactions / n
    outside_reasons = ()
    if digest.outside_interactions:
        by_status = {"retired": 0, "not_yet_valid": 0, "unknown": 0}
        for o in outside:
            by_status[o.status] += 1
        outside_reasons = (Reason("outside_messages", {"interactions": digest.outside_interactions, **by_status}),)
    if steadiness is None:
        steadiness_part = Part("steadiness", None)
    else:
        steadiness_value = min(1.0, steadiness / config.steadiness_target)
        steadiness_reasons = ()
        if steadiness_value < 1:
            steadiness_reasons = (Reason("unsteady_messages", {"similarity": round(steadiness, 4), "bucket": digest.bucket}),)
        steadiness_part = Part("steadiness", steadiness_value, steadiness_reasons)
    return MessageConsistency(
        interactions=n, with_current=digest.with_current, share=share, outside_interactions=digest.outside_interactions,
        outside=outside, steadiness=steadiness, bucket=digest.bucket, buckets_compared=compared,
        parts=(Part("share", share_value, share_reasons), Part("outside", outside_value, outside_reasons), steadiness_part),
    )


# ---------------------------------------------------------------------------------------------
# Score
# ---------------------------------------------------------------------------------------------


def consistency_score(
    continuity: Continuity,
    cadence: Cadence,
    messages: MessageConsistency,
    config: ConsistencyConfig | None = None,
    notes: Iterable[Reason] = (),
) -> Score:
    """Weighted mean of the applicable parts, 0–100. Weights are renormalised over what applies,
    so a take-along account is judged on continuity and messages alone. Every lost point goes to a
    reason: the impacts add up to 100 − score."""
    config = config or default_config()
    measures = {CONTINUITY: continuity, CADENCE: cadence, MESSAGES: messages}
    applicable: dict[str, list[tuple[Part, float]]] = {}
    for name, measure in measures.items():
        weights = config.measure_weights[name]
        parts = [(p, weights[p.name]) for p in measure.parts if p.value is not None and weights.get(p.name, 0) > 0]
        if parts and config.component_weights[name] > 0:
            applicable[name] = parts
    total_weight = sum(config.component_weights[name] for name in applicable)
    components: dict[str, float | None] = {name: None for name in measures}
    if not total_weight:
        return Score(None, None, components, (), tuple(notes))

    reasons: list[Reason] = []
    score = 0.0
    for name, parts in applicable.items():
        share = config.component_weights[name] / total_weight
        part_total = sum(w for _, w in parts)
        component_value = 0.0
        for part, weight in parts:
            value = min(1.0, max(0.0, part.value))
            component_value += weight / part_total * value
            loss = 100.0 * share * weight / part_total * (1.0 - value)
            if loss > 0 and part.reasons:
                split = part.split if part.split and sum(part.split) > 0 else (1.0,) * len(part.reasons)
                split_total = sum(split)
                for reason, portion in zip(part.reasons, split):
                    reasons.append(Reason(reason.code, reason.params, loss * portion / split_total))
        components[name] = component_value
        score += share * component_value
    value = min(100.0, max(0.0, 100.0 * score))
    reasons.sort(key=lambda r: (-r.impact, r.code, str(sorted(r.params.items()))))
    return Score(value, config.band(value), components, tuple(reasons), tuple(notes))


def assess_account(
    history: AccountHistory,
    period: Period,
    messages: Iterable[CoreMessage] | MessageSet,
    today: date,
    config: ConsistencyConfig | None = None,
) -> AccountConsistency:
    """All three measures and the score for one account, from one pass over its interactions.

    A period that has not started yet (relative to today) has no score; a past period is judged
    as of its last day, so later interactions do not count."""
    config = config or default_config()
    intensity = history.intensity or config.default_intensity
    timeline = _Timeline(history.assignments)
    key_ids = frozenset(c.id for c in history.contacts if c.role in config.key_person_days)
    digest = _digest(
        history.interactions, period, today, config, key_ids=key_ids, messages=MessageSet.of(messages), timeline=timeline
    )
    cont = _continuity(timeline, period, today, digest, config)
    cad = _cadence(history.contacts, intensity, period, digest, config)
    msg = _messages(digest, config)
    notes = []
    if digest.as_of is None:
        notes.append(Reason("period_not_started", {"start": period.start.isoformat()}))
    else:
        if intensity.is_zero:
            notes.append(Reason("take_along", {}))
        if msg.interactions == 0:
            notes.append(Reason("messages_not_assessed", {}))
    return AccountConsistency(
        account_id=history.account_id, manager_id=cont.manager_id, period=period, as_of=digest.as_of,
        continuity=cont, cadence=cad, messages=msg, score=consistency_score(cont, cad, msg, config, notes),
    )


def assess_accounts(
    histories: Iterable[AccountHistory],
    period: Period,
    messages: Iterable[CoreMessage] | MessageSet,
    today: date,
    config: ConsistencyConfig | None = None,
) -> list[AccountConsistency]:
    config = config or default_config()
    message_set = MessageSet.of(messages)
    return [assess_account(h, period, message_set, today, config) for h in histories]


# ---------------------------------------------------------------------------------------------
# Due contacts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueInput:
    """What due contacts need per account; the database can fill it from MAX(date) per account and
    person without loading interactions. ``since``: when the account came under care, the start
    for the first contact when there has never been one."""

    account_id: Id
    manager_id: Id | None
    intensity: Intensity | None = None
    last_contact: date | None = None
    since: date | None = None
    contacts: Sequence[Contact] = ()
    last_contact_by_person: Mapping[Id, date] = field(default_factory=dict)


@dataclass(frozen=True)
class DueContact:
    """An account (``contact_id`` None) or a key person to contact. ``days_overdue`` > 0 overdue,
    0 due today, < 0 due in that many days."""

    account_id: Id
    manager_id: Id | None
    contact_id: Id | None
    name: str | None
    role: str | None
    last_contact: date | None
    due_date: date
    days_overdue: int
    priority: float
    reason: Reason

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def due_input(history: AccountHistory, today: date, config: ConsistencyConfig | None = None) -> DueInput:
    """Derive the due-contact input from a full history, counting contacts up to today."""
    config = config or default_config()
    timeline = _Timeline(history.assignments)
    key_ids = {c.id for c in history.contacts if c.role in config.key_person_days}
    last = None
    by_person: dict[Id, date] = {}
    for it in history.interactions:
        day = it.date
        if day > today or config.type_weights.get(it.type, config.default_type_weight) <= 0:
            continue
        if last is None or day > last:
            last = day
        for cid in it.contact_ids:
            if cid in key_ids and (cid not in by_person or day > by_person[cid]):
                by_person[cid] = day
    return DueInput(
        account_id=history.account_id, manager_id=timeline.manager_on(today), intensity=history.intensity,
        last_contact=last, since=timeline.first_named, contacts=tuple(history.contacts), last_contact_by_person=by_person,
    )


def due_contacts(
    inputs: Iterable[DueInput],
    today: date,
    within_days: int = 7,
    priority: Mapping[Id, float] | Callable[[Id], float] | None = None,
    config: ConsistencyConfig | None = None,
) -> list[DueContact]:
    """Accounts and key people overdue or due within ``within_days``, ordered by the account's
    priority (higher first; pass -rank for a rank), then the most overdue first.

    An account is due ``Intensity.interval_days`` after its last contact; a key person after the
    days set for their role in ``key_people``. Never contacted: due that long after ``since``, or
    today without it. Take-along accounts are never due."""
    if not isinstance(within_days, int) or isinstance(within_days, bool) or within_days < 0:
        raise ValueError(f"within_days must be a whole number ≥ 0, got {within_days!r}")
    config = config or default_config()
    if priority is None:
        rank: Callable[[Id], float] = lambda _: 0.0
    elif callable(priority):
        rank = priority
    else:
        rank = lambda account_id: priority.get(account_id, 0.0)
    horizon = today + timedelta(days=within_days)
    items: list[DueContact] = []
    for entry in inputs:
        intensity = entry.intensity or config.default_intensity
        interval = intensity.interval_days
        if interval is None:
            continue
        weight = float(rank(entry.account_id))
        due = _due_date(entry.last_contact, entry.since, interval, today)
        if due <= horizon:
            days = (today - due).days
            if entry.last_contact is None and days >= 0:
                # Never contacted: say so, rather than counting days overdue from an arbitrary start.
                reason = Reason("account_never_contacted",
                                {"since": entry.since.isoformat()} if entry.since is not None else {})
            elif days > 0:
                reason = Reason("account_contact_overdue", {"days": days, "interval": interval})
            else:
                reason = Reason("account_contact_due", {"days": -days})
            items.append(DueContact(entry.account_id, entry.manager_id, None, None, None, entry.last_contact, due, days, weight, reason))
        for person in entry.contacts:
            person_interval = config.key_person_days.get(person.role)
            if person_interval is None:
                continue
            last = entry.last_contact_by_person.get(person.id)
            due = _due_date(last, entry.since, person_interval, today)
            if due > horizon:
                continue
            days = (today - due).days
            params = {"name": person.name, "role": person.role}
            if last is None and days >= 0:
                reason = Reason("person_never_met", params)
            elif days > 0:
                reason = Reason("person_contact_overdue", {**params, "days": days, "interval": person_interval})
            else:
                reason = Reason("person_contact_due", {**params, "days": -days})
            items.append(DueContact(entry.account_id, entry.manager_id, person.id, person.name, person.role, last, due, days, weight, reason))
    items.sort(key=lambda d: (-d.priority, d.due_date, d.contact_id is not None, str(d.account_id), d.name or "", str(d.contact_id)))
    return items


def _due_date(last: date | None, since: date | None, interval: int, today: date) -> date:
    if last is not None:
        return last + timedelta(days=interval)
    if since is not None:
        return since + timedelta(days=interval)
    return today


# ---------------------------------------------------------------------------------------------
# Aggregates and trend
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Accounts without a score (period not started) are counted but left out of mean, median and shares."""

    accounts: int
    scored: int
    mean: float | None
    median: float | None
    share_red: float | None
    bands: Mapping[str, int]
    overdue_contacts: int
    due_contacts: int
    manager_changes: int
    key_people_not_met: int


@dataclass(frozen=True)
class Trend:
    """Current minus previous; None where either side has no figure."""

    mean: float | None
    median: float | None
    share_red: float | None
    overdue_contacts: int
    manager_changes: int


def summarize(assessments: Iterable[AccountConsistency], due: Iterable[DueContact] = ()) -> Summary:
    assessments = list(assessments)
    due = list(due)
    scores = [a.score.value for a in assessments if a.score.value is not None]
    bands = {band: 0 for band in BANDS}
    for a in assessments:
        if a.score.band is not None:
            bands[a.score.band] += 1
    return Summary(
        accounts=len(assessments),
        scored=len(scores),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        share_red=bands[RED] / len(scores) if scores else None,
        bands=bands,
        overdue_contacts=sum(1 for d in due if d.overdue),
        due_contacts=len(due),
        manager_changes=sum(a.continuity.changes_in_period for a in assessments),
        key_people_not_met=sum(len(a.cadence.key_people_not_met) for a in assessments),
    )


def summarize_by_manager(
    assessments: Iterable[AccountConsistency], due: Iterable[DueContact] = ()
) -> dict[Id | None, Summary]:
    """One summary per responsible account manager (None: accounts nobody is responsible for)."""
    accounts: dict[Id | None, list[AccountConsistency]] = {}
    for a in assessments:
        accounts.setdefault(a.manager_id, []).append(a)
    dues: dict[Id | None, list[DueContact]] = {}
    for d in due:
        dues.setdefault(d.manager_id, []).append(d)
    return {m: summarize(accounts.get(m, ()), dues.get(m, ())) for m in accounts.keys() | dues.keys()}


def trend(current: Summary, previous: Summary) -> Trend:
    def delta(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    return Trend(
        mean=delta(current.mean, previous.mean),
        median=delta(current.median, previous.median),
        share_red=delta(current.share_red, previous.share_red),
        overdue_contacts=current.overdue_contacts - previous.overdue_contacts,
        manager_changes=current.manager_changes - previous.manager_changes,
    )


def earlier_score(history: AccountHistory, previous: AccountConsistency) -> float | None:
    """The previous period's score as something to compare with, or None when nothing at all had been
    recorded for the account by the end of that period: a first score is new, not a rise from zero."""
    end = previous.period.end
    if any(it.date <= end for it in history.interactions):
        return previous.score.value
    return None


def score_deltas(
    current: Iterable[AccountConsistency], previous: Iterable[AccountConsistency]
) -> dict[Id, float | None]:
    """Per account in ``current``: score now minus score before (None if either is missing)."""
    before = {a.account_id: a.score.value for a in previous}
    out: dict[Id, float | None] = {}
    for a in current:
        old = before.get(a.account_id)
        out[a.account_id] = None if old is None or a.score.value is None else a.score.value - old
    return out


# ---------------------------------------------------------------------------------------------
# Rendering reasons in German and English
# ---------------------------------------------------------------------------------------------

LANGUAGES = ("de", "de-ch", "en")

_ROLE_EN = {
    DECISION_MAKER: "decision maker", INFLUENCER: "influencer", TECHNICAL_EVALUATOR: "technical evaluator",
    USER: "user", GATEKEEPER: "gatekeeper", COACH: "coach",
}
# Both grammatical genders, so the text fits whoever holds the role.
_ROLE_DE = {
    DECISION_MAKER: "Entscheidungsträger/in", INFLUENCER: "Beeinflusser/in", TECHNICAL_EVALUATOR: "technische/r Prüfer/in",
    USER: "Anwender/in", GATEKEEPER: "Wächter/in", COACH: "Coach",
}
_ROLE_DE_DATIVE = {
    DECISION_MAKER: "der Entscheidungsträgerin/dem Entscheidungsträger",
    INFLUENCER: "der Beeinflusserin/dem Beeinflusser",
    TECHNICAL_EVALUATOR: "der technischen Prüferin/dem technischen Prüfer",
    USER: "der Anwenderin/dem Anwender",
    GATEKEEPER: "der Wächterin/dem Wächter",
    COACH: "dem Coach",
}
_ORDINAL_EN = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}
_ORDINAL_DE = {2: "zweite", 3: "dritte", 4: "vierte", 5: "fünfte", 6: "sechste", 7: "siebte", 8: "achte", 9: "neunte", 10: "zehnte"}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _Fmt:
    def __init__(self, lang: str):
        self.lang = lang
        self.de = lang.startswith("de")

    def num(self, value: float) -> str:
        value = _clean(value)
        if isinstance(value, int):
            text = f"{value:,}"
        else:
            text = f"{value:,.1f}"
        if self.lang == "de":
            return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        if self.lang == "de-ch":
            return text.replace(",", "’")
        return text

    def pct(self, share: float) -> str:
        return f"{round(100 * share)} %" if self.de else f"{round(100 * share)}%"

    def date(self, iso: str) -> str:
        day = date.fromisoformat(iso)
        if self.de:
            return f"{day.day:02d}.{day.month:02d}.{day.year}"
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"

    def span(self, n: int, case: str = "dative") -> str:
        """A long stretch of days as people say it: up to 8 weeks in days, then months, from two years
        on in years ('seit über 7 Jahren' rather than 'seit 2’559 Tagen')."""
        if n < 60:
            return self.days(n, case)
        if n < 730:
            months = n // 30
            if not self.de:
                return f"{months} months"
            return f"{months} Monaten" if case == "dative" else f"{months} Monate"
        years = n // 365
        if not self.de:
            return f"over {years} years"
        return f"über {years} Jahren" if case == "dative" else f"über {years} Jahre"

    def days(self, n: int, case: str = "dative") -> str:
        """'5 days'; German plural differs by case: 'seit 5 Tagen' (dative), 'alle 5 Tage' (accusative)."""
        if not self.de:
            return f"{self.num(n)} day" if n == 1 else f"{self.num(n)} days"
        if n == 1:
            return "1 Tag"
        return f"{self.num(n)} Tagen" if case == "dative" else f"{self.num(n)} Tage"

    def count(self, n: float, en: tuple[str, str], de: tuple[str, str]) -> str:
        singular, plural = de if self.de else en
        return f"{self.num(n)} {singular if n == 1 else plural}"

    def role(self, role: str) -> str:
        return (_ROLE_DE if self.de else _ROLE_EN).get(role, role)


def _ordinal_en(n: int) -> str:
    if n in _ORDINAL_EN:
        return _ORDINAL_EN[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _r_manager_changes(p, f):
    n, months = p["managers"], p["months"]
    if f.de:
        which = _ORDINAL_DE.get(n, f"{n}.")
        return f"{p['changes']} Wechsel der verantwortlichen Person in {f.count(months, ('', ''), ('Monat', 'Monaten'))} (jetzt die {which})"
    changes = f.count(p["changes"], ("change", "changes"), ("", ""))
    return f"{_ordinal_en(n)} account manager in {f.count(months, ('month', 'months'), ('', ''))} ({changes})"


def _r_short_tenure(p, f):
    if p["days"] == 0:
        return "die verantwortliche Person ist eben erst zuständig geworden" if f.de else "the current account manager has only just taken over"
    if f.de:
        return f"die verantwortliche Person ist erst seit {f.days(p['days'])} zuständig"
    return f"the current account manager took over only {f.days(p['days'])} ago"


def _r_no_account_manager(p, f):
    return "keine verantwortliche Person für den Kunden zugewiesen" if f.de else "no responsible account manager assigned"


def _r_manager_rarely_present(p, f):
    if f.de:
        return f"die verantwortliche Person war nur bei {p['count']} von {p['total']} Kontakten dabei"
    return f"the responsible account manager took part in only {p['count']} of {p['total']} contacts"


def _r_below_plan(p, f):
    if f.de:
        return f"nur {f.num(p['held'])} von {f.num(p['planned'])} geplanten Kontakten erfolgt"
    return f"only {f.num(p['held'])} of {f.num(p['planned'])} planned contacts held"


def _r_longest_gap(p, f):
    if f.de:
        return (
            f"{f.days(p['days'], 'accusative')} ohne Kontakt zwischen {f.date(p['from'])} und {f.date(p['to'])} "
            f"(Warnsignal ab {f.days(p['threshold'])})"
        )
    return f"{f.days(p['days'])} without contact between {f.date(p['from'])} and {f.date(p['to'])} (red flag from {f.days(p['threshold'])})"


def _r_no_contact_since(p, f):
    return f"seit {f.days(p['days'])} kein Kontakt" if f.de else f"no contact for {f.days(p['days'])}"


def _r_no_contact_in_period(p, f):
    if f.de:
        return f"kein Kontakt in den beobachteten {f.days(p['days'])}" if p["days"] != 1 else "kein Kontakt am beobachteten Tag"
    return f"no contact at all in the {f.days(p['days'])} observed"


def _with_role(role: str, name: str, f: _Fmt) -> str:
    """'der Entscheidungsträgerin/dem Entscheidungsträger Anna Meier' / 'the decision maker Anna Meier';
    a role this code does not know (stored by a later version) is shown as it is."""
    if f.de:
        return f"{_ROLE_DE_DATIVE[role]} {name}" if role in _ROLE_DE_DATIVE else f"{name} ({role})"
    return f"the {_ROLE_EN[role]} {name}" if role in _ROLE_EN else f"{name} ({role})"


def _r_no_contact_role(role):
    def render_(p, f):
        if f.de:
            return f"seit {f.days(p['days'])} kein Kontakt mit {_with_role(role, p['name'], f)}"
        return f"no contact with {_with_role(role, p['name'], f)} for {f.days(p['days'])}"

    return render_


def _r_never_met_role(role):
    def render_(p, f):
        if f.de:
            return f"noch kein Kontakt mit {_with_role(role, p['name'], f)} erfasst"
        return f"no contact ever recorded with {_with_role(role, p['name'], f)}"

    return render_


def _r_no_contact_key_person(p, f):
    return _r_no_contact_role(p["role"])(p, f)


def _r_key_person_never_met(p, f):
    return _r_never_met_role(p["role"])(p, f)


def _r_quarters_below_minimum(p, f):
    if f.de:
        minimum = f.count(p["minimum"], ("", ""), ("Kontakt", "Kontakten"))
        return f"{p['count']} von {p['judged']} Quartalen unter dem Minimum von {minimum}"
    minimum = f.count(p["minimum"], ("contact", "contacts"), ("", ""))
    return f"{p['count']} of {p['judged']} quarters below the minimum of {minimum}"


def _r_low_message_share(p, f):
    if f.de:
        return f"nur {p['count']} von {p['total']} Interaktionen mit einer aktuellen Kernbotschaft"
    return f"only {p['count']} of {p['total']} interactions carried a current core message"


def _r_outside_messages(p, f):
    labels = (
        ("retired", ("no longer valid", "nicht mehr gültig")),
        ("not_yet_valid", ("not yet valid", "noch nicht gültig")),
        ("unknown", ("unknown", "unbekannt")),
    )
    details = ", ".join(f"{p[key]} {de if f.de else en}" for key, (en, de) in labels if p.get(key))
    if f.de:
        who = f.count(p["interactions"], ("", ""), ("Interaktion", "Interaktionen"))
        return f"{who} mit Botschaften, die nicht zu den aktuellen Kernbotschaften gehören ({details})"
    who = f.count(p["interactions"], ("interaction", "interactions"), ("", ""))
    return f"{who} carried messages outside the current core messages ({details})"


def _r_unsteady_messages(p, f):
    quarter = p["bucket"] == "quarter"
    if f.de:
        when = "von Quartal zu Quartal" if quarter else "zwischen erster und zweiter Hälfte des Zeitraums"
        return f"die Kernbotschaften wechselten {when} (Ähnlichkeit {f.pct(p['similarity'])})"
    when = "from quarter to quarter" if quarter else "between the first and the second half of the period"
    return f"the core messages changed {when} (similarity {f.pct(p['similarity'])})"


def _r_period_not_started(p, f):
    if f.de:
        return f"der Zeitraum beginnt am {f.date(p['start'])}; noch nichts zu messen"
    return f"the period starts on {f.date(p['start'])}; nothing to measure yet"


def _r_take_along(p, f):
    if f.de:
        return "für diesen Kunden sind keine Kontakte geplant (Mitnahmekunde); der Kontaktrhythmus wird nicht bewertet"
    return "no contacts are planned for this account (take-along); cadence is not assessed"


def _r_messages_not_assessed(p, f):
    if f.de:
        return "keine Interaktionen im Zeitraum; die Kernbotschaften werden nicht bewertet"
    return "no interactions in the period; core messages are not assessed"


def _r_account_contact_overdue(p, f):
    if f.de:
        return f"Kontakt seit {f.span(p['days'])} überfällig (geplant alle {f.days(p['interval'], 'accusative')})"
    return f"contact overdue by {f.span(p['days'])} (planned every {f.days(p['interval'])})"


def _r_account_never_contacted(p, f):
    if p.get("since"):
        if f.de:
            return f"noch kein Kontakt erfasst (betreut seit {f.date(p['since'])})"
        return f"no contact recorded yet (in our care since {f.date(p['since'])})"
    return "noch kein Kontakt erfasst" if f.de else "no contact recorded yet"


def _r_person_never_met(p, f):
    who = f"{p['name']} ({f.role(p['role'])})"
    return f"{who} noch nie getroffen" if f.de else f"{who} not met yet"


def _r_account_contact_due(p, f):
    if p["days"] == 0:
        return "Kontakt heute fällig" if f.de else "contact due today"
    return f"Kontakt in {f.days(p['days'])} fällig" if f.de else f"contact due in {f.days(p['days'])}"


def _r_person_contact_overdue(p, f):
    if f.de:
        return f"Kontakt mit {p['name']} ({f.role(p['role'])}) seit {f.span(p['days'])} überfällig"
    return f"contact with {p['name']} ({f.role(p['role'])}) overdue by {f.span(p['days'])}"


def _r_person_contact_due(p, f):
    who = f"{p['name']} ({f.role(p['role'])})"
    if p["days"] == 0:
        return f"Kontakt mit {who} heute fällig" if f.de else f"contact with {who} due today"
    return f"Kontakt mit {who} in {f.days(p['days'])} fällig" if f.de else f"contact with {who} due in {f.days(p['days'])}"


_RENDERERS: Mapping[str, Callable[[Mapping[str, Any], _Fmt], str]] = {
    "manager_changes": _r_manager_changes,
    "short_tenure": _r_short_tenure,
    "no_account_manager": _r_no_account_manager,
    "manager_rarely_present": _r_manager_rarely_present,
    "below_plan": _r_below_plan,
    "longest_gap": _r_longest_gap,
    "no_contact_since": _r_no_contact_since,
    "no_contact_in_period": _r_no_contact_in_period,
    "no_contact_decision_maker": _r_no_contact_role(DECISION_MAKER),
    "decision_maker_never_met": _r_never_met_role(DECISION_MAKER),
    "no_contact_influencer": _r_no_contact_role(INFLUENCER),
    "influencer_never_met": _r_never_met_role(INFLUENCER),
    "no_contact_key_person": _r_no_contact_key_person,
    "key_person_never_met": _r_key_person_never_met,
    "quarters_below_minimum": _r_quarters_below_minimum,
    "low_message_share": _r_low_message_share,
    "outside_messages": _r_outside_messages,
    "unsteady_messages": _r_unsteady_messages,
    "period_not_started": _r_period_not_started,
    "take_along": _r_take_along,
    "messages_not_assessed": _r_messages_not_assessed,
    "account_contact_overdue": _r_account_contact_overdue,
    "account_contact_due": _r_account_contact_due,
    "person_contact_overdue": _r_person_contact_overdue,
    "person_contact_due": _r_person_contact_due,
    "account_never_contacted": _r_account_never_contacted,
    "person_never_met": _r_person_never_met,
}
REASON_CODES = tuple(_RENDERERS)


def render_role(role: str, lang: str = "de") -> str:
    """A buying-centre role in words ('decision maker' / 'Entscheider'), as the reasons name it."""
    return _Fmt(lang.strip().lower().replace("_", "-")).role(role)


def render(reason: Reason, lang: str = "de") -> str:
    """The reason in words: 'de' (German, 1.234,5), 'de-ch' (Swiss, 1’234.5) or 'en'; 'de_CH' and
    'en-GB' style tags are accepted."""
    if not isinstance(lang, str):
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    tag = lang.strip().lower().replace("_", "-")
    if tag not in LANGUAGES:
        tag = tag.split("-")[0]
    if tag not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    renderer = _RENDERERS.get(reason.code)
    if renderer is None:
        raise ValueError(f"unknown reason code {reason.code!r}")
    return renderer(reason.params, _Fmt(tag))


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Calendar months later (earlier if negative), the day clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _round_half_up(value: float) -> int:
    # round() rounds half to even; a score shown as 75 must be green when green starts at 75.
    return math.floor(value + 0.5)


def _clean(value: float) -> int | float:
    """Whole numbers as int, others to one decimal, so parameters read well and survive JSON."""
    if isinstance(value, int):
        return value
    if float(value).is_integer():
        return int(value)
    return round(float(value), 1)
