"""What this app takes from the customer portfolio: each account's strategy today (with its care
intensity), its rank, the strategies' names, and the value propositions per buying-centre role.

Interactions work without the portfolio: every function here answers "nothing known" while the
portfolio app is not installed or has no scoring model or snapshot yet, and the callers fall back to
the default intensity of its customer group (tunable DefaultIntensities) and to the account's revenue for priority.
Everything read from the portfolio is read here and nowhere else.

The strategy "today" follows the portfolio's own rule (`portfolio.queries.strategy_today`): a sales
head's override wins, otherwise the strategy of the account's cell in the current snapshot. Its care
intensity comes from the current scoring model (a changed intensity is a new model version), or from
the snapshot's model when the current one no longer has that strategy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import get_language

from kundennetz.domain.consistency import Intensity

# Above this many ids, reading everything and filtering in Python beats a long IN list (and stays
# clear of SQLite's limit on query parameters).
IN_LIMIT = 500


@dataclass(frozen=True)
class StrategyInfo:
    key: str
    name: str
    intensity: Intensity | None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortfolioFacts:
    """Per account: its strategy today and its rank, where the portfolio knows them."""

    strategies: dict = field(default_factory=dict)   # account id -> StrategyInfo
    ranks: dict = field(default_factory=dict)        # account id -> int (1 = first)


def _model(name: str):
    if not apps.is_installed("kundennetz.portfolio"):
        return None
    try:
        return apps.get_model("portfolio", name)
    except LookupError:
        return None


def available() -> bool:
    """Whether the portfolio app is there with the records this module reads."""
    return all(_model(name) is not None for name in ("ScoringModel", "PortfolioSnapshot", "AccountPosition",
                                                      "StrategyOverride"))


def _lang() -> str:
    return "de" if (get_language() or "").lower().startswith("de") else "en"


def _rules():
    """(current model's rules, current snapshot, snapshot model's rules); None where missing."""
    ScoringModel, PortfolioSnapshot = _model("ScoringModel"), _model("PortfolioSnapshot")
    current = ScoringModel.current()
    snapshot = PortfolioSnapshot.current()
    current_rules = current.rules if current is not None else None
    snapshot_rules = snapshot.model if snapshot is not None else None
    return current_rules, snapshot, snapshot_rules


def _strategy(key: str, current_rules, snapshot_rules):
    for model in (current_rules, snapshot_rules):
        if model is not None and key in model.strategies:
            return model.strategies[key]
    return None


def _intensity(strategy) -> Intensity | None:
    care = strategy.care
    try:
        return Intensity(care.contacts_per_year_min, care.contacts_per_year_max, care.min_contacts_per_quarter)
    except ValueError:
        return None


def _restricted(queryset, column: str, ids):
    if ids is None or len(ids) > IN_LIMIT:
        return queryset
    return queryset.filter(**{f"{column}__in": ids})


def portfolio_facts(account_ids: Iterable | None = None) -> PortfolioFacts:
    """The strategy today and rank of the given accounts (all when None); empty without the portfolio."""
    if not available():
        return PortfolioFacts()
    ids = None if account_ids is None else list(account_ids)
    wanted = None if ids is None else set(ids)
    current_rules, snapshot, snapshot_rules = _rules()
    if current_rules is None and snapshot is None:
        return PortfolioFacts()
    cells: dict = {}
    ranks: dict = {}
    if snapshot is not None:
        positions = _restricted(_model("AccountPosition").objects.filter(snapshot=snapshot), "account_id", ids)
        rows = positions.values_list("account_id", "cell", "rank")
        # Streamed for the whole network; a few accounts are fetched at once (no server-side cursor).
        for account_id, cell, rank in (rows.iterator(chunk_size=20000) if ids is None else rows):
            if wanted is not None and account_id not in wanted:
                continue
            cells[account_id] = cell
            if rank is not None:
                ranks[account_id] = rank
    overrides = dict(_restricted(_model("StrategyOverride").objects.all(), "account_id", ids)
                     .values_list("account_id", "strategy"))
    lang = _lang()
    keys: dict = {}
    for account_id, cell in cells.items():
        if cell and snapshot_rules is not None:
            try:
                keys[account_id] = snapshot_rules.strategy_for_cell(cell).key
            except KeyError:
                pass
    for account_id, key in overrides.items():
        if wanted is None or account_id in wanted:
            keys[account_id] = key
    strategies = {}
    for account_id, key in keys.items():
        strategy = _strategy(key, current_rules, snapshot_rules)
        if strategy is None:
            continue
        strategies[account_id] = StrategyInfo(key, strategy.name(lang), _intensity(strategy), tuple(strategy.care.roles))
    return PortfolioFacts(strategies, ranks)


def strategy_names() -> dict[str, str]:
    """Strategy key -> name in the active language, for filters and the management view."""
    if not available():
        return {}
    current_rules, _snapshot, snapshot_rules = _rules()
    lang = _lang()
    names = {}
    for model in (snapshot_rules, current_rules):
        if model is not None:
            names.update({key: s.name(lang) for key, s in model.strategies.items()})
    return names


def value_propositions(account_ids: Iterable, roles_by_account: dict) -> dict:
    """(account id, buying role) -> texts to bring to a person in that role at that account, as the
    portfolio maps them to roles, customer groups and strategies; empty without the portfolio."""
    ValueProposition = _model("ValueProposition")
    if ValueProposition is None or not roles_by_account:
        return {}
    propositions = list(ValueProposition.objects.filter(is_active=True).prefetch_related("segments"))
    if not propositions:
        return {}
    ids = list(account_ids)
    Account = apps.get_model("accounts", "Account")
    segments = dict(Account.objects.filter(pk__in=ids).values_list("pk", "segment_id"))
    strategies = portfolio_facts(ids).strategies if available() else {}
    segment_sets = {p.pk: {s.pk for s in p.segments.all()} for p in propositions}
    result = {}
    for account_id, roles in roles_by_account.items():
        strategy = strategies.get(account_id)
        for role in roles:
            texts = [f"{p.title}: {p.text}" for p in propositions
                     if p.applies_to(role, segments.get(account_id), strategy.key if strategy else None,
                                     segment_sets[p.pk])]
            result[(account_id, role)] = texts
    return result
