"""Expectations shared by the API tests: the cast's rights on the test network, error locations, query counts."""


def locs(response) -> list[list]:
    """Where the errors of a 4xx answer point."""
    return [item["loc"] for item in response.json()["detail"]]


ROLES = ["admin", "sales_head", "owner", "team_member", "outsider", "marketing", "read_only"]

# What each member of the cast may do with the records of the test network (see core.testing).
SEES = {"admin", "sales_head", "owner", "team_member", "marketing", "read_only"}
CHANGES = {"admin", "sales_head", "owner", "team_member"}


def expected_change(role: str, ok: int) -> int:
    """The answer to a change or delete: done, forbidden (seen but not changeable), or not found."""
    if role in CHANGES:
        return ok
    return 403 if role in SEES else 404


def count_queries(callable_) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)
