"""Customer portfolio rules: scoring edges, cells and strategies, ABC, batch agreement and the picture."""

from __future__ import annotations

import copy
import math
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundennetz.domain.portfolio import (
    UNPLACED,
    AccountFacts,
    Movement,
    ScoringModel,
    ScoringModelError,
    SnapshotPoint,
    StrategyOverride,
    abc_arrays,
    abc_classes,
    axis_arrays,
    compare_snapshots,
    computed_arrays,
    contact_points,
    criterion_points,
    load_default_model,
    rank_arrays,
    relationship_strength,
    score_account,
    score_arrays,
    score_axis,
    score_portfolio,
    share_of_wallet_pct,
    snapshot,
    strategy_index_array,
    transition_counts,
    win_rate_pct,
    years_as_customer,
)
from kundennetz.domain.portfolio_svg import (
    PortfolioDot,
    dots_from_results,
    SvgLabels,
    render_portfolio_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
DEFAULT = load_default_model()


def default_dict() -> dict:
    return copy.deepcopy(DEFAULT.to_dict())


def simple_model(grid: str = "2x2", **changes) -> ScoringModel:
    """One manual criterion per axis, so a rating r gives the score 25 * (r - 1) exactly."""
    data = default_dict()
    data["axes"]["attractiveness"]["criteria"] = [
        {"key": "a", "name_de": "A", "name_en": "A", "weight": 1, "source": "manual", "scale": {"kind": "manual"}}
    ]
    data["axes"]["position"]["criteria"] = [
        {"key": "p", "name_de": "P", "name_en": "P", "weight": 1, "source": "manual", "scale": {"kind": "manual"}}
    ]
    data["min_coverage"] = 0
    data.update(changes)
    return ScoringModel.from_dict(data, grid=grid)


def rated(account_id, a=None, p=None, **extra) -> AccountFacts:
    values = {"manual:a": a, "manual:p": p}
    return AccountFacts(account_id, f"Account {account_id}", values, **extra)


# --------------------------------------------------------------------------------------------------
# The default model
# --------------------------------------------------------------------------------------------------


def test_default_model_has_the_standard_grids_and_strategies():
    assert DEFAULT.is_default and DEFAULT.grid_key == "2x2"
    assert [c.key for c in DEFAULT.attractiveness.criteria] == [
        "growth_potential",
        "volume_potential",
        "contribution_margin",
        "price_realisation",
        "cooperation_reference",
        "strategic_fit",
    ]
    assert [c.key for c in DEFAULT.position.criteria] == [
        "share_of_wallet",
        "customer_satisfaction",
        "relationship_strength",
        "years_as_customer",
        "win_rate",
    ]
    names = {c.key: (c.name_de, c.strategy) for c in DEFAULT.grid.cells}
    assert names == {
        "star": ("Starkunden", "hold_and_expand"),
        "question_mark": ("Fragezeichenkunden", "big_step_or_out"),
        "earner": ("Ertragskunden", "hold_efficiently"),
        "take_along": ("Mitnahmekunden", "selective_withdrawal"),
    }
    care = {k: s.care for k, s in DEFAULT.strategies.items()}
    assert (care["hold_and_expand"].contacts_per_year_min, care["hold_and_expand"].contacts_per_year_max) == (12, 24)
    assert care["hold_and_expand"].min_contacts_per_quarter == 2
    assert care["big_step_or_out"].time_limit_months == 12
    assert (care["big_step_or_out"].contacts_per_year_min, care["big_step_or_out"].contacts_per_year_max) == (6, 12)
    assert (care["hold_efficiently"].contacts_per_year_min, care["hold_efficiently"].contacts_per_year_max) == (4, 6)
    assert care["selective_withdrawal"].contacts_per_year_max == 1
    assert care["selective_withdrawal"].channel == "digital"
    assert all(c.is_default for c in care.values())
    three = DEFAULT.using_grid("3x3").grid
    assert {c.strategy for c in three.cells} == {
        "invest_for_growth",
        "invest_selectively",
        "maintain",
        "manage_for_cash",
        "withdraw",
    }


def test_model_round_trips_through_its_dict():
    assert ScoringModel.from_dict(DEFAULT.to_dict()) == DEFAULT
    assert ScoringModel.from_dict(DEFAULT.to_dict(), grid="3x3").grid_key == "3x3"


def _crit(data, axis="attractiveness", i=0):
    return data["axes"][axis]["criteria"][i]


INVALID_MODELS = [
    ("negative weight", lambda d: _crit(d).update(weight=-1), "weight: must be >= 0"),
    ("weight is a bool", lambda d: _crit(d).update(weight=True), "expected a finite number"),
    ("unsorted thresholds", lambda d: _crit(d)["scale"].update(thresholds=[0, 6, 3, 10]), "strictly ascending"),
    ("three thresholds", lambda d: _crit(d)["scale"].update(thresholds=[0, 3, 6]), "exactly 4"),
    ("unknown scale kind", lambda d: _crit(d)["scale"].update(kind="log"), "unknown scale kind 'log'"),
    ("linear min == max", lambda d: _crit(d, "position", 2)["scale"].update(min=5, max=5), "must differ"),
    (
        "all-zero weights on an axis",
        lambda d: [c.update(weight=0) for c in d["axes"]["position"]["criteria"]],
        "axes.position: all weights are zero",
    ),
    ("unknown computed figure", lambda d: _crit(d, "position").update(source="computed:luck"), "unknown computed"),
    ("malformed source", lambda d: _crit(d).update(source="db.growth"), "must be 'manual'"),
    ("manual source, thresholds scale", lambda d: _crit(d, "attractiveness", 3).update(scale=_crit(d)["scale"]), "manual source"),
    ("typo in a key", lambda d: _crit(d).update(wieght=3), "unknown wieght"),
    ("missing name", lambda d: _crit(d).pop("name_en"), "missing name_en"),
    ("duplicate criterion key", lambda d: _crit(d, "position").update(key="growth_potential"), "unique across both axes"),
    ("cell missing", lambda d: d["grids"]["2x2"]["cells"].pop(), "missing [(0, 0)]"),
    ("cell with unknown strategy", lambda d: d["grids"]["2x2"]["cells"][0].update(strategy="hope"), "unknown strategy"),
    ("grid threshold at 100", lambda d: d["grids"]["2x2"].update(position_thresholds=[100]), "strictly between 0 and 100"),
    ("grid thresholds unsorted", lambda d: d["grids"]["3x3"].update(position_thresholds=[65, 35]), "strictly ascending"),
    ("budget over-allocated", lambda d: d["strategies"][0]["care"].update(sales_support_share=0.9), "more than the whole budget"),
    ("contacts max below min", lambda d: d["strategies"][0]["care"].update(contacts_per_year_max=3), "below"),
    ("unknown role", lambda d: d["strategies"][0]["care"].update(roles=["ceo"]), "buying-centre roles"),
    ("bad colour", lambda d: d["strategies"][0].update(color="red"), "colour"),
    ("abc a >= b", lambda d: d.update(abc={"a": 0.95, "b": 0.8}), "0 < a < b <= 1"),
    ("unknown grid chosen", lambda d: d.update(grid="4x4"), "unknown grid '4x4'"),
    ("min coverage above 1", lambda d: d.update(min_coverage=1.5), "min_coverage: must be <= 1"),
    ("axes not an object", lambda d: d.update(axes=[]), "axes: expected an object"),
]


@pytest.mark.parametrize("change, message", [case[1:] for case in INVALID_MODELS], ids=[c[0] for c in INVALID_MODELS])
def test_invalid_models_are_refused_with_a_clear_message(change, message):
    data = default_dict()
    change(data)
    with pytest.raises(ScoringModelError) as err:
        ScoringModel.from_dict(data)
    assert message in str(err.value)


def test_model_errors_are_value_errors_and_say_where():
    data = default_dict()
    _crit(data, "position", 1).update(weight=-2)
    with pytest.raises(ValueError, match=r"axes\.position\.criteria\[1\]\(customer_satisfaction\)\.weight"):
        ScoringModel.from_dict(data)


def test_a_single_zero_weight_is_allowed():
    data = default_dict()
    _crit(data).update(weight=0)
    assert ScoringModel.from_dict(data).attractiveness.criteria[0].weight == 0


# --------------------------------------------------------------------------------------------------
# Scales and axis scores
# --------------------------------------------------------------------------------------------------


def test_a_value_equal_to_a_scale_threshold_counts_for_the_band_above():
    growth = DEFAULT.attractiveness.criteria[0]  # thresholds 0, 3, 6, 10
    points = [criterion_points(growth, {"field:growth_pct": v}) for v in (-0.1, 0, 2.99, 3, 6, 9.99, 10, 99)]
    assert points == [1, 2, 2, 3, 4, 4, 5, 5]


def test_linear_scale_clamps_and_can_run_downwards():
    rel = DEFAULT.position.criteria[2]  # linear 0..100
    assert [criterion_points(rel, {"computed:relationship_strength": v}) for v in (-5, 0, 50, 100, 120)] == [
        1,
        1,
        3,
        5,
        5,
    ]
    data = default_dict()
    _crit(data, "position", 2)["scale"].update(min=100, max=0)
    downward = ScoringModel.from_dict(data).position.criteria[2]
    assert criterion_points(downward, {"computed:relationship_strength": 25}) == 4


def test_axis_score_maps_points_to_0_100_and_leaves_missing_values_out():
    values = {
        "field:growth_pct": 10,  # 5 points, weight 20
        "field:potential": 10_000,  # 1 point, weight 25
        "manual:strategic_fit": 3,  # 3 points, weight 15
    }
    score = score_axis(DEFAULT.attractiveness, values)
    # (20 * 4 + 25 * 0 + 15 * 2) / 60 = 1.8333 points above 1, i.e. 45.83 of 100
    assert score.score == pytest.approx(25 * (20 * 4 + 15 * 2) / 60)
    assert score.coverage == pytest.approx(60 / 100)
    assert score.missing == ("contribution_margin", "price_realisation", "cooperation_reference")
    assert score.points == {"growth_potential": 5, "volume_potential": 1, "strategic_fit": 3}


def test_an_axis_without_any_value_has_no_score_not_zero():
    score = score_axis(DEFAULT.position, {"field:unrelated": 5})
    assert score.score is None
    assert score.coverage == 0
    assert len(score.missing) == 5


def test_min_coverage_withholds_a_score_that_rests_on_too_little():
    values = {"manual:price_realisation": 5}  # 10 of 100 weight
    assert score_axis(DEFAULT.attractiveness, values, min_coverage=0.25).score is None
    low = score_axis(DEFAULT.attractiveness, values, min_coverage=0.1)
    assert low.score == 100 and low.coverage == pytest.approx(0.1)


def test_a_zero_weight_switches_a_criterion_off_entirely():
    data = default_dict()
    _crit(data, "attractiveness", 1).update(weight=0)  # volume potential
    model = ScoringModel.from_dict(data)
    with_it = score_axis(model.attractiveness, {"field:growth_pct": 10, "field:potential": 0})
    without = score_axis(model.attractiveness, {"field:growth_pct": 10})
    assert with_it == without
    assert with_it.score == 100
    assert "volume_potential" not in without.missing


def test_manual_rating_wins_over_the_figure_where_allowed():
    values = {"field:growth_pct": 20, "manual:growth_potential": 2}
    assert criterion_points(DEFAULT.attractiveness.criteria[0], values) == 2
    # Volume potential takes no manual rating: the stray value is ignored.
    assert criterion_points(DEFAULT.attractiveness.criteria[1], {"manual:volume_potential": 5}) is None


@pytest.mark.parametrize(
    "values, message",
    [
        ({"manual:strategic_fit": 6}, "must be 1..5"),
        ({"manual:strategic_fit": 0.5}, "must be 1..5"),
        ({"field:potential": "a lot"}, "not a number"),
        ({"field:potential": math.inf}, "not a finite number"),
        ({"field:potential": True}, "not a number"),
    ],
)
def test_bad_values_are_refused_naming_the_account(values, message):
    with pytest.raises(ValueError, match=message) as err:
        score_account(DEFAULT, AccountFacts(7, "x", values))
    assert "account 7" in str(err.value)


def test_nan_counts_as_missing_and_decimals_are_numbers():
    a = score_axis(DEFAULT.attractiveness, {"field:potential": math.nan, "field:contribution_margin_pct": Decimal("35")})
    assert "volume_potential" in a.missing
    assert a.points["contribution_margin"] == 4


# --------------------------------------------------------------------------------------------------
# Cells, strategies, ranks, overrides
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, p, cell",
    [
        (3, 3, "star"),  # exactly 50 / 50: the boundary belongs to the higher cell
        (3, 2.9999, "question_mark"),
        (2.9999, 3, "earner"),
        (2.9999, 2.9999, "take_along"),
        (5, 1, "question_mark"),
        (1, 5, "earner"),
        (1, 1, "take_along"),
    ],
)
def test_2x2_cell_at_the_boundaries(a, p, cell):
    model = simple_model()
    result = score_account(model, rated(1, a, p))
    assert result.cell == cell
    assert result.strategy == model.grid.cells[model.grid.cell_keys.index(cell)].strategy


