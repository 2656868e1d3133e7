"""What this app takes from the customer portfolio: each account's strategy today (with its care
intensity), its rank, the strategies' names, and the value propositions per buying-centre role.

Interactions work without the portfolio: every function here answers "nothing known" while the
portfolio app is not installed or has no scoring model or snapshot yet, and the callers fall back to
the default intensity of its customer group (tunable DefaultIntensities) and to the account's revenue for priority.
Everything read from the portfolio is read here and nowhere else.

The strategy "today" is the one rule (`domain.strategy_today` through `portfolio.strategy`): a sales
head's valid override wins, otherwise the strategy of the account's cell in the current snapshot. Its care
intensity comes from the current scoring model (a changed intensity is a new model version), or from
the snapshot's model when the current one no longer has that strategy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import get_language

from kundennetz.domain.consistency import Intensity


@dataclass(frozen=True)
class StrategyInfo:
    key: str
    name: str
    intensity: Intensity | None
    roles: tuple[str, ...] = ()
    source: str = ""   # where today's strategy comes from: "override" (chosen for the account) or "cell"


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


def _intensity(strategy) -> Intensity | None:
    care = strategy.care
    try:
        return Intensity(care.contacts_per_year_min, care.contacts_per_year_max, care.min_contacts_per_quarter)
    except ValueError:
        return None


def portfolio_facts(account_ids: Iterable | None = None) -> PortfolioFacts:
    """The strategy today and rank of the given accounts (all when None); empty without the portfolio.

    The strategy comes from the one rule (``kundennetz.portfolio.strategy``)."""
    if not available():
        return PortfolioFacts()
    from kundennetz.portfolio import strategy as today_rule

    rules = today_rule.load_rules()
    if rules.current is None and rules.snapshot is None:
        return PortfolioFacts()
    today = today_rule.for_accounts(account_ids, rules)
    lang = _lang()
    strategies = {}
    for account_id, decided in today.strategies.items():
        strategy = rules.strategy(decided.key)
        if strategy is None:
            continue
        strategies[account_id] = StrategyInfo(decided.key, strategy.name(lang), _intensity(strategy),
                                              tuple(strategy.care.roles), decided.source)
    return PortfolioFacts(strategies, today.ranks)


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


def value_propositions(account_ids: Iterable, roles_by_account: dict, facts: PortfolioFacts | None = None) -> dict:
    """(account id, buying role) -> texts to bring to a person in that role at that account, as the
    portfolio maps them to roles, customer groups and strategies; empty without the portfolio. `facts`:
    the accounts' `portfolio_facts` when the caller has read them already."""
    ValueProposition = _model("ValueProposition")
    if ValueProposition is None or not roles_by_account:
        return {}
    propositions = list(ValueProposition.objects.filter(is_active=True).prefetch_related("segments"))
    if not propositions:
        return {}
    ids = list(account_ids)
    Account = apps.get_model("accounts", "Account")
    segments = dict(Account.objects.filter(pk__in=ids).values_list("pk", "segment_id"))
    strategies = (facts if facts is not None else portfolio_facts(ids)).strategies if available() else {}
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
