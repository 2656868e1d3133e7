"""The override form offers only the strategies of the grid in use (and keeps a current override's own)."""

import pytest

from kundennetz.portfolio.forms import OverrideForm
from kundennetz.portfolio.models import ScoringModel

pytestmark = pytest.mark.django_db


def test_only_the_strategies_of_the_grid_in_use(cast, network, client_for):
    model = ScoringModel.current().rules
    in_grid = {cell.strategy for cell in model.grid.cells}
    outside = set(model.strategies) - in_grid
    assert outside, "the default model has strategies of a second grid"
    form = OverrideForm(model=model)
    offered = {key for key, _name in form.fields["strategy"].choices}
    assert offered == in_grid
    html = client_for(cast.sales_head).get(f"/portfolio/accounts/{network.account.pk}/override/").content.decode()
    for key in outside:
        assert f'value="{key}"' not in html
    key = sorted(outside)[0]
    refused = client_for(cast.sales_head).post(f"/portfolio/accounts/{network.account.pk}/override/",
                                               {"strategy": key, "reason": "Test"})
    assert refused.status_code == 200 and "strategy" in refused.context["form"].errors
    # An override made before keeps its strategy on offer, so that editing it does not lose it.
    kept = OverrideForm(model=model, initial={"strategy": key})
    assert key in {k for k, _n in kept.fields["strategy"].choices}
