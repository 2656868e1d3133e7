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


def finished_job(api, user, response, status: str = "done") -> dict:
    """Follow a 202 answer with a job to its end, as a client polls: `GET /api/jobs/{id}` (tests run
    tasks at once, so the first read finds it finished). Asserts the job ended with `status`."""
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] in ("queued", "running", "done", "failed") and set(job["progress"]) == {"done", "total"}
    read = api(user, "GET", f"/api/jobs/{job['id']}")
    assert read.status_code == 200, read.content
    job = read.json()
    assert job["status"] == status, job
    return job


def job_result(api, user, response) -> dict:
    """The record a finished job made, read at the address the job names as its `result`."""
    job = finished_job(api, user, response)
    assert job["result"], job
    record = api(user, "GET", job["result"])
    assert record.status_code == 200, record.content
    return record.json()
