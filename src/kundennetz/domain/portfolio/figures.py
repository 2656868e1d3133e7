"""Figures computed from an account's facts: share of wallet, win rate, years as customer, relationship strength."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np

from .model import (
    DAYS_PER_YEAR,
    RELATIONSHIP_CONTACT_POINTS_FULL,
    RELATIONSHIP_INTERACTIONS_FULL,
    RELATIONSHIP_LEVELS,
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
