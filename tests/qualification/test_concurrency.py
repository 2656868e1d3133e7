"""Looking at a checklist stores nothing; two people answering the same question do not overwrite unseen."""

import re

import pytest
from django.urls import reverse

from kundennetz.qualification import services
from kundennetz.qualification.models import Answer, Checklist, PursuitDecision

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def url(name, opportunity):
    return reverse(f"qualification:{name}", args=[opportunity.pk])


@pytest.mark.parametrize("role", ["read_only", "marketing", "owner", "sales_head", "admin", "team_member"])
def test_opening_the_checklist_page_creates_no_checklist(client_for, cast, network, role):
    client = client_for(getattr(cast, role))
    for name in ("checklist", "sheet"):
        response = client.get(url(name, network.opportunity))
        assert response.status_code == 200, name
    assert not Checklist.objects.filter(opportunity=network.opportunity).exists()


def test_the_first_answer_creates_the_checklist_with_its_author(client_for, cast, network):
    client_for(cast.team_member).post(url("answer", network.opportunity),
                                      {"question_id": "competition", "value": "no"}, **HX)
    checklist = Checklist.objects.get(opportunity=network.opportunity)
    assert checklist.created_by == cast.team_member
    assert checklist.answers.get().value == "no"


def test_a_refused_decision_creates_no_checklist(client_for, cast, network):
    response = client_for(cast.read_only).post(url("decide", network.opportunity), {"decision": "pursue"})
    assert response.status_code == 403
    assert not Checklist.objects.exists() and not PursuitDecision.objects.exists()


def test_an_invalid_answer_creates_no_checklist(client_for, cast, network):
    client_for(cast.owner).post(url("answer", network.opportunity), {"question_id": "money.budget", "value": "viel"},
                                **HX)
    assert not Checklist.objects.exists()


def _version(html: str, question: str) -> str:
    form = html.split(f'id="f-{question}"')[1].split("</form>")[0]
    return re.search(r'name="version" value="(\d+)"', form).group(1)


def test_a_stale_answer_shows_theirs_and_saving_again_takes_over(client_for, cast, network, client):
    from django.test import Client

    mine, theirs = Client(), Client()
    mine.force_login(cast.owner)
    theirs.force_login(cast.team_member)
    seen = _version(mine.get(url("checklist", network.opportunity)).content.decode(), "competition")
    assert seen == "0"
    theirs.post(url("answer", network.opportunity), {"question_id": "competition", "value": "yes", "version": "0"}, **HX)

    response = mine.post(url("answer", network.opportunity),
                         {"question_id": "competition", "value": "no", "version": seen}, **HX)
    body = response.content.decode()
    assert "Someone else changed this answer" in body
    assert str(cast.team_member) in body  # whose answer it is now
    stored = Answer.objects.get(question_id="competition")
    assert (stored.value, stored.updated_by) == ("yes", cast.team_member)  # theirs kept
    # The form shown again carries the version now stored: saving once more takes over.
    again = _version(body, "competition")
    assert again == str(stored.version)
    mine.post(url("answer", network.opportunity), {"question_id": "competition", "value": "no", "version": again},
              **HX)
    stored.refresh_from_db()
    assert (stored.value, stored.updated_by) == ("no", cast.owner)


def test_ones_own_quick_successive_answers_are_no_conflict(client_for, cast, network):
    client = client_for(cast.owner)
    for value in ("yes", "no"):
        client.post(url("answer", network.opportunity), {"question_id": "need", "value": value, "version": "0"}, **HX)
    assert Answer.objects.get(question_id="need").value == "no"


def test_service_refuses_a_stale_version_from_another_person(cast, network):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    services.set_answer(checklist, "money", "yes", cast.owner)
    with pytest.raises(services.StaleAnswer):
        services.set_answer(checklist, "money", "no", cast.team_member, expected_version=0)
    assert Answer.objects.get(question_id="money").value == "yes"