THREE_BY_THREE = {
    # (attractiveness rating, position rating): with thresholds 25 / 75, rating 2 = 25 and 4 = 75
    (4, 4): ("high_strong", "invest_for_growth"),
    (4, 2): ("high_medium", "invest_for_growth"),
    (4, 1.99): ("high_weak", "invest_selectively"),
    (2, 4): ("medium_strong", "maintain"),
    (2, 2): ("medium_medium", "invest_selectively"),
    (2, 1.99): ("medium_weak", "withdraw"),
    (1.99, 4): ("low_strong", "manage_for_cash"),
    (1.99, 3.99): ("low_medium", "manage_for_cash"),
    (1.99, 1.99): ("low_weak", "withdraw"),
}


@pytest.mark.parametrize("ratings, expected", THREE_BY_THREE.items(), ids=[v[0] for v in THREE_BY_THREE.values()])
def test_3x3_cell_and_strategy_at_the_boundaries(ratings, expected):
    data = simple_model().to_dict()
    data["grids"]["3x3"].update(attractiveness_thresholds=[25, 75], position_thresholds=[25, 75])
    model = ScoringModel.from_dict(data, grid="3x3")
    result = score_account(model, rated(1, *ratings))
    assert (result.cell, result.strategy) == expected


def test_default_3x3_thresholds_are_inclusive_from_below():
    grid = DEFAULT.using_grid("3x3").grid
    assert grid.cell_for(35.0, 65.0).key == "medium_strong"
    assert grid.cell_for(math.nextafter(35.0, 0), math.nextafter(65.0, 0)).key == "low_medium"
    assert grid.cell_for(100.0, 0.0).key == "high_weak"
    att = np.array([35.0, 34.999, np.nan, 100.0])
    pos = np.array([65.0, 64.999, 50.0, np.nan])
    cells = grid.cell_index_array(att, pos)
    assert [grid.cells[i].key for i in cells[:2]] == ["medium_strong", "low_medium"]
    assert list(cells[2:]) == [UNPLACED, UNPLACED]


