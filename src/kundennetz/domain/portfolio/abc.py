"""ABC analysis: classes by cumulative share of a value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .model import ABC_LABELS, AbcThresholds, AccountId


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
