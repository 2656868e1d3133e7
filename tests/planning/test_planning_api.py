"""The planning API: same rules as the pages, 4xx with field names, computing and applying as jobs
(202) whose failure names the conflicts, never 500."""

import pytest
from api_helpers import finished_job, job_result
from cast import MANAGERS, ROLES, VIEWERS

from kundennetz.planning import services
from kundennetz.planning.models import (
    AccountPlan,
    Budget,
    Capacity,
    Period,
    ResponseEstimate,
    Scenario,
)

pytestmark = pytest.mark.django_db


def locs(response):
    return [item["loc"] for item in response.json()["detail"]]


def capacity_body(cast, **changes):
    return {"manager": cast.team_member.pk, "period": "2026", "fte": 0.8, "working_days": 220, "absence_days": 20,
            "care_share_pct": 50, **changes}


@pytest.mark.parametrize("role", ROLES)
def test_capacities_by_role(role, planned, cast, api):
    user = getattr(cast, role)
    listed = api(user, "GET", "/api/planning/capacities", {"period": "2026"})
    assert listed.status_code == 200
    managers = {item["manager"] for item in listed.json()["items"]}
    expected = {cast.owner.pk, cast.outsider.pk} if role in VIEWERS else (
        {user.pk} & {cast.owner.pk, cast.outsider.pk})
    assert managers == expected
    created = api(user, "POST", "/api/planning/capacities", capacity_body(cast))
    assert created.status_code == (201 if role in MANAGERS else 403)
    if role in MANAGERS:
        assert created.json()["available_hours"] == pytest.approx(0.8 * 200 * 8.4 * 0.5)
    other = planned["capacities"]["outsider"].pk
    read = api(user, "GET", f"/api/planning/capacities/{other}")
    assert read.status_code == (200 if role in VIEWERS | {"outsider"} else 404)
    changed = api(user, "PATCH", f"/api/planning/capacities/{other}", {"care_share_pct": 50})
    assert changed.status_code == (200 if role in MANAGERS else 403 if role in VIEWERS | {"outsider"} else 404)


def test_anonymous_gets_401(planned, api):
    assert api(None, "GET", "/api/planning/capacities").status_code == 401
    assert api(None, "GET", "/api/planning/scenarios").status_code == 401


@pytest.mark.parametrize("body, loc", [
    ({"absence_days": 230}, ["body", "absence_days"]),
    ({"fte": 2}, ["body", "fte"]),
    ({"fte": "viel"}, ["body", "fte"]),
    ({"period": "2026-Q7"}, ["body", "period"]),
    ({"manager": 999999}, ["body", "manager"]),
    ({"colour": "red"}, ["body", "colour"]),
])
def test_bad_capacities_answer_422_at_the_field(planned, cast, api, body, loc):
    response = api(cast.sales_head, "POST", "/api/planning/capacities", capacity_body(cast, **body))
    assert response.status_code == 422, response.content
    assert loc in locs(response)
    assert not Capacity.objects.filter(manager=cast.team_member).exists()


def test_a_bad_period_and_a_bad_manager_are_named_in_one_answer(planned, cast, api):
    response = api(cast.sales_head, "POST", "/api/planning/capacities",
                   capacity_body(cast, period="2026-Q7", manager=999999))
    assert response.status_code == 422
    assert ["body", "period"] in locs(response) and ["body", "manager"] in locs(response)
    assert response.json()["detail"][locs(response).index(["body", "period"])]["msg"] == (
        "Enter a year (2026) or a quarter (2026-Q3).")
    assert not Period.objects.filter(code="2026-Q7").exists()


def test_absences_beyond_working_days_say_so(planned, cast, api):
    response = api(cast.sales_head, "POST", "/api/planning/capacities", capacity_body(cast, absence_days=230))
    assert response.json()["detail"][0]["msg"] == "The absences (230 days) exceed the working days (220 days)."


def test_duplicate_capacity(planned, cast, api):
    response = api(cast.sales_head, "POST", "/api/planning/capacities", capacity_body(cast, manager=cast.owner.pk))
    assert response.status_code == 422 and locs(response) == [["body", "manager"]]


def test_patch_recomputes_hours(planned, cast, api):
    record = planned["capacities"]["owner"]
    response = api(cast.sales_head, "PATCH", f"/api/planning/capacities/{record.pk}", {"care_share_pct": 50})
    assert response.status_code == 200 and response.json()["available_hours"] == pytest.approx(168.0)
    bad = api(cast.sales_head, "PATCH", f"/api/planning/capacities/{record.pk}", {"absence_days": 41})
    assert bad.status_code == 422 and locs(bad) == [["body", "absence_days"]]


