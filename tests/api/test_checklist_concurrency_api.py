"""The checklist through the API: reading stores nothing; answering again honours If-Match."""

import pytest

from kundennetz.qualification.models import Answer, Checklist

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["read_only", "marketing", "owner"])
def test_reading_the_checklist_through_the_api_creates_none(api, cast, network, role):
    user = getattr(cast, role)
    for path in ("checklist", "checklist/history"):
        response = api(user, "GET", f"/api/opportunities/{network.opportunity.pk}/{path}")
        assert response.status_code == 200, response.content
    body = api(user, "GET", f"/api/opportunities/{network.opportunity.pk}/checklist").json()
    assert body["evaluation"]["recommendation"] == "clarify"
    assert not Checklist.objects.filter(opportunity=network.opportunity).exists()


def test_api_answer_if_match(api, cast, network):
    base = f"/api/opportunities/{network.opportunity.pk}/checklist/answers/competition"
    first = api(cast.owner, "PUT", base, {"value": "no"})
    version = first.json()["answer"]["version"]
    assert api(cast.team_member, "PUT", base, {"value": "yes"}, HTTP_IF_MATCH='"bogus"').status_code == 412
    assert api(cast.team_member, "PUT", base, {"value": "yes"}, HTTP_IF_MATCH=f'"{version + 1}"').status_code == 412
    assert Answer.objects.get(question_id="competition").value == "no"
    assert api(cast.team_member, "PUT", base, {"value": "yes"}, HTTP_IF_MATCH=f'"{version}"').status_code == 200
    missing = f"/api/opportunities/{network.opportunity.pk}/checklist/answers/need"
    assert api(cast.owner, "PUT", missing, {"value": "yes"}, HTTP_IF_MATCH='"1"').status_code == 412
