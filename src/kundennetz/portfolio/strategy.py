"""Today's strategy per account, read from the database and decided by the one domain rule
(``kundennetz.domain.strategy_today``).

``load_rules()`` reads the current scoring model and snapshot once; ``for_accounts(ids)`` reads the
overrides and the snapshot's positions of the given accounts (every account when ``ids`` is None) in
bulk and returns per account its ``StrategyToday`` plus rank and position score. ``for_account``
does the same for one account. Planning, consistency (``interactions.portfolio_bridge``), the
account page, the portfolio's list, picture, API and export all call these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from kundennetz.core.idsets import IN_LIMIT, narrowed
from kundennetz.domain import portfolio as rules
from kundennetz.domain.strategy_today import NONE, StrategyToday, strategy_today

from .models import AccountPosition, PortfolioSnapshot, ScoringModel, StrategyOverride



@dataclass(frozen=True)
class Rules:
    """What the rule needs besides the account's own override and cell."""

    current: rules.ScoringModel | None
    snapshot: PortfolioSnapshot | None
    snapshot_model: rules.ScoringModel | None
    cell_strategies: dict = field(default_factory=dict)
    known: frozenset = frozenset()

    def today(self, override: str | None, cell: str | None) -> StrategyToday:
        return strategy_today(override=override, cell=cell, cell_strategies=self.cell_strategies, known=self.known)

    def strategy(self, key: str | None) -> rules.Strategy | None:
        """The strategy as defined now: the current model's version, else the snapshot model's."""
        for model in (self.current, self.snapshot_model):
            if key and model is not None and key in model.strategies:
                return model.strategies[key]
        return None


def load_rules(snapshot: PortfolioSnapshot | None = ..., current: ScoringModel | None = ...) -> Rules:
    """The rule's inputs: the current model, the current snapshot (or the one given) and its grid."""
    record = ScoringModel.current() if current is ... else current
    snapshot = PortfolioSnapshot.current() if snapshot is ... else snapshot
    current_rules = record.rules if record is not None else None
    snapshot_rules = snapshot.model if snapshot is not None else None
    known = set()
    for model in (current_rules, snapshot_rules):
        if model is not None:
            known.update(model.strategies)
    cells = {c.key: c.strategy for c in snapshot_rules.grid.cells} if snapshot_rules is not None else {}
    return Rules(current_rules, snapshot, snapshot_rules, cells, frozenset(known))


@dataclass
class Today:
    """Per account: today's strategy, and rank and position score (0–100) in the current snapshot."""

    rules: Rules
    strategies: dict = field(default_factory=dict)   # account id -> StrategyToday
    ranks: dict = field(default_factory=dict)
    positions: dict = field(default_factory=dict)

    def of(self, account_id) -> StrategyToday:
        return self.strategies.get(account_id) or StrategyToday(None, NONE)


def for_accounts(account_ids: Iterable | None = None, rules_: Rules | None = None) -> Today:
    """Today's strategy of the given accounts (all when None), in two queries."""
    rules_ = rules_ or load_rules()
    ids = None if account_ids is None else list(account_ids)
    wanted = None if ids is None else set(ids)
    result = Today(rules_)
    cells: dict = {}
    if rules_.snapshot is not None:
        rows = narrowed(AccountPosition.objects.filter(snapshot=rules_.snapshot), ids).values_list(
            "account_id", "cell", "rank", "position")
        for account_id, cell, rank, position in (rows.iterator(chunk_size=20_000) if ids is None or len(ids) > IN_LIMIT
                                                 else rows):
            if wanted is not None and account_id not in wanted:
                continue
            cells[account_id] = cell
            if rank is not None:
                result.ranks[account_id] = rank
            if position is not None and math.isfinite(position):
                result.positions[account_id] = position
    overrides = {a: s for a, s in narrowed(StrategyOverride.objects.all(), ids).values_list("account_id", "strategy")
                 if wanted is None or a in wanted}
    for account_id in cells.keys() | overrides.keys():
        result.strategies[account_id] = rules_.today(overrides.get(account_id), cells.get(account_id))
    return result


def for_account(account, rules_: Rules | None = None) -> StrategyToday:
    return for_accounts([account.pk], rules_).of(account.pk)


def rules_for(model: rules.ScoringModel, current: rules.ScoringModel | None = ...) -> Rules:
    """The rule's inputs for positions of a snapshot taken with ``model`` (its grid maps the cells)."""
    if current is ...:
        record = ScoringModel.current()
        current = record.rules if record is not None else None
    known = set(model.strategies) | (set(current.strategies) if current is not None else set())
    return Rules(current, None, model, {c.key: c.strategy for c in model.grid.cells}, frozenset(known))