@pytest.mark.parametrize("role", ROLES)
def test_budgets_by_role(role, planned, cast, api):
    user = getattr(cast, role)
    assert api(user, "GET", "/api/planning/budgets").status_code == (200 if role in VIEWERS else 403)
    assert api(user, "GET", "/api/planning/budgets/2026").status_code == (200 if role in VIEWERS else 403)
    response = api(user, "PUT", "/api/planning/budgets/2026", {"sales_support": "90000", "pr": 45000})
    assert response.status_code == (200 if role in MANAGERS else 403)
    assert Budget.objects.get().sales_support == (90_000 if role in MANAGERS else 100_000)


def test_budget_validation(planned, cast, api):
    response = api(cast.sales_head, "PUT", "/api/planning/budgets/2026", {"sales_support": -5, "pr": 1})
    assert response.status_code == 422 and locs(response) == [["body", "sales_support"]]
    assert api(cast.sales_head, "PUT", "/api/planning/budgets/zwanzig", {"sales_support": 1, "pr": 1}
               ).status_code == 422
    assert api(cast.sales_head, "GET", "/api/planning/budgets/2027").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_plan_by_role(role, planned, cast, api):
    response = api(getattr(cast, role), "GET", "/api/planning/plan", {"period": "2026"})
    assert response.status_code == 200
    data = response.json()
    managers = {m["manager"] for m in data["managers"]}
    if role in VIEWERS:
        assert managers == {cast.owner.pk, cast.outsider.pk} and data["hours_required"] == pytest.approx(160)
    else:
        assert managers == ({getattr(cast, role).pk} & {cast.owner.pk, cast.outsider.pk})
        assert data["hours_required"] is None


def test_scenario_lifecycle(planned, cast, api):
    created = api(cast.sales_head, "POST", "/api/planning/scenarios", {
        "name": "Budget −20 %", "period": "2026", "parameters": {"budget_factor": {"support": 0.8, "pr": 0.8}}})
    assert created.status_code == 202, created.content
    assert created.json()["kind"] == "scenario" and created.json()["record"].startswith("/api/planning/scenarios/")
    body = job_result(api, cast.sales_head, created)
    assert body["computed"] and body["support_budget"] == pytest.approx(80_000) and body["what_ifs"] == ["budget −20 %"]
    assert body["contribution"] > 0 and body["support_price"] > 0 and body["extra_manager_value"] > 0
    scenario_id = body["id"]
    managers = api(cast.read_only, "GET", f"/api/planning/scenarios/{scenario_id}/managers").json()
    assert {m["name"] for m in managers} == {"Owner Test", "Outsider Test"}
    assert any(m["hour_price"] > 0 for m in managers)
    accounts = api(cast.marketing, "GET", f"/api/planning/scenarios/{scenario_id}/accounts", {"limit": 2})
    assert accounts.json()["count"] == 6 and len(accounts.json()["items"]) == 2
    base = job_result(api, cast.sales_head, api(cast.sales_head, "POST", "/api/planning/scenarios",
                                                {"name": "Basis", "period": "2026"}))
    compared = api(cast.read_only, "GET", "/api/planning/scenarios/compare", {"s": [base["id"], scenario_id]})
    assert compared.status_code == 200
    rows = {r["figure"]: r["values"] for r in compared.json()["rows"]}
    assert rows["support_budget"] == [pytest.approx(100_000), pytest.approx(80_000)]
    assert rows["contribution"][0] > rows["contribution"][1]
    applied = finished_job(api, cast.sales_head, api(cast.sales_head, "POST", f"/api/planning/scenarios/{scenario_id}/apply"))
    assert applied["kind"] == "scenario_apply" and applied["result"] == f"/api/planning/scenarios/{scenario_id}"
    assert "for 6 accounts" in applied["message"]
    assert api(cast.read_only, "GET", applied["result"]).json()["status"] == "applied"
    assert AccountPlan.objects.filter(scenario_id=scenario_id).count() == 6
    assert api(cast.sales_head, "DELETE", f"/api/planning/scenarios/{scenario_id}").status_code == 403
    assert api(cast.sales_head, "DELETE", f"/api/planning/scenarios/{base['id']}").status_code == 204


