"""The contact chooser (``/contacts/choices/``): the first matches of what someone types, found without
regard to accents or case, only among the contacts the user may see, never more than `CHOOSER_LIMIT`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundennetz.accounts.models import Contact
from kundennetz.core.choosers import CHOOSER_LIMIT

pytestmark = pytest.mark.django_db

URL = "/contacts/choices/"


@pytest.fixture
def people(cast, network):
    """Beside the network's Anna Meier: Jürg Nägeli and more Müllers than the chooser shows at the owner's
    account, a Nägeli and a Müller at the outsider's, and a Nägeli of the owner's in the trash."""
    account, other = network.account, network.other_account
    made = {"nageli": Contact.objects.create(account=account, first_name="Jürg", last_name="Nägeli",
                                             function="Einkauf"),
            "foreign_nageli": Contact.objects.create(account=other, first_name="Beat", last_name="Nägeli"),
            "foreign_muller": Contact.objects.create(account=other, first_name="Urs", last_name="Müller")}
    made["mullers"] = [Contact.objects.create(account=account, first_name=f"Person {n:02d}", last_name="Müller")
                       for n in range(CHOOSER_LIMIT + 5)]
    trashed = Contact.objects.create(account=account, first_name="Rita", last_name="Nägeli")
    trashed.soft_delete(cast.owner)
    made["trashed"] = Contact.all_objects.get(pk=trashed.pk)
    assert made["trashed"].is_deleted
    return made


def _choices(client, user, **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"format": "json", **params})
    assert response.status_code == 200
    data = response.json()
    return [row["id"] for row in data["results"]], data["more"], len(queries.captured_queries)


@pytest.mark.parametrize("term", ["nageli", "Nägeli", "NAGELI", "jurg nageli", "nägeli einkauf"])
def test_search_ignores_accents_and_case(cast, network, people, client, term):
    found, more, _count = _choices(client, cast.owner, term=term)
    assert found == [people["nageli"].pk] and more is False


def test_only_contacts_the_user_may_see_are_offered(cast, network, people, client):
    mine = set(Contact.all_objects.filter(account=network.account).values_list("pk", flat=True))
    for term in ("", "nageli", "muller", "anna", "muster"):
        found, _more, _count = _choices(client, cast.outsider, term=term)
        assert not set(found) & mine, term
    assert _choices(client, cast.outsider, term="nageli")[0] == [people["foreign_nageli"].pk]
    assert _choices(client, cast.outsider, term="anna meier")[0] == []
    # Asking for the owner's account by its id does not help either.
    assert _choices(client, cast.outsider, account=network.account.pk)[0] == []
    # The account's team sees its people; nobody is offered one of the trash.
    assert _choices(client, cast.team_member, term="anna")[0] == [network.contact.pk]
    assert people["trashed"].pk not in _choices(client, cast.owner, term="nageli")[0]
    assert _choices(client, cast.owner, term="nageli", account=network.other_account.pk)[0] == []


def test_at_most_the_first_matches_in_name_order(cast, network, people, client):
    found, more, many_queries = _choices(client, cast.owner, term="muller")
    assert len(found) == CHOOSER_LIMIT and more is True
    shown = list(Contact.objects.filter(pk__in=found).order_by("last_name_sort", "first_name", "pk")
                 .values_list("pk", flat=True))
    assert found == shown
    assert set(found) <= {c.pk for c in people["mullers"]}
    # One account's contacts only, when the chooser names it.
    found, more, _count = _choices(client, cast.owner, term="muller", account=network.account.pk)
    assert len(found) == CHOOSER_LIMIT and more is True
    # Twenty contacts with their accounts cost the queries of one.
    _found, _more, one_query = _choices(client, cast.owner, term="anna")
    assert many_queries == one_query
    # As options of a select: the empty choice, the matches and the hint that more match.
    client.force_login(cast.owner)
    html = client.get(URL, {"term": "müller"}).content.decode()
    assert html.count("<option") == CHOOSER_LIMIT + 2 and "type more to narrow down" in html
    assert "Person 00 Müller · Muster Engineering AG" in html
