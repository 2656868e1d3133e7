"""The demo network has checklists in every state and decisions wherever the pipeline needs one."""

import pytest

from kundennetz.accounts.models import Opportunity
from kundennetz.sample.demo import load_demo
from kundennetz.qualification.models import Checklist

pytestmark = pytest.mark.django_db


def test_demo_checklists_cover_every_recommendation_and_gate():
    load_demo()
    assert set(Checklist.objects.values_list("recommendation", flat=True)) == {"offer", "clarify", "no_offer"}
    gated = Opportunity.objects.filter(stage__requires_pursuit_decision=True)
    assert gated.exists()
    for opportunity in gated:
        assert opportunity.latest_pursuit_decision() == "pursue"
    for opportunity in Opportunity.objects.filter(stage__type="no_offer"):
        assert opportunity.latest_pursuit_decision() == "do_not_pursue"
