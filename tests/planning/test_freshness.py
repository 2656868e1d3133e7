"""A scenario says as of when it was computed and whether anything it reads changed since: on its page, in
the scenario list and in the API; applying it keeps it fresh and puts the period's other scenarios out of
date (they compared with another plan)."""

import pytest

from kundennetz.core import tunables
from kundennetz.core.tunables.schemas import PlanningFigures
from kundennetz.planning import services
from kundennetz.planning.models import Capacity, Scenario
from kundennetz.portfolio.services import set_override

pytestmark = pytest.mark.django_db


def scenario(planned, user, name="Basis", **parameters):
    return services.create_scenario(name, planned["period"], parameters, user)


def test_computed_scenario_is_fresh_with_its_time(planned, cast):
    made = scenario(planned, cast.sales_head)
    status = services.freshness_of(made)
    assert status.when == made.computed_at and not status.out_of_date and not status.live


@pytest.mark.parametrize("change", ["capacity", "override", "setting"])
def test_out_of_date_when_an_input_changes(planned, cast, change):
    made = scenario(planned, cast.sales_head)
    if change == "capacity":
        record = Capacity.objects.get(pk=planned["capacities"]["owner"].pk)
        record.note = "mehr Zeit"
        record.save()
    elif change == "override":
        set_override(planned["accounts"]["beta"], cast.sales_head, "big_step_or_out", "Board decision")
    else:
        tunables.save(PlanningFigures, tunables.get(PlanningFigures).model_dump(), cast.admin, "test")
    assert services.is_stale(made)


def test_applying_keeps_the_plan_fresh_and_dates_the_others(planned, cast):
    base = scenario(planned, cast.sales_head)
    other = scenario(planned, cast.sales_head, "Weniger Budget", budget_factor={"support": 0.8, "pr": 0.8})
    services.apply_scenario(base, cast.sales_head)
    assert not services.is_stale(Scenario.objects.get(pk=base.pk))
    assert services.is_stale(Scenario.objects.get(pk=other.pk))
    assert services.refresh_if_stale() is True
    assert not services.is_stale(Scenario.objects.get(pk=other.pk))
    assert services.refresh_if_stale() is False


def test_applying_again_replaces_the_plans_in_one_delete_and_counts_it(planned, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kundennetz.core.models import ChangeCounter
    from kundennetz.planning.models import AccountPlan

    base = scenario(planned, cast.sales_head)
    written = services.apply_scenario(base, cast.sales_head)
    assert written and AccountPlan.objects.count() == written
    counted = ChangeCounter.objects.filter(label="planning.accountplan").values_list("changes", flat=True).first()
    with CaptureQueriesContext(connection) as queries:
        services.apply_scenario(Scenario.objects.get(pk=base.pk), cast.sales_head)
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("DELETE")
               and AccountPlan._meta.db_table in q["sql"]]
    assert len(deletes) == 1 and AccountPlan.objects.count() == written
    assert ChangeCounter.objects.get(label="planning.accountplan").changes == (counted or 0) + 1


def test_page_list_and_api_say_as_of_and_out_of_date(planned, cast, client_for, api):
    made = scenario(planned, cast.sales_head)
    client = client_for(cast.sales_head)
    page = client.get(f"/planning/scenarios/{made.pk}/").content.decode()
    assert 'data-out-of-date="false"' in page
    record = Capacity.objects.get(pk=planned["capacities"]["owner"].pk)
    record.note = "mehr Zeit"
    record.save()
    page = client.get(f"/planning/scenarios/{made.pk}/").content.decode()
    assert 'data-out-of-date="true"' in page and "out of date" in page
    assert f'action="/planning/scenarios/{made.pk}/compute/"' in page
    listing = client.get("/planning/?period=2026").content.decode()
    assert 'data-out-of-date="true"' in listing
    out = api(cast.sales_head, "GET", f"/api/planning/scenarios/{made.pk}").json()
    assert out["out_of_date"] is True and out["as_of"]
    items = api(cast.sales_head, "GET", "/api/planning/scenarios").json()["items"]
    assert [item["out_of_date"] for item in items] == [True]
