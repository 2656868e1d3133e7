"""Settings pages carry the version they showed: a save based on an older version never replaces a
colleague's newer one unseen (keys only one side changed are merged, keys both changed are shown)."""

import json
import re

import pytest

from kundennetz.core import tunables
from kundennetz.core.tunables.models import TunableVersion
from kundennetz.core.tunables.schemas import PlanningFigures

pytestmark = pytest.mark.django_db
URL = "/settings/planning/"


@pytest.fixture(autouse=True)
def _fresh():
    tunables.clear_cache()
    yield
    tunables.clear_cache()


def shown_version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def document(**changes) -> str:
    return json.dumps({**PlanningFigures().model_dump(mode="json"), **changes})


def test_the_page_carries_the_version_in_force(cast, client_for):
    page = client_for(cast.admin).get(URL).content.decode()
    assert shown_version(page) == str(tunables.version(PlanningFigures)) == "1"


def test_a_stale_save_of_the_same_key_shows_theirs_and_yours_and_stores_nothing(cast, client_for):
    cast.admin.language = "en"
    cast.admin.save()
    client = client_for(cast.admin)
    seen = shown_version(client.get(URL).content.decode())
    tunables.save(PlanningFigures, {**PlanningFigures().model_dump(), "hours_per_day": 7.0}, cast.sales_head,
                  "colleague")
    tunables.clear_cache()
    response = client.post(URL, {"version": seen, "document": document(hours_per_day=9.0), "reason": "mine"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in page
    row = page.split('data-field="hours_per_day"')[1].split("</tr>")[0]
    assert '<td class="theirs">7.0</td>' in row and '<td class="yours">9.0</td>' in row
    assert TunableVersion.objects.filter(name="planning").count() == 2  # theirs only, mine not stored
    # Shown again based on their version: saving once more takes over, knowingly.
    assert shown_version(page) == "2"
    assert client.post(URL, {"version": "2", "document": document(hours_per_day=9.0),
                             "reason": "mine"}).status_code == 302
    tunables.clear_cache()
    assert tunables.get(PlanningFigures).hours_per_day == 9.0


def test_a_stale_save_of_another_key_keeps_both_changes(cast, client_for):
    client = client_for(cast.admin)
    seen = shown_version(client.get(URL).content.decode())
    tunables.save(PlanningFigures, {**PlanningFigures().model_dump(), "hours_per_day": 7.0}, cast.sales_head,
                  "colleague")
    tunables.clear_cache()
    response = client.post(URL, {"version": seen, "document": document(budget_headroom=2.0), "reason": "mine"})
    assert response.status_code == 302
    tunables.clear_cache()
    saved = tunables.get(PlanningFigures)
    assert (saved.hours_per_day, saved.budget_headroom) == (7.0, 2.0)  # theirs kept, mine added


def test_the_service_refuses_a_save_based_on_an_old_version(cast):
    tunables.save(PlanningFigures, PlanningFigures().model_dump(), cast.admin, "second", based_on=1)
    with pytest.raises(tunables.StaleSettings):
        tunables.save(PlanningFigures, PlanningFigures().model_dump(), cast.admin, "stale", based_on=1)
    assert TunableVersion.objects.filter(name="planning").count() == 2
