"""Scoring one account and a whole portfolio, with points per criterion and what was missing."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace as _replace
from decimal import Decimal
from typing import Any

import numpy as np

from .abc import abc_classes
from .model import MAX_POINTS, MIN_POINTS, TIE_RESOLUTION, AccountId, Axis, Criterion
from .scoring_model import ScoringModel


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
