"""Customer portfolio: scoring model, axis scores, ranks, cells, strategies and ABC analysis.

The German standard customer portfolio (Kundenattraktivität × Lieferantenposition, after
Link/Schleuning and Homburg): each axis is a weighted points table, every account lands in a cell of a
grid, and every cell carries a development strategy with a care intensity. Plain values in, plain
values out. The rules exist twice: once per account, with the reasons (points per criterion, what was
missing), and once over numpy columns, for recomputing a million accounts. Both perform the same
floating-point operations in the same order, so they agree exactly, not just approximately.

Units used throughout: points are 1..5; axis scores are 0..100 (points 1 -> 0, 3 -> 50, 5 -> 100);
shares (coverage, ABC thresholds, budget shares) are fractions 0..1; figures named ``*_pct`` are
percent. The model itself is data (see ``portfolio/default_model.json`` and ``docs/portfolio.md``).
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

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

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")
_SOURCE = re.compile(r"(field|computed):([a-z][a-z0-9_]*)\Z")

AccountId = Hashable


def _is_number(value: Any) -> bool:
    # bool is an int in Python, but "weight": true is a typo, not a weight of 1.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and math.isfinite(value)


class ScoringModelError(ValueError):
    """A scoring model that cannot be used, with the path of the offending entry in the message."""


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
        if not (_is_number(self.a) and _is_number(self.b) and 0 < self.a < self.b <= 1):
            raise ScoringModelError(
                f"abc: need 0 < a < b <= 1 (cumulative shares), got a={self.a!r}, b={self.b!r}"
            )


@dataclass(frozen=True, slots=True)
class ScoringModel:
    """Everything that decides an account's scores, cell and strategy; one version of it.

    ``grids`` holds every prepared grid, ``grid_key`` the one in use; ``using_grid`` switches.
    ``combined_weights`` weigh the two axes in the combined score that orders the accounts.
    ``min_coverage``: an axis whose criteria with values carry less than this share of its weight
    gets no score (shown as missing), rather than a score that rests on too little.
    """

    attractiveness: Axis
    position: Axis
    grids: Mapping[str, Grid]
    grid_key: str
    strategies: Mapping[str, Strategy]
    min_coverage: float = 0.0
    combined_weights: tuple[float, float] = (1.0, 1.0)
    abc: AbcThresholds = AbcThresholds()
    version: int = 1
    name_de: str = ""
    name_en: str = ""
    is_default: bool = False

    @property
    def grid(self) -> Grid:
        return self.grids[self.grid_key]

    @property
    def axes(self) -> tuple[Axis, Axis]:
        return (self.attractiveness, self.position)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self.attractiveness.criteria + self.position.criteria

    def using_grid(self, key: str) -> ScoringModel:
        if key not in self.grids:
            raise ScoringModelError(f"grid: unknown grid {key!r}; known: {', '.join(self.grids)}")
        return _replace(self, grid_key=key)

    def strategy_for_cell(self, cell_key: str) -> Strategy:
        for cell in self.grid.cells:
            if cell.key == cell_key:
                return self.strategies[cell.strategy]
        raise KeyError(cell_key)

    def columns_needed(self) -> tuple[str, ...]:
        """Column names ``score_arrays`` reads: sources and ``manual:<key>`` of active criteria."""
        names: list[str] = []
        for axis in self.axes:
            for c in axis.active:
                if c.source != "manual":
                    names.append(c.source)
                if c.takes_manual:
                    names.append(c.manual_key)
        return tuple(dict.fromkeys(names))

    @classmethod
    def from_dict(cls, data: Any, *, grid: str | None = None) -> ScoringModel:
        """Build and validate a model; every problem raises ``ScoringModelError`` with its path."""
        return _parse_model(data, grid)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name_de": self.name_de,
            "name_en": self.name_en,
            "is_default": self.is_default,
            "min_coverage": self.min_coverage,
            "combined_weights": {
                "attractiveness": self.combined_weights[0],
                "position": self.combined_weights[1],
            },
            "abc": {"a": self.abc.a, "b": self.abc.b},
            "axes": {key: axis.to_dict() for key, axis in zip(AXES, self.axes)},
            "grid": self.grid_key,
            "grids": {key: g.to_dict() for key, g in self.grids.items()},
            "strategies": [s.to_dict() for s in self.strategies.values()],
        }


def load_default_model(grid: str | None = None) -> ScoringModel:
    """The model that ships with the product (``kundennetz/portfolio/default_model.json``)."""
    text = resources.files("kundennetz").joinpath("portfolio", "default_model.json").read_text("utf-8")
    return ScoringModel.from_dict(json.loads(text), grid=grid)


# --------------------------------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------------------------------


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScoringModelError(f"{path}: expected an object, got {type(value).__name__}")
    return value


def _keys(data: Mapping[str, Any], path: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    required = tuple(required)
    allowed = set(required) | set(optional)
    missing = [k for k in required if k not in data]
    if missing:
        raise ScoringModelError(f"{path}: missing {', '.join(missing)}")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ScoringModelError(
            f"{path}: unknown {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _text(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ScoringModelError(f"{path}.{key}: expected text, got {type(value).__name__}")
    if required and not value.strip():
        raise ScoringModelError(f"{path}.{key}: must not be empty")
    return value


def _ident(data: Mapping[str, Any], key: str, path: str) -> str:
    value = _text(data, key, path)
    if not _NAME.match(value):
        raise ScoringModelError(
            f"{path}.{key}: {value!r} must be lower-case letters, digits and _ (starting with a letter)"
        )
    return value


def _num(value: Any, path: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
    if not _is_number(value):
        raise ScoringModelError(f"{path}: expected a finite number, got {value!r}")
    value = float(value)
    if minimum is not None and value < minimum:
        raise ScoringModelError(f"{path}: must be >= {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise ScoringModelError(f"{path}: must be <= {maximum:g}, got {value:g}")
    return value


def _parse_scale(data: Any, path: str) -> Scale:
    data = _mapping(data, path)
    kind = data.get("kind")
    if kind not in SCALE_KINDS:
        raise ScoringModelError(f"{path}.kind: unknown scale kind {kind!r}; known: {', '.join(SCALE_KINDS)}")
    if kind == "thresholds":
        _keys(data, path, ("kind", "thresholds"))
        raw = data["thresholds"]
        if not isinstance(raw, list) or len(raw) != THRESHOLD_COUNT:
            raise ScoringModelError(
                f"{path}.thresholds: need exactly {THRESHOLD_COUNT} ascending limits (5 bands -> points 1..5)"
            )
        limits = tuple(_num(v, f"{path}.thresholds[{i}]") for i, v in enumerate(raw))
        if any(b <= a for a, b in zip(limits, limits[1:])):
            raise ScoringModelError(f"{path}.thresholds: must be strictly ascending, got {list(limits)}")
        return Scale("thresholds", thresholds=limits)
    if kind == "linear":
        _keys(data, path, ("kind", "min", "max"))
        lo = _num(data["min"], f"{path}.min")
        hi = _num(data["max"], f"{path}.max")
        if lo == hi:
            raise ScoringModelError(f"{path}: min and max must differ, both are {lo:g}")
        return Scale("linear", minimum=lo, maximum=hi)
    _keys(data, path, ("kind",))
    return Scale("manual")


def _parse_criterion(data: Any, path: str) -> Criterion:
    data = _mapping(data, path)
    _keys(
        data,
        path,
        ("key", "name_de", "name_en", "weight", "scale", "source"),
        ("allow_manual", "description_de", "description_en"),
    )
    key = _ident(data, "key", path)
    path = f"{path}({key})"
    weight = _num(data["weight"], f"{path}.weight")
    if weight < 0:
        raise ScoringModelError(f"{path}.weight: must be >= 0, got {weight:g}")
    scale = _parse_scale(data["scale"], f"{path}.scale")
    source = data["source"]
    if not isinstance(source, str):
        raise ScoringModelError(f"{path}.source: expected text, got {type(source).__name__}")
    if source != "manual":
        match = _SOURCE.match(source)
        if not match:
            raise ScoringModelError(
                f"{path}.source: {source!r} must be 'manual', 'field:<name>' or 'computed:<name>'"
            )
        if match.group(1) == "computed" and match.group(2) not in COMPUTED_FIGURES:
            raise ScoringModelError(
                f"{path}.source: unknown computed figure {match.group(2)!r}; known: {', '.join(COMPUTED_FIGURES)}"
            )
    if (source == "manual") != (scale.kind == "manual"):
        raise ScoringModelError(
            f"{path}: a manual source needs the manual scale and the manual scale needs a manual source"
        )
    allow_manual = data.get("allow_manual", False)
    if not isinstance(allow_manual, bool):
        raise ScoringModelError(f"{path}.allow_manual: expected true or false")
    return Criterion(
        key=key,
        name_de=_text(data, "name_de", path),
        name_en=_text(data, "name_en", path),
        weight=weight,
        scale=scale,
        source=source,
        allow_manual=allow_manual and source != "manual",
        description_de=_text(data, "description_de", path, required=False),
        description_en=_text(data, "description_en", path, required=False),
    )


def _parse_axis(data: Any, path: str, key: str) -> Axis:
    data = _mapping(data, path)
    _keys(data, path, ("name_de", "name_en", "criteria"))
    raw = data["criteria"]
    if not isinstance(raw, list) or not raw:
        raise ScoringModelError(f"{path}.criteria: need a non-empty list")
    criteria = tuple(_parse_criterion(c, f"{path}.criteria[{i}]") for i, c in enumerate(raw))
    if not any(c.weight > 0 for c in criteria):
        raise ScoringModelError(f"{path}: all weights are zero; at least one criterion needs a weight > 0")
    return Axis(key, _text(data, "name_de", path), _text(data, "name_en", path), criteria)


def _parse_thresholds(raw: Any, path: str) -> tuple[float, ...]:
    if not isinstance(raw, list) or not raw:
        raise ScoringModelError(f"{path}: need a non-empty list of scores between 0 and 100")
    limits = tuple(_num(v, f"{path}[{i}]") for i, v in enumerate(raw))
    if any(not 0 < v < 100 for v in limits):
        raise ScoringModelError(f"{path}: every threshold must lie strictly between 0 and 100, got {list(limits)}")
    if any(b <= a for a, b in zip(limits, limits[1:])):
        raise ScoringModelError(f"{path}: must be strictly ascending, got {list(limits)}")
    return limits


def _parse_grid(data: Any, path: str, key: str, strategies: Mapping[str, Strategy]) -> Grid:
    data = _mapping(data, path)
    _keys(data, path, ("name_de", "name_en", "attractiveness_thresholds", "position_thresholds", "cells"))
    att = _parse_thresholds(data["attractiveness_thresholds"], f"{path}.attractiveness_thresholds")
    pos = _parse_thresholds(data["position_thresholds"], f"{path}.position_thresholds")
    raw = data["cells"]
    if not isinstance(raw, list):
        raise ScoringModelError(f"{path}.cells: expected a list")
    cells: list[Cell] = []
    seen_keys: set[str] = set()
    seen_bands: dict[tuple[int, int], str] = {}
    for i, item in enumerate(raw):
        cpath = f"{path}.cells[{i}]"
        item = _mapping(item, cpath)
        _keys(item, cpath, ("key", "attractiveness_band", "position_band", "name_de", "name_en", "strategy"))
        ckey = _ident(item, "key", cpath)
        if ckey in seen_keys:
            raise ScoringModelError(f"{cpath}.key: duplicate cell {ckey!r}")
        seen_keys.add(ckey)
        bands = []
        for axis, limits in (("attractiveness", att), ("position", pos)):
            band = item[f"{axis}_band"]
            if not isinstance(band, int) or isinstance(band, bool) or not 0 <= band <= len(limits):
                raise ScoringModelError(
                    f"{cpath}.{axis}_band: must be a whole number from 0 to {len(limits)}, got {band!r}"
                )
            bands.append(band)
        pair = (bands[0], bands[1])
        if pair in seen_bands:
            raise ScoringModelError(f"{cpath}: bands {pair} already belong to cell {seen_bands[pair]!r}")
        seen_bands[pair] = ckey
        strategy = item["strategy"]
        if strategy not in strategies:
            raise ScoringModelError(f"{cpath}.strategy: unknown strategy {strategy!r}")
        cells.append(Cell(ckey, pair[0], pair[1], _text(item, "name_de", cpath), _text(item, "name_en", cpath), strategy))
    expected = (len(att) + 1) * (len(pos) + 1)
    if len(cells) != expected:
        absent = [
            (a, p) for a in range(len(att) + 1) for p in range(len(pos) + 1) if (a, p) not in seen_bands
        ]
        raise ScoringModelError(f"{path}.cells: need one cell for each of {expected} band pairs; missing {absent}")
    used = {c.strategy: strategies[c.strategy] for c in cells}
    for share in ("sales_support_share", "pr_share"):
        total = math.fsum(getattr(s.care, share) for s in used.values())
        if total > 1 + 1e-9:
            raise ScoringModelError(
                f"{path}: the {share} of its strategies add up to {total:.3g}, more than the whole budget (1)"
            )
    return Grid(key, _text(data, "name_de", path), _text(data, "name_en", path), att, pos, tuple(cells))


def _parse_strategy(data: Any, path: str) -> Strategy:
    data = _mapping(data, path)
    _keys(data, path, ("key", "name_de", "name_en", "care"), ("description_de", "description_en", "color"))
    key = _ident(data, "key", path)
    path = f"{path}({key})"
    care = _mapping(data["care"], f"{path}.care")
    cpath = f"{path}.care"
    _keys(
        care,
        cpath,
        (
            "contacts_per_year_min",
            "contacts_per_year_max",
            "min_contacts_per_quarter",
            "hours_per_year",
            "sales_support_share",
            "pr_share",
            "roles",
        ),
        ("channel", "time_limit_months", "is_default"),
    )
    lo = _num(care["contacts_per_year_min"], f"{cpath}.contacts_per_year_min", minimum=0)
    hi = _num(care["contacts_per_year_max"], f"{cpath}.contacts_per_year_max", minimum=0)
    if hi < lo:
        raise ScoringModelError(f"{cpath}: contacts_per_year_max ({hi:g}) is below contacts_per_year_min ({lo:g})")
    roles = care["roles"]
    if not isinstance(roles, list) or any(r not in BUYING_CENTRE_ROLES for r in roles):
        raise ScoringModelError(f"{cpath}.roles: a list of buying-centre roles: {', '.join(BUYING_CENTRE_ROLES)}")
    if len(set(roles)) != len(roles):
        raise ScoringModelError(f"{cpath}.roles: a role is listed twice")
    channel = care.get("channel", "personal")
    if channel not in CHANNELS:
        raise ScoringModelError(f"{cpath}.channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    limit = care.get("time_limit_months")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0):
        raise ScoringModelError(f"{cpath}.time_limit_months: a positive whole number of months or null")
    is_default = care.get("is_default", False)
    if not isinstance(is_default, bool):
        raise ScoringModelError(f"{cpath}.is_default: expected true or false")
    color = data.get("color", "#777777")
    if not isinstance(color, str) or not _COLOR.match(color):
        raise ScoringModelError(f"{path}.color: expected a colour like #1a2b3c, got {color!r}")
    return Strategy(
        key=key,
        name_de=_text(data, "name_de", path),
        name_en=_text(data, "name_en", path),
        description_de=_text(data, "description_de", path, required=False),
        description_en=_text(data, "description_en", path, required=False),
        color=color,
        care=CareIntensity(
            contacts_per_year_min=lo,
            contacts_per_year_max=hi,
            min_contacts_per_quarter=_num(care["min_contacts_per_quarter"], f"{cpath}.min_contacts_per_quarter", minimum=0),
            hours_per_year=_num(care["hours_per_year"], f"{cpath}.hours_per_year", minimum=0),
            sales_support_share=_num(care["sales_support_share"], f"{cpath}.sales_support_share", minimum=0, maximum=1),
            pr_share=_num(care["pr_share"], f"{cpath}.pr_share", minimum=0, maximum=1),
            roles=tuple(roles),
            channel=channel,
            time_limit_months=limit,
            is_default=is_default,
        ),
    )


def _parse_model(data: Any, grid_key: str | None) -> ScoringModel:
    data = _mapping(data, "model")
    _keys(
        data,
        "model",
        ("axes", "grids", "strategies"),
        ("version", "name_de", "name_en", "is_default", "min_coverage", "combined_weights", "abc", "grid", "format"),
    )
    axes = _mapping(data["axes"], "axes")
    _keys(axes, "axes", AXES)
    attractiveness = _parse_axis(axes["attractiveness"], "axes.attractiveness", "attractiveness")
    position = _parse_axis(axes["position"], "axes.position", "position")
    keys = [c.key for c in attractiveness.criteria + position.criteria]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        # Manual ratings are stored per criterion key, so a key must name one criterion only.
        raise ScoringModelError(f"axes: criterion keys must be unique across both axes: {', '.join(duplicates)}")

    raw_strategies = data["strategies"]
    if not isinstance(raw_strategies, list) or not raw_strategies:
        raise ScoringModelError("strategies: need a non-empty list")
    strategies: dict[str, Strategy] = {}
    for i, item in enumerate(raw_strategies):
        strategy = _parse_strategy(item, f"strategies[{i}]")
        if strategy.key in strategies:
            raise ScoringModelError(f"strategies[{i}].key: duplicate strategy {strategy.key!r}")
        strategies[strategy.key] = strategy

    raw_grids = _mapping(data["grids"], "grids")
    if not raw_grids:
        raise ScoringModelError("grids: need at least one grid")
    grids: dict[str, Grid] = {}
    for gkey, gdata in raw_grids.items():
        if not isinstance(gkey, str) or not gkey:
            raise ScoringModelError(f"grids: invalid grid key {gkey!r}")
        grids[gkey] = _parse_grid(gdata, f"grids.{gkey}", gkey, strategies)
    chosen = grid_key if grid_key is not None else data.get("grid", next(iter(grids)))
    if chosen not in grids:
        raise ScoringModelError(f"grid: unknown grid {chosen!r}; known: {', '.join(grids)}")

    weights = _mapping(data.get("combined_weights", {"attractiveness": 1, "position": 1}), "combined_weights")
    _keys(weights, "combined_weights", AXES)
    wa = _num(weights["attractiveness"], "combined_weights.attractiveness", minimum=0)
    wp = _num(weights["position"], "combined_weights.position", minimum=0)
    if wa + wp <= 0:
        raise ScoringModelError("combined_weights: at least one axis needs a weight > 0")

    abc = _mapping(data.get("abc", {"a": 0.8, "b": 0.95}), "abc")
    _keys(abc, "abc", ("a", "b"))
    abc_thresholds = AbcThresholds(_num(abc["a"], "abc.a"), _num(abc["b"], "abc.b"))

    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ScoringModelError(f"version: a whole number >= 1, got {version!r}")
    is_default = data.get("is_default", False)
    if not isinstance(is_default, bool):
        raise ScoringModelError("is_default: expected true or false")
    return ScoringModel(
        attractiveness=attractiveness,
        position=position,
        grids=grids,
        grid_key=chosen,
        strategies=strategies,
        min_coverage=_num(data.get("min_coverage", 0.0), "min_coverage", minimum=0, maximum=1),
        combined_weights=(wa, wp),
        abc=abc_thresholds,
        version=version,
        name_de=_text(data, "name_de", "model", required=False),
        name_en=_text(data, "name_en", "model", required=False),
        is_default=is_default,
    )


# --------------------------------------------------------------------------------------------------
# Computed figures
# --------------------------------------------------------------------------------------------------


def share_of_wallet_pct(revenue: float | None, potential: float | None) -> float | None:
    """Revenue with us as percent of the customer's potential; None when either is unknown or the
    potential is not positive (a share of nothing means nothing). May exceed 100 when the potential
    was underestimated; the scale caps it."""
    if revenue is None or potential is None or potential <= 0:
        return None
    return 100.0 * float(revenue) / float(potential)


def win_rate_pct(won: int, lost: int) -> float | None:
    """Won as percent of closed (won + lost) opportunities; None while none is closed."""
    if won < 0 or lost < 0:
        raise ValueError(f"won and lost must not be negative, got {won}, {lost}")
    closed = won + lost
    if closed == 0:
        return None
    return 100.0 * won / closed


def years_as_customer(customer_since: date | None, as_of: date) -> float | None:
    """Years since the first order; a start in the future counts as 0 (still a prospect)."""
    if customer_since is None:
        return None
    return max((as_of - customer_since).days, 0) / DAYS_PER_YEAR


def contact_points(levels: Iterable[int]) -> float:
    """Sum over an account's contacts of (relationship level - 1) / 4: level 1 (known by name) adds
    nothing, level 5 (trusted advocate) adds 1."""
    total = 0.0
    for level in levels:
        if level not in RELATIONSHIP_LEVELS:
            raise ValueError(f"relationship level must be 1..5, got {level!r}")
        total += (level - 1) / 4.0
    return total


def relationship_strength(interactions: int, contact_levels: Iterable[int], period_days: int = 365) -> float:
    """0..100: half from contact frequency (interactions per year, full at 12), half from people
    (``contact_points``, full at 3). Zero when we have neither: a measured absence, not a missing value."""
    if interactions < 0:
        raise ValueError(f"interactions must not be negative, got {interactions}")
    if period_days <= 0:
        raise ValueError(f"period_days must be positive, got {period_days}")
    return float(_relationship_formula(float(interactions), contact_points(contact_levels), float(period_days)))


def _relationship_formula(interactions: Any, points: Any, period_days: float) -> Any:
    per_year = interactions * 365.0 / period_days
    frequency = np.minimum(per_year / RELATIONSHIP_INTERACTIONS_FULL, 1.0)
    people = np.minimum(points / RELATIONSHIP_CONTACT_POINTS_FULL, 1.0)
    return 100.0 * (0.5 * frequency + 0.5 * people)


def computed_arrays(
    *,
    revenue: np.ndarray | None = None,
    potential: np.ndarray | None = None,
    won: np.ndarray | None = None,
    lost: np.ndarray | None = None,
    days_as_customer: np.ndarray | None = None,
    interactions: np.ndarray | None = None,
    contact_points_sum: np.ndarray | None = None,
    period_days: int = 365,
) -> dict[str, np.ndarray]:
    """The computed figures over columns (NaN = unknown), keyed like the criteria's sources.

    Fed by SQL aggregates: ``days_as_customer`` since the first order, ``contact_points_sum`` =
    SUM((level - 1) / 4.0) over the account's contacts. Figures whose inputs are not given are left out.
    """
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if revenue is not None and potential is not None:
            rev = np.asarray(revenue, dtype=np.float64)
            pot = np.asarray(potential, dtype=np.float64)
            out["computed:share_of_wallet_pct"] = np.where(pot > 0, 100.0 * rev / pot, np.nan)
        if won is not None and lost is not None:
            w = np.asarray(won, dtype=np.float64)
            closed = w + np.asarray(lost, dtype=np.float64)
            out["computed:win_rate_pct"] = np.where(closed > 0, 100.0 * w / closed, np.nan)
    if days_as_customer is not None:
        days = np.asarray(days_as_customer, dtype=np.float64)
        out["computed:years_as_customer"] = np.maximum(days, 0.0) / DAYS_PER_YEAR
    if interactions is not None and contact_points_sum is not None:
        out["computed:relationship_strength"] = _relationship_formula(
            np.asarray(interactions, dtype=np.float64),
            np.asarray(contact_points_sum, dtype=np.float64),
            float(period_days),
        )
    return out


# --------------------------------------------------------------------------------------------------
# Scoring one account
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StrategyOverride:
    """A sales head's decision that replaces the assigned strategy; the reason is mandatory."""

    strategy: str
    reason: str
    by: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("a strategy override needs a reason")


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What scoring needs to know about one account.

    ``values`` is keyed like the criteria's sources: ``field:potential``,
    ``computed:share_of_wallet_pct``, ``manual:<criterion key>``; None or NaN means unknown.
    Ids must be of one comparable type (all int or all str): the last tie-breaker sorts by them.
    """

    id: AccountId
    name: str
    values: Mapping[str, Any]
    revenue: float | None = None
    contribution_margin: float | None = None
    override: StrategyOverride | None = None


@dataclass(frozen=True, slots=True)
class AxisScore:
    """Score 0..100 or None (missing, never 0), with its reasons.

    ``coverage`` is the share of the axis' weight whose criteria had a value; ``missing`` names the
    weighted criteria without one; ``points`` gives 1..5 per criterion that counted.
    """

    score: float | None
    coverage: float
    missing: tuple[str, ...]
    points: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class AccountResult:
    id: AccountId
    name: str
    attractiveness: AxisScore
    position: AxisScore
    combined: float | None
    cell: str | None
    computed_strategy: str | None
    strategy: str | None
    override: StrategyOverride | None = None
    revenue: float | None = None
    contribution_margin: float | None = None
    rank: int | None = None
    order: int | None = None
    abc_revenue: str | None = None
    """'A', 'B' or 'C' once ``score_portfolio`` has seen all accounts."""
    abc_margin: str | None = None

    @property
    def placed(self) -> bool:
        return self.cell is not None

    @property
    def overridden(self) -> bool:
        return self.override is not None


def _value(values: Mapping[str, Any], key: str, account_id: AccountId) -> float | None:
    raw = values.get(key)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, np.integer, np.floating)):
        raise ValueError(f"account {account_id!r}: {key} is not a number: {raw!r}")
    value = float(raw)
    if math.isnan(value):
        return None
    if math.isinf(value):
        raise ValueError(f"account {account_id!r}: {key} is not a finite number")
    return value


def _rating(values: Mapping[str, Any], key: str, account_id: AccountId) -> float | None:
    value = _value(values, key, account_id)
    if value is not None and not MIN_POINTS <= value <= MAX_POINTS:
        raise ValueError(f"account {account_id!r}: manual rating {key} must be 1..5, got {value:g}")
    return value


def criterion_points(criterion: Criterion, values: Mapping[str, Any], account_id: AccountId = None) -> float | None:
    """Points 1..5 of one criterion for one account, or None when it has no value."""
    if criterion.takes_manual:
        rating = _rating(values, criterion.manual_key, account_id)
        if rating is not None or criterion.source == "manual":
            return rating
    value = _value(values, criterion.source, account_id)
    return None if value is None else criterion.scale.points(value)


def score_axis(
    axis: Axis, values: Mapping[str, Any], *, min_coverage: float = 0.0, account_id: AccountId = None
) -> AxisScore:
    """Weighted mean of points over the criteria that have a value, mapped to 0..100.

    Missing criteria are left out of both sums (not counted as 0) and reported; the score is None
    when nothing had a value or the weight with values falls short of ``min_coverage``.
    """
    num = 0.0
    den = 0.0
    total = 0.0
    points: dict[str, float] = {}
    missing: list[str] = []
    for c in axis.active:
        total = total + c.weight
        p = criterion_points(c, values, account_id)
        if p is None:
            missing.append(c.key)
            continue
        points[c.key] = p
        num = num + c.weight * (p - 1.0)
        den = den + c.weight
    coverage = den / total if total > 0 else 0.0
    score = None
    if den > 0 and coverage >= min_coverage:
        score = min(max(25.0 * (num / den), 0.0), 100.0)
    return AxisScore(score, coverage, tuple(missing), points)


def _combined(model: ScoringModel, att: float | None, pos: float | None) -> float | None:
    if att is None or pos is None:
        return None
    wa, wp = model.combined_weights
    return (wa * att + wp * pos) / (wa + wp)


def _tie_key(combined: float) -> float:
    return math.floor(combined * TIE_RESOLUTION + 0.5)


def score_account(model: ScoringModel, facts: AccountFacts) -> AccountResult:
    """Scores, cell and strategy of one account, without rank and ABC (they need all accounts)."""
    att = score_axis(model.attractiveness, facts.values, min_coverage=model.min_coverage, account_id=facts.id)
    pos = score_axis(model.position, facts.values, min_coverage=model.min_coverage, account_id=facts.id)
    cell = model.grid.cell_for(att.score, pos.score)
    computed = cell.strategy if cell else None
    override = facts.override
    if override is not None and override.strategy not in model.strategies:
        raise ValueError(f"account {facts.id!r}: override names unknown strategy {override.strategy!r}")
    return AccountResult(
        id=facts.id,
        name=facts.name,
        attractiveness=att,
        position=pos,
        combined=_combined(model, att.score, pos.score),
        cell=cell.key if cell else None,
        computed_strategy=computed,
        # An override applies even to an account we cannot place: the sales head may know better.
        strategy=override.strategy if override else computed,
        override=override,
        revenue=facts.revenue,
        contribution_margin=facts.contribution_margin,
    )


def _revenue_key(revenue: float | None) -> float:
    if revenue is None or math.isnan(revenue):
        return math.inf
    return -float(revenue)


def score_portfolio(model: ScoringModel, accounts: Iterable[AccountFacts]) -> list[AccountResult]:
    """Score every account and rank them; returned in priority order, unplaced accounts last.

    Order: combined score (``combined_weights`` over both axes) descending, then attractiveness
    descending, then revenue descending (unknown last), then id ascending. ``order`` is the unique
    1-based position in that order; ``rank`` is the competition rank ("1224") of the combined score
    rounded to 1e-6, so equal scores share a rank. Accounts without both axis scores get neither.
    For a million accounts use ``score_arrays`` and ``rank_arrays``: this keeps a result per account.
    """
    results: list[AccountResult] = []
    seen: set[AccountId] = set()
    for facts in accounts:
        if facts.id in seen:
            raise ValueError(f"account {facts.id!r} appears twice")
        seen.add(facts.id)
        results.append(score_account(model, facts))

    abc_rev = abc_classes({r.id: r.revenue for r in results}, model.abc.a, model.abc.b)
    abc_margin = abc_classes({r.id: r.contribution_margin for r in results}, model.abc.a, model.abc.b)

    placed = [r for r in results if r.combined is not None]
    placed.sort(key=lambda r: (-_tie_key(r.combined), -r.attractiveness.score, _revenue_key(r.revenue), r.id))
    ranked: list[AccountResult] = []
    previous_key = None
    rank = 0
    for i, r in enumerate(placed, start=1):
        key = _tie_key(r.combined)
        if key != previous_key:
            rank, previous_key = i, key
        ranked.append(_replace(r, rank=rank, order=i, abc_revenue=abc_rev[r.id], abc_margin=abc_margin[r.id]))
    unplaced = [
        _replace(r, abc_revenue=abc_rev[r.id], abc_margin=abc_margin[r.id]) for r in results if r.combined is None
    ]
    return ranked + unplaced


# --------------------------------------------------------------------------------------------------
# Scoring columns (a million accounts)
# --------------------------------------------------------------------------------------------------


class AxisArrays(NamedTuple):
    score: np.ndarray
    coverage: np.ndarray


class PortfolioArrays(NamedTuple):
    attractiveness: np.ndarray
    """Axis score 0..100, NaN where missing."""
    position: np.ndarray
    cell: np.ndarray
    """Index into ``model.grid.cells``, ``UNPLACED`` (-1) where a score is missing."""


class RankArrays(NamedTuple):
    rank: np.ndarray
    """Competition rank, -1 where unplaced."""
    order: np.ndarray
    """Unique 1-based position, -1 where unplaced."""


def _column(columns: Mapping[str, Any], key: str, n: int) -> np.ndarray | None:
    if key not in columns:
        return None
    col = np.asarray(columns[key], dtype=np.float64)
    if col.shape != (n,):
        raise ValueError(f"column {key}: expected {n} values, got shape {col.shape}")
    if np.isinf(col).any():
        raise ValueError(f"column {key}: {int(np.isinf(col).sum())} values are not finite")
    return col


def _length(columns: Mapping[str, Any], n: int | None) -> int:
    if n is not None:
        return n
    for col in columns.values():
        return len(col)
    raise ValueError("no columns given: pass n, the number of accounts")


def axis_arrays(
    axis: Axis, columns: Mapping[str, Any], *, n: int | None = None, min_coverage: float = 0.0
) -> AxisArrays:
    """``score_axis`` over columns keyed like the sources (and ``manual:<key>``), NaN = missing.

    A column that is absent counts as missing for every account.
    """
    n = _length(columns, n)
    num = np.zeros(n)
    den = np.zeros(n)
    total = 0.0
    for c in axis.active:
        total = total + c.weight
        manual = _column(columns, c.manual_key, n) if c.takes_manual else None
        if manual is not None:
            bad = ~np.isnan(manual) & ((manual < MIN_POINTS) | (manual > MAX_POINTS))
            if bad.any():
                raise ValueError(f"column {c.manual_key}: {int(bad.sum())} ratings outside 1..5")
        source = _column(columns, c.source, n) if c.source != "manual" else None
        if manual is None and source is None:
            continue
        if source is None:
            points, present = manual, ~np.isnan(manual)
        else:
            points, present = c.scale.points_array(source), ~np.isnan(source)
            if manual is not None:
                has_rating = ~np.isnan(manual)
                points = np.where(has_rating, manual, points)
                present = present | has_rating
        np.add(num, c.weight * (points - 1.0), out=num, where=present)
        np.add(den, c.weight, out=den, where=present)
    coverage = den / total
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.clip(25.0 * (num / den), 0.0, 100.0)
    score[(den <= 0) | (coverage < min_coverage)] = np.nan
    return AxisArrays(score, coverage)


def score_arrays(model: ScoringModel, columns: Mapping[str, Any], *, n: int | None = None) -> PortfolioArrays:
    """Axis scores and cells for many accounts at once; agrees exactly with ``score_account``.

    ``columns`` maps the names in ``model.columns_needed()`` to float arrays (NaN = unknown).
    Memory is a few arrays of n floats; feed it in chunks to bound memory further.
    """
    n = _length(columns, n)
    att = axis_arrays(model.attractiveness, columns, n=n, min_coverage=model.min_coverage).score
    pos = axis_arrays(model.position, columns, n=n, min_coverage=model.min_coverage).score
    return PortfolioArrays(att, pos, model.grid.cell_index_array(att, pos))


def strategy_index_array(model: ScoringModel, cells: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """Strategy per account as (strategy keys, index into them), -1 where unplaced."""
    keys = tuple(dict.fromkeys(c.strategy for c in model.grid.cells))
    lookup = np.array([keys.index(c.strategy) for c in model.grid.cells] + [UNPLACED], dtype=np.int16)
    # cells == -1 picks the sentinel at the end of the lookup.
    return keys, lookup[np.asarray(cells)]


def rank_arrays(
    model: ScoringModel,
    attractiveness: np.ndarray,
    position: np.ndarray,
    *,
    revenue: np.ndarray | None = None,
    ids: np.ndarray | None = None,
) -> RankArrays:
    """``score_portfolio``'s ranking over columns; ``ids`` default to the row numbers."""
    att = np.asarray(attractiveness, dtype=np.float64)
    pos = np.asarray(position, dtype=np.float64)
    n = att.shape[0]
    wa, wp = model.combined_weights
    combined = (wa * att + wp * pos) / (wa + wp)
    rows = np.flatnonzero(~np.isnan(combined))
    tie = np.floor(combined[rows] * TIE_RESOLUTION + 0.5)
    rev = np.zeros(n) if revenue is None else np.asarray(revenue, dtype=np.float64)
    rev_key = np.where(np.isnan(rev[rows]), np.inf, -rev[rows])
    id_key = (np.arange(n) if ids is None else np.asarray(ids))[rows]
    a_key = -att[rows]
    # Sorting by the combined score alone is five times faster than a full lexsort; the tie-breakers
    # are needed only inside runs of equal scores, so only those rows get the full sort.
    perm = np.argsort(-tie, kind="stable")
    ordered = tie[perm]
    same = ordered[1:] == ordered[:-1]
    in_tie = np.zeros(rows.size, dtype=bool)
    in_tie[1:] |= same
    in_tie[:-1] |= same
    if in_tie.any():
        slots = np.flatnonzero(in_tie)
        run = np.cumsum(np.concatenate(([True], ~same)))[slots]
        members = perm[slots]
        perm[slots] = members[np.lexsort((id_key[members], rev_key[members], a_key[members], run))]
    sorted_rows = rows[perm]
    order = np.full(n, UNPLACED, dtype=np.int64)
    order[sorted_rows] = np.arange(1, rows.size + 1)
    ascending = -tie[perm]
    rank = np.full(n, UNPLACED, dtype=np.int64)
    rank[sorted_rows] = np.searchsorted(ascending, ascending, side="left") + 1
    return RankArrays(rank, order)


