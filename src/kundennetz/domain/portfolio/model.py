"""The parts of a scoring model (scales, criteria, axes, grid, strategies, care intensity) and constants."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import DomainError


AXES = ("attractiveness", "position")
SCALE_KINDS = ("thresholds", "linear", "manual")
COMPUTED_FIGURES = (
    "share_of_wallet_pct",
    "win_rate_pct",
    "years_as_customer",
    "relationship_strength",
)
BUYING_CENTRE_ROLES = (
    "decision_maker",
    "influencer",
    "technical_evaluator",
    "user",
    "gatekeeper",
    "coach",
)
CHANNELS = ("personal", "mixed", "digital")
ABC_LABELS = ("A", "B", "C")
MIN_POINTS = 1.0
MAX_POINTS = 5.0
UNPLACED = -1
THRESHOLD_COUNT = 4

# Combined scores are compared after rounding to a millionth of a point, so that two accounts whose
# scores differ only by floating-point noise share a rank instead of being split arbitrarily.
TIE_RESOLUTION = 1e6

# Relationship strength saturates at a monthly contact and at three solid relationships: beyond that,
# more of the same says little about how well we are anchored with the customer.
RELATIONSHIP_INTERACTIONS_FULL = 12.0
RELATIONSHIP_CONTACT_POINTS_FULL = 3.0
RELATIONSHIP_LEVELS = (1, 2, 3, 4, 5)

DAYS_PER_YEAR = 365.25

AccountId = Hashable


def is_number(value: Any) -> bool:
    """A finite int, float or Decimal, not a bool."""
    # bool is an int in Python, but "weight": true is a typo, not a weight of 1.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and math.isfinite(value)


class ScoringModelError(DomainError):
    """A scoring model that cannot be used: ``path`` is the offending entry, ``code`` and ``params`` say
    what is wrong with it (worded by the portfolio app)."""


# --------------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scale:
    """How a raw value becomes points 1..5.

    ``thresholds``: four strictly ascending limits; points = 1 + number of limits <= value, so a value
    equal to a limit already counts for the band above it.
    ``linear``: ``minimum`` gives 1 point, ``maximum`` 5, clamped outside; ``minimum > maximum``
    expresses "lower is better".
    ``manual``: the value is a person's rating 1..5 and already is the points.
    """

    kind: str
    thresholds: tuple[float, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def points(self, value: float) -> float:
        if self.kind == "thresholds":
            return 1.0 + bisect_right(self.thresholds, value)
        if self.kind == "linear":
            t = (value - self.minimum) / (self.maximum - self.minimum)
            return 1.0 + 4.0 * min(max(t, 0.0), 1.0)
        return value

    def points_array(self, values: np.ndarray) -> np.ndarray:
        if self.kind == "thresholds":
            return 1.0 + np.searchsorted(np.asarray(self.thresholds), values, side="right")
        if self.kind == "linear":
            t = (values - self.minimum) / (self.maximum - self.minimum)
            return 1.0 + 4.0 * np.clip(t, 0.0, 1.0)
        return values

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "thresholds":
            return {"kind": "thresholds", "thresholds": list(self.thresholds)}
        if self.kind == "linear":
            return {"kind": "linear", "min": self.minimum, "max": self.maximum}
        return {"kind": "manual"}


@dataclass(frozen=True, slots=True)
class Criterion:
    """One line of an axis' points table.

    ``source`` is ``field:<name>`` (a figure of the account), ``computed:<name>`` (one of
    ``COMPUTED_FIGURES``) or ``manual`` (a rating 1..5). With ``allow_manual`` a field or computed
    criterion also accepts a manual rating, which then wins: a person who rated it deliberately knows
    more than the proxy figure. Manual ratings are looked up as ``manual:<criterion key>``.
    """

    key: str
    name_de: str
    name_en: str
    weight: float
    scale: Scale
    source: str
    allow_manual: bool = False
    description_de: str = ""
    description_en: str = ""

    @property
    def manual_key(self) -> str:
        return f"manual:{self.key}"

    @property
    def takes_manual(self) -> bool:
        return self.source == "manual" or self.allow_manual

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "name_de": self.name_de,
            "name_en": self.name_en,
            "weight": self.weight,
            "scale": self.scale.to_dict(),
            "source": self.source,
        }
        if self.allow_manual:
            data["allow_manual"] = True
        if self.description_de:
            data["description_de"] = self.description_de
        if self.description_en:
            data["description_en"] = self.description_en
        return data


@dataclass(frozen=True, slots=True)
class Axis:
    key: str
    name_de: str
    name_en: str
    criteria: tuple[Criterion, ...]

    @property
    def active(self) -> tuple[Criterion, ...]:
        """Criteria that count: a weight of zero switches a criterion off without deleting it."""
        return tuple(c for c in self.criteria if c.weight > 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name_de": self.name_de,
            "name_en": self.name_en,
            "criteria": [c.to_dict() for c in self.criteria],
        }


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell of the grid; bands count from 0 = lowest score upwards."""

    key: str
    attractiveness_band: int
    position_band: int
    name_de: str
    name_en: str
    strategy: str

    def name(self, lang: str) -> str:
        return self.name_de if lang == "de" else self.name_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "attractiveness_band": self.attractiveness_band,
            "position_band": self.position_band,
            "name_de": self.name_de,
            "name_en": self.name_en,
            "strategy": self.strategy,
        }