def test_accounts_with_a_missing_axis_get_no_cell_rank_or_strategy():
    results = score_portfolio(simple_model(), [rated(1, 3, None), rated(2, None, None), rated(3, 4, 4)])
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == [3, 1, 2]
    for i in (1, 2):
        assert by_id[i].cell is None and by_id[i].rank is None and by_id[i].strategy is None
    assert by_id[1].attractiveness.score == 50
    assert by_id[3].rank == 1


def test_ties_share_a_rank_and_are_ordered_by_attractiveness_then_revenue_then_id():
    accounts = [
        rated(5, 3, 3, revenue=100),  # combined 50
        rated(4, 3, 3, revenue=200),  # combined 50, more revenue
        rated(3, 4, 2, revenue=None),  # combined 50, more attractive
        rated(2, 3, 3, revenue=200),  # like 4, smaller id
        rated(1, 5, 5),  # combined 100
        rated(6, 3, 3, revenue=None),  # revenue unknown: last among equals
    ]
    results = score_portfolio(simple_model(), accounts)
    assert [r.id for r in results] == [1, 3, 2, 4, 5, 6]
    assert [r.rank for r in results] == [1, 2, 2, 2, 2, 2]
    assert [r.order for r in results] == [1, 2, 3, 4, 5, 6]


