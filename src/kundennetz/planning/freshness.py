"""Whether a scenario still holds: what its result is computed from, as of when, and out of date when any
of that changed since (``core.freshness``). Computing stale drafts again is
``services.refresh_if_stale``."""

from __future__ import annotations

from kundennetz.core import freshness
from kundennetz.core.tunables.schemas import DefaultIntensities, PlanningFigures

from .models import Scenario

# A change to any of these puts a computed scenario out of date.
SCENARIO_INPUTS = "planning"
freshness.register(SCENARIO_INPUTS, models=(
    "accounts.Account", "accounts.Segment", "portfolio.PortfolioSnapshot", "portfolio.StrategyOverride",
    "portfolio.ScoringModel", "planning.Period", "planning.Capacity", "planning.Budget", "planning.AccountPlan",
    "planning.ResponseEstimate"), tunables=(PlanningFigures, DefaultIntensities))


def scenario_inputs() -> str:
    """The fingerprint of a scenario's inputs now (one query)."""
    return freshness.fingerprint(SCENARIO_INPUTS)


def freshness_of(scenario: Scenario, *, current: str | None = None) -> freshness.AsOf:
    """As of when the scenario was computed, and out of date when anything it was computed from (accounts,
    strategies, capacities, budget, the applied plan, estimates, settings) changed since."""
    return freshness.status(SCENARIO_INPUTS, scenario.computed_at, scenario.inputs, current=current)


def is_stale(scenario: Scenario) -> bool:
    """Whether the inputs changed after the scenario was computed (see ``freshness_of``)."""
    return freshness_of(scenario).out_of_date
