"""A catalogue definition the domain refuses is answered in the admin, in the reader's language, with the
place in the JSON: never the domain's English, never an error page."""

import copy
import json

import pytest
from django.urls import reverse
from html_forms import form_data as form_values

from kundennetz.qualification.models import Catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast):
    published = Catalogue.current()
    definition = copy.deepcopy(published.definition)
    definition["version"] = published.version + 1
    return Catalogue.objects.create(key=published.key, version=published.version + 1, definition=definition,
                                    threshold=published.threshold, created_by=cast.admin)


def _save(client_for, user, language, draft, definition):
    user.language = language
    user.save(update_fields=["language"])
    url = reverse("admin:qualification_catalogue_change", args=[draft.pk])
    client = client_for(user)
    data = {name: values[-1] for name, values in form_values(client.get(url).content.decode(),
                                                               'name="record_version"').items()}
    return client.post(url, {**data, "definition": definition if isinstance(definition, str)
                             else json.dumps(definition)})


@pytest.mark.parametrize(("language", "expected"), [
    ("de-ch", "categories[0].headline.knockout: nur eine Ja/Nein-Frage mit einer günstigen Antwort kann ein "
              "K.-o.-Kriterium sein"),
    ("en", "categories[0].headline.knockout: only a yes/no question with a favourable answer can be a knock-out"),
])
def test_a_refused_catalogue_is_worded_in_the_readers_language(cast, client_for, draft, language, expected):
    definition = copy.deepcopy(draft.definition)
    definition["categories"][0]["headline"].update(favourable=None, knockout=True)
    response = _save(client_for, cast.admin, language, draft, definition)
    page = response.content.decode()
    assert response.status_code == 200
    assert expected in page
    assert Catalogue.objects.get(pk=draft.pk).definition == draft.definition


@pytest.mark.parametrize("definition", [
    {"id": "ascotsman", "version": 2, "languages": "de", "name": {}, "categories": []},
    {"id": ["x"], "version": True, "languages": [], "name": {}, "categories": {}},
    [1, 2, 3],
])
def test_odd_shapes_are_refused_with_a_message_not_an_error_page(cast, client_for, draft, definition):
    response = _save(client_for, cast.admin, "en", draft, definition)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
