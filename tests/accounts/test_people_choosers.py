"""Choosers of people (an account's team, our people at an interaction) search instead of listing every
user: the page holds only the chosen ones, whatever the number of users; a search keeps the chosen ones
chosen; a submitted id is still checked against who may be chosen."""

import re

import pytest
from cast import make_user
from django.urls import reverse

from kundennetz.core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_managers(cast):
    User.objects.bulk_create([User(username=f"am-{n:03d}", first_name="Extra", last_name=f"Manager {n:03d}",
                                   role="account_manager", is_active=True) for n in range(300)])


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, name
    return match.group(1)


def test_the_team_chooser_holds_only_the_team(cast, network, many_managers, client_for):
    html = client_for(cast.owner).get(reverse("accounts:account_update", args=[network.account.pk])).content.decode()
    options = _select(html, "team")
    assert options.count("<option") == 1 and f'value="{cast.team_member.pk}"' in options and "selected" in options
    assert "Extra" not in html
    assert 'hx-get="/accounts/owner-choices/?scope=team&amp;keep=team"' in html or "scope=team&amp;keep=team" in html


def test_the_team_is_still_checked_when_saved(cast, network, client_for):
    outsider_marketing = make_user("mk2", role="marketing")
    url = reverse("accounts:account_update", args=[network.account.pk])
    client = client_for(cast.owner)
    page = client.get(url)
    form = page.context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name != "team"}
    data.update({"version": network.account.version, "owner": cast.owner.pk, "team": [outsider_marketing.pk]})
    response = client.post(url, {k: v for k, v in data.items() if v != ""} | {"team": [outsider_marketing.pk]})
    assert response.status_code == 200 and "team" in response.context["form"].errors
    assert list(network.account.team.all()) == [cast.team_member]


def test_a_user_who_may_not_change_the_team_sees_the_team_only(cast, network, many_managers, client_for):
    html = client_for(cast.team_member).get(
        reverse("accounts:account_update", args=[network.account.pk])).content.decode()
    assert "Extra" not in html and f'value="{cast.team_member.pk}"' in html


def test_our_people_chooser_holds_only_the_chosen(cast, network, many_managers, client_for):
    html = client_for(cast.owner).get(reverse("interactions:create") + f"?account={network.account.pk}").content.decode()
    options = _select(html, "our_people")
    assert options.count("<option") == 1 and f'value="{cast.owner.pk}"' in options
    assert "Extra" not in html


def test_a_search_keeps_the_chosen_ones_chosen(cast, many_managers, client_for):
    url = reverse("accounts:owner_choices")
    response = client_for(cast.owner).get(url, {"scope": "team", "keep": "team", "team": [cast.team_member.pk],
                                                "term": "am-01"})
    html = response.content.decode()
    first = re.findall(r'<option value="(\d*)"( selected)?', html)
    assert first[0] == (str(cast.team_member.pk), " selected")
    assert len(first) == 11  # the kept one, then Manager 010 … 019
    assert 'value=""' not in html  # a multiple chooser has no empty choice
    # Only account managers join a team; a marketing user sent along is not kept.
    kept = client_for(cast.owner).get(url, {"scope": "team", "keep": "team", "team": [cast.marketing.pk]})
    assert f'value="{cast.marketing.pk}" selected' not in kept.content.decode()


def test_our_people_search_finds_every_active_user(cast, client_for):
    url = reverse("accounts:owner_choices")
    html = client_for(cast.owner).get(url, {"scope": "people", "term": cast.marketing.username}).content.decode()
    assert f'value="{cast.marketing.pk}"' in html