def test_all_equal_inputs_give_one_rank_and_one_class():
    accounts = [rated(i, 3, 3, revenue=1000, contribution_margin=300) for i in range(10, 0, -1)]
    results = score_portfolio(simple_model(), accounts)
    assert [r.id for r in results] == list(range(1, 11))
    assert {r.rank for r in results} == {1}
    assert {r.cell for r in results} == {"star"}
    assert {(r.abc_revenue, r.abc_margin) for r in results} == {("A", "A")}


def test_combined_weights_change_the_order():
    accounts = [rated(1, 5, 1), rated(2, 1, 4)]
    assert [r.id for r in score_portfolio(simple_model(), accounts)] == [1, 2]
    position_only = simple_model(combined_weights={"attractiveness": 0, "position": 1})
    assert [r.id for r in score_portfolio(position_only, accounts)] == [2, 1]


def test_override_replaces_the_strategy_and_keeps_the_computed_one():
    override = StrategyOverride("hold_and_expand", "CEO is our sponsor; framework contract in 2026", by="sales_head")
    results = score_portfolio(simple_model(), [rated(1, 1, 1, override=override), rated(2, None, 1, override=override)])
    placed, unplaced = results
    assert placed.cell == "take_along"
    assert placed.computed_strategy == "selective_withdrawal"
    assert placed.strategy == "hold_and_expand" and placed.overridden
    assert placed.override.reason.startswith("CEO")
    assert unplaced.cell is None and unplaced.computed_strategy is None
    assert unplaced.strategy == "hold_and_expand"


def test_override_needs_a_reason_and_a_known_strategy():
    with pytest.raises(ValueError, match="reason"):
        StrategyOverride("hold_and_expand", "  ")
    with pytest.raises(ValueError, match="unknown strategy 'conquer'"):
        score_account(simple_model(), rated(1, 3, 3, override=StrategyOverride("conquer", "because")))


def test_duplicate_account_ids_are_refused():
    with pytest.raises(ValueError, match="appears twice"):
        score_portfolio(simple_model(), [rated(1, 3, 3), rated(1, 4, 4)])


# --------------------------------------------------------------------------------------------------
# Computed figures
# --------------------------------------------------------------------------------------------------


def test_share_of_wallet():
    assert share_of_wallet_pct(50, 200) == 25
    assert share_of_wallet_pct(300, 200) == 150
    assert share_of_wallet_pct(50, None) is None
    assert share_of_wallet_pct(50, 0) is None
    assert share_of_wallet_pct(None, 100) is None


def test_win_rate():
    assert win_rate_pct(3, 1) == 75
    assert win_rate_pct(0, 0) is None
    assert win_rate_pct(0, 4) == 0
    with pytest.raises(ValueError):
        win_rate_pct(-1, 2)


def test_years_as_customer():
    assert years_as_customer(None, date(2025, 1, 1)) is None
    assert years_as_customer(date(2026, 1, 1), date(2025, 1, 1)) == 0
    assert years_as_customer(date(2015, 1, 1), date(2025, 1, 1)) == pytest.approx(10, abs=0.01)


def test_relationship_strength():
    assert relationship_strength(0, []) == 0
    assert relationship_strength(0, [1, 1, 1]) == 0  # people known by name only
    assert relationship_strength(12, [5, 5, 5]) == 100
    assert relationship_strength(100, [5] * 10) == 100
    assert relationship_strength(6, [5, 3]) == pytest.approx(100 * (0.5 * 0.5 + 0.5 * 1.5 / 3))
    assert relationship_strength(3, [], period_days=91) == pytest.approx(50 * min(1, 3 * 365 / 91 / 12))
    with pytest.raises(ValueError, match="1..5"):
        contact_points([0])
    with pytest.raises(ValueError):
        relationship_strength(-1, [])


