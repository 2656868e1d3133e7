"""The settings service: defaults, versions with history, validation with translated messages, the page."""

import json

import pytest
from django.utils import translation
from pydantic import ValidationError

from kundennetz.core import tunables
from kundennetz.core.tunables.models import TunableVersion
from kundennetz.core.tunables.schemas import (
    ALL,
    ConsistencyWeights,
    DefaultIntensities,
    PlanningFigures,
    ReminderWindow,
)


@pytest.fixture(autouse=True)
def _fresh():
    tunables.clear_cache()
    yield
    tunables.clear_cache()


def test_every_tunable_has_valid_defaults_and_a_name():
    assert len({m.NAME for m in ALL}) == len(ALL)
    for model in ALL:
        assert model.model_validate(model().model_dump(mode="json")) == model()


@pytest.mark.django_db
def test_the_data_migration_stored_the_defaults_as_version_one():
    for model in ALL:
        row = TunableVersion.objects.get(name=model.NAME, version=1)
        assert model.model_validate(row.data) == model()
        assert tunables.version(model) == 1


@pytest.mark.django_db
def test_save_makes_a_new_version_read_by_get_and_keeps_the_history(cast):
    assert tunables.get(PlanningFigures).hours_per_day == 8.4
    data = {**PlanningFigures().model_dump(), "hours_per_day": 8.0}
    row = tunables.save(PlanningFigures, data, cast.admin, "shorter days")
    assert row.version == 2
    assert tunables.get(PlanningFigures).hours_per_day == 8.0
    assert [(v.version, v.reason) for v in tunables.history(PlanningFigures)] == [(2, "shorter days"), (1, "defaults")]


@pytest.mark.django_db
def test_invalid_data_is_refused_and_nothing_is_stored(cast):
    with pytest.raises(ValidationError) as caught:
        tunables.save(PlanningFigures, {"hours_per_day": 30}, cast.admin)
    assert TunableVersion.objects.filter(name="planning").count() == 1
    with translation.override("de"):
        assert tunables.messages(caught.value) == ["hours_per_day: muss höchstens 24.0 sein"]
    with translation.override("en"):
        assert tunables.messages(caught.value) == ["hours_per_day: must be at most 24.0"]


@pytest.mark.django_db
def test_rules_across_fields_are_checked_in_the_users_language():
    bad = DefaultIntensities().model_dump()
    bad["groups"]["small"]["contacts_per_year_max"] = 0.5
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        DefaultIntensities.model_validate(bad)
    assert "Kontakte pro Jahr (max.)" in tunables.messages(caught.value)[0]
    bad = ConsistencyWeights().model_dump()
    bad["key_people"] = {"ceo": 10}
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        ConsistencyWeights.model_validate(bad)
    assert "unknown role(s) ceo" in tunables.messages(caught.value)[0]


@pytest.mark.django_db
def test_a_stored_version_that_no_longer_validates_falls_back_to_the_defaults():
    TunableVersion.objects.create(name="reminders", version=9, data={"due_within_days": -3})
    assert tunables.get(ReminderWindow) == ReminderWindow()
    assert tunables.version(ReminderWindow) == 9


@pytest.mark.django_db
def test_one_query_per_request_for_a_tunable(cast, client_for, django_assert_max_num_queries):
    # What the request_started / request_finished receivers do (sending the signals themselves would
    # also close the test's database connection).
    tunables._request_started()
    try:
        tunables.get(ReminderWindow)
        with django_assert_max_num_queries(0):
            for _ in range(5):
                tunables.get(ReminderWindow)
    finally:
        tunables._request_finished()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["sales_head", "owner", "outsider", "marketing", "read_only"])
def test_only_admins_reach_the_settings_pages(cast, client_for, who):
    client = client_for(getattr(cast, who))
    for url in ("/settings/", "/settings/planning/", "/settings/permissions/"):
        assert client.get(url).status_code == 403
    assert client.post("/settings/planning/", {"document": "{}", "reason": "x"}).status_code == 403
    assert TunableVersion.objects.filter(name="planning").count() == 1


@pytest.mark.django_db
def test_admin_edits_a_setting_on_the_page(cast, client_for):
    client = client_for(cast.admin)
    assert client.get("/settings/").status_code == 200
    page = client.get("/settings/planning/")
    assert page.status_code == 200 and "8.4" in page.content.decode()
    doc = {**PlanningFigures().model_dump(), "hours_per_day": 7.5}
    response = client.post("/settings/planning/", {"document": json.dumps(doc), "reason": "new contract"})
    assert response.status_code == 302
    tunables.clear_cache()
    assert tunables.get(PlanningFigures).hours_per_day == 7.5
    assert "new contract" in client.get("/settings/planning/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("document, expected", [
    ("{not json", "Not valid JSON"),
    ("[1, 2]", "one JSON object"),
    ('{"hours_per_day": "many"}', "hours_per_day: must be a number"),
    ('{"hours_per_day": 8, "contact_hours_min": 5, "contact_hours_max": 1}', "contact_hours_max must not be below"),
    ('{"extra": 1}', "extra: is not a known setting"),
])
def test_the_page_explains_bad_input_and_stores_nothing(cast, client_for, document, expected):
    client = client_for(cast.admin)
    cast.admin.language = "en"
    cast.admin.save()
    response = client.post("/settings/planning/", {"document": document, "reason": "try"})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert TunableVersion.objects.filter(name="planning").count() == 1


@pytest.mark.django_db
def test_unknown_setting_is_404(cast, client_for):
    assert client_for(cast.admin).get("/settings/nope/").status_code == 404


@pytest.mark.django_db
def test_the_reminder_window_and_hours_per_day_follow_the_setting(cast):
    from kundennetz.interactions import services
    from kundennetz.planning.models import default_hours_per_day

    tunables.save(ReminderWindow, {"due_within_days": 14}, cast.admin)
    tunables.save(PlanningFigures, {**PlanningFigures().model_dump(), "hours_per_day": 8.0}, cast.admin)
    assert services.due_within_days() == 14
    assert str(default_hours_per_day()) == "8.00"


@pytest.mark.django_db
def test_consistency_and_planning_read_one_default_intensity_table(cast, network):
    from kundennetz.interactions import services
    from kundennetz.planning import services as planning

    table = DefaultIntensities().model_dump()
    table["groups"][""]["contacts_per_year_min"] = 3
    table["groups"][""]["contacts_per_year_max"] = 9
    tunables.save(DefaultIntensities, table, cast.admin)
    assert services.group_intensity(None).contacts_per_year_min == 3
    assert services.group_intensity("no-such-group").contacts_per_year_max == 9
    assert planning.default_groups()[""]["contacts_per_year_min"] == 3
