from hypothesis import given, settings
from hypothesis import strategies as st

from kundennetz.domain.progress import percent, seconds_left


def test_percent_edges():
    assert percent(0, 0) == 0
    assert percent(0, 10) == 0
    assert percent(999, 1000) == 99
    assert percent(1000, 1000) == 100
    assert percent(5, 3) == 100
    assert percent(-1, 3) == 0


def test_seconds_left_at_the_pace_so_far():
    assert seconds_left(10.0, 1000, 3000) == 20
    assert seconds_left(10.0, 0, 3000) is None
    assert seconds_left(0.0, 10, 3000) is None
    assert seconds_left(5.0, 3000, 3000) == 0


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_percent_in_range_and_100_only_when_done(done, total):
    value = percent(done, total)
    assert 0 <= value <= 100
    assert (value == 100) == (done >= total)


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(st.floats(0.001, 10**5), st.integers(1, 10**6), st.integers(1, 10**6))
def test_more_done_in_the_same_time_means_less_left(elapsed, done, total):
    if done < total:
        left = seconds_left(elapsed, done, total)
        assert left is not None and left >= 0
        if done + 1 < total:
            assert seconds_left(elapsed, done + 1, total) <= left
