"""Texts on the opportunity and checklist pages that read right in both languages."""

import re

import pytest
from django.urls import reverse

from kundennetz.qualification import services

pytestmark = pytest.mark.django_db

HEADLINES_OFFER = {"aspiration": "yes", "solution": "yes", "competition": "no", "only_me": "yes",
                   "time_scale": "yes", "money": "yes", "authority": "yes", "need": "yes"}


def plain(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "offer recommended; {n} detail questions still open"),
    ("de-ch", "Angebot empfohlen; {n} Detailfragen noch offen"),
])
def test_an_offer_with_open_detail_questions_does_not_read_as_a_contradiction(cast, network, client_for,
                                                                               language, expected):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    for key, value in HEADLINES_OFFER.items():
        services.set_answer(checklist, key, value, cast.owner)
    checklist.refresh_from_db()
    assert checklist.recommendation == "offer" and checklist.open_points > 1
    cast.owner.language = language
    cast.owner.save()
    page = plain(client_for(cast.owner).get(network.opportunity.get_absolute_url()))
    assert expected.format(n=checklist.open_points) in page
    assert "points to clarify" not in page and "Punkte zu klären" not in page


def test_a_checklist_to_clarify_names_the_points(cast, network, client_for):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    services.set_answer(checklist, "aspiration", "yes", cast.owner)
    checklist.refresh_from_db()
    page = plain(client_for(cast.owner).get(network.opportunity.get_absolute_url()))
    assert f"{checklist.open_points} points to clarify with the customer" in page


def test_answer_history_column_is_a_noun_in_german(cast, network, client_for):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    services.set_answer(checklist, "aspiration", "yes", cast.owner)
    cast.owner.language = "de-ch"
    cast.owner.save()
    page = client_for(cast.owner).get(reverse("qualification:checklist", args=[network.opportunity.pk]))
    history = page.content.decode().split('id="history"')[1]
    assert "<th>Änderung</th>" in history and "<th>Ändern</th>" not in history


def test_token_hint_shows_the_header_escaped(cast, client_for):
    page = client_for(cast.owner).get(reverse("profile")).content.decode()
    assert "Authorization: Bearer &lt;token&gt;" in page