def test_computed_arrays_agree_with_the_scalar_helpers():
    cols = computed_arrays(
        revenue=np.array([50.0, 50.0, np.nan]),
        potential=np.array([200.0, 0.0, 10.0]),
        won=np.array([3, 0, 1]),
        lost=np.array([1, 0, 0]),
        days_as_customer=np.array([3652.5, -10, 0]),
        interactions=np.array([6, 0, 30]),
        contact_points_sum=np.array([contact_points([5, 3]), 0.0, 4.0]),
    )
    assert cols["computed:share_of_wallet_pct"][0] == share_of_wallet_pct(50, 200)
    assert np.isnan(cols["computed:share_of_wallet_pct"][1:]).all()
    assert cols["computed:win_rate_pct"][0] == win_rate_pct(3, 1)
    assert np.isnan(cols["computed:win_rate_pct"][1])
    assert list(cols["computed:years_as_customer"]) == [10.0, 0.0, 0.0]
    assert cols["computed:relationship_strength"][0] == relationship_strength(6, [5, 3])
    assert cols["computed:relationship_strength"][2] == 100


# --------------------------------------------------------------------------------------------------
# ABC analysis
# --------------------------------------------------------------------------------------------------


def test_abc_the_account_crossing_the_line_keeps_the_upper_class():
    values = {"a": 50, "b": 30, "c": 10, "d": 5, "e": 5}
    # cumulative share before each: 0, .5, .8, .9, .9 (tie with d)
    assert abc_classes(values) == {"a": "A", "b": "A", "c": "B", "d": "B", "e": "B"}
    assert abc_classes({"x": 70, "y": 20, "z": 6, "w": 4}) == {"x": "A", "y": "A", "z": "B", "w": "C"}


def test_abc_largest_account_is_always_a_and_no_revenue_is_c():
    assert abc_classes({1: 99, 2: 1}) == {1: "A", 2: "C"}
    assert abc_classes({1: 90, 2: 10}) == {1: "A", 2: "B"}
    assert abc_classes({1: 5}) == {1: "A"}
    assert abc_classes({1: None, 2: 0, 3: -50, 4: 10}) == {1: "C", 2: "C", 3: "C", 4: "A"}
    assert abc_classes({1: None, 2: 0}) == {1: "C", 2: "C"}
    assert abc_classes({}) == {}


def test_abc_ties_are_never_split_whatever_the_ids():
    forward = abc_classes({i: v for i, v in enumerate([40, 20, 20, 20])})
    backward = abc_classes({i: v for i, v in reversed(list(enumerate([40, 20, 20, 20])))})
    assert forward == backward == {0: "A", 1: "A", 2: "A", 3: "A"}
    assert set(abc_classes({i: 7 for i in range(50)}).values()) == {"A"}


def test_abc_thresholds_are_configurable_and_validated():
    values = {"a": 50, "b": 30, "c": 20}
    assert abc_classes(values, a=0.5, b=0.8) == {"a": "A", "b": "B", "c": "C"}
    with pytest.raises(ValueError):
        abc_classes(values, a=0.9, b=0.9)
    with pytest.raises(ValueError):
        abc_arrays(np.array([1.0, np.inf]))


def test_abc_by_contribution_margin_in_the_portfolio():
    accounts = [rated(1, 3, 3, revenue=100, contribution_margin=10), rated(2, 3, 3, revenue=10, contribution_margin=100)]
    by_id = {r.id: r for r in score_portfolio(simple_model(), accounts)}
    assert (by_id[1].abc_revenue, by_id[1].abc_margin) == ("A", "B")
    assert (by_id[2].abc_revenue, by_id[2].abc_margin) == ("B", "A")


# --------------------------------------------------------------------------------------------------
# Columns: a million accounts use the same rules
# --------------------------------------------------------------------------------------------------


def test_score_arrays_handles_missing_columns_and_checks_them():
    model = simple_model()
    out = score_arrays(model, {"manual:a": np.array([3.0, np.nan])}, n=2)
    assert out.attractiveness[0] == 50 and np.isnan(out.attractiveness[1])
    assert np.isnan(out.position).all() and list(out.cell) == [UNPLACED, UNPLACED]
    with pytest.raises(ValueError, match="outside 1..5"):
        score_arrays(model, {"manual:a": np.array([7.0])})
    with pytest.raises(ValueError, match="expected 2 values"):
        score_arrays(model, {"manual:a": np.array([3.0, 3.0]), "manual:p": np.array([3.0])})
    with pytest.raises(ValueError, match="not finite"):
        score_arrays(DEFAULT, {"field:potential": np.array([np.inf])})
    with pytest.raises(ValueError, match="pass n"):
        score_arrays(model, {})


def test_strategy_index_array():
    model = simple_model()
    keys, idx = strategy_index_array(model, np.array([0, 3, UNPLACED]))
    assert [keys[i] for i in idx[:2]] == [model.grid.cells[0].strategy, model.grid.cells[3].strategy]
    assert idx[2] == UNPLACED


