"""Why an account moved between two portfolio snapshots: which input changed (codes, no sentences).

An account moves when its cell or its strategy differs between the earlier and the later snapshot. The
reasons are read off the two stored positions: a changed attractiveness score, a changed position score
(our supplier position), another scoring model or grid (the same scores can fall into another cell), or,
when the cell stayed and only the strategy changed, an override set, changed or removed (or the model
giving the cell another strategy). Two snapshots of unchanged inputs give no move at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

MODEL = "model"
ATTRACTIVENESS = "attractiveness"
POSITION = "position"
OVERRIDE = "override"
PLACED = "placed"
REASONS = (MODEL, ATTRACTIVENESS, POSITION, OVERRIDE, PLACED)

# Scores are 0–100; below this a difference is rounding, not a changed input.
TOLERANCE = 0.05

# The stored fields whose change makes a move (the database finds the moved accounts of a whole snapshot
# by comparing exactly these; ``explain`` says why).
COMPARED = ("cell", "strategy")


@dataclass(frozen=True)
class Stored:
    """An account's stored position in one snapshot."""

    attractiveness: float | None
    position: float | None
    cell: str
    strategy: str


@dataclass(frozen=True)
class Move:
    account_id: int
    before: Stored
    after: Stored
    reasons: tuple[str, ...]

    @property
    def cell_changed(self) -> bool:
        return self.before.cell != self.after.cell


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _changed(before: float | None, after: float | None) -> bool:
    if _missing(before) or _missing(after):
        return _missing(before) != _missing(after)
    return abs(after - before) > TOLERANCE


def moved(before: Stored, after: Stored) -> bool:
    """Whether the account moved: one of the ``COMPARED`` fields differs."""
    return any(getattr(before, name) != getattr(after, name) for name in COMPARED)


def explain(account_id: int, before: Stored, after: Stored, *, model_changed: bool) -> Move | None:
    """The move of one account with its reasons, or None when neither cell nor strategy changed."""
    if not moved(before, after):
        return None
    reasons = []
    if model_changed:
        reasons.append(MODEL)
    if _changed(before.attractiveness, after.attractiveness):
        reasons.append(ATTRACTIVENESS)
    if _changed(before.position, after.position):
        reasons.append(POSITION)
    if bool(before.cell) != bool(after.cell) and PLACED not in reasons:
        reasons.append(PLACED)
    if before.cell == after.cell and not model_changed:
        reasons.append(OVERRIDE)  # same cell, same model: only an override changes the strategy
    return Move(account_id, before, after, tuple(reasons))


def moves(before: Mapping[int, Stored], after: Mapping[int, Stored], *, model_changed: bool) -> list[Move]:
    """Every account in both snapshots whose cell or strategy changed, in account-id order."""
    found = []
    for account_id in sorted(before.keys() & after.keys()):
        move = explain(account_id, before[account_id], after[account_id], model_changed=model_changed)
        if move is not None:
            found.append(move)
    return found
