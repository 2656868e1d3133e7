"""Work that grows with the data is never done inside a request: the API's recomputes (portfolio
snapshot, consistency, scenario compute and apply) answer 202 with a queued job and change nothing
until a worker has run it; then `GET /api/jobs/{id}` says done and where the result is. The web's
buttons lead to the job's page with its progress bar, then to the result; a failure is shown on the
job's page with a way back to the record."""

import pytest
from django.test import override_settings

from kundennetz.planning import services
from kundennetz.planning.models import AccountPlan, Scenario

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run_worker():
    from task_worker import run_queued_tasks

    run_queued_tasks("test-worker")


def _start(api, cast, what, planned):
    """The POST for `what`; returns (response, a check that nothing is done yet, a check of the result)."""
    from kundennetz.interactions.models import ConsistencySnapshot
    from kundennetz.portfolio.models import PortfolioSnapshot

    if what == "snapshot":
        return (api(cast.sales_head, "POST", "/api/portfolio/snapshots", {"period": "2026-Q3"}),
                lambda: not PortfolioSnapshot.objects.filter(period="2026-Q3").exists(),
                lambda body: body["period"] == "2026-Q3" and body["account_count"] == 6)
    if what == "consistency":
        return (api(cast.sales_head, "POST", "/api/interactions/consistency"),
                lambda: not ConsistencySnapshot.objects.exists(),
                None)
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head, compute=what == "apply")
    if what == "compute":
        return (api(cast.sales_head, "POST", f"/api/planning/scenarios/{scenario.pk}/compute"),
                lambda: not Scenario.objects.get(pk=scenario.pk).is_computed,
                lambda body: body["id"] == scenario.pk and body["computed"] and body["contribution"] > 0)
    return (api(cast.sales_head, "POST", f"/api/planning/scenarios/{scenario.pk}/apply"),
            lambda: not AccountPlan.objects.exists(),
            lambda body: body["status"] == "applied" and AccountPlan.objects.count() == 6)


@pytest.mark.parametrize("what", ["snapshot", "consistency", "compute", "apply"])
def test_api_answers_202_and_a_worker_does_the_work(what, planned, cast, api):
    from kundennetz.interactions.models import ConsistencySnapshot

    with override_settings(TASKS=DB_TASKS):
        response, nothing_done, result_ok = _start(api, cast, what, planned)
        assert response.status_code == 202, response.content
        job = response.json()
        assert job["status"] == "queued" and job["progress"] == {"done": 0, "total": 0}
        assert job["result"] is None and job["message"] == "" and job["reason"] == ""
        assert nothing_done()  # the request only queued the work
        assert api(cast.sales_head, "GET", f"/api/jobs/{job['id']}").json()["status"] == "queued"
        _run_worker()
    done = api(cast.sales_head, "GET", f"/api/jobs/{job['id']}").json()
    assert done["status"] == "done" and done["finished_at"] and done["message"], done
    if result_ok is None:
        assert done["result"] is None and ConsistencySnapshot.objects.count() == 6
        assert "for 6 accounts" in done["message"]
    else:
        assert result_ok(api(cast.sales_head, "GET", done["result"]).json())
    # Only the one who started it (and the admin) reads the job.
    assert api(cast.owner, "GET", f"/api/jobs/{job['id']}").status_code == 404
    assert api(cast.admin, "GET", f"/api/jobs/{job['id']}").status_code == 200


@pytest.mark.parametrize("role, status", [("admin", 202), ("sales_head", 202), ("owner", 403), ("team_member", 403),
                                          ("marketing", 403), ("read_only", 403)])
def test_consistency_recompute_is_for_sales_head_and_admin(role, status, planned, cast, api):
    from kundennetz.core.models import Job

    response = api(getattr(cast, role), "POST", "/api/interactions/consistency")
    assert response.status_code == status
    assert Job.objects.count() == (1 if status == 202 else 0)
    assert api(None, "POST", "/api/interactions/consistency").status_code == 401


def test_web_scenario_compute_shows_progress_then_the_scenario(planned, cast, client_for):
    from kundennetz.core.models import Job

    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head, compute=False)
    client = client_for(cast.sales_head)
    with override_settings(TASKS=DB_TASKS):
        response = client.post(f"/planning/scenarios/{scenario.pk}/compute/")
        job = Job.objects.get()
        assert response["Location"] == f"/jobs/{job.pk}/" and job.status == "queued"
        page = client.get(response["Location"]).content.decode()
        assert 'id="job-progress"' in page and "Waiting for a worker" in page
        assert client.get(f"/jobs/{job.pk}/progress/").status_code == 200  # the bar polls on
        _run_worker()
    assert client.get(f"/jobs/{job.pk}/progress/")["HX-Refresh"] == "true"
    result = client.get(f"/jobs/{job.pk}/", follow=True)
    assert result.redirect_chain[-1][0] == scenario.get_absolute_url()
    assert "computed in" in result.content.decode()


def test_web_failure_is_shown_on_the_job_page_with_the_way_back(planned, cast, client_for):
    planned["capacities"]["owner"].delete()
    client = client_for(cast.sales_head)
    response = client.post("/planning/scenarios/new/?period=2026", {
        "period_code": "2026", "name": "Ohne Owner", "visits": "continuous"}, follow=True)
    html = response.content.decode()
    scenario = Scenario.objects.get(name="Ohne Owner")
    assert 'id="job-failure"' in html and "No plan meets every minimum" in html and "Owner Test" in html
    assert f'id="job-back" href="{scenario.get_absolute_url()}"' in html
    assert scenario.conflicts and not AccountPlan.objects.exists()