def _default_columns(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    def maybe(values, share_missing=0.2):
        return np.where(rng.random(n) < share_missing, np.nan, values)

    ratings = lambda: maybe(rng.integers(1, 6, n).astype(float), 0.5)  # noqa: E731
    return {
        "field:growth_pct": maybe(rng.uniform(-5, 15, n)),
        "manual:growth_potential": ratings(),
        "field:potential": maybe(np.round(rng.uniform(0, 3e6, n), -4)),
        "field:contribution_margin_pct": maybe(rng.uniform(0, 50, n)),
        "manual:price_realisation": ratings(),
        "manual:cooperation_reference": ratings(),
        "manual:strategic_fit": ratings(),
        "computed:share_of_wallet_pct": maybe(rng.uniform(0, 80, n)),
        "manual:customer_satisfaction": ratings(),
        "computed:relationship_strength": maybe(rng.uniform(0, 100, n)),
        "computed:years_as_customer": maybe(rng.uniform(0, 15, n)),
        "computed:win_rate_pct": maybe(rng.choice([0, 25, 50, 75, 100], n).astype(float)),
    }


@pytest.mark.parametrize("grid", ["2x2", "3x3"])
def test_batch_and_per_account_scoring_agree_exactly(grid):
    model = DEFAULT.using_grid(grid)
    rng = np.random.default_rng(7)
    n = 2000
    cols = _default_columns(rng, n)
    revenue = np.where(rng.random(n) < 0.1, np.nan, np.round(rng.uniform(0, 1e6, n), -5))
    batch = score_arrays(model, cols)
    ranks = rank_arrays(model, batch.attractiveness, batch.position, revenue=revenue)
    facts = [
        AccountFacts(
            i,
            f"#{i}",
            {k: v[i] for k, v in cols.items()},
            revenue=None if np.isnan(revenue[i]) else float(revenue[i]),
        )
        for i in range(n)
    ]
    results = score_portfolio(model, facts)
    assert sum(r.placed for r in results) == int((batch.cell != UNPLACED).sum()) > 0
    for r in results:
        i = r.id
        for got, want in ((r.attractiveness.score, batch.attractiveness[i]), (r.position.score, batch.position[i])):
            assert (got is None and np.isnan(want)) or got == want
        assert (r.cell is None and batch.cell[i] == UNPLACED) or r.cell == model.grid.cells[batch.cell[i]].key
        assert (r.rank or UNPLACED, r.order or UNPLACED) == (ranks.rank[i], ranks.order[i])
    coverage = axis_arrays(model.position, cols).coverage
    assert all(coverage[r.id] == r.position.coverage for r in results)


def test_rank_arrays_ties_and_unplaced():
    model = simple_model()
    att = np.array([50.0, 50.0, np.nan, 75.0, 25.0])
    pos = np.array([50.0, 50.0, 50.0, 25.0, 75.0])
    ranks = rank_arrays(model, att, pos, revenue=np.array([1.0, 2.0, 0.0, np.nan, 5.0]), ids=np.array([9, 8, 7, 6, 5]))
    assert list(ranks.rank) == [1, 1, UNPLACED, 1, 1]
    # all combine to 50: attractiveness first, then revenue
    assert list(ranks.order) == [3, 2, UNPLACED, 1, 4]


# --------------------------------------------------------------------------------------------------
# Snapshots and movement
# --------------------------------------------------------------------------------------------------


def test_movement_between_snapshots():
    model = simple_model()
    old = snapshot(score_portfolio(model, [rated(1, 2, 2), rated(2, 4, 4), rated(3, 4, 4), rated(4, 4, 4)]))
    new = snapshot(score_portfolio(model, [rated(1, 4, 4), rated(2, 4, 4), rated(3, None, 4), rated(5, 1, 1)]))
    moves = {m.account_id: m for m in compare_snapshots(old, new)}
    assert {k: m.kind for k, m in moves.items()} == {1: "moved", 2: "stayed", 3: "moved", 4: "gone", 5: "new"}
    assert moves[1].drawable and not moves[3].drawable
    assert (moves[1].old.cell, moves[1].new.cell) == ("take_along", "star")
    counts = transition_counts(moves.values())
    assert counts[("take_along", "star")] == 1 and counts[("star", None)] == 2 and counts[(None, "take_along")] == 1


# --------------------------------------------------------------------------------------------------
# The picture
# --------------------------------------------------------------------------------------------------


# The picture's words as the adapter passes them (the domain has none of its own).
LABELS = {
    "de": SvgLabels(
            title="Kundenportfolio",
            x_axis="Lieferantenposition",
            y_axis="Kundenattraktivität",
            attractiveness="Attraktivität",
            position="Position",
            legend="Strategien",
            size_note="Kreisfläche ~ Umsatz",
            movement="Wechsel seit letztem Stand",
            unplaced="Nicht platziert, Werte fehlen ({count})",
            more="… und {count} weitere",
            aggregated="{count} Kunden als Dichte dargestellt (mehr als {max_dots} Punkte)",
            density_cell="{count} Kunden",
            no_strategy="ohne Strategie",
        ),
    "en": SvgLabels(
            title="Customer portfolio",
            x_axis="Our position",
            y_axis="Customer attractiveness",
            attractiveness="Attractiveness",
            position="Position",
            legend="Strategies",
            size_note="Circle area ~ revenue",
            movement="Cell change since last snapshot",
            unplaced="Not placed, scores missing ({count})",
            more="… and {count} more",
            aggregated="{count} accounts shown as density (more than {max_dots} dots)",
            density_cell="{count} accounts",
            no_strategy="no strategy",
        ),
}


def _svg_root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_svg_is_valid_with_one_circle_per_placed_account_and_escaped_names():
    nasty = 'Müller & Söhne <AG> "Zürich" \x01\'s'
    accounts = [rated(1, 4, 4, revenue=1e6), rated(2, 2, 4, revenue=0), rated(3, None, 2), rated(4, 1, 1)]
    accounts.append(AccountFacts(5, nasty, {"manual:a": 5, "manual:p": 1}, revenue=5e5))
    results = score_portfolio(simple_model(), accounts)
    svg = render_portfolio_svg(simple_model(), dots_from_results(results, lambda r: f"/accounts/{r.id}/?tab=1&x=2"),
                               labels=LABELS["de"])
    root = _svg_root(svg)
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 4
    assert sorted(c.get("data-account-id") for c in circles) == ["1", "2", "4", "5"]
    titles = [c.find(f"{SVG}title").text for c in circles]
    assert any(t.startswith("Müller & Söhne <AG> \"Zürich\" 's:") for t in titles)
    links = root.findall(f".//{SVG}a")
    assert {a.get("href") for a in links} >= {"/accounts/1/?tab=1&x=2", "/accounts/5/?tab=1&x=2"}
    assert "&amp;" in svg and "<AG>" not in svg
    # The account without an attractiveness score is listed, not drawn at 0.
    listed = root.findall(f".//{SVG}text[@class='unplaced-account']")
    assert [t.get("data-account-id") for t in listed] == ["3"]
    radii = {c.get("data-account-id"): float(c.get("r")) for c in circles}
    assert radii["1"] > radii["5"] > radii["2"]


def test_svg_is_localised_by_the_passed_strings():
    results = score_portfolio(simple_model(), [rated(1, 4, 4)])
    de = render_portfolio_svg(simple_model(), dots_from_results(results), labels=LABELS["de"])
    en = render_portfolio_svg(simple_model(), dots_from_results(results), lang="en", labels=LABELS["en"])
    assert "Starkunden" in de and "Kundenattraktivität" in de
    assert "Star customers" in en and "Customer attractiveness" in en and "Starkunden" not in en


def test_svg_drops_links_that_do_not_navigate():
    dot = PortfolioDot(1, "x", 50, 50, url="javascript:alert(1)")
    tab = PortfolioDot(2, "y", 60, 60, url="java\tscript:alert(1)")
    svg = render_portfolio_svg(DEFAULT, [dot, tab], labels=LABELS["de"])
    assert "javascript" not in svg and not _svg_root(svg).findall(f".//{SVG}a")


def test_svg_draws_arrows_for_cell_changes_of_shown_accounts():
    old = {1: SnapshotPoint(20, 20, "take_along"), 2: SnapshotPoint(80, 80, "star"), 3: SnapshotPoint(10, 10, "take_along")}
    new = {1: SnapshotPoint(80, 80, "star"), 2: SnapshotPoint(81, 81, "star"), 3: SnapshotPoint(90, 90, "star")}
    dots = [PortfolioDot(i, f"A{i}", p.attractiveness, p.position) for i, p in new.items() if i != 3]
    root = _svg_root(render_portfolio_svg(DEFAULT, dots, labels=LABELS["de"], movements=compare_snapshots(old, new)))
    moves = root.findall(f".//{SVG}line[@class='move']")
    assert [(m.get("data-account-id"), m.get("data-from"), m.get("data-to")) for m in moves] == [
        ("1", "take_along", "star")
    ]


def test_svg_aggregates_beyond_max_dots_with_a_note():
    rng = np.random.default_rng(3)
    dots = [PortfolioDot(i, f"A{i}", float(a), float(p), strategy="hold_and_expand") for i, (a, p) in enumerate(rng.uniform(0, 100, (60, 2)))]
    dots.append(PortfolioDot(999, "unplaced", None, 50.0))
    svg = render_portfolio_svg(DEFAULT, dots, labels=LABELS["en"], max_dots=50, lang="en")
    root = _svg_root(svg)
    assert not root.findall(f".//{SVG}circle")
    squares = root.findall(f".//{SVG}rect[@class='density-cell']")
    assert sum(int(s.get("data-count")) for s in squares) == 60
    note = root.find(f".//{SVG}text[@class='note']")
    assert note.text == "60 accounts shown as density (more than 50 dots)"
    assert len(root.findall(f".//{SVG}text[@class='unplaced-account']")) == 1
    assert len(_svg_root(render_portfolio_svg(DEFAULT, dots[:50], labels=LABELS["de"], max_dots=50)).findall(f".//{SVG}circle")) == 50


def test_svg_lists_at_most_a_few_unplaced_names():
    dots = [PortfolioDot(i, f"A{i}", None, None) for i in range(30)]
    root = _svg_root(render_portfolio_svg(DEFAULT, dots, labels=LABELS["en"], max_unplaced_listed=5, lang="en"))
    assert len(root.findall(f".//{SVG}text[@class='unplaced-account']")) == 5
    assert "… and 25 more" in ET.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def criterion_dicts(draw, key: str):
    kind = draw(st.sampled_from(["thresholds", "linear", "manual"]))
    if kind == "thresholds":
        limits = sorted(draw(st.sets(st.integers(-1000, 1000), min_size=4, max_size=4)))
        scale = {"kind": kind, "thresholds": limits}
    elif kind == "linear":
        lo, hi = sorted(draw(st.sets(st.integers(-1000, 1000), min_size=2, max_size=2)))
        scale = {"kind": kind, "min": lo, "max": hi}
    else:
        scale = {"kind": "manual"}
    return {
        "key": key,
        "name_de": key,
        "name_en": key,
        "weight": draw(st.sampled_from([0, 0.5, 1, 2, 3.7, 10])),
        "source": "manual" if kind == "manual" else f"field:{key}",
        "allow_manual": kind != "manual" and draw(st.booleans()),
        "scale": scale,
    }


@st.composite
def models(draw):
    data = default_dict()
    for axis in ("attractiveness", "position"):
        criteria = [draw(criterion_dicts(f"{axis[0]}{i}")) for i in range(draw(st.integers(1, 4)))]
        criteria[0]["weight"] = draw(st.sampled_from([1, 2, 5]))
        data["axes"][axis]["criteria"] = criteria
    data["min_coverage"] = draw(st.sampled_from([0, 0, 0.3]))
    return ScoringModel.from_dict(data, grid=draw(st.sampled_from(["2x2", "3x3"])))


@st.composite
def values_for(draw, model: ScoringModel):
    values = {}
    for c in model.criteria:
        if c.source != "manual":
            values[c.source] = draw(st.none() | finite)
        if c.takes_manual:
            values[c.manual_key] = draw(st.none() | st.floats(1, 5))
    return values


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_raising_one_value_never_lowers_the_axis_score(data):
    model = data.draw(models())
    values = data.draw(values_for(model))
    present = [k for k, v in values.items() if v is not None]
    if not present:
        return
    key = data.draw(st.sampled_from(present))
    ceiling = 5.0 if key.startswith("manual:") else 1e6
    raised = dict(values, **{key: data.draw(st.floats(values[key], ceiling))})
    for axis in model.axes:
        before = score_axis(axis, values, min_coverage=model.min_coverage)
        after = score_axis(axis, raised, min_coverage=model.min_coverage)
        assert before.coverage == after.coverage
        if before.score is not None:
            assert after.score >= before.score
            assert 0 <= before.score <= 100


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_per_account_and_batch_agree_and_stay_in_range(data):
    model = data.draw(models())
    rows = data.draw(st.lists(values_for(model), min_size=1, max_size=8))
    columns = {k: np.array([np.nan if r[k] is None else r[k] for r in rows]) for k in rows[0]}
    batch = score_arrays(model, columns, n=len(rows))
    results = score_portfolio(model, [AccountFacts(i, str(i), r) for i, r in enumerate(rows)])
    ranks = rank_arrays(model, batch.attractiveness, batch.position)
    for r in results:
        for axis, column in ((r.attractiveness, batch.attractiveness), (r.position, batch.position)):
            assert 0 <= axis.coverage <= 1
            if axis.score is None:
                assert np.isnan(column[r.id])
            else:
                assert 0 <= axis.score <= 100 and axis.score == column[r.id]
        expected_cell = UNPLACED if r.cell is None else model.grid.cell_keys.index(r.cell)
        assert batch.cell[r.id] == expected_cell
        assert (r.rank or UNPLACED, r.order or UNPLACED) == (ranks.rank[r.id], ranks.order[r.id])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.none() | st.floats(-100, 1e6, allow_nan=False), max_size=30), st.permutations(range(30)))
def test_abc_does_not_depend_on_input_order(values, perm):
    ids = [i for i in perm if i < len(values)]
    forward = abc_classes({i: values[i] for i in range(len(values))})
    shuffled = abc_classes({i: values[i] for i in ids})
    assert forward == shuffled
    positive = [v for v in values if v is not None and v > 0]
    if positive:
        assert forward[values.index(max(positive))] == "A"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=6))
def test_svg_stays_valid_xml_whatever_the_names(names):
    dots = [PortfolioDot(f"id-{n}-{i}", n, 10.0 * i, 50.0, url=f"/a/{n}") for i, n in enumerate(names)]
    root = _svg_root(render_portfolio_svg(DEFAULT, dots, labels=LABELS["de"]))
    assert len(root.findall(f".//{SVG}circle")) == len(names)


def test_movement_kind_for_missing_ends():
    assert Movement(1, None, SnapshotPoint(1, 1, "x")).kind == "new"
    assert Movement(1, SnapshotPoint(1, 1, "x"), None).kind == "gone"
