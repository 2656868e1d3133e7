"""Web pages of interactions with the fixed cast: logging on the account page (HTMX and without), the
global log page, detail with history, edit, delete, the list, and bad input that saves nothing."""

from datetime import date, timedelta

import pytest
from cast import CHANGES, ROLES, SEES, expected_change
from django.urls import reverse
from django.utils import timezone

from kundennetz.accounts.models import Contact
from kundennetz.interactions.models import Interaction

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def form_data(network, **extra):
    data = {"type": "meeting", "date": timezone.localdate().isoformat(), "topics": "Jahresgespräch",
            "contacts": [network.contact.pk]}
    data.update(extra)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_panel_on_the_account_page(role, cast, network, client_for):
    client = client_for(getattr(cast, role))
    response = client.get(reverse("accounts:account_detail", args=[network.account.pk]))
    assert response.status_code == (200 if role in SEES else 404)
    if role in SEES:
        html = response.content.decode()
        assert 'id="consistency-panel"' in html
        assert ('id="quick-log"' in html) == (role in CHANGES)
    panel = client.get(reverse("interactions:account_panel", args=[network.account.pk]), **HTMX)
    assert panel.status_code == (200 if role in SEES else 404)


@pytest.mark.parametrize("role", ROLES)
def test_logging_on_the_account_page(role, cast, network, client_for):
    client = client_for(getattr(cast, role))
    url = reverse("interactions:account_log", args=[network.account.pk])
    response = client.post(url, form_data(network), **HTMX)
    assert response.status_code == expected_change(role, 200)
    assert Interaction.objects.count() == (1 if role in CHANGES else 0)
    if role in CHANGES:
        interaction = Interaction.objects.get()
        assert list(interaction.contacts.all()) == [network.contact]
        assert list(interaction.our_people.all()) == [getattr(cast, role)]
        html = response.content.decode()
        assert 'id="consistency-panel"' in html and "Jahresgespräch" in html
        assert interaction.history.count() == 1  # one history row with its people, not one per relation


def test_logging_raises_the_score_in_the_answer(cast, network, client_for, owner_history):
    import re

    owner_history(network.account, [(date(2023, 1, 1), cast.owner)])
    client = client_for(cast.owner)
    before = client.get(reverse("interactions:account_panel", args=[network.account.pk]), **HTMX).content.decode()
    after = client.post(reverse("interactions:account_log", args=[network.account.pk]),
                        form_data(network), **HTMX).content.decode()
    score = lambda html: int(re.search(r'data-score="(\d+)"', html).group(1))  # noqa: E731
    assert score(after) > score(before)


def test_logging_without_javascript_redirects_to_the_account(cast, network, client_for):
    client = client_for(cast.owner)
    response = client.post(reverse("interactions:account_log", args=[network.account.pk]), form_data(network))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/accounts/{network.account.pk}/#consistency-panel")


@pytest.mark.parametrize(("change", "field"), [
    ({"duration_minutes": "-5"}, "duration_minutes"),
    ({"duration_minutes": "20000"}, "duration_minutes"),
    ({"date": (timezone.localdate() + timedelta(days=800)).isoformat()}, "date"),
    ({"date": "1985-01-01"}, "date"),
    ({"date": "31.02.2026"}, "date"),
    ({"type": "fax"}, "type"),
    ({"follow_up_date": (timezone.localdate() - timedelta(days=3)).isoformat()}, "follow_up_date"),
    ({"contacts": ["999999"]}, "contacts"),
    ({"contacts": ["99999999999999999999999"]}, "contacts"),
    ({"opportunity": "99999999999999999999999"}, "opportunity"),
    ({"our_people": ["-1"]}, "our_people"),
])
def test_bad_input_saves_nothing(change, field, cast, network, client_for):
    client = client_for(cast.owner)
    response = client.post(reverse("interactions:account_log", args=[network.account.pk]),
                           form_data(network, **change), **HTMX)
    assert response.status_code == 200
    assert Interaction.objects.count() == 0
    assert list(response.context["form"].errors) == [field]
    assert "error-summary" in response.content.decode()


def test_a_person_of_another_account_is_refused(cast, network, client_for):
    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    client = client_for(cast.sales_head)
    response = client.post(reverse("interactions:account_log", args=[network.account.pk]),
                           form_data(network, contacts=[stranger.pk]), **HTMX)
    assert response.status_code == 200 and Interaction.objects.count() == 0
    assert list(response.context["form"].errors) == ["contacts"]


def test_an_opportunity_of_another_account_is_refused(cast, network, client_for):
    from kundennetz.accounts.models import Opportunity, Stage

    foreign = Opportunity.objects.create(account=network.other_account, title="Fremd", owner=cast.outsider,
                                         stage=Stage.objects.get(code="qualifying"))
    client = client_for(cast.sales_head)
    response = client.post(reverse("interactions:account_log", args=[network.account.pk]),
                           form_data(network, opportunity=foreign.pk), **HTMX)
    assert Interaction.objects.count() == 0
    assert list(response.context["form"].errors) == ["opportunity"]


def test_the_service_refuses_a_stranger_too(cast, network):
    from django.core.exceptions import ValidationError

    from kundennetz.interactions.services import save_interaction

    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    with pytest.raises(ValidationError) as error:
        save_interaction(Interaction(account=network.account, date=date(2026, 1, 5)), cast.owner,
                         contacts=[stranger])
    assert "contacts" in error.value.message_dict
    assert Interaction.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_global_log_page(role, cast, network, client_for):
    client = client_for(getattr(cast, role))
    url = reverse("interactions:create")
    creates = role in CHANGES or role == "outsider"
    assert client.get(url).status_code == (200 if creates else 403)
    data = {**form_data(network), "account": network.account.pk}
    response = client.post(url, data, **HTMX)
    if role in CHANGES:
        assert response.status_code == 200
        assert 'id="logged-score"' in response.content.decode()
        assert Interaction.objects.count() == 1
    elif role == "outsider":
        # Not an account they may add to: the choice is invalid, nothing saved.
        assert response.status_code == 200 and Interaction.objects.count() == 0
    else:
        assert response.status_code == 403


