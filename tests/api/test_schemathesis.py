"""Schemathesis against the live test server: every operation of the OpenAPI schema, a bounded number of
generated requests each (valid and invalid input), signed in with a personal token. No answer may be a
server error, and every answer is JSON as the schema says.

The examples are derandomised (a fixed seed), so a failure is found again by running the test again.
"""

import time

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import content_type_conformance  # noqa: E402

from kundennetz.core.models import ApiToken  # noqa: E402
from cast import make_cast, make_network  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)
# Per operation and mode: about 440 requests, 40 s on SQLite (a busy two-core machine). The bound is the
# number of requests, not a time limit, which a loaded machine would break without anything being wrong.
EXAMPLES = 2


def test_no_operation_answers_a_server_error(live_server):
    cast = make_cast()
    make_network(cast)  # records to find, so that some generated ids hit and the happy paths run too
    _token, raw = ApiToken.issue(cast.admin, "schemathesis")
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json", headers=headers)
    session = requests.Session()
    session.headers.update(headers)
    started = time.monotonic()
    failures, calls = [], 0

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50  # the whole API is described, not an empty schema

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case):
                nonlocal calls
                calls += 1
                response = case.call(base_url=live_server.url, session=session, timeout=30)
                try:
                    case.validate_response(response, checks=[not_a_server_error, content_type_conformance])
                except Exception as exc:  # collected, so that one run reports every operation that fails
                    failures.append(f"{case.method} {case.formatted_path} ({mode.value}): "
                                    f"{response.status_code} {str(exc)[:300]}")

            try:
                run()
            except Exception as exc:  # a strategy that cannot be built for this operation
                failures.append(f"{operation.label} ({mode.value}): could not generate: {exc!s:.200}")

    elapsed = time.monotonic() - started
    assert not failures, "\n".join(failures[:40])
    assert calls >= len(operations)  # every operation was called at least once
    print(f"{len(operations)} operations, {calls} requests in {elapsed:.1f} s")
    assert calls <= 2 * EXAMPLES * len(operations)
