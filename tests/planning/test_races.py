"""Planning writes arriving at the same moment (real threads on PostgreSQL): no server error, one record."""

import json

import pytest
from django.test import Client
from threads import at_once, needs_real_database

from kundennetz.core.models import ApiToken, Job
from kundennetz.planning.models import AccountPlan, Budget, ResponseEstimate, Scenario

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), needs_real_database()]

N = 5


def _api(user):
    raw = ApiToken.issue(user, "race")[1]

    def call(method, path, data=None):
        client = Client()
        body = json.dumps(data) if data is not None else None
        send = getattr(client, method.lower())
        if body is None:
            return send(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
        return send(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")

    return call


def test_estimates_entered_at_the_same_moment(planned, cast):
    api = _api(cast.owner)
    account = planned["accounts"]["muster"]
    path = f"/api/planning/accounts/{account.pk}/estimates/2026"
    responses = at_once(N, lambda i: api("PUT", path, {"current_hours": 30, "at_zero": 20000 + i,
                                                       "at_current": 45000, "at_150": 52000,
                                                       "at_saturation": 60000}))
    assert [r.status_code for r in responses] == [200] * N
    assert ResponseEstimate.objects.filter(account=account).count() == 1


def test_a_new_budget_set_at_the_same_moment(planned, cast):
    Budget.objects.all().delete()
    api = _api(cast.sales_head)
    responses = at_once(N, lambda i: api("PUT", "/api/planning/budgets/2026", {"sales_support": 1000 + i, "pr": 50}))
    assert [r.status_code for r in responses] == [200] * N
    assert Budget.objects.count() == 1


def test_scenarios_computed_and_applied_at_the_same_moment(planned, cast):
    api = _api(cast.sales_head)
    ids = [api("POST", "/api/planning/scenarios", {"name": f"S{i}", "period": "2026", "compute": False}).json()["id"]
           for i in range(2)]
    # Each answers 202 with its job (run at once here, in the request's thread: the tests' task backend).
    computed = at_once(4, lambda i: api("POST", f"/api/planning/scenarios/{ids[i % 2]}/compute"))
    assert [r.status_code for r in computed] == [202] * 4
    assert {Job.objects.get(pk=r.json()["id"]).status for r in computed} <= {"done", "failed"}
    if not all(Scenario.objects.get(pk=pk).is_computed for pk in ids):
        pytest.skip("the test network has no feasible plan to apply")
    applied = at_once(4, lambda i: api("POST", f"/api/planning/scenarios/{ids[i % 2]}/apply"))
    assert [r.status_code for r in applied] == [202] * 4
    assert {Job.objects.get(pk=r.json()["id"]).status for r in applied} == {"done"}
    plans = AccountPlan.objects.filter(period=planned["period"])
    assert plans.count() == plans.values("account").distinct().count() > 0
    assert plans.values("scenario").distinct().count() == 1  # one scenario's plan, never a mix
