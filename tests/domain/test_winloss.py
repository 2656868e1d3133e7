"""The win model on generated deals with a known true model, its scores, refusals and threshold advice."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundennetz.domain import winloss as w

KEYS = ("aspiration", "solution", "competition", "only_me", "time_scale", "money", "authority", "need")
TRUE = {"aspiration": (0.6, -0.6), "solution": (1.0, -1.2), "competition": (0.3, -1.5),
        "only_me": (0.8, -0.4), "time_scale": (0.4, -0.4), "money": (0.7, -1.0), "authority": (0.5, -0.9),
        "need": (0.0, 0.0)}
INTERCEPT = -0.6


@pytest.fixture(scope="module")
def learned():
    deals = w.generate_deals(6000, KEYS, TRUE, INTERCEPT, seed=7)
    model, scores = w.fit(deals, KEYS)
    return deals, model, scores


def _true_probability(states):
    z = INTERCEPT + sum(TRUE[k][0] if s == w.FAVOURABLE else TRUE[k][1] if s == w.UNFAVOURABLE else 0.0
                        for k, s in states.items())
    return 1 / (1 + math.exp(-z))


def test_recovers_the_signs_and_sizes_of_the_true_model(learned):
    _deals, model, _scores = learned
    coefficients = dict(zip(model.features, model.coefficients))
    for key, (fav, unfav) in TRUE.items():
        for state, true in ((w.FAVOURABLE, fav), (w.UNFAVOURABLE, unfav)):
            fitted = coefficients[f"{key}={state}"]
            if abs(true) >= 0.3:
                assert np.sign(fitted) == np.sign(true), (key, state, fitted)
            assert abs(fitted - true) < 0.25, (key, state, fitted, true)


def test_is_calibrated_out_of_sample(learned):
    deals, model, scores = learned
    assert scores.deals == 6000 and scores.won == sum(d.won for d in deals)
    # Every well-filled bin of the reliability table: predicted and observed agree within 5 points.
    for row in scores.reliability:
        if row.count >= 200:
            assert abs(row.predicted - row.observed) < 0.05, row
    assert sum(row.count for row in scores.reliability) == 6000
    # Better than the base rate, and close to what the true model itself scores.
    true_p = np.array([_true_probability(d.states) for d in deals])
    y = np.array([d.won for d in deals], dtype=float)
    assert scores.brier < scores.base_rate_brier - 0.03
    assert abs(scores.brier - w.brier(y, true_p)) < 0.01
    assert abs(scores.auc - w.auc(y, true_p)) < 0.02
    # The model's probabilities follow the truth deal by deal.
    fitted = model.probabilities(np.array([w.encode(d.states, KEYS) for d in deals]))
    assert np.mean(np.abs(fitted - true_p)) < 0.03


def test_beats_the_plain_count_of_unfavourable_answers(learned):
    _deals, _model, scores = learned
    assert scores.auc > scores.unfavourable_count_auc


def test_figures_are_kept_only_where_they_help():
    rng = np.random.default_rng(3)
    deals = w.generate_deals(3000, KEYS, TRUE, INTERCEPT, seed=3)
    # Noise figures: left out.
    noisy = [w.Deal(d.id, d.won, d.states, {"volume_in_range": int(rng.choice([-1, 1])), "margin_target": 0})
             for d in deals]
    assert w.fit(noisy, KEYS)[0].use_figures is False
    # A figure that tells the outcome: kept, with a positive coefficient.
    telling = [w.Deal(d.id, d.won, d.states, {"volume_in_range": 1 if (d.won ^ (rng.random() < 0.2)) else -1})
               for d in deals]
    model, scores = w.fit(telling, KEYS)
    assert model.use_figures and scores.use_figures
    assert dict(zip(model.features, model.coefficients))["volume_in_range"] > 0.5


def test_contributions_explain_the_probability(learned):
    _deals, model, _scores = learned
    strong = {k: w.FAVOURABLE for k in KEYS}
    weak = dict(strong, competition=w.UNFAVOURABLE, solution=w.UNFAVOURABLE)
    good, bad = model.predict(strong), model.predict(weak)
    assert 0 < bad.probability < good.probability < 1
    assert set(good.contributions) == set(KEYS)
    assert bad.contributions["competition"] < 0 < good.contributions["competition"]
    assert bad.contributions["solution"] < -0.05
    assert abs(bad.contributions["need"]) < 0.02  # a question that does not matter moves nothing
    # Each contribution is the move from an average answer to this one.
    z = model.intercept + np.dot(w.encode(weak, KEYS), model.coefficients)
    idx = model.groups()["competition"]
    shift = sum(model.coefficients[i] * (w.encode(weak, KEYS)[i] - model.means[i]) for i in idx)
    assert bad.contributions["competition"] == pytest.approx(
        1 / (1 + math.exp(-z)) - 1 / (1 + math.exp(-(z - shift))))
    # Stored and read back, the model predicts the same.
    again = w.WinModel.from_dict(model.to_dict())
    assert again.predict(weak).probability == pytest.approx(bad.probability)
    assert [p.probability for p in model.predict_many([(weak, None), (strong, None)])] == pytest.approx(
        [bad.probability, good.probability])


@pytest.mark.parametrize("count", [0, 1, 29])
def test_refuses_below_thirty_closed_deals(count):
    deals = [w.Deal(i, i % 2 == 0, {k: w.FAVOURABLE for k in KEYS}) for i in range(count)]
    with pytest.raises(w.NotEnoughDeals) as error:
        w.fit(deals, KEYS)
    assert error.value.code == "too_few_deals"
    assert error.value.params == {"minimum": 30, "deals": count}


def test_refuses_when_one_outcome_is_too_rare():
    deals = [w.Deal(i, i < 4, {k: w.FAVOURABLE for k in KEYS}) for i in range(40)]
    with pytest.raises(w.NotEnoughDeals) as error:
        w.fit(deals, KEYS)
    assert error.value.code == "too_few_of_one_outcome"
    assert error.value.params == {"minimum": 5, "won": 4, "lost": 36}


def test_thirty_deals_are_enough():
    deals = w.generate_deals(30, KEYS, TRUE, 0.0, seed=1)
    deals = [w.Deal(i, i < 10, d.states) for i, d in enumerate(deals)]
    model, scores = w.fit(deals, KEYS)
    assert scores.deals == 30 and scores.won == 10 and 0 <= scores.auc <= 1


def test_auc_matches_its_definition():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    s = rng.integers(0, 5, 300).astype(float)  # many ties
    pairs = [(a, b) for a in s[y == 1] for b in s[y == 0]]
    expected = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs) / len(pairs)
    assert w.auc(y, s) == pytest.approx(expected)
    assert math.isnan(w.auc([1, 1], [0.2, 0.3]))


def test_signatures_and_neighbours():
    states = {"aspiration": w.FAVOURABLE, "competition": w.UNFAVOURABLE}
    code = w.signature(states, KEYS)
    assert code == "fouooooo"
    near = w.neighbours(code, 2)
    assert near[0] == code and len(near) == len(set(near)) == 1 + 16 + 112
    assert all(w.distance(code, other) <= 2 for other in near)
    assert w.distance("fff", "ffu") == 1


def test_state_of_an_answer():
    assert w.state_of("yes", "yes") == w.FAVOURABLE
    assert w.state_of("yes", "no") == w.UNFAVOURABLE
    assert w.state_of("open", "yes") == w.state_of(None, "no") == w.state_of("maybe", "yes") == w.OPEN


def test_expected_value():
    assert w.expected_value(0.5, 200_000, 30, 5_000) == pytest.approx(25_000)
    assert w.expected_value(0.5, None, 30, 5_000) is None
    assert w.expected_value(None, 1, 1, 1) is None


def test_threshold_advice_by_hand():
    deals = [w.HistoricDeal(won=True, unfavourable=0, contribution=100, bid_cost=10),
             w.HistoricDeal(won=True, unfavourable=2, contribution=None, bid_cost=10),  # worth: average = 100
             w.HistoricDeal(won=False, unfavourable=3, bid_cost=10),
             w.HistoricDeal(won=False, unfavourable=5, bid_cost=10)]
    advice = w.threshold_advice(deals, in_force=3)
    assert advice.assumed_contribution == 100
    assert [r.offers for r in advice.rows] == [1, 1, 2, 3, 3, 4, 4, 4, 4]
    t3 = advice.row(3)
    assert (t3.wins_kept, t3.wins_forgone, t3.losses_avoided, t3.expected_contribution) == (2, 0, 1, 170)
    assert advice.row(2).expected_contribution == 180
    assert advice.best == 2 and advice.gain == 10
    data = advice.to_dict()
    assert data["threshold_in_force"] == 3 and data["best_threshold"] == 2 and len(data["thresholds"]) == 9


def test_threshold_advice_keeps_the_threshold_in_force_among_equals():
    deals = [w.HistoricDeal(won=True, unfavourable=1, contribution=50)]
    advice = w.threshold_advice(deals, in_force=4)
    assert advice.best == 4 and advice.gain == 0
    assert w.threshold_advice([], in_force=3).best is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 8), st.one_of(st.none(), st.floats(0, 1e6)),
                          st.floats(0, 1e4)), max_size=40), st.integers(0, 8))
def test_threshold_advice_counts_add_up(raw, in_force):
    deals = [w.HistoricDeal(won, unfav, value, cost) for won, unfav, value, cost in raw]
    advice = w.threshold_advice(deals, in_force)
    won = sum(d.won for d in deals)
    previous = None
    for row in advice.rows:
        assert row.wins_kept + row.wins_forgone == won
        assert row.offers - row.wins_kept + row.losses_avoided == len(deals) - won
        if previous is not None:
            assert row.offers >= previous.offers  # a more lenient rule never makes fewer offers
        previous = row
    assert advice.rows[-1].offers == len(deals)
    if deals:
        best = advice.row(advice.best).expected_contribution
        assert all(r.expected_contribution <= best + 1e-6 for r in advice.rows)


def test_fitting_distinct_rows_with_weights_is_the_same_fit():
    from sklearn.linear_model import LogisticRegression

    deals = w.generate_deals(2000, KEYS, TRUE, INTERCEPT, seed=11)
    matrix = np.array([w.encode(d.states, KEYS) for d in deals])
    y = np.array([d.won for d in deals], dtype=int)
    plain = LogisticRegression(C=w.REGULARISATION_C, max_iter=1000, tol=1e-10).fit(matrix, y)
    weighted = w._fitted(matrix, y, w.REGULARISATION_C)
    assert np.allclose(weighted.coef_, plain.coef_, atol=2e-3)
    assert weighted.intercept_[0] == pytest.approx(plain.intercept_[0], abs=2e-3)