@pytest.mark.parametrize("role", ROLES)
def test_scenarios_by_role(role, planned, cast, api):
    user = getattr(cast, role)
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    assert api(user, "GET", "/api/planning/scenarios").status_code == (200 if role in VIEWERS else 403)
    assert api(user, "GET", f"/api/planning/scenarios/{scenario.pk}").status_code == (200 if role in VIEWERS else 403)
    created = api(user, "POST", "/api/planning/scenarios", {"name": "Neu", "period": "2026"})
    assert created.status_code == (202 if role in MANAGERS else 403)
    assert api(user, "POST", "/api/planning/scenarios", {"name": "Leer", "period": "2026", "compute": False}
               ).status_code == (201 if role in MANAGERS else 403)
    assert api(user, "POST", f"/api/planning/scenarios/{scenario.pk}/compute").status_code == (
        202 if role in MANAGERS else 403)
    assert api(user, "POST", f"/api/planning/scenarios/{scenario.pk}/apply").status_code == (
        202 if role in MANAGERS else 403)
    # Refused requests queue nothing; each job is seen by the one who started it (and the admin).
    from kundennetz.core.models import Job

    jobs = list(Job.objects.all())
    assert all(job.created_by == user and job.status == "done" for job in jobs)
    assert len(jobs) == (3 if role in MANAGERS else 0)
    if jobs and role != "admin":
        assert api(cast.owner, "GET", f"/api/jobs/{jobs[0].pk}").status_code == 404


@pytest.mark.parametrize("parameters, loc", [
    ({"budget_factor": {"support": -1, "pr": 1}}, ["body", "parameters", "budget_factor", "support"]),
    ({"extra_managers": [{"hours": "viel"}]}, ["body", "parameters", "extra_managers", 0, "hours"]),
    ({"removed_managers": "alle"}, ["body", "parameters", "removed_managers"]),
    ({"visits": 3}, ["body", "parameters", "visits"]),
    ({"unknown": 1}, ["body", "parameters", "unknown"]),
])
def test_bad_what_ifs_answer_422(planned, cast, api, parameters, loc):
    response = api(cast.sales_head, "POST", "/api/planning/scenarios", {"name": "X", "period": "2026",
                                                                         "parameters": parameters})
    assert response.status_code == 422, response.content
    assert loc in locs(response)
    assert not Scenario.objects.exists()


def test_bad_scenario_bodies(planned, cast, api):
    assert api(cast.sales_head, "POST", "/api/planning/scenarios", {"name": "X", "period": "2026",
                                                                     "parameters": [1]}).status_code == 422
    assert api(cast.sales_head, "POST", "/api/planning/scenarios", {"name": "", "period": "x"}).status_code == 422
    services.create_scenario("X", planned["period"], {}, cast.sales_head)
    duplicate = api(cast.sales_head, "POST", "/api/planning/scenarios", {"name": "X", "period": "2026"})
    assert duplicate.status_code == 422 and locs(duplicate) == [["body", "name"]]
    assert api(cast.sales_head, "GET", "/api/planning/scenarios/compare", {"s": [1]}).status_code == 422
    assert api(cast.sales_head, "GET", "/api/planning/scenarios/compare",
               {"s": [1, 99999999999999999999]}).status_code == 422


def test_infeasible_answers_409_naming_the_conflict(planned, cast, api):
    planned["capacities"]["owner"].delete()
    created = api(cast.sales_head, "POST", "/api/planning/scenarios", {"name": "Ohne", "period": "2026"})
    job = finished_job(api, cast.sales_head, created, status="failed")
    assert "No plan meets every minimum" in job["reason"] and "Owner Test" in job["reason"] and job["result"] is None
    body = api(cast.sales_head, "GET", job["record"]).json()
    assert not body["computed"] and body["conflicts"][0]["name"] == "Owner Test"
    assert body["conflicts"][0]["message"].startswith("Owner Test: the minimum hours of their accounts total 60.3 h")
    computed = finished_job(api, cast.sales_head, api(cast.sales_head, "POST",
                                                      f"/api/planning/scenarios/{body['id']}/compute"), status="failed")
    assert "Owner Test" in computed["reason"]
    assert api(cast.sales_head, "GET", job["record"]).json()["conflicts"][0]["available"] == 0
    refused = api(cast.sales_head, "POST", f"/api/planning/scenarios/{body['id']}/apply")
    assert refused.status_code == 409 and not AccountPlan.objects.exists()
    assert "computed scenario" in refused.json()["detail"]


def test_patching_what_ifs_drops_the_result(planned, cast, api):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    response = api(cast.sales_head, "PATCH", f"/api/planning/scenarios/{scenario.pk}",
                   {"parameters": {"budget_factor": 0.5}})
    assert response.status_code == 200 and not response.json()["computed"]
    assert response.json()["parameters"] == {"budget_factor": {"support": 0.5, "pr": 0.5}}
    recomputed = job_result(api, cast.sales_head, api(cast.sales_head, "POST", f"/api/planning/scenarios/{scenario.pk}/compute"))
    assert recomputed["support_budget"] == pytest.approx(50_000)


