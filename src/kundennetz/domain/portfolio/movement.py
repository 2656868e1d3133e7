"""Snapshots of a portfolio and the movement of accounts between two of them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .model import AccountId
from .scoring import AccountResult


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
