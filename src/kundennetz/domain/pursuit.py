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


# Why a stage may not be entered (codes; the sentences live with the model that shows them).
NEEDS_PURSUE = "needs_pursue"      # the stage (or "won") needs a recorded decision to pursue
NOT_PURSUED = "not_pursued"        # after "do not pursue" only no-offer and lost are open
OPEN_AFTER_NOT_PURSUING = frozenset({"no_offer", "lost"})


def stage_refusal(stage_type: str, requires_decision: bool, latest_decision: str | None, *,
                  historic: bool = False) -> str | None:
    """Why an opportunity may not enter a stage, or None when it may.

    Won and every stage that requires a decision need a recorded "pursue"; after "do not pursue" only
    no-offer and lost are open until the decision is revised. Historic records (imported closed deals)
    carry no decision and are exempt."""
    if historic:
        return None
    if latest_decision == DO_NOT_PURSUE and stage_type not in OPEN_AFTER_NOT_PURSUING:
        return NOT_PURSUED
    if (requires_decision or stage_type == "won") and latest_decision != PURSUE:
        return NEEDS_PURSUE
    return None


# Why a person may not record a pursuit decision.
NO_CAPABILITY = "no_capability"
OWN_OPPORTUNITY = "own_opportunity"
REVISION_NEEDS_REASON = "revision_needs_reason"


def decider_refusal(*, holds_capability: bool, is_owner: bool, owner_may_decide: bool) -> str | None:
    """Four eyes: who decides holds the deciding capability and is not the opportunity's owner, unless
    self-decision is allowed for it (a setting with an amount)."""
    if not holds_capability:
        return NO_CAPABILITY
    if is_owner and not owner_may_decide:
        return OWN_OPPORTUNITY
    return None


def revision_refusal(previous: str | None, decision: str, reason: str) -> str | None:
    """Turning "do not pursue" into "pursue" is a revision and needs a reason (kept in the history)."""
    if previous == DO_NOT_PURSUE and decision == PURSUE and not (reason or "").strip():
        return REVISION_NEEDS_REASON
    return None
