"""Which strategy applies to an account today: the one rule, in one function.

A sales head's override wins while it names a strategy that still exists (in the current scoring
model or in the model of the current snapshot); an override naming a strategy that no longer exists
is ignored (and said so). Otherwise the strategy of the account's cell in the current snapshot,
read with the snapshot's own grid. Otherwise the account has no strategy today (planning and
consistency then use the default intensity of its customer group).

Every page, the API, the commands, planning and consistency ask this function (through
``kundennetz.portfolio.strategy``); none decides it again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

OVERRIDE, CELL, NONE = "override", "cell", "none"


@dataclass(frozen=True, slots=True)
class StrategyToday:
    key: str | None               # the strategy's key, None when no strategy applies
    source: str                   # OVERRIDE, CELL or NONE
    cell: str | None = None       # the account's cell in the current snapshot
    ignored_override: str | None = None  # an override naming a strategy that no longer exists

    @property
    def overridden(self) -> bool:
        return self.source == OVERRIDE


def strategy_today(*, override: str | None, cell: str | None, cell_strategies: Mapping[str, str],
                   known: Collection[str]) -> StrategyToday:
    """The strategy that applies today.

    ``override``: the strategy key of the account's override, if any. ``cell``: its cell in the current
    snapshot, if placed. ``cell_strategies``: cell key -> strategy key of the snapshot's grid.
    ``known``: the strategy keys that exist (current model and snapshot model).
    """
    cell = cell or None
    ignored = None
    if override:
        if override in known:
            return StrategyToday(override, OVERRIDE, cell)
        ignored = override
    key = cell_strategies.get(cell) if cell else None
    if key and key in known:
        return StrategyToday(key, CELL, cell, ignored)
    return StrategyToday(None, NONE, cell, ignored)
