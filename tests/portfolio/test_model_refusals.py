"""A scoring model definition the domain refuses is answered on the page, in the reader's language, with
the place in the JSON: never the domain's English, never an error page."""

import json

import pytest

from kundennetz.portfolio.models import ScoringModel

pytestmark = pytest.mark.django_db
URL = "/portfolio/model/edit/"


def _post(client_for, user, language, definition):
    user.language = language
    user.save(update_fields=["language"])
    record = ScoringModel.current()
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return client_for(user).post(URL, {"action": "json", "based_on": record.version, "definition": text,
                                       "comment": "try"})


@pytest.mark.parametrize(("language", "expected"), [
    ("de-ch", "strategies[0].care: contacts_per_year_max (1) darf nicht unter contacts_per_year_min (4) liegen"),
    ("en", "strategies[0].care: contacts_per_year_max (1) must not be below contacts_per_year_min (4)"),
])
def test_a_refused_definition_is_worded_in_the_readers_language(cast, client_for, language, expected):
    definition = ScoringModel.current().definition
    definition["strategies"][0]["care"].update(contacts_per_year_min=4, contacts_per_year_max=1)
    key = definition["strategies"][0]["key"]
    before = ScoringModel.objects.count()
    response = _post(client_for, cast.sales_head, language, definition)
    page = response.content.decode()
    assert response.status_code == 200
    assert expected.replace("strategies[0]", f"strategies[0]({key})") in page
    assert "is below contacts_per_year_min" not in page  # the domain's own English
    assert ScoringModel.objects.count() == before


@pytest.mark.parametrize(("language", "expected"), [
    ("de-ch", "Kein gültiges JSON: sehen Sie in Zeile 1, Spalte 2 nach."),
    ("en", "Not valid JSON: look at line 1, column 2."),
])
def test_broken_json_names_the_place_in_the_readers_language(cast, client_for, language, expected):
    response = _post(client_for, cast.sales_head, language, "{axes")
    page = response.content.decode()
    assert response.status_code == 200 and expected in page and "Expecting" not in page


@pytest.mark.parametrize("definition", [
    {"axes": [], "grids": {}, "strategies": []},
    {"axes": {"attractiveness": {}, "position": {}}, "grids": {"g": {}}, "strategies": [{"key": []}]},
    {"grid": ["not", "a", "key"], "axes": {}, "grids": {}, "strategies": []},
])
def test_odd_shapes_are_refused_with_a_message_not_an_error_page(cast, client_for, definition):
    response = _post(client_for, cast.sales_head, "en", definition)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