@dataclass(frozen=True, slots=True)
class Grid:
    """The portfolio matrix. A score equal to a threshold belongs to the higher band."""

    key: str
    name_de: str
    name_en: str
    attractiveness_thresholds: tuple[float, ...]
    position_thresholds: tuple[float, ...]
    cells: tuple[Cell, ...]
    _table: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = np.full(
            (len(self.attractiveness_thresholds) + 1, len(self.position_thresholds) + 1),
            UNPLACED,
            dtype=np.int16,
        )
        for index, cell in enumerate(self.cells):
            table[cell.attractiveness_band, cell.position_band] = index
        table.flags.writeable = False
        object.__setattr__(self, "_table", table)

    @property
    def bands(self) -> tuple[int, int]:
        return self._table.shape

    @property
    def cell_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.cells)

    def cell_index(self, attractiveness: float | None, position: float | None) -> int | None:
        if attractiveness is None or position is None:
            return None
        a = bisect_right(self.attractiveness_thresholds, attractiveness)
        p = bisect_right(self.position_thresholds, position)
        return int(self._table[a, p])

    def cell_for(self, attractiveness: float | None, position: float | None) -> Cell | None:
        index = self.cell_index(attractiveness, position)
        return None if index is None else self.cells[index]

    def cell_index_array(self, attractiveness: np.ndarray, position: np.ndarray) -> np.ndarray:
        """Index into ``cells`` per account, ``UNPLACED`` (-1) where a score is NaN."""
        a = np.searchsorted(np.asarray(self.attractiveness_thresholds), attractiveness, side="right")
        p = np.searchsorted(np.asarray(self.position_thresholds), position, side="right")
        missing = np.isnan(attractiveness) | np.isnan(position)
        # NaN sorts past every threshold; clip so the lookup stays in range before masking it out.
        a = np.minimum(a, self._table.shape[0] - 1)
        p = np.minimum(p, self._table.shape[1] - 1)
        cells = self._table[a, p]
        cells[missing] = UNPLACED
        return cells

    def to_dict(self) -> dict[str, Any]:
        return {
            "name_de": self.name_de,
            "name_en": self.name_en,
            "attractiveness_thresholds": list(self.attractiveness_thresholds),
            "position_thresholds": list(self.position_thresholds),
            "cells": [c.to_dict() for c in self.cells],
        }


@dataclass(frozen=True, slots=True)
class CareIntensity:
    """How much of our scarce time and money an account of a strategy should get.

    Budget shares are the strategy's share of the whole sales-support and PR budget, shared by all its
    accounts. ``is_default`` marks shipped numbers: no published source fixes them.
    """

    contacts_per_year_min: float
    contacts_per_year_max: float
    min_contacts_per_quarter: float
    hours_per_year: float
    sales_support_share: float
    pr_share: float
    roles: tuple[str, ...]
    channel: str = "personal"
    time_limit_months: int | None = None
    is_default: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "contacts_per_year_min": self.contacts_per_year_min,
            "contacts_per_year_max": self.contacts_per_year_max,
            "min_contacts_per_quarter": self.min_contacts_per_quarter,
            "hours_per_year": self.hours_per_year,
            "sales_support_share": self.sales_support_share,
            "pr_share": self.pr_share,
            "roles": list(self.roles),
            "channel": self.channel,
            "time_limit_months": self.time_limit_months,
            "is_default": self.is_default,
        }


@dataclass(frozen=True, slots=True)
class Strategy:
    key: str
    name_de: str
    name_en: str
    description_de: str
    description_en: str
    care: CareIntensity
    color: str = "#777777"

    def name(self, lang: str) -> str:
        return self.name_de if lang == "de" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_de if lang == "de" else self.description_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_de": self.name_de,
            "name_en": self.name_en,
            "description_de": self.description_de,
            "description_en": self.description_en,
            "color": self.color,
            "care": self.care.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class AbcThresholds:
    """Cumulative shares where class A and class B end (default 80 % and 95 %)."""

    a: float = 0.80
    b: float = 0.95

    def __post_init__(self) -> None:
        if not (is_number(self.a) and is_number(self.b) and 0 < self.a < self.b <= 1):
            raise ScoringModelError(
                "abc_order", f"abc: need 0 < a < b <= 1 (cumulative shares), got a={self.a!r}, b={self.b!r}",
                path="abc", a=self.a, b=self.b)
