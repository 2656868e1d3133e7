"""Roles, bands, components, periods and the plain inputs of the consistency measures."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from ..errors import DomainError
from ..period import Period  # noqa: F401 - the one period type (domain.period), part of this API
from .arithmetic import add_months, is_number


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

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[2] / "interactions" / "consistency_weights.json"


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


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


class ConsistencyError(DomainError):
    """Inputs or weights consistency cannot be measured with: ``code``, ``path`` (in the weights document)
    and ``params`` say what is wrong (worded by the interactions app)."""


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
            raise ConsistencyError("message_dates",
                                   f"core message {self.id!r} is valid from {self.valid_from} after it ends ({self.valid_to})",
                                   message=self.id, valid_from=self.valid_from, valid_to=self.valid_to)


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
            if not is_number(value) or value < 0:
                raise ConsistencyError("number_at_least", f"intensity: {name} must be a number ≥ 0, got {value!r}",
                                       path=name, minimum=0, value=value)
        hi = self.contacts_per_year_max
        if hi is not None and (not is_number(hi) or hi < self.contacts_per_year_min):
            raise ConsistencyError("max_below_min", f"intensity: contacts_per_year_max must be ≥ the minimum, got {hi!r}",
                                   path="contacts_per_year_max", maximum_key="contacts_per_year_max",
                                   minimum_key="contacts_per_year_min", maximum=hi, minimum=self.contacts_per_year_min)

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
