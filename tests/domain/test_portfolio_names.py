"""The portfolio picture names its largest dots where the name fits, and every dot on hover and focus."""

from kundennetz.domain.portfolio_svg import NAMED_DOTS, _Frame, _named_labels


class Dot:
    def __init__(self, name, position, attractiveness, revenue):
        self.name, self.position, self.attractiveness, self.revenue = name, position, attractiveness, revenue


def radius(d):
    return 3 + d.revenue / 1000


def test_the_largest_are_named_and_names_never_overlap():
    frame = _Frame(100, 20, 600, 500)
    dots = [Dot(f"Account {i}", 10 + 7 * i, 50 + (i % 3), 1000 * (i + 1)) for i in range(12)]
    chosen = _named_labels(dots, radius, frame)
    assert 1 <= len(chosen) <= NAMED_DOTS
    largest = max(dots, key=lambda d: d.revenue)
    assert id(largest) in chosen


def test_a_crowd_of_same_place_dots_gets_few_names():
    frame = _Frame(0, 0, 600, 400)
    dots = [Dot(f"Same Place {i}", 50, 50, 1000 + i) for i in range(10)]
    assert len(_named_labels(dots, radius, frame)) <= 2   # right and left of the pile, no more


def test_a_dot_at_the_right_edge_is_named_on_its_left():
    frame = _Frame(0, 0, 600, 400)
    edge = Dot("Right Edge AG", 99, 50, 5000)
    assert _named_labels([edge], radius, frame) == {id(edge): "left"}


def test_dots_without_revenue_are_not_named():
    frame = _Frame(0, 0, 600, 400)
    assert _named_labels([Dot("Nothing", 50, 50, None)], radius, frame) == {}

