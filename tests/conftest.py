"""Fixtures shared by all tests: the fixed cast of users (tests/helpers/cast.py), each member on its own,
and a small network.

Imports of Django code stay inside the fixtures so that tests/domain runs without Django.
"""

import pytest
from hypothesis import HealthCheck, settings

# Timing is not what these properties test: on a loaded machine (CI beside a benchmark, two workers on two
# cores) generating an input can take longer than Hypothesis' health check and deadline allow.
settings.register_profile("kundennetz", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kundennetz")


@pytest.fixture(autouse=True)
def _fresh_language():
    """A request activates its user's language in the thread; each test starts from the default again."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def cast(db):
    from cast import make_cast

    return make_cast()


def _member(name: str):
    """A fixture for one member of the cast, e.g. `def test_x(outsider)`."""

    @pytest.fixture(name=name)
    def member(cast):
        return getattr(cast, name)

    member.__doc__ = f"The cast's {name.replace('_', ' ')} (see tests/helpers/cast.py)."
    return member


admin = _member("admin")
sales_head = _member("sales_head")
owner = _member("owner")
team_member = _member("team_member")
outsider = _member("outsider")
marketing = _member("marketing")
read_only = _member("read_only")


@pytest.fixture
def network(cast):
    from cast import make_network

    return make_network(cast)


@pytest.fixture
def password():
    from cast import PASSWORD

    return PASSWORD


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying the database, data migrations' rows included (stages, customer
    groups, scoring models, settings). Tests of other files may follow it on the same worker, so the rows
    the migrations wrote are put back right after it, as they were when the test database was made."""
    yield
    # After the last test the test database is already gone; nothing follows that could need the rows.
    if nextitem is None or not _is_transactional(item):
        return
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    # Emptied first (the flush's own post-migrate rows, such as content types under new ids, or the rows of a
    # test that was skipped before its flush), then filled with exactly what the migrations wrote. Sequences
    # keep counting: the rows put back carry their ids, and new rows must not be given those again.
    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                call_command("flush", database=connection.alias, interactive=False, inhibit_post_migrate=True,
                             reset_sequences=False, verbosity=0)
                connection.creation.deserialize_db_from_string(contents)
