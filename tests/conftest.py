"""Fixtures shared by all tests: the fixed cast of users and a small network.

Imports of Django code stay inside the fixtures so that tests/domain runs without Django.
"""

import pytest


@pytest.fixture(autouse=True)
def _fresh_language():
    """A request activates its user's language in the thread; each test starts from the default again."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def cast(db):
    from kundennetz.core.testing import make_cast

    return make_cast()


@pytest.fixture
def network(cast):
    from kundennetz.core.testing import make_network

    return make_network(cast)


@pytest.fixture
def password():
    from kundennetz.core.testing import PASSWORD

    return PASSWORD


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login