@pytest.mark.parametrize("role, status", [("admin", 200), ("sales_head", 200), ("owner", 200), ("team_member", 200),
                                          ("outsider", 404), ("marketing", 200), ("read_only", 200)])
def test_plan_of_an_account(role, status, planned, cast, api):
    scenario = services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    account = planned["accounts"]["muster"]
    draft = api(getattr(cast, role), "GET", f"/api/planning/accounts/{account.pk}/plan", {"period": "2026"})
    assert draft.status_code == status
    if status == 200:
        assert draft.json()["plan"] is None and draft.json()["intensity"]["key"] == "group:mid_market"
        assert (draft.json()["recommendation"] is not None) == (role in VIEWERS)
    services.apply_scenario(scenario, cast.sales_head)
    applied = api(getattr(cast, role), "GET", f"/api/planning/accounts/{account.pk}/plan")
    if status == 200:
        data = applied.json()
        assert data["period"] == "2026" or data["plan"] is None  # the current year may differ from 2026
        plan = api(getattr(cast, role), "GET", f"/api/planning/accounts/{account.pk}/plan", {"period": "2026"}).json()
        assert plan["plan"]["contacts"] == AccountPlan.objects.get(account=account).contacts
        assert plan["recommendation"]["applied"]


@pytest.mark.parametrize("role, status", [("admin", 200), ("sales_head", 200), ("owner", 200),
                                          ("team_member", 200), ("outsider", 404), ("marketing", 403),
                                          ("read_only", 403)])
def test_estimates_by_role(role, status, planned, cast, api):
    account = planned["accounts"]["muster"]
    response = api(getattr(cast, role), "PUT", f"/api/planning/accounts/{account.pk}/estimates/2026", {
        "current_hours": 30, "at_zero": 20000, "at_current": 45000, "at_150": 52000, "at_saturation": 60000})
    assert response.status_code == status
    if status == 200:
        assert response.json()["m"] == pytest.approx(40_200, rel=0.01)
        assert ResponseEstimate.objects.get().created_by == getattr(cast, role)


def test_bad_estimates(planned, cast, api):
    account = planned["accounts"]["muster"]
    response = api(cast.owner, "PUT", f"/api/planning/accounts/{account.pk}/estimates/2026", {
        "current_hours": 30, "at_zero": 20000, "at_current": 45000, "at_150": 40000, "at_saturation": 60000})
    assert response.status_code == 422 and locs(response) == [["body", "at_150"]]
    response = api(cast.owner, "PUT", f"/api/planning/accounts/{account.pk}/estimates/2026", {
        "current_hours": 0, "at_zero": 1, "at_current": 2, "at_150": 3, "at_saturation": 4})
    assert response.status_code == 422 and ["body", "current_hours"] in locs(response)
    assert not ResponseEstimate.objects.exists()


def test_unknown_ids_are_404(planned, cast, api):
    assert api(cast.sales_head, "GET", "/api/planning/scenarios/999").status_code == 404
    assert api(cast.sales_head, "GET", "/api/planning/capacities/999").status_code == 404
    assert api(cast.sales_head, "GET", "/api/planning/accounts/999/plan").status_code == 404


@pytest.mark.parametrize("path", ["/api/planning/scenarios/99999999999999999999",
                                  "/api/planning/capacities/99999999999999999999",
                                  "/api/planning/accounts/99999999999999999999/plan",
                                  "/api/planning/capacities?manager=99999999999999999999",
                                  "/api/planning/scenarios/99999999999999999999/accounts"])
def test_huge_ids_are_refused_not_crashed(planned, cast, api, path):
    assert api(cast.sales_head, "GET", path).status_code in (404, 422)


def test_huge_ids_on_pages(planned, cast, client_for):
    client = client_for(cast.sales_head)
    assert client.get("/planning/scenarios/99999999999999999999/").status_code == 404
    assert client.get("/planning/scenarios/compare/?s=99999999999999999999&s=1").status_code == 302


def test_api_reads_of_a_period_nobody_planned_write_no_period(planned, cast, api):
    from kundennetz.planning.models import Period

    account = planned["accounts"]["alpha"]
    before = set(Period.objects.values_list("code", flat=True))
    plan = api(cast.sales_head, "GET", "/api/planning/plan", {"period": "2032"})
    assert plan.status_code == 200 and plan.json()["period"] == "2032"
    response = api(cast.owner, "GET", f"/api/planning/accounts/{account.pk}/plan", {"period": "2032-Q1"})
    assert response.status_code == 200 and response.json()["plan"] is None
    assert api(cast.sales_head, "GET", "/api/planning/plan", {"period": "20x"}).status_code == 422
    assert set(Period.objects.values_list("code", flat=True)) == before
