"""The scoring model as a whole: its axes, grids and strategies, its document read and validated, and
the default model shipped with the app."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import replace as _replace
from importlib import resources
from typing import Any

from ..errors import json_kind
from .model import (
    AXES,
    BUYING_CENTRE_ROLES,
    CHANNELS,
    COMPUTED_FIGURES,
    SCALE_KINDS,
    THRESHOLD_COUNT,
    AbcThresholds,
    Axis,
    CareIntensity,
    Cell,
    Criterion,
    Grid,
    Scale,
    ScoringModelError,
    Strategy,
    is_number,
)

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")
_SOURCE = re.compile(r"(field|computed):([a-z][a-z0-9_]*)\Z")


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
            raise ScoringModelError("not_one_of", f"grid: unknown grid {key!r}; known: {', '.join(self.grids)}",
                                    path="grid", value=key, allowed=list(self.grids))
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
        raise ScoringModelError("not_an_object", f"{path}: expected an object, got {type(value).__name__}",
                                path=path, kind=json_kind(value))
    return value


def _keys(data: Mapping[str, Any], path: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    required = tuple(required)
    allowed = set(required) | set(optional)
    missing = [k for k in required if k not in data]
    if missing:
        raise ScoringModelError("missing_keys", f"{path}: missing {', '.join(missing)}", path=path, keys=missing)
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ScoringModelError("unknown_keys", f"{path}: unknown {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
                                path=path, keys=unknown, allowed=sorted(allowed))


def _text(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ScoringModelError("not_text", f"{path}.{key}: expected text, got {type(value).__name__}",
                                path=f"{path}.{key}", kind=json_kind(value))
    if required and not value.strip():
        raise ScoringModelError("empty", f"{path}.{key}: must not be empty", path=f"{path}.{key}")
    return value


def _ident(data: Mapping[str, Any], key: str, path: str) -> str:
    value = _text(data, key, path)
    if not _NAME.match(value):
        raise ScoringModelError(
            "bad_identifier", f"{path}.{key}: {value!r} must be lower-case letters, digits and _ (starting with a letter)",
            path=f"{path}.{key}", value=value)
    return value


def _num(value: Any, path: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
    if not is_number(value):
        raise ScoringModelError("not_a_number", f"{path}: expected a finite number, got {value!r}", path=path,
                                value=value)
    value = float(value)
    if minimum is not None and value < minimum:
        raise ScoringModelError("below_minimum", f"{path}: must be >= {minimum:g}, got {value:g}", path=path,
                                minimum=minimum, value=value)
    if maximum is not None and value > maximum:
        raise ScoringModelError("above_maximum", f"{path}: must be <= {maximum:g}, got {value:g}", path=path,
                                maximum=maximum, value=value)
    return value


def _parse_scale(data: Any, path: str) -> Scale:
    data = _mapping(data, path)
    kind = data.get("kind")
    if kind not in SCALE_KINDS:
        raise ScoringModelError("not_one_of", f"{path}.kind: unknown scale kind {kind!r}; known: {', '.join(SCALE_KINDS)}",
                                path=f"{path}.kind", value=kind, allowed=list(SCALE_KINDS))
    if kind == "thresholds":
        _keys(data, path, ("kind", "thresholds"))
        raw = data["thresholds"]
        if not isinstance(raw, list) or len(raw) != THRESHOLD_COUNT:
            raise ScoringModelError(
                "threshold_count", f"{path}.thresholds: need exactly {THRESHOLD_COUNT} ascending limits (5 bands -> points 1..5)",
                path=f"{path}.thresholds", count=THRESHOLD_COUNT)
        limits = tuple(_num(v, f"{path}.thresholds[{i}]") for i, v in enumerate(raw))
        if any(b <= a for a, b in zip(limits, limits[1:])):
            raise ScoringModelError("not_ascending", f"{path}.thresholds: must be strictly ascending, got {list(limits)}",
                                    path=f"{path}.thresholds", values=list(limits))
        return Scale("thresholds", thresholds=limits)
    if kind == "linear":
        _keys(data, path, ("kind", "min", "max"))
        lo = _num(data["min"], f"{path}.min")
        hi = _num(data["max"], f"{path}.max")
        if lo == hi:
            raise ScoringModelError("min_equals_max", f"{path}: min and max must differ, both are {lo:g}", path=path,
                                    value=lo)
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
        raise ScoringModelError("below_minimum", f"{path}.weight: must be >= 0, got {weight:g}", path=f"{path}.weight",
                                minimum=0, value=weight)
    scale = _parse_scale(data["scale"], f"{path}.scale")
    source = data["source"]
    if not isinstance(source, str):
        raise ScoringModelError("not_text", f"{path}.source: expected text, got {type(source).__name__}",
                                path=f"{path}.source", kind=json_kind(source))
    if source != "manual":
        match = _SOURCE.match(source)
        if not match:
            raise ScoringModelError(
                "bad_source", f"{path}.source: {source!r} must be 'manual', 'field:<name>' or 'computed:<name>'",
                path=f"{path}.source", value=source)
        if match.group(1) == "computed" and match.group(2) not in COMPUTED_FIGURES:
            raise ScoringModelError(
                "not_one_of", f"{path}.source: unknown computed figure {match.group(2)!r}; known: {', '.join(COMPUTED_FIGURES)}",
                path=f"{path}.source", value=match.group(2), allowed=list(COMPUTED_FIGURES))
    if (source == "manual") != (scale.kind == "manual"):
        raise ScoringModelError(
            "manual_source_and_scale",
            f"{path}: a manual source needs the manual scale and the manual scale needs a manual source", path=path)
    allow_manual = data.get("allow_manual", False)
    if not isinstance(allow_manual, bool):
        raise ScoringModelError("not_true_or_false", f"{path}.allow_manual: expected true or false",
                                path=f"{path}.allow_manual", value=allow_manual)
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
        raise ScoringModelError("empty_list", f"{path}.criteria: need a non-empty list", path=f"{path}.criteria")
    criteria = tuple(_parse_criterion(c, f"{path}.criteria[{i}]") for i, c in enumerate(raw))
    if not any(c.weight > 0 for c in criteria):
        raise ScoringModelError("all_weights_zero",
                                f"{path}: all weights are zero; at least one criterion needs a weight > 0", path=path)
    return Axis(key, _text(data, "name_de", path), _text(data, "name_en", path), criteria)


def _parse_thresholds(raw: Any, path: str) -> tuple[float, ...]:
    if not isinstance(raw, list) or not raw:
        raise ScoringModelError("empty_list", f"{path}: need a non-empty list of scores between 0 and 100", path=path)
    limits = tuple(_num(v, f"{path}[{i}]") for i, v in enumerate(raw))
    if any(not 0 < v < 100 for v in limits):
        raise ScoringModelError("thresholds_outside_0_100",
                                f"{path}: every threshold must lie strictly between 0 and 100, got {list(limits)}",
                                path=path, values=list(limits))
    if any(b <= a for a, b in zip(limits, limits[1:])):
        raise ScoringModelError("not_ascending", f"{path}: must be strictly ascending, got {list(limits)}", path=path,
                                values=list(limits))
    return limits


def _parse_grid(data: Any, path: str, key: str, strategies: Mapping[str, Strategy]) -> Grid:
    data = _mapping(data, path)
    _keys(data, path, ("name_de", "name_en", "attractiveness_thresholds", "position_thresholds", "cells"))
    att = _parse_thresholds(data["attractiveness_thresholds"], f"{path}.attractiveness_thresholds")
    pos = _parse_thresholds(data["position_thresholds"], f"{path}.position_thresholds")
    raw = data["cells"]
    if not isinstance(raw, list):
        raise ScoringModelError("not_a_list", f"{path}.cells: expected a list", path=f"{path}.cells",
                                kind=json_kind(raw))
    cells: list[Cell] = []
    seen_keys: set[str] = set()
    seen_bands: dict[tuple[int, int], str] = {}
    for i, item in enumerate(raw):
        cpath = f"{path}.cells[{i}]"
        item = _mapping(item, cpath)
        _keys(item, cpath, ("key", "attractiveness_band", "position_band", "name_de", "name_en", "strategy"))
        ckey = _ident(item, "key", cpath)
        if ckey in seen_keys:
            raise ScoringModelError("duplicate", f"{cpath}.key: duplicate cell {ckey!r}", path=f"{cpath}.key", value=ckey)
        seen_keys.add(ckey)
        bands = []
        for axis, limits in (("attractiveness", att), ("position", pos)):
            band = item[f"{axis}_band"]
            if not isinstance(band, int) or isinstance(band, bool) or not 0 <= band <= len(limits):
                raise ScoringModelError(
                    "band_range", f"{cpath}.{axis}_band: must be a whole number from 0 to {len(limits)}, got {band!r}",
                    path=f"{cpath}.{axis}_band", maximum=len(limits), value=band)
            bands.append(band)
        pair = (bands[0], bands[1])
        if pair in seen_bands:
            raise ScoringModelError("bands_taken", f"{cpath}: bands {pair} already belong to cell {seen_bands[pair]!r}",
                                    path=cpath, bands=list(pair), cell=seen_bands[pair])
        seen_bands[pair] = ckey
        strategy = item["strategy"]
        if strategy not in strategies:
            raise ScoringModelError("not_one_of", f"{cpath}.strategy: unknown strategy {strategy!r}",
                                    path=f"{cpath}.strategy", value=strategy, allowed=list(strategies))
        cells.append(Cell(ckey, pair[0], pair[1], _text(item, "name_de", cpath), _text(item, "name_en", cpath), strategy))
    expected = (len(att) + 1) * (len(pos) + 1)
    if len(cells) != expected:
        absent = [
            (a, p) for a in range(len(att) + 1) for p in range(len(pos) + 1) if (a, p) not in seen_bands
        ]
        raise ScoringModelError("cells_missing",
                                f"{path}.cells: need one cell for each of {expected} band pairs; missing {absent}",
                                path=f"{path}.cells", expected=expected, missing=[list(pair) for pair in absent])
    used = {c.strategy: strategies[c.strategy] for c in cells}
    for share in ("sales_support_share", "pr_share"):
        total = math.fsum(getattr(s.care, share) for s in used.values())
        if total > 1 + 1e-9:
            raise ScoringModelError(
                "shares_exceed_budget",
                f"{path}: the {share} of its strategies add up to {total:.3g}, more than the whole budget (1)",
                path=path, share=share, total=total)
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
        raise ScoringModelError(
            "max_below_min", f"{cpath}: contacts_per_year_max ({hi:g}) is below contacts_per_year_min ({lo:g})",
            path=cpath, maximum_key="contacts_per_year_max", minimum_key="contacts_per_year_min", maximum=hi, minimum=lo)
    roles = care["roles"]
    if not isinstance(roles, list) or any(r not in BUYING_CENTRE_ROLES for r in roles):
        raise ScoringModelError("bad_roles", f"{cpath}.roles: a list of buying-centre roles: {', '.join(BUYING_CENTRE_ROLES)}",
                                path=f"{cpath}.roles", allowed=list(BUYING_CENTRE_ROLES))
    if len(set(roles)) != len(roles):
        raise ScoringModelError("repeated", f"{cpath}.roles: a role is listed twice", path=f"{cpath}.roles")
    channel = care.get("channel", "personal")
    if channel not in CHANNELS:
        raise ScoringModelError("not_one_of", f"{cpath}.channel: {channel!r} is not one of {', '.join(CHANNELS)}",
                                path=f"{cpath}.channel", value=channel, allowed=list(CHANNELS))
    limit = care.get("time_limit_months")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0):
        raise ScoringModelError("bad_time_limit", f"{cpath}.time_limit_months: a positive whole number of months or null",
                                path=f"{cpath}.time_limit_months", value=limit)
    is_default = care.get("is_default", False)
    if not isinstance(is_default, bool):
        raise ScoringModelError("not_true_or_false", f"{cpath}.is_default: expected true or false",
                                path=f"{cpath}.is_default", value=is_default)
    color = data.get("color", "#777777")
    if not isinstance(color, str) or not _COLOR.match(color):
        raise ScoringModelError("bad_color", f"{path}.color: expected a colour like #1a2b3c, got {color!r}",
                                path=f"{path}.color", value=color)
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
        raise ScoringModelError("duplicate_keys",
                                f"axes: criterion keys must be unique across both axes: {', '.join(duplicates)}",
                                path="axes", keys=duplicates)

    raw_strategies = data["strategies"]
    if not isinstance(raw_strategies, list) or not raw_strategies:
        raise ScoringModelError("empty_list", "strategies: need a non-empty list", path="strategies")
    strategies: dict[str, Strategy] = {}
    for i, item in enumerate(raw_strategies):
        strategy = _parse_strategy(item, f"strategies[{i}]")
        if strategy.key in strategies:
            raise ScoringModelError("duplicate", f"strategies[{i}].key: duplicate strategy {strategy.key!r}",
                                    path=f"strategies[{i}].key", value=strategy.key)
        strategies[strategy.key] = strategy

    raw_grids = _mapping(data["grids"], "grids")
    if not raw_grids:
        raise ScoringModelError("no_grids", "grids: need at least one grid", path="grids")
    grids: dict[str, Grid] = {}
    for gkey, gdata in raw_grids.items():
        if not isinstance(gkey, str) or not gkey:
            raise ScoringModelError("bad_grid_key", f"grids: invalid grid key {gkey!r}", path="grids", value=gkey)
        grids[gkey] = _parse_grid(gdata, f"grids.{gkey}", gkey, strategies)
    chosen = grid_key if grid_key is not None else data.get("grid", next(iter(grids)))
    if chosen not in grids:
        raise ScoringModelError("not_one_of", f"grid: unknown grid {chosen!r}; known: {', '.join(grids)}", path="grid",
                                value=chosen, allowed=list(grids))

    weights = _mapping(data.get("combined_weights", {"attractiveness": 1, "position": 1}), "combined_weights")
    _keys(weights, "combined_weights", AXES)
    wa = _num(weights["attractiveness"], "combined_weights.attractiveness", minimum=0)
    wp = _num(weights["position"], "combined_weights.position", minimum=0)
    if wa + wp <= 0:
        raise ScoringModelError("no_axis_weight", "combined_weights: at least one axis needs a weight > 0",
                                path="combined_weights")

    abc = _mapping(data.get("abc", {"a": 0.8, "b": 0.95}), "abc")
    _keys(abc, "abc", ("a", "b"))
    abc_thresholds = AbcThresholds(_num(abc["a"], "abc.a"), _num(abc["b"], "abc.b"))

    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ScoringModelError("bad_version", f"version: a whole number >= 1, got {version!r}", path="version",
                                value=version)
    is_default = data.get("is_default", False)
    if not isinstance(is_default, bool):
        raise ScoringModelError("not_true_or_false", "is_default: expected true or false", path="is_default",
                                value=is_default)
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
