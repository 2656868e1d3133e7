"""The one rule "which strategy applies today", including its edges."""

from hypothesis import given
from hypothesis import strategies as st

from kundennetz.domain.strategy_today import CELL, NONE, OVERRIDE, strategy_today

CELLS = {"a1": "grow", "a2": "keep", "b1": "harvest"}
KNOWN = {"grow", "keep", "harvest", "special"}


def test_a_valid_override_wins_over_the_cell():
    today = strategy_today(override="special", cell="a1", cell_strategies=CELLS, known=KNOWN)
    assert (today.key, today.source, today.cell, today.overridden) == ("special", OVERRIDE, "a1", True)


def test_without_override_the_cell_of_the_snapshot_decides():
    today = strategy_today(override=None, cell="a2", cell_strategies=CELLS, known=KNOWN)
    assert (today.key, today.source, today.overridden) == ("keep", CELL, False)


def test_an_override_naming_a_vanished_strategy_is_ignored_and_said_so():
    today = strategy_today(override="gone", cell="b1", cell_strategies=CELLS, known=KNOWN)
    assert (today.key, today.source, today.ignored_override) == ("harvest", CELL, "gone")


def test_an_override_applies_to_an_account_not_placed():
    today = strategy_today(override="grow", cell="", cell_strategies=CELLS, known=KNOWN)
    assert (today.key, today.source, today.cell) == ("grow", OVERRIDE, None)


def test_no_override_and_no_cell_means_no_strategy():
    assert strategy_today(override=None, cell=None, cell_strategies=CELLS, known=KNOWN).source == NONE
    assert strategy_today(override="", cell="zz", cell_strategies=CELLS, known=KNOWN).key is None


def test_a_cell_whose_strategy_no_longer_exists_gives_none():
    today = strategy_today(override=None, cell="a1", cell_strategies=CELLS, known={"keep"})
    assert (today.key, today.source) == (None, NONE)


@given(override=st.one_of(st.none(), st.sampled_from(["", "grow", "gone", "special"])),
       cell=st.one_of(st.none(), st.sampled_from(["", "a1", "a2", "b1", "zz"])))
def test_the_key_is_always_known_or_none_and_the_source_matches(override, cell):
    today = strategy_today(override=override, cell=cell, cell_strategies=CELLS, known=KNOWN)
    assert today.key is None or today.key in KNOWN
    assert (today.source == OVERRIDE) == bool(override and override in KNOWN)
    assert (today.key is None) == (today.source == NONE)
