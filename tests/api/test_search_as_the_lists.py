"""The API's `q` finds what the web list's search finds (every word, accents and case aside, through the
lists' search index), for accounts, contacts and opportunities; an account also by its exact external ID."""

import pytest
from django.test import RequestFactory

from kundennetz.accounts.filters import AccountFilter, ContactFilter, OpportunityFilter
from kundennetz.accounts.models import Account, Contact, Opportunity

pytestmark = pytest.mark.django_db

LISTS = {
    "accounts": (Account, AccountFilter),
    "contacts": (Contact, ContactFilter),
    "opportunities": (Opportunity, OpportunityFilter),
}


def _page_ids(user, model, filterset, q):
    request = RequestFactory().get("/", {"q": q})
    request.user = user
    return set(filterset({"q": q}, queryset=model.objects.restrict(user), request=request).qs.values_list("pk", flat=True))


def _api_ids(api, user, path, q):
    response = api(user, "GET", f"/api/{path}", {"q": q, "limit": 100})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def more(network, cast):
    zurich = Account.objects.create(name="Zürcher Öl AG", owner=cast.owner, city="Zürich", industry="Energie",
                                    external_id="CRM-0042")
    Contact.objects.create(account=zurich, first_name="Jérôme", last_name="Müller", function="Einkauf")
    Opportunity.objects.create(account=zurich, title="Heizöl-Rahmenvertrag", owner=cast.owner,
                               stage=network.opportunity.stage)
    return zurich


@pytest.mark.parametrize("path", sorted(LISTS))
@pytest.mark.parametrize("q", ["zurich", "ZÜRCHER", "muster", "muster engineering", "mül", "jerome einkauf",
                               "heizol", "erp", "basel", "nothing-like-it", "  "])
def test_the_api_finds_what_the_list_finds(api, cast, network, more, path, q):
    model, filterset = LISTS[path]
    for user in (cast.sales_head, cast.owner, cast.outsider):
        assert _api_ids(api, user, path, q) == _page_ids(user, model, filterset, q), (path, q, user.username)


def test_an_account_is_found_by_its_exact_external_id_too(api, cast, more):
    assert _api_ids(api, cast.sales_head, "accounts", "crm-0042") == {more.pk}
    assert _api_ids(api, cast.sales_head, "accounts", "CRM-004") == set()
    assert _api_ids(api, cast.outsider, "accounts", "CRM-0042") == set()


def test_the_search_finds_accents_the_old_one_missed(api, cast, more):
    assert _api_ids(api, cast.sales_head, "accounts", "zurcher ol") == {more.pk}
    assert _api_ids(api, cast.sales_head, "contacts", "muller") == set(more.contacts.values_list("pk", flat=True))
