"""Concurrent edits through the API: ETag on reads, If-Match on writes (412 when stale), PATCH changes only
what it sends, and the version every record carries."""

from datetime import date

import pytest
from django.db import transaction

from kundennetz.accounts.models import Account, Contact, Opportunity
from kundennetz.core.models import StaleVersion
from kundennetz.planning.models import Capacity

pytestmark = pytest.mark.django_db


def test_read_answers_an_etag_that_follows_each_change(api, cast, network):
    path = f"/api/opportunities/{network.opportunity.pk}"
    first = api(cast.owner, "GET", path)
    assert first.status_code == 200 and first["ETag"] == f'"{first.json()["version"]}"'
    changed = api(cast.owner, "PATCH", path, {"title": "Neu"})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"] and changed.json()["version"] == first.json()["version"] + 1
    assert api(cast.owner, "GET", path)["ETag"] == changed["ETag"]


@pytest.mark.parametrize("kind", ["accounts", "contacts", "opportunities"])
def test_every_record_read_has_an_etag(api, cast, network, kind):
    pk = {"accounts": network.account.pk, "contacts": network.contact.pk,
          "opportunities": network.opportunity.pk}[kind]
    response = api(cast.owner, "GET", f"/api/{kind}/{pk}")
    assert response.status_code == 200 and response["ETag"].startswith('"')


@pytest.mark.parametrize("if_match", ['"bogus"', '"999"', "bogus", 'W/"1"', '""'])
@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_a_stale_or_bogus_if_match_answers_412_and_changes_nothing(api, cast, network, method, if_match):
    path = f"/api/opportunities/{network.opportunity.pk}"
    before = Opportunity.all_objects.get(pk=network.opportunity.pk)
    body = {"account": network.account.pk, "title": "Überschrieben"} if method != "DELETE" else None
    response = api(cast.owner, method, path, body, HTTP_IF_MATCH=if_match)
    assert response.status_code == 412, response.content
    assert "detail" in response.json()
    after = Opportunity.all_objects.get(pk=network.opportunity.pk)
    assert (after.title, after.version, after.deleted_at) == (before.title, before.version, None)


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_the_current_etag_lets_the_write_through(api, cast, network, method):
    path = f"/api/contacts/{network.contact.pk}"
    tag = api(cast.owner, "GET", path)["ETag"]
    body = {"account": network.account.pk, "last_name": "Neu"} if method != "DELETE" else None
    response = api(cast.owner, method, path, body, HTTP_IF_MATCH=tag)
    assert response.status_code == (204 if method == "DELETE" else 200), response.content
    # The old tag is stale now: a second write based on it is refused.
    if method != "DELETE":
        again = api(cast.owner, method, path, body, HTTP_IF_MATCH=tag)
        assert again.status_code == 412


def test_if_match_star_and_lists(api, cast, network):
    path = f"/api/accounts/{network.account.pk}"
    tag = api(cast.owner, "GET", path)["ETag"]
    assert api(cast.owner, "PATCH", path, {"city": "Bern"}, HTTP_IF_MATCH="*").status_code == 200
    tag = api(cast.owner, "GET", path)["ETag"]
    assert api(cast.owner, "PATCH", path, {"city": "Biel"}, HTTP_IF_MATCH=f'"0", {tag}').status_code == 200
    assert Account.objects.get(pk=network.account.pk).city == "Biel"


def test_if_match_is_checked_after_permissions(api, cast, network):
    """Whoever may not see the record learns nothing from a precondition either."""
    path = f"/api/opportunities/{network.opportunity.pk}"
    assert api(cast.outsider, "PATCH", path, {"title": "x"}, HTTP_IF_MATCH='"bogus"').status_code == 404
    assert api(cast.read_only, "PATCH", path, {"title": "x"}, HTTP_IF_MATCH='"bogus"').status_code == 403


def test_patch_of_different_fields_based_on_the_same_version_both_persist(api, cast, network):
    """Two clients read the same version; each sends only its own field. Neither undoes the other."""
    path = f"/api/opportunities/{network.opportunity.pk}"
    api(cast.owner, "GET", path)
    assert api(cast.owner, "PATCH", path, {"title": "Titel von A"}).status_code == 200
    assert api(cast.team_member, "PATCH", path, {"need": "Bedarf von B"}).status_code == 200
    stored = Opportunity.objects.get(pk=network.opportunity.pk)
    assert (stored.title, stored.need) == ("Titel von A", "Bedarf von B")


def test_patch_applies_to_the_row_as_it_is_now_not_as_loaded(api, cast, network, monkeypatch):
    """Even when another writer commits between loading and saving, PATCH starts from the fresh row."""
    from kundennetz.accounts.api import opportunities as module

    original = module.get_for

    def racing_get_for(*args, **kwargs):
        found = original(*args, **kwargs)
        Opportunity.objects.filter(pk=found.pk).update(need="von nebenan")  # a commit in between
        return found

    monkeypatch.setattr(module, "get_for", racing_get_for)
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}", {"title": "Meins"})
    assert response.status_code == 200
    stored = Opportunity.objects.get(pk=network.opportunity.pk)
    assert (stored.title, stored.need) == ("Meins", "von nebenan")


def test_capacity_etag_and_if_match(api, cast, network):
    from kundennetz.planning.models import Period

    capacity = Capacity.objects.create(manager=cast.owner, period=Period.get("2026"), fte=1, working_days=200)
    path = f"/api/planning/capacities/{capacity.pk}"
    tag = api(cast.sales_head, "GET", path)["ETag"]
    assert tag == f'"{capacity.version}"'
    assert api(cast.sales_head, "PATCH", path, {"fte": "0.8"}, HTTP_IF_MATCH='"bogus"').status_code == 412
    assert api(cast.sales_head, "PATCH", path, {"fte": "0.8"}, HTTP_IF_MATCH=tag).status_code == 200
    assert api(cast.sales_head, "DELETE", path, HTTP_IF_MATCH=tag).status_code == 412
    assert Capacity.objects.filter(pk=capacity.pk).exists()


def test_interaction_if_match(api, cast, network):
    from kundennetz.interactions.models import Interaction

    interaction = Interaction.objects.create(account=network.account, type=Interaction.Type.MEETING,
                                             date=date(2026, 3, 2), topics="Erstes Treffen", created_by=cast.owner)
    path = f"/api/interactions/{interaction.pk}"
    assert api(cast.owner, "GET", path)["ETag"] == f'"{interaction.version}"'
    assert api(cast.owner, "PATCH", path, {"topics": "x"}, HTTP_IF_MATCH='"bogus"').status_code == 412


def test_a_save_based_on_an_older_version_is_refused_below_the_views(network):
    """The model itself refuses a stale save, whichever path it comes from (admin, import, command)."""
    first = Contact.objects.get(pk=network.contact.pk)
    second = Contact.objects.get(pk=network.contact.pk)
    first.last_name = "Erster"
    first.save()
    second.last_name = "Zweiter"
    with pytest.raises(StaleVersion), transaction.atomic():
        second.save()
    assert Contact.objects.get(pk=network.contact.pk).last_name == "Erster"
    # Saving again after reading afresh works, and every save raises the version by one.
    second.refresh_from_db()
    version = second.version
    second.last_name = "Zweiter"
    second.save()
    assert Contact.objects.get(pk=network.contact.pk).version == version + 1
