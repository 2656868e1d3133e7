"""Stage gates and four eyes of the pursuit decision, at their edges."""

from hypothesis import given
from hypothesis import strategies as st

from kundennetz.domain import pursuit as p

TYPES = ["open", "won", "lost", "no_offer"]
DECISIONS = [None, p.PURSUE, p.DO_NOT_PURSUE]


def test_decision_stages_and_won_need_pursue():
    assert p.stage_refusal("open", True, None) == p.NEEDS_PURSUE
    assert p.stage_refusal("won", False, None) == p.NEEDS_PURSUE
    assert p.stage_refusal("won", False, p.PURSUE) is None
    assert p.stage_refusal("open", False, None) is None


def test_after_do_not_pursue_only_no_offer_and_lost():
    assert p.stage_refusal("open", False, p.DO_NOT_PURSUE) == p.NOT_PURSUED
    assert p.stage_refusal("won", False, p.DO_NOT_PURSUE) == p.NOT_PURSUED
    assert p.stage_refusal("lost", False, p.DO_NOT_PURSUE) is None
    assert p.stage_refusal("no_offer", False, p.DO_NOT_PURSUE) is None


@given(st.sampled_from(TYPES), st.booleans(), st.sampled_from(DECISIONS))
def test_historic_records_are_exempt_and_pursue_opens_every_stage(kind, requires, decision):
    assert p.stage_refusal(kind, requires, decision, historic=True) is None
    if decision == p.PURSUE:
        assert p.stage_refusal(kind, requires, decision) is None


def test_four_eyes():
    assert p.decider_refusal(holds_capability=False, is_owner=False, owner_may_decide=True) == p.NO_CAPABILITY
    assert p.decider_refusal(holds_capability=True, is_owner=True, owner_may_decide=False) == p.OWN_OPPORTUNITY
    assert p.decider_refusal(holds_capability=True, is_owner=True, owner_may_decide=True) is None
    assert p.decider_refusal(holds_capability=True, is_owner=False, owner_may_decide=False) is None


def test_revising_do_not_pursue_needs_a_reason():
    assert p.revision_refusal(p.DO_NOT_PURSUE, p.PURSUE, "  ") == p.REVISION_NEEDS_REASON
    assert p.revision_refusal(p.DO_NOT_PURSUE, p.PURSUE, "Neue Lage") is None
    assert p.revision_refusal(p.PURSUE, p.DO_NOT_PURSUE, "") is None
    assert p.revision_refusal(None, p.PURSUE, "") is None
