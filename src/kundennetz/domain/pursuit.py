"""The pursuit decision: when a decision goes against the checklist, and which stages it unlocks."""

from __future__ import annotations

from .qualification import OFFER

PURSUE, DO_NOT_PURSUE = "pursue", "do_not_pursue"


def goes_against(recommendation: str, decision: str) -> bool:
    """Pursuing without a clear "offer", or dropping an opportunity the checklist says to offer for."""
    if decision not in (PURSUE, DO_NOT_PURSUE):
        raise ValueError(f"unknown decision {decision!r}")
    return (decision == PURSUE) != (recommendation == OFFER)


def may_enter_stage(stage_requires_decision: bool, latest_decision: str | None) -> bool:
    """A stage that needs a decision to pursue (e.g. "offer submitted") opens only after one."""
    return not stage_requires_decision or latest_decision == PURSUE
