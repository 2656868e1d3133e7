"""A draft question catalogue edited in the admin carries its record version (beside the catalogue's own
version number): a stale save shows field, theirs and yours and overwrites nothing; saving again takes over."""

import copy
import json

import pytest
from django.urls import reverse
from html_forms import form_data as form_values

from kundennetz.qualification.models import Catalogue

pytestmark = pytest.mark.django_db


def form_data(page: str) -> dict:
    """What the change form would send back, one value per field."""
    return {name: values[-1] for name, values in form_values(page, 'name="record_version"').items()}


@pytest.fixture
def draft(cast):
    published = Catalogue.current()
    definition = copy.deepcopy(published.definition)
    definition["version"] = published.version + 1
    return Catalogue.objects.create(key=published.key, version=published.version + 1, definition=definition,
                                    threshold=published.threshold, created_by=cast.admin)


def test_a_stale_admin_save_of_a_draft_catalogue_shows_the_conflict(cast, client_for, draft):
    cast.admin.language = "en"
    cast.admin.save()
    url = reverse("admin:qualification_catalogue_change", args=[draft.pk])
    client = client_for(cast.admin)
    data = form_data(client.get(url).content.decode())
    assert data["record_version"] == str(draft.record_version) and data["version"] == str(draft.version)
    fresh = Catalogue.objects.get(pk=draft.pk)  # a colleague changes the threshold meanwhile
    fresh.threshold = 2
    fresh.save()
    assert fresh.record_version == draft.record_version + 1
    response = client.post(url, {**data, "threshold": "5"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in body
    assert list(response.context["adminform"].form.errors) == ["__all__"]  # only the conflict
    row = body.split('data-field="threshold"')[1].split("</tr>")[0]
    assert '<td class="theirs">2</td>' in row and '<td class="yours">5</td>' in row
    assert Catalogue.objects.get(pk=draft.pk).threshold == 2  # nothing overwritten
    assert body.count('name="version"') == 1  # the catalogue's number, once; the record version apart
    again = form_data(body)
    assert again["record_version"] == str(fresh.record_version)
    assert client.post(url, {**again, "threshold": "5"}).status_code == 302
    saved = Catalogue.objects.get(pk=draft.pk)
    assert (saved.threshold, saved.record_version) == (5, fresh.record_version + 1)


def test_a_stale_admin_save_keeps_the_colleagues_other_field(cast, client_for, draft):
    url = reverse("admin:qualification_catalogue_change", args=[draft.pk])
    client = client_for(cast.admin)
    data = form_data(client.get(url).content.decode())
    Catalogue.objects.filter(pk=draft.pk).update(threshold=1, record_version=draft.record_version + 1)
    definition = copy.deepcopy(draft.definition)
    definition["name"] = {**definition.get("name", {}), "en": "Renamed"}
    response = client.post(url, {**data, "definition": json.dumps(definition)})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Catalogue.objects.get(pk=draft.pk)
    assert (saved.threshold, saved.definition["name"]["en"]) == (1, "Renamed")


def test_publishing_retires_the_previous_version_as_a_new_record_version(cast, client_for, draft):
    published = Catalogue.current()
    before = published.record_version
    client_for(cast.admin).post(reverse("admin:qualification_catalogue_changelist"),
                                {"action": "publish", "_selected_action": [draft.pk]})
    published.refresh_from_db()
    assert published.status == Catalogue.Status.RETIRED and published.record_version == before + 1
    assert Catalogue.current() == draft