# --------------------------------------------------------------------------------------------------
# ABC analysis
# --------------------------------------------------------------------------------------------------


def abc_arrays(values: Any, a: float = 0.80, b: float = 0.95) -> np.ndarray:
    """Class codes 0 = A, 1 = B, 2 = C (see ``ABC_LABELS``).

    Sorted by value descending, an account is A while the accounts before it hold less than ``a`` of
    the total, so the account that crosses the line is still A and the largest account is always A.
    Equal values share the class of the first of them (ties never split on an id). No, zero or
    negative values are C and do not count in the total.
    """
    AbcThresholds(a, b)
    v = np.asarray(values, dtype=np.float64)
    if np.isinf(v).any():
        raise ValueError("ABC values must be finite")
    codes = np.full(v.shape[0], 2, dtype=np.uint8)
    rows = np.flatnonzero(v > 0)
    if rows.size == 0:
        return codes
    perm = np.argsort(-v[rows], kind="stable")
    ordered = v[rows][perm]
    cumulative = np.cumsum(ordered)
    total = cumulative[-1]
    before = np.concatenate(([0.0], cumulative[:-1]))
    first_of_tie = np.searchsorted(-ordered, -ordered, side="left")
    before = before[first_of_tie]
    # A tolerance keeps an account that starts exactly at the line out of the class above it despite
    # rounding in the cumulative sum.
    slack = 1e-9 * total
    classes = np.where(before < a * total - slack, 0, np.where(before < b * total - slack, 1, 2))
    codes[rows[perm]] = classes
    return codes