def test_global_log_page_offers_the_chosen_accounts_people(cast, network, client_for):
    client = client_for(cast.owner)
    html = client.get(reverse("interactions:create"), {"account": network.account.pk}).content.decode()
    assert "Anna Meier" in html


@pytest.fixture
def interaction(network, log):
    return log(network.account, date(2026, 1, 5), contacts=[network.contact], topics="Kick-off")


@pytest.mark.parametrize("role", ROLES)
def test_detail_edit_delete(role, cast, interaction, client_for):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("interactions:detail", args=[interaction.pk])).status_code == (
        200 if role in SEES else 404)
    edit = reverse("interactions:update", args=[interaction.pk])
    assert client.get(edit).status_code == expected_change(role, 200)
    response = client.post(edit, {"type": "call", "date": "2026-01-06", "topics": "Kick-off, verschoben",
                                  "contacts": [], "our_people": [cast.owner.pk]})
    assert response.status_code == expected_change(role, 302)
    interaction.refresh_from_db()
    assert (interaction.type == "call") == (role in CHANGES)
    delete = reverse("interactions:delete", args=[interaction.pk])
    assert client.post(delete).status_code == expected_change(role, 302)
    interaction.refresh_from_db()
    assert interaction.is_deleted == (role in CHANGES)


def test_history_shows_changed_people(cast, network, interaction, client_for):
    client = client_for(cast.owner)
    client.post(reverse("interactions:update", args=[interaction.pk]),
                {"type": "meeting", "date": "2026-01-05", "topics": "Kick-off", "contacts": [],
                 "our_people": [cast.owner.pk, cast.team_member.pk]})
    html = client.get(reverse("interactions:detail", args=[interaction.pk])).content.decode()
    assert "Anna Meier" in html and "Team_Member Test" in html
    assert interaction.history.count() == 2


def test_a_trashed_interaction_leaves_the_timeline(cast, network, interaction, client_for):
    client = client_for(cast.owner)
    client.post(reverse("interactions:delete", args=[interaction.pk]))
    html = client.get(reverse("interactions:account_panel", args=[network.account.pk])).content.decode()
    assert "Kick-off" not in html


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_the_timeline(cast, network, log, core_messages, client_for):
    client = client_for(cast.owner)
    log(network.account, date(2026, 1, 5), contacts=[network.contact], messages=[core_messages["quality"]])
    urls = [reverse("interactions:account_panel", args=[network.account.pk]), reverse("interactions:list"),
            reverse("accounts:account_detail", args=[network.account.pk])]
    few = [count_queries(client, url) for url in urls]
    extra = Contact.objects.create(account=network.account, last_name="Zweite", buying_role="influencer")
    for i in range(12):
        log(network.account, date(2026, 1, 6) + timedelta(days=i), contacts=[network.contact, extra],
            messages=list(core_messages.values()), people=[cast.owner, cast.team_member])
    many = [count_queries(client, url) for url in urls]
    assert many == few


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_visible_interactions(role, cast, network, log, client_for):
    log(network.account, date(2026, 1, 5), topics="Sichtbar?")
    html = client_for(getattr(cast, role)).get(reverse("interactions:list")).content.decode()
    assert ("Sichtbar?" in html) == (role in SEES)


def test_list_filters_and_bad_filters(cast, network, log, client_for):
    log(network.account, date(2026, 1, 5), topics="Alpha", type="call")
    log(network.account, date(2026, 2, 5), topics="Beta")
    client = client_for(cast.owner)
    url = reverse("interactions:list")
    assert "Beta" not in client.get(url, {"type": "call"}).content.decode()
    assert "Alpha" not in client.get(url, {"from": "2026-02-01"}).content.decode()
    # Nonsense in the filters is ignored, not an error.
    assert client.get(url, {"from": "2026-13-45", "type": "x", "account": "abc", "page": "zz"}).status_code == 200
    assert client.get(url, {"account": "9" * 30}).status_code == 200
    assert client.get(reverse("interactions:create"), {"account": "9" * 30}).status_code == 200


def test_about_page(cast, client_for):
    assert client_for(cast.read_only).get(reverse("interactions:about")).status_code == 200


def test_the_interaction_page_links_no_trashed_record(client_for, cast, network):
    """A trashed opportunity or person is named (or left out), never linked: the link would only lead to a 404."""
    from datetime import date as _date

    from kundennetz.interactions.models import Interaction

    interaction = Interaction.objects.create(account=network.account, date=_date(2026, 3, 2), topics="Rückblick",
                                             opportunity=network.opportunity, created_by=cast.owner)
    interaction.contacts.set([network.contact])
    network.opportunity.soft_delete(cast.owner)
    network.contact.soft_delete(cast.owner)
    client = client_for(cast.owner)
    page = client.get(interaction.get_absolute_url()).content.decode()
    assert network.opportunity.get_absolute_url() not in page
    assert network.contact.get_absolute_url() not in page
    assert network.opportunity.title in page
    for link in [part.split('"')[0] for part in page.split('href="')[1:]]:
        if link.startswith("/") and not link.startswith(("/static/", "/i18n/")) and "logout" not in link:
            assert client.get(link).status_code != 404, link
