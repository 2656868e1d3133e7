"""The manual ratings page carries, per criterion, the version of the rating it showed (0: none yet) and,
signed, what it showed: a save from a stale page never overwrites a colleague's rating unseen.

Where the colleague's rating and the user's differ and both changed it, the page shows the conflict
(criterion, theirs, yours), saves nothing at all, and is based on what is stored now, so that saving once
more takes over."""

import pytest
from cast import ROLES, refused
from html_forms import form_data

from kundennetz.portfolio import services
from kundennetz.portfolio.models import ManualRating

pytestmark = pytest.mark.django_db


def url(network) -> str:
    return f"/portfolio/accounts/{network.account.pk}/ratings/"


def shown(page: str) -> dict:
    """Every value the page's form would send back unchanged (what a browser submits)."""
    return {name: values[-1] for name, values in form_data(page, 'name="original"').items()}


def stored(network, criterion):
    return ManualRating.objects.filter(account=network.account, criterion=criterion).values_list(
        "value", "note").first()


def test_the_page_carries_each_ratings_version(cast, network, client_for):
    services.set_rating(network.account, cast.owner, "strategic_fit", 3, "Unsure")
    version = ManualRating.objects.get(criterion="strategic_fit").version
    data = shown(client_for(cast.owner).get(url(network)).content.decode())
    assert data["version_strategic_fit"] == str(version)
    assert data["version_customer_satisfaction"] == "0"  # not rated yet
    assert data["value_strategic_fit"] == "3" and data["note_strategic_fit"] == "Unsure"
    assert data["original"]


def test_a_stale_save_shows_the_conflict_writes_nothing_and_saving_again_takes_over(cast, network, client_for):
    services.set_rating(network.account, cast.owner, "strategic_fit", 3, "Unsure")
    mine = shown(client_for(cast.owner).get(url(network)).content.decode())
    theirs = shown(client_for(cast.team_member).get(url(network)).content.decode())
    # The colleague changes one criterion and rates another for the first time.
    theirs.update(value_strategic_fit="5", note_strategic_fit="Won the pilot", value_customer_satisfaction="4")
    assert client_for(cast.team_member).post(url(network), theirs).status_code == 302
    # The owner, on the page opened before, rates both differently.
    mine.update(value_strategic_fit="2", note_strategic_fit="Lost the pilot", value_customer_satisfaction="1")
    response = client_for(cast.owner).post(url(network), mine)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in page
    row = page.split('data-field="value_strategic_fit"')[1].split("</tr>")[0]
    assert '<td class="theirs">5</td>' in row and '<td class="yours">2</td>' in row
    row = page.split('data-field="note_strategic_fit"')[1].split("</tr>")[0]
    assert "Won the pilot" in row and "Lost the pilot" in row
    assert 'data-field="value_customer_satisfaction"' in page  # created by the colleague meanwhile
    assert "Saved by Team_Member Test" in page
    # Nothing of the owner's is stored, not even a criterion without conflict.
    assert stored(network, "strategic_fit") == (5, "Won the pilot")
    assert stored(network, "customer_satisfaction") == (4, "")
    # The page is based on what is stored now and keeps the owner's values: saving again takes over.
    again = shown(page)
    assert again["version_strategic_fit"] == str(ManualRating.objects.get(criterion="strategic_fit").version)
    assert again["version_customer_satisfaction"] == str(
        ManualRating.objects.get(criterion="customer_satisfaction").version)
    assert (again["value_strategic_fit"], again["note_strategic_fit"]) == ("2", "Lost the pilot")
    assert client_for(cast.owner).post(url(network), again).status_code == 302
    assert stored(network, "strategic_fit") == (2, "Lost the pilot")
    assert stored(network, "customer_satisfaction") == (1, "")


def test_a_rating_removed_meanwhile_is_a_conflict(cast, network, client_for):
    services.set_rating(network.account, cast.owner, "strategic_fit", 3, "Unsure")
    mine = shown(client_for(cast.owner).get(url(network)).content.decode())
    services.set_rating(network.account, cast.team_member, "strategic_fit", None)
    mine.update(value_strategic_fit="4")
    response = client_for(cast.owner).post(url(network), mine)
    assert response.status_code == 200 and 'data-field="value_strategic_fit"' in response.content.decode()
    assert stored(network, "strategic_fit") is None
    assert shown(response.content.decode())["version_strategic_fit"] == "0"


