"""Strategy assignment at the cell boundaries, through the recompute: a score exactly on a threshold
belongs to the higher cell. Manual ratings 1–5 give axis scores 0, 25, 50, 75, 100 exactly."""

from datetime import date

import pytest

from kundennetz.portfolio import services
from kundennetz.portfolio.models import AccountPosition, ScoringModel, StrategyOverride

pytestmark = pytest.mark.django_db


def snapshot_rows(period="2026-Q4"):
    snapshot = services.recompute(period=period, as_of=date(2026, 11, 30))
    return snapshot, {p.account.name: p for p in AccountPosition.objects.filter(snapshot=snapshot)
                      .select_related("account")}


@pytest.mark.parametrize(("att", "pos", "cell", "strategy"), [
    (3, 3, "star", "hold_and_expand"),                 # 50 / 50: both on the threshold, both high
    (3, 2, "question_mark", "big_step_or_out"),        # 50 / 25
    (2, 3, "earner", "hold_efficiently"),              # 25 / 50
    (2, 2, "take_along", "selective_withdrawal"),      # 25 / 25
    (5, 1, "question_mark", "big_step_or_out"),        # the corners
    (1, 5, "earner", "hold_efficiently"),
])
def test_two_by_two_boundaries(manual_model, rate, make_account, att, pos, cell, strategy):
    manual_model()
    rate(make_account("Grenzfall AG"), att, pos)
    _snapshot, rows = snapshot_rows()
    row = rows["Grenzfall AG"]
    assert (row.cell, row.strategy) == (cell, strategy)


@pytest.mark.parametrize(("att", "pos", "cell", "strategy"), [
    (2, 2, "medium_medium", "invest_selectively"),      # 25 / 25 with thresholds 25 and 75: middle band
    (1, 1, "low_weak", "withdraw"),
    (4, 4, "high_strong", "invest_for_growth"),         # 75 / 75: top band
    (4, 3, "high_medium", "invest_for_growth"),
    (3, 4, "medium_strong", "maintain"),
    (1, 4, "low_strong", "manage_for_cash"),
    (3, 1, "medium_weak", "withdraw"),
])
def test_three_by_three_is_selectable(manual_model, rate, make_account, att, pos, cell, strategy):
    manual_model("3x3", thresholds=[25, 75])
    rate(make_account("Neun AG"), att, pos)
    snapshot, rows = snapshot_rows()
    assert snapshot.grid == "3x3"
    assert (rows["Neun AG"].cell, rows["Neun AG"].strategy) == (cell, strategy)


def test_an_override_is_the_strategy_in_force(manual_model, rate, make_account, cast):
    manual_model()
    account = make_account("Sonderfall AG")
    rate(account, 2, 2)
    services.set_override(account, cast.sales_head, "hold_and_expand", "Strategic reference customer")
    _snapshot, rows = snapshot_rows()
    row = rows["Sonderfall AG"]
    # The cell still says what the scores say; the strategy is the sales head's.
    assert row.cell == "take_along" and row.strategy == "hold_and_expand"


def test_an_override_applies_even_to_an_account_that_cannot_be_placed(make_account, cast):
    account = make_account("Unbekannt AG", segment=None)
    services.set_override(account, cast.sales_head, "big_step_or_out", "New market entry")
    _snapshot, rows = snapshot_rows()
    assert rows["Unbekannt AG"].cell == "" and rows["Unbekannt AG"].strategy == "big_step_or_out"


def test_an_override_needs_a_known_strategy_and_a_reason(make_account, cast):
    from django.core.exceptions import ValidationError

    account = make_account("Streng AG")
    with pytest.raises(ValidationError) as missing_reason:
        services.set_override(account, cast.sales_head, "hold_and_expand", "  ")
    assert "reason" in missing_reason.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.set_override(account, cast.sales_head, "conquer", "because")
    assert "strategy" in unknown.value.message_dict
    assert not StrategyOverride.objects.exists()


def test_care_intensity_edited_is_no_longer_marked_default(client_for, cast):
    model = ScoringModel.current().rules
    assert all(s.care.is_default for s in model.strategies.values())
    client = client_for(cast.sales_head)
    page = client.get("/portfolio/model/edit/")
    form = page.context["settings_form"]
    data = {name: form.initial[name] for name in form.fields if form.initial.get(name) is not None}
    data.update(action="settings", comment="More time for stars")
    for care in page.context["care_forms"]:
        for name in care.fields:
            value = care.initial.get(name)
            key = f"{care.prefix}-{name}"
            if name == "roles":
                data[key] = list(value)
            elif value is not None:
                data[key] = value
    data["hold_and_expand-hours_per_year"] = 120
    response = client.post("/portfolio/model/edit/", data)
    assert response.status_code == 302, response.context and response.context["settings_form"].errors
    record = ScoringModel.current()
    assert record.version == 2 and record.comment == "More time for stars"
    strategies = record.rules.strategies
    assert strategies["hold_and_expand"].care.hours_per_year == 120
    assert not strategies["hold_and_expand"].care.is_default
    assert strategies["hold_efficiently"].care.is_default
    # The published version is left as it was.
    assert ScoringModel.objects.get(version=1).rules.strategies["hold_and_expand"].care.hours_per_year == 80
