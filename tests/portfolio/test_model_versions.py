"""The scoring model page carries the version it showed: a save based on an older version is refused
with what differs (part of the model, theirs, yours) instead of replacing a colleague's newer version."""

import json

import pytest

from kundennetz.portfolio import services
from kundennetz.portfolio.models import ScoringModel

pytestmark = pytest.mark.django_db
URL = "/portfolio/model/edit/"


def test_the_page_carries_the_version_it_shows(cast, client_for):
    page = client_for(cast.sales_head).get(URL).content.decode()
    assert page.count(f'name="based_on" value="{ScoringModel.current().version}"') == 2  # both forms


def test_a_stale_json_save_shows_the_difference_and_saving_again_takes_over(cast, client_for):
    cast.sales_head.language = "en"
    cast.sales_head.save()
    client = client_for(cast.sales_head)
    first = ScoringModel.current()
    theirs = {**first.definition, "min_coverage": 0.4}
    services.publish_model(theirs, cast.admin, "colleague", based_on=first.version)
    mine = {**first.definition, "min_coverage": 0.7}
    response = client.post(URL, {"action": "json", "based_on": first.version, "definition": json.dumps(mine),
                                 "comment": "mine"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in page
    row = page.split('data-field="min_coverage"')[1].split("</tr>")[0]
    assert '<td class="theirs">0.4</td>' in row and '<td class="yours">0.7</td>' in row
    assert ScoringModel.objects.count() == 2  # mine not stored
    assert f'name="based_on" value="{first.version + 1}"' in page  # shown again based on theirs
    response = client.post(URL, {"action": "json", "based_on": first.version + 1, "definition": json.dumps(mine),
                                 "comment": "mine"})
    assert response.status_code == 302
    assert ScoringModel.current().rules.min_coverage == 0.7


def test_the_service_refuses_a_version_based_on_an_old_one(cast):
    first = ScoringModel.current()
    services.publish_model(first.definition, cast.admin, "second", based_on=first.version)
    with pytest.raises(services.StaleModel):
        services.publish_model(first.definition, cast.admin, "stale", based_on=first.version)
    assert ScoringModel.objects.count() == 2


def test_a_stale_override_form_shows_the_conflict_and_saving_again_takes_over(cast, client_for, network):
    from kundennetz.portfolio.models import StrategyOverride

    url = f"/portfolio/accounts/{network.account.pk}/override/"
    client = client_for(cast.sales_head)
    page = client.get(url).content.decode()
    assert 'name="version" value="0"' in page  # no override yet
    client_for(cast.admin).post(url, {"version": "0", "strategy": "hold_and_expand", "reason": "Board"})
    response = client_for(cast.sales_head).post(url, {"version": "0", "strategy": "big_step_or_out",
                                                      "reason": "Mine"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in body and 'data-field="reason"' in body
    assert StrategyOverride.objects.get(account=network.account).reason == "Board"
    stored = StrategyOverride.objects.get(account=network.account).version
    assert f'name="version" value="{stored}"' in body
    again = client.post(url, {"version": str(stored), "strategy": "big_step_or_out", "reason": "Mine"})
    assert again.status_code == 302
    assert StrategyOverride.objects.get(account=network.account).reason == "Mine"