def abc_classes(values: Mapping[AccountId, float | None], a: float = 0.80, b: float = 0.95) -> dict[AccountId, str]:
    """'A', 'B' or 'C' per account, by revenue or contribution margin (see ``abc_arrays``)."""
    ids = list(values)
    column = [np.nan if values[i] is None else float(values[i]) for i in ids]
    codes = abc_arrays(np.array(column, dtype=np.float64), a, b)
    return {i: ABC_LABELS[c] for i, c in zip(ids, codes)}


# --------------------------------------------------------------------------------------------------
# Snapshots and movement
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SnapshotPoint:
    attractiveness: float | None
    position: float | None
    cell: str | None


def snapshot(results: Iterable[AccountResult]) -> dict[AccountId, SnapshotPoint]:
    return {r.id: SnapshotPoint(r.attractiveness.score, r.position.score, r.cell) for r in results}


@dataclass(frozen=True, slots=True)
class Movement:
    account_id: AccountId
    old: SnapshotPoint | None
    new: SnapshotPoint | None

    @property
    def kind(self) -> str:
        """'new', 'gone', 'moved' (cell changed, also to or from unplaced) or 'stayed'."""
        if self.old is None:
            return "new"
        if self.new is None:
            return "gone"
        return "moved" if self.old.cell != self.new.cell else "stayed"

    @property
    def drawable(self) -> bool:
        """A cell change with both ends placed, so an arrow can be drawn."""
        return (
            self.kind == "moved"
            and self.old.cell is not None
            and self.new.cell is not None
        )