def test_what_a_stale_page_did_not_change_is_no_conflict(cast, network, client_for):
    services.set_rating(network.account, cast.owner, "strategic_fit", 3, "Unsure")
    mine = shown(client_for(cast.owner).get(url(network)).content.decode())
    # Meanwhile a colleague changes strategic fit and rates satisfaction exactly as the owner will.
    services.set_rating(network.account, cast.team_member, "strategic_fit", 5, "Won the pilot")
    services.set_rating(network.account, cast.team_member, "customer_satisfaction", 4, "Survey")
    # The owner sends strategic fit back as shown (untouched) and rates satisfaction the same as the colleague.
    mine.update(value_customer_satisfaction="4", note_customer_satisfaction="Survey")
    response = client_for(cast.owner).post(url(network), mine)
    assert response.status_code == 302
    assert stored(network, "strategic_fit") == (5, "Won the pilot")  # the colleague's change stands
    assert stored(network, "customer_satisfaction") == (4, "Survey")
    history = ManualRating.history.filter(account_id=network.account.pk)
    assert not history.filter(history_user=cast.owner, criterion="customer_satisfaction").exists()


def test_only_the_user_changed_it_is_saved_on_a_stale_page(cast, network, client_for):
    services.set_rating(network.account, cast.owner, "strategic_fit", 3, "Unsure")
    mine = shown(client_for(cast.owner).get(url(network)).content.decode())
    services.set_rating(network.account, cast.team_member, "customer_satisfaction", 2, "")
    mine.update(value_strategic_fit="4", note_strategic_fit="Pilot went well")
    assert client_for(cast.owner).post(url(network), mine).status_code == 302
    assert stored(network, "strategic_fit") == (4, "Pilot went well")
    assert stored(network, "customer_satisfaction") == (2, "")  # the colleague's first rating stands


def test_the_service_refuses_a_rating_based_on_another_version(cast, network):
    from kundennetz.core.models import StaleVersion

    rating = services.set_rating(network.account, cast.owner, "strategic_fit", 3, "")
    with pytest.raises(StaleVersion):
        services.set_rating(network.account, cast.owner, "strategic_fit", 4, "", based_on=rating.version - 1)
    with pytest.raises(StaleVersion):
        services.set_rating(network.account, cast.owner, "customer_satisfaction", 4, "", based_on=1)
    with pytest.raises(StaleVersion):
        services.set_rating(network.account, cast.owner, "strategic_fit", None, based_on=0)
    assert stored(network, "strategic_fit") == (3, "") and stored(network, "customer_satisfaction") is None


@pytest.mark.parametrize("bad", [{"value_strategic_fit": "9"}, {"version_strategic_fit": "x"},
                                 {"version_strategic_fit": "-1"}, {"original": "forged"}])
def test_bad_input_gives_a_message_not_an_error(bad, cast, network, client_for):
    data = shown(client_for(cast.owner).get(url(network)).content.decode())
    data.update({"value_strategic_fit": "4", **bad})
    response = client_for(cast.owner).post(url(network), data)
    if "original" in bad:  # a forged original only loses the merge; the versions still guard
        assert response.status_code == 302 and stored(network, "strategic_fit")[0] == 4
        return
    assert response.status_code == 200 and response.context["form"].errors
    assert stored(network, "strategic_fit") is None


@pytest.mark.parametrize("role", ROLES)
def test_who_may_rate_on_the_page(role, cast, network, client_for):
    client = client_for(getattr(cast, role))
    if role in {"owner", "team_member", "sales_head", "admin"}:
        data = shown(client.get(url(network)).content.decode())
        data.update(value_strategic_fit="4")
        assert client.post(url(network), data).status_code == 302
        assert stored(network, "strategic_fit")[0] == 4
    else:
        assert client.get(url(network)).status_code == refused(role)
        assert client.post(url(network), {"version_strategic_fit": "0", "value_strategic_fit": "4"}).status_code \
            == refused(role)
        assert not ManualRating.objects.exists()
