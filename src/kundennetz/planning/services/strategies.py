"""The portfolio adapter of planning: each account's strategy and care intensity, else its group's default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import get_language

from kundennetz.core import tunables
from kundennetz.core.tunables.schemas import DefaultIntensities


GROUP_PREFIX = "group:"


def current_language() -> str:
    """'de' or 'en', for the names the scoring model carries in both languages."""
    return "de" if (get_language() or "").lower().startswith("de") else "en"


# --------------------------------------------------------------------------------------------------
# The portfolio adapter
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intensity:
    """The care intensity of a strategy (or a customer group's default) per year."""

    key: str
    name: str
    contacts_min: float
    contacts_max: float
    min_per_quarter: float
    hours: float
    support_share: float
    pr_share: float
    source: str  # "portfolio" or "default"


@dataclass(frozen=True)
class Strategies:
    """Per account its strategy (a key of ``catalogue``) and our position 0–1 where scored."""

    catalogue: dict[str, Intensity]
    of_account: dict[int, str]
    position: dict[int, float]
    snapshot: str | None = None       # period of the portfolio snapshot used, if any
    from_portfolio: int = 0           # accounts whose strategy came from the portfolio

    def choices(self) -> list[tuple[str, str]]:
        """Strategies an account can be given in a what-if: the portfolio's, then the group defaults."""
        return [(k, i.name) for k, i in self.catalogue.items()]


def default_groups() -> dict[str, dict]:
    """The default intensity table (customer group code -> row as a dict), for display."""
    return {code: row.model_dump() for code, row in tunables.get(DefaultIntensities).groups.items()}


def _group_intensities(lang: str) -> dict[str, Intensity]:
    out = {}
    for code, g in default_groups().items():
        key = GROUP_PREFIX + code
        out[key] = Intensity(key, g[f"name_{lang}"], float(g["contacts_per_year_min"]),
                             float(g["contacts_per_year_max"]), float(g["min_contacts_per_quarter"]),
                             float(g["hours_per_year"]), float(g["sales_support_share"]), float(g["pr_share"]),
                             "default")
    return out


def account_strategies(segments: Mapping[int, str | None]) -> Strategies:
    """Strategy and care intensity of every account in ``segments`` (account id → customer group code).

    The one place that reads the portfolio (see the module docstring). Intensities of the current
    scoring model win over those of the snapshot's model: a changed intensity is a new model version,
    and the plan should follow the newest decision.
    """
    lang = current_language()
    portfolio: dict[str, Intensity] = {}
    of_account: dict[int, str] = {}
    position: dict[int, float] = {}
    snapshot_code = None
    if apps.is_installed("kundennetz.portfolio"):
        from kundennetz.portfolio import strategy as today_rule

        rules = today_rule.load_rules()
        for model in (rules.snapshot_model, rules.current):
            if model is None:
                continue
            for key, strategy in model.strategies.items():
                care = strategy.care
                portfolio[key] = Intensity(
                    key, strategy.name(lang), float(care.contacts_per_year_min), float(care.contacts_per_year_max),
                    float(care.min_contacts_per_quarter), float(care.hours_per_year),
                    float(care.sales_support_share), float(care.pr_share), "portfolio")
        if rules.snapshot is not None:
            snapshot_code = rules.snapshot.period
        if segments:
            today = today_rule.for_accounts(list(segments), rules)
            for account_id, decided in today.strategies.items():
                if account_id in segments and decided.key in portfolio:
                    of_account[account_id] = decided.key
            for account_id, score in today.positions.items():
                if account_id in segments:
                    position[account_id] = min(max(score / 100.0, 0.0), 1.0)
    from_portfolio = len(of_account)
    catalogue = {**portfolio, **_group_intensities(lang)}
    for account_id, code in segments.items():
        of_account[account_id] = plan_key(of_account.get(account_id), code, catalogue)
    return Strategies(catalogue, of_account, position, snapshot_code, from_portfolio)


def plan_key(strategy: str | None, segment_code: str | None, catalogue: Mapping[str, Intensity]) -> str:
    """The intensity an account is planned with: its strategy today where the portfolio defines it,
    else its customer group's default (the blank group's when the group has no row of its own)."""
    if strategy and strategy in catalogue and catalogue[strategy].source == "portfolio":
        return strategy
    key = GROUP_PREFIX + (segment_code or "")
    return key if key in catalogue else GROUP_PREFIX