def compare_snapshots(
    old: Mapping[AccountId, SnapshotPoint], new: Mapping[AccountId, SnapshotPoint]
) -> list[Movement]:
    """Every account of either snapshot: those in ``new`` in its order, then those that are gone."""
    moves = [Movement(i, old.get(i), point) for i, point in new.items()]
    moves.extend(Movement(i, point, None) for i, point in old.items() if i not in new)
    return moves


def transition_counts(movements: Iterable[Movement]) -> Counter[tuple[str | None, str | None]]:
    """How many accounts went from which cell to which (None = not placed / not present)."""
    return Counter(
        (m.old.cell if m.old else None, m.new.cell if m.new else None) for m in movements
    )


__all__ = [
    "ABC_LABELS",
    "AXES",
    "BUYING_CENTRE_ROLES",
    "CHANNELS",
    "COMPUTED_FIGURES",
    "SCALE_KINDS",
    "UNPLACED",
    "AbcThresholds",
    "AccountFacts",
    "AccountResult",
    "Axis",
    "AxisArrays",
    "AxisScore",
    "CareIntensity",
    "Cell",
    "Criterion",
    "Grid",
    "Movement",
    "PortfolioArrays",
    "RankArrays",
    "Scale",
    "ScoringModel",
    "ScoringModelError",
    "SnapshotPoint",
    "Strategy",
    "StrategyOverride",
    "abc_arrays",
    "abc_classes",
    "axis_arrays",
    "compare_snapshots",
    "computed_arrays",
    "contact_points",
    "criterion_points",
    "load_default_model",
    "rank_arrays",
    "relationship_strength",
    "score_account",
    "score_arrays",
    "score_axis",
    "score_portfolio",
    "share_of_wallet_pct",
    "snapshot",
    "strategy_index_array",
    "transition_counts",
    "win_rate_pct",
    "years_as_customer",
]
