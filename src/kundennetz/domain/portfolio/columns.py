"""The scoring rules over numpy columns, for recomputing a million accounts exactly as one by one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from .model import MAX_POINTS, MIN_POINTS, TIE_RESOLUTION, UNPLACED, Axis
from .scoring_model import ScoringModel


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
