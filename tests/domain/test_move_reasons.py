"""Why an account moved between two snapshots, read off the two stored positions."""

import math

from kundennetz.domain.portfolio import move_reasons as mr


def stored(att=50.0, pos=50.0, cell="a", strategy="s"):
    return mr.Stored(att, pos, cell, strategy)


def test_unchanged_positions_give_no_move_even_with_rounding_noise():
    before = {1: stored(), 2: stored(att=None, pos=None, cell="", strategy="")}
    after = {1: stored(att=50.0 + 1e-9), 2: stored(att=None, pos=None, cell="", strategy="")}
    assert mr.moves(before, after, model_changed=False) == []


def test_each_changed_input_is_named():
    before = {1: stored(), 2: stored(), 3: stored(), 4: stored()}
    after = {1: stored(att=80, cell="b"), 2: stored(pos=80, cell="b"), 3: stored(strategy="other"),
             4: stored(att=None, cell="", strategy="")}
    found = {m.account_id: m.reasons for m in mr.moves(before, after, model_changed=False)}
    assert found == {1: (mr.ATTRACTIVENESS,), 2: (mr.POSITION,), 3: (mr.OVERRIDE,), 4: (mr.ATTRACTIVENESS, mr.PLACED)}


def test_a_new_model_is_named_and_no_override_is_guessed():
    move = mr.explain(1, stored(), stored(strategy="renamed"), model_changed=True)
    assert move.reasons == (mr.MODEL,) and not move.cell_changed


def test_nan_counts_as_missing():
    move = mr.explain(1, stored(att=math.nan, cell=""), stored(cell="b"), model_changed=False)
    assert move.reasons == (mr.ATTRACTIVENESS, mr.PLACED)


def test_accounts_in_only_one_snapshot_are_not_moves():
    assert mr.moves({1: stored()}, {2: stored(cell="b")}, model_changed=False) == []
