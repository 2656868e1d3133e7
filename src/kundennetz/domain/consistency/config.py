"""Weights and thresholds of the consistency measures: the config type, reading and checking it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .arithmetic import is_number, round_half_up
from ..errors import json_kind
from .model import AMBER, COMPONENT_MEASURES, DEFAULT_CONFIG_PATH, GREEN, RED, ROLES, ConsistencyError, Intensity


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
        shown = round_half_up(score)
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
            raise ConsistencyError(
                "measures_all_zero",
                f"consistency weights: {path}.measures are all 0 although the component weighs {component_weights[name]}",
                path=f"{path}.measures")
    if sum(component_weights.values()) == 0:
        raise ConsistencyError("all_weights_zero",
                               "consistency weights: all component weights are 0; at least one must be positive",
                               path="components")

    thresholds = raw["thresholds"]
    _check_keys(thresholds, "thresholds", required=tuple(_THRESHOLDS))
    values: dict[str, float] = {}
    for name, (kind, lo, hi) in _THRESHOLDS.items():
        value = thresholds[name]
        path = f"thresholds.{name}"
        if not is_number(value):
            raise ConsistencyError("not_a_number", f"consistency weights: {path} must be a number, got {value!r}",
                                   path=path, value=value)
        if kind == "int" and value != int(value):
            raise ConsistencyError("not_whole_number", f"consistency weights: {path} must be a whole number, got {value!r}",
                                   path=path, value=value)
        if kind == "fraction" and not (lo < value <= hi):
            raise ConsistencyError("above_and_at_most",
                                   f"consistency weights: {path} must be above {lo} and at most {hi}, got {value!r}",
                                   path=path, minimum=lo, maximum=hi, value=value)
        if kind != "fraction" and not (lo <= value <= hi):
            raise ConsistencyError("between", f"consistency weights: {path} must be between {lo} and {hi}, got {value!r}",
                                   path=path, minimum=lo, maximum=hi, value=value)
        values[name] = int(value) if kind == "int" else float(value)

    key_people = raw["key_people"]
    _check_keys(key_people, "key_people", optional=ROLES)
    key_person_days: dict[str, int] = {}
    for role, days in key_people.items():
        if role.startswith("_"):
            continue
        if not is_number(days) or days != int(days) or days < 1:
            raise ConsistencyError(
                "days_at_least_one", f"consistency weights: key_people.{role} must be a whole number of days ≥ 1, got {days!r}",
                path=f"key_people.{role}", value=days)
        key_person_days[role] = int(days)

    bands = raw["bands"]
    _check_keys(bands, "bands", required=(GREEN, AMBER))
    for name in (GREEN, AMBER):
        if not is_number(bands[name]) or not (0 <= bands[name] <= 100):
            raise ConsistencyError(
                "between", f"consistency weights: bands.{name} must be a score between 0 and 100, got {bands[name]!r}",
                path=f"bands.{name}", minimum=0, maximum=100, value=bands[name])
    if bands[AMBER] > bands[GREEN]:
        raise ConsistencyError(
            "amber_above_green",
            f"consistency weights: bands.amber ({bands[AMBER]}) must not be above bands.green ({bands[GREEN]})",
            path="bands", amber=bands[AMBER], green=bands[GREEN])

    types = raw["interaction_types"]
    if not isinstance(types, Mapping) or "default" not in types:
        raise ConsistencyError("no_default_type",
                               "consistency weights: interaction_types must be an object with a 'default' weight",
                               path="interaction_types")
    type_weights = {t: _weight(w, f"interaction_types.{t}") for t, w in types.items() if not t.startswith("_")}
    default_type_weight = type_weights.pop("default")

    intensity = raw["default_intensity"]
    _check_keys(intensity, "default_intensity", required=("contacts_per_year_min", "min_per_quarter"), optional=("contacts_per_year_max",))
    try:
        default_intensity = Intensity(
            intensity["contacts_per_year_min"], intensity.get("contacts_per_year_max"), intensity["min_per_quarter"]
        )
    except ConsistencyError as exc:
        raise ConsistencyError(exc.code, f"consistency weights: default_intensity: {exc}",
                               path=f"default_intensity.{exc.path}", **exc.params) from None

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
        raise ConsistencyError("not_an_object", f"consistency weights: {where} must be an object, got {type(obj).__name__}",
                               path=path, kind=json_kind(obj))
    # Keys starting with "_" are comments, since JSON has none.
    keys = {k for k in obj if not (isinstance(k, str) and k.startswith("_"))}
    missing = [k for k in required if k not in keys]
    if missing:
        raise ConsistencyError("missing_keys", f"consistency weights: {where} lacks {', '.join(repr(k) for k in missing)}",
                               path=path, keys=missing)
    unknown = sorted(str(k) for k in keys - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(sorted([*required, *optional]))
        raise ConsistencyError(
            "unknown_keys",
            f"consistency weights: unknown key {', '.join(repr(k) for k in unknown)} in {where} (allowed: {allowed})",
            path=path, keys=unknown, allowed=sorted([*required, *optional]))


def _weight(value: Any, path: str) -> float:
    if not is_number(value) or value < 0:
        raise ConsistencyError("number_at_least", f"consistency weights: {path} must be a number ≥ 0, got {value!r}",
                               path=path, minimum=0, value=value)
    return float(value)
