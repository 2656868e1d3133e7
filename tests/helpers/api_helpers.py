"""What the API tests share: error locations and query counts (the cast's rights are in `cast`)."""


def locs(response) -> list[list]:
    """Where the errors of a 4xx answer point."""
    return [item["loc"] for item in response.json()["detail"]]


def count_queries(callable_) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)
