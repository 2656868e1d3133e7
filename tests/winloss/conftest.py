"""Closed deals with checklists for the win/loss tests, drawn from a known model."""

import random
from datetime import date

import pytest


@pytest.fixture
def make_history(network, cast):
    """`make_history(count, declined=0)`: closed deals split over the owner's and the outsider's account."""
    from kundennetz.qualification.models import Catalogue
    from kundennetz.winloss.demo import create_history, generated_history

    def make(count=60, declined=0, seed=1):
        rng = random.Random(seed)
        deals = generated_history([network.account, network.other_account], count, rng, date(2026, 6, 30),
                                  Catalogue.current(), declined=declined)
        return create_history(deals, cast.admin)

    return make


@pytest.fixture
def history(make_history):
    return make_history(60, declined=4)
