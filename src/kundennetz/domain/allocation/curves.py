"""Response curves: expected contribution as a concave function of effort, from plain figures or
fitted to a manager's estimates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize

from ..errors import DomainError

Resource = Literal["hours", "support", "pr"]
# Effort can win only part of an account's margin potential; hours carry the relationship, money
# merely supports it, hence the smaller shares for the budgets.
DEFAULT_REACHABLE_SHARE = {"hours": 0.5, "support": 0.10, "pr": 0.05}
# Share of the saturation level reached at the strategy's typical intensity, for our weakest and our
# strongest position: where we are well placed every hour converts faster.
DEFAULT_RESPONSE_AT_TYPICAL = (0.5, 0.85)


class FigureError(DomainError):
    """A figure the allocation cannot work with: ``code`` names it, ``params`` the account or manager (by
    id, or ``index`` into the figures given) and the value (worded by the planning app)."""


@dataclass(frozen=True)
class Curve:
    """Expected contribution ``m·(1 − e^(−b·x))`` of effort x: m is the saturation level, b the speed."""

    m: float | np.ndarray
    b: float | np.ndarray

    def value(self, x):
        bx = np.multiply(self.b, x, out=np.zeros(np.broadcast(self.b, x).shape), where=np.asarray(self.b) > 0)
        return self.m * -np.expm1(-bx)

    def marginal(self, x):
        bx = np.multiply(self.b, x, out=np.zeros(np.broadcast(self.b, x).shape), where=np.asarray(self.b) > 0)
        return self.m * self.b * np.exp(-bx)


def _number(v) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool) and math.isfinite(v)


def _scalar_or_array(v: np.ndarray):
    return float(v) if v.ndim == 0 else v


def curve_from_figures(
    potential, margin_pct, typical_effort, position=0.5, *, resource: Resource = "hours",
    reachable_share=None, response_at_typical: tuple[float, float] = DEFAULT_RESPONSE_AT_TYPICAL,
) -> Curve:
    """Curve parameters from plain figures (scalars or arrays alike).

    ``m`` = potential × margin % × reachable share; ``b`` makes the typical effort of the account's
    strategy reach between 50 % (position 0) and 85 % (position 1) of m.
    """
    pot, mar, typ, pos = (np.asarray(v, dtype=float) for v in (potential, margin_pct, typical_effort, position))
    share = np.asarray(DEFAULT_REACHABLE_SHARE[resource] if reachable_share is None else reachable_share, float)
    r_weak, r_strong = response_at_typical
    checks = [
        ("potential", pot, np.isfinite(pot) & (pot >= 0), "the potential must be a non-negative amount"),
        ("margin", mar, np.isfinite(mar) & (mar >= 0) & (mar <= 100),
         "the margin must be a percentage between 0 and 100"),
        ("typical_effort", typ, np.isfinite(typ) & (typ > 0), "the typical effort of the strategy must be positive"),
        ("position", pos, np.isfinite(pos) & (pos >= 0) & (pos <= 1), "the position must lie between 0 and 1"),
        ("reachable_share", share, np.isfinite(share) & (share > 0) & (share <= 1),
         "the reachable share must lie in (0, 1]"),
    ]
    for code, values, ok, message in checks:
        if not np.all(ok):
            index = int(np.flatnonzero(~np.broadcast_to(ok, values.shape).ravel())[0]) if values.ndim else None
            value = float(values.ravel()[index]) if index is not None else float(values)
            raise FigureError(code, f"{message}, got {value}", index=index, resource=resource, value=value)
    if not 0 < r_weak <= r_strong < 1:
        raise FigureError("response_at_typical", "the response at typical effort must satisfy 0 < weak ≤ strong < 1, "
                          f"got {response_at_typical}", weak=r_weak, strong=r_strong)
    m = pot * mar / 100.0 * share
    b = -np.log1p(-(r_weak + (r_strong - r_weak) * pos)) / typ
    return Curve(_scalar_or_array(m), _scalar_or_array(b))


# What a fit may warn of, as codes with their figures; the planning adapter words them.
NO_RESPONSE_TO_EFFORT = "no_response"  # {}
INCREASING_RETURNS = "increasing_returns"  # {}: the curve assumes every further hour yields less
ALREADY_SATURATED = "saturated"  # {}: today's effort already saturates the account
DEVIATES = "deviates"  # {"rms": average deviation of the curve from the estimates}


@dataclass(frozen=True)
class CurveFit:
    """A curve fitted to a manager's estimates. The baseline (what comes without any effort) is constant
    and so does not steer the allocation; it is kept to show the estimates back to the manager.
    ``warnings``: (code, params) pairs, see the codes above."""

    curve: Curve
    baseline: float
    rms_error: float
    warnings: tuple[tuple[str, Mapping[str, float]], ...] = ()


def fit_curve(current_effort: float, at_zero: float, at_current: float, at_150: float, at_saturation: float,
              *, saturation_effort: float | None = None) -> CurveFit:
    """Least-squares fit of baseline + m·(1 − e^(−b·x)) to estimates at 0, today's, 150 % and saturation
    effort, as CALLPLAN (Lodish 1971) asks them. Without ``saturation_effort`` the saturation estimate is
    the level approached as effort grows without limit."""
    if not (_number(current_effort) and current_effort > 0):
        raise ValueError(f"today's effort must be a positive number, got {current_effort!r}")
    labels = ("no effort", "today's effort", "150 % effort", "saturation")
    ys = (at_zero, at_current, at_150, at_saturation)
    for label, y in zip(labels, ys, strict=True):
        if not (_number(y) and y >= 0):
            raise ValueError(f"the estimate at {label} must be a non-negative number, got {y!r}")
    current_effort, at_zero, at_current, at_150, at_saturation = map(float, (current_effort, *ys))
    ys = (at_zero, at_current, at_150, at_saturation)
    for k in range(3):
        (la, ya), (lb, yb) = (labels[k], ys[k]), (labels[k + 1], ys[k + 1])
        if yb < ya:
            raise ValueError(f"the estimates must not fall as effort grows, but the estimate at {lb} "
                             f"({yb:,.1f}) is below the one at {la} ({ya:,.1f})")
    if saturation_effort is not None and not (
            _number(saturation_effort) and saturation_effort > 1.5 * current_effort):
        raise ValueError(f"the saturation effort ({saturation_effort!r}) must exceed 150 % of today's effort "
                         f"({1.5 * current_effort:,.1f})")
    if at_saturation == at_zero:
        b0 = -math.log1p(-DEFAULT_RESPONSE_AT_TYPICAL[0]) / current_effort
        return CurveFit(Curve(0.0, b0), float(at_zero), 0.0, ((NO_RESPONSE_TO_EFFORT, {}),))
    # Work in units of today's effort and of the saturation level so that one set of bounds fits all.
    scale = float(at_saturation)
    y = np.array(ys, float) / scale
    xs = np.array([0.0, 1.0, 1.5, (saturation_effort or math.inf) / current_effort])

    finite = np.isfinite(xs)
    xf = np.where(finite, xs, 0.0)

    def residuals(p):
        y0, mm, bb = p
        return y0 + mm * np.where(finite, -np.expm1(-bb * xf), 1.0) - y

    q = min(max((y[1] - y[0]) / (y[3] - y[0]), 0.05), 0.95)
    fit = optimize.least_squares(residuals, [y[0], y[3] - y[0], -math.log1p(-q)],
                                 bounds=([0.0, 0.0, 1e-6], [np.inf, np.inf, 50.0]))
    y0, mm, bb = fit.x
    rms = float(np.sqrt(np.mean(fit.fun ** 2)) * scale)
    warnings: list[tuple[str, Mapping[str, float]]] = []
    if (at_150 - at_current) / 0.5 > (at_current - at_zero) * (1 + 1e-9):
        warnings.append((INCREASING_RETURNS, {}))
    if bb >= 50.0 * (1 - 1e-6):
        warnings.append((ALREADY_SATURATED, {}))
    if rms > 0.05 * (at_saturation - at_zero):
        warnings.append((DEVIATES, {"rms": rms}))
    return CurveFit(Curve(float(mm * scale), float(bb / current_effort)), float(y0 * scale), rms, tuple(warnings))
