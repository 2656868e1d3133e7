"""Scoring through the database: the figures the recompute reads must be the ones the domain is given.

The expected scores come from the domain's own per-account function fed with hand-worked figures, so
these tests check the reading (aggregates, deleted rows, missing values), not the rules again.
"""

from datetime import date
from decimal import Decimal

import pytest

from kundennetz.domain import portfolio as rules
from kundennetz.portfolio import services
from kundennetz.portfolio.models import AccountPosition, ScoringModel

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 30)


def positions(snapshot):
    return {p.account_id: p for p in AccountPosition.objects.filter(snapshot=snapshot)}


def test_figures_from_the_database_are_those_the_domain_scores(customer):
    model = ScoringModel.current().rules
    snapshot = services.recompute(period="2026-Q4", as_of=AS_OF)
    row = positions(snapshot)[customer.pk]

    values = {
        "field:potential": 1_000_000.0,
        "field:contribution_margin_pct": 32.0,
        "computed:share_of_wallet_pct": rules.share_of_wallet_pct(300_000, 1_000_000),
        # Two won, one lost; the deleted loss and the "no offer" do not count.
        "computed:win_rate_pct": rules.win_rate_pct(2, 1),
        "computed:years_as_customer": rules.years_as_customer(customer.created_at.date(), AS_OF),
        # Decision maker (level 4), coach (5), opponent (counts nothing), gatekeeper (2); the deleted coach
        # is gone; no interactions are recorded yet.
        "computed:relationship_strength": rules.relationship_strength(0, [4, 5, 1, 2]),
    }
    expected = rules.score_account(model, rules.AccountFacts(id=customer.pk, name="", values=values))
    assert row.attractiveness == pytest.approx(expected.attractiveness.score, abs=1e-9)
    assert row.position == pytest.approx(expected.position.score, abs=1e-9)
    assert row.attractiveness_coverage == pytest.approx(expected.attractiveness.coverage)
    assert row.position_coverage == pytest.approx(expected.position.coverage)
    assert row.cell == expected.cell
    assert row.strategy == expected.strategy
    assert row.rank == 1


def test_live_score_of_one_account_names_what_is_missing(customer):
    result = services.score_one(customer, as_of=AS_OF)
    # Nothing rated by hand yet, and the account has no growth figure.
    assert set(result.attractiveness.missing) == {"growth_potential", "price_realisation", "cooperation_reference",
                                                  "strategic_fit"}
    assert result.position.missing == ("customer_satisfaction",)
    assert result.attractiveness.points["volume_potential"] == 4.0
    assert result.position.points["win_rate"] == 5.0


def test_missing_values_stay_missing_instead_of_zero(make_account, cast):
    bare = make_account("Leer GmbH", segment=None)
    snapshot = services.recompute(period="2026-Q4", as_of=AS_OF)
    row = positions(snapshot)[bare.pk]
    # No potential, margin or rating: attractiveness has no value at all, so the account is not placed.
    assert row.attractiveness is None
    assert row.attractiveness_coverage == 0
    assert row.cell == "" and row.strategy == "" and row.rank is None and row.order is None
    assert row.abc_revenue == "C"
    assert snapshot.placed_count == 0 and snapshot.account_count == 1


def test_a_manual_rating_wins_over_a_missing_figure(make_account, cast):
    account = make_account("Wachstum AG", potential=Decimal("600000"))
    before = services.score_one(account, as_of=AS_OF)
    assert "growth_potential" in before.attractiveness.missing
    services.set_rating(account, cast.owner, "growth_potential", 5, "Expansion into Germany")
    after = services.score_one(account, as_of=AS_OF)
    assert after.attractiveness.points["growth_potential"] == 5.0
    assert after.attractiveness.coverage > before.attractiveness.coverage


def test_deleted_accounts_are_not_scored(make_account, cast):
    kept = make_account("Bleibt AG", potential=Decimal("100000"))
    gone = make_account("Weg AG", potential=Decimal("100000"))
    gone.soft_delete(cast.sales_head)
    snapshot = services.recompute(period="2026-Q4", as_of=AS_OF)
    assert set(positions(snapshot)) == {kept.pk}


def test_chunks_do_not_change_the_result(make_account, customer, network, cast, rate):
    for i in range(7):
        make_account(f"Konto {i}", potential=Decimal(50_000 * (i + 1)), annual_revenue=Decimal(10_000 * i))
    whole = services.recompute(period="2026-Q3", as_of=AS_OF)
    chunked = services.recompute(period="2026-Q4", as_of=AS_OF, chunk_size=2)
    fields = ["account_id", "attractiveness", "position", "rank", "order", "cell", "strategy", "abc_revenue",
              "abc_margin", "attractiveness_coverage", "position_coverage"]
    a = list(AccountPosition.objects.filter(snapshot=whole).order_by("account_id").values_list(*fields))
    b = list(AccountPosition.objects.filter(snapshot=chunked).order_by("account_id").values_list(*fields))
    assert a == b and len(a) == 10


def test_equal_inputs_share_rank_and_abc_class(make_account, manual_model, rate):
    manual_model()
    accounts = [make_account(f"Gleich {i}", annual_revenue=Decimal("1000")) for i in range(4)]
    for account in accounts:
        rate(account, 4, 4)
    snapshot = services.recompute(period="2026-Q4", as_of=AS_OF)
    rows = positions(snapshot)
    assert {rows[a.pk].rank for a in accounts} == {1}
    assert sorted(rows[a.pk].order for a in accounts) == [1, 2, 3, 4]
    # Equal revenues never split across ABC classes.
    assert {rows[a.pk].abc_revenue for a in accounts} == {"A"}


def test_a_criterion_with_weight_zero_is_switched_off(make_account, cast):
    definition = ScoringModel.current().rules.to_dict()
    for criterion in definition["axes"]["attractiveness"]["criteria"]:
        if criterion["key"] == "strategic_fit":
            criterion["weight"] = 0
    services.publish_model(definition, cast.sales_head, "no strategic fit")
    account = make_account("Null AG", potential=Decimal("600000"))
    result = services.score_one(account, as_of=AS_OF)
    assert "strategic_fit" not in result.attractiveness.missing
    assert "strategic_fit" not in result.attractiveness.points


def test_figure_sources_of_other_apps_add_up(make_account, cast):
    account = make_account("Kontakt AG", potential=Decimal("600000"))
    source = services.FigureSource("test-interactions", "interactions",
                                   lambda first, last, as_of: [(account.pk, 12)] if first <= account.pk <= last else [])
    services.register_figure_source(source)
    try:
        result = services.score_one(account, as_of=AS_OF)
    finally:
        services._SOURCES.pop("test-interactions")
    # Twelve interactions a year give the full frequency half of the relationship strength.
    assert result.position.points["relationship_strength"] == pytest.approx(
        rules.Scale("linear", minimum=0, maximum=100).points(rules.relationship_strength(12, [])))
