"""The frozen results of the consistency measures: reasons, parts, measures, score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .arithmetic import round_half_up
from .model import Id, Period


# ---------------------------------------------------------------------------------------------
# Reasons
# ---------------------------------------------------------------------------------------------


# Every code a reason may carry; the adapters word each one (interactions.wording).
REASON_CODES = (
    "manager_changes", "short_tenure", "no_account_manager", "manager_rarely_present",
    "below_plan", "longest_gap", "no_contact_since", "no_contact_in_period",
    "no_contact_decision_maker", "decision_maker_never_met", "no_contact_influencer", "influencer_never_met",
    "no_contact_key_person", "key_person_never_met", "quarters_below_minimum",
    "low_message_share", "outside_messages", "unsteady_messages",
    "period_not_started", "take_along", "messages_not_assessed",
    "account_contact_overdue", "account_contact_due", "person_contact_overdue", "person_contact_due",
    "account_never_contacted", "person_never_met",
)


@dataclass(frozen=True)
class Reason:
    """A finding as a code (one of ``REASON_CODES``) with JSON-friendly parameters (numbers, names, dates
    as ISO strings), so it can be stored, compared and worded in any language later, by the adapter.
    ``impact``: score points it costs."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    impact: float = 0.0


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
        return None if self.value is None else round_half_up(self.value)

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
