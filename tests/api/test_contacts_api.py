"""/api/contacts: each role of the fixed cast, the account a contact may go to, reports-to, bad input."""

import pytest
from cast import CHANGES, ROLES, SEES, expected_change
from api_helpers import locs

from kundennetz.accounts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_what_the_role_may_see(api, cast, network, role):
    Contact.objects.create(account=network.other_account, last_name="Fremd")
    response = api(getattr(cast, role), "GET", "/api/contacts")
    assert response.status_code == 200
    names = {item["last_name"] for item in response.json()["items"]}
    expected = {"outsider": {"Fremd"}, "owner": {"Meier"}, "team_member": {"Meier"}}.get(role, {"Meier", "Fremd"})
    assert names == expected


@pytest.mark.parametrize("role", ROLES)
def test_read(api, cast, network, role):
    response = api(getattr(cast, role), "GET", f"/api/contacts/{network.contact.pk}")
    assert response.status_code == (200 if role in SEES else 404)
    if response.status_code == 200:
        assert response.json()["account"] == network.account.pk
        assert response.json()["buying_role"] == "decision_maker"


@pytest.mark.parametrize("role", ROLES)
def test_create_on_the_network_account(api, cast, network, role):
    user = getattr(cast, role)
    response = api(user, "POST", "/api/contacts", {"account": network.account.pk, "last_name": "Keller"})
    if role in CHANGES:
        assert response.status_code == 201
        contact = Contact.objects.get(pk=response.json()["id"])
        assert contact.created_by == user and contact.history.first().history_user == user
    elif role == "outsider":
        # An account the caller may not change is not a valid value of the account field.
        assert response.status_code == 422 and locs(response) == [["body", "account"]]
    else:
        assert response.status_code == 403
    assert Contact.objects.filter(last_name="Keller").count() == (1 if role in CHANGES else 0)


@pytest.mark.parametrize("role", ROLES)
def test_patch(api, cast, network, role):
    response = api(getattr(cast, role), "PATCH", f"/api/contacts/{network.contact.pk}", {"function": "CFO"})
    assert response.status_code == expected_change(role, 200)
    network.contact.refresh_from_db()
    assert (network.contact.function == "CFO") == (role in CHANGES)


@pytest.mark.parametrize("role", ROLES)
def test_put(api, cast, network, role):
    body = {"account": network.account.pk, "first_name": "Anna", "last_name": "Meier-Huber"}
    response = api(getattr(cast, role), "PUT", f"/api/contacts/{network.contact.pk}", body)
    assert response.status_code == expected_change(role, 200)
    if response.status_code == 200:
        # Fields not sent take their defaults.
        assert response.json()["buying_role"] == "" and response.json()["last_name"] == "Meier-Huber"


@pytest.mark.parametrize("role", ROLES)
def test_delete(api, cast, network, role):
    response = api(getattr(cast, role), "DELETE", f"/api/contacts/{network.contact.pk}")
    assert response.status_code == expected_change(role, 204)
    assert Contact.all_objects.get(pk=network.contact.pk).is_deleted == (role in CHANGES)


def test_outsider_may_add_to_own_account_only(api, cast, network):
    response = api(cast.outsider, "POST", "/api/contacts", {"account": network.other_account.pk, "last_name": "Frei"})
    assert response.status_code == 201
    contact_id = response.json()["id"]
    # A contact stays at its account, whoever asks.
    for user in (cast.outsider, cast.admin):
        response = api(user, "PATCH", f"/api/contacts/{contact_id}", {"account": network.account.pk})
        assert response.status_code == 422 and locs(response) == [["body", "account"]]
    assert api(cast.outsider, "PATCH", f"/api/contacts/{contact_id}",
               {"account": network.other_account.pk, "phone": "+41 31 000 00 00"}).status_code == 200


def test_unknown_account(api, cast, network):
    response = api(cast.admin, "POST", "/api/contacts", {"account": 999999, "last_name": "Keller"})
    assert response.status_code == 422 and locs(response) == [["body", "account"]]
    response = api(cast.admin, "PATCH", f"/api/contacts/{network.contact.pk}", {"account": None})
    assert response.status_code == 422 and locs(response) == [["body", "account"]]


def test_reports_to(api, cast, network):
    response = api(cast.owner, "POST", "/api/contacts",
                   {"account": network.account.pk, "last_name": "Keller", "reports_to": network.contact.pk})
    assert response.status_code == 201 and response.json()["reports_to"] == network.contact.pk
    keller = response.json()["id"]
    # Not to oneself, not across accounts, not to someone the caller cannot see.
    response = api(cast.owner, "PATCH", f"/api/contacts/{keller}", {"reports_to": keller})
    assert response.status_code == 422 and locs(response) == [["body", "reports_to"]]
    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    response = api(cast.owner, "PATCH", f"/api/contacts/{keller}", {"reports_to": stranger.pk})
    assert response.status_code == 422 and locs(response) == [["body", "reports_to"]]
    response = api(cast.admin, "PATCH", f"/api/contacts/{keller}", {"reports_to": stranger.pk})
    assert response.status_code == 422 and locs(response) == [["body", "reports_to"]]
    response = api(cast.owner, "PATCH", f"/api/contacts/{keller}", {"reports_to": None})
    assert response.status_code == 200 and response.json()["reports_to"] is None


@pytest.mark.parametrize("body,loc", [
    ({"account": 1}, ["body", "last_name"]),
    ({"account": "eins", "last_name": "X"}, ["body", "account"]),
    ({"account": 1.5, "last_name": "X"}, ["body", "account"]),
    ({"last_name": "X"}, ["body", "account"]),
    ({"account": 1, "last_name": "X", "email": "kein-mail"}, ["body", "email"]),
    ({"account": 1, "last_name": "X", "buying_role": "boss"}, ["body", "buying_role"]),
    ({"account": 1, "last_name": "X", "language": "xx"}, ["body", "language"]),
    ({"account": 1, "last_name": "X", "phone": "1" * 41}, ["body", "phone"]),
    ({"account": 1, "last_name": "X", "reports_to": -3}, ["body", "reports_to"]),
    ({"account": 1, "last_name": "X", "attitude": None}, ["body", "attitude"]),
])
def test_bad_input_is_422_with_field(api, cast, network, body, loc):
    body = {**body, "account": network.account.pk} if body.get("account") == 1 else body
    response = api(cast.owner, "POST", "/api/contacts", body)
    assert response.status_code == 422, response.content
    assert loc in locs(response)
    assert Contact.objects.count() == 1


def test_email_is_normalised(api, cast, network):
    response = api(cast.owner, "PATCH", f"/api/contacts/{network.contact.pk}", {"email": " Anna.Meier@Muster.CH "})
    assert response.json()["email"] == "anna.meier@muster.ch"


def test_filters_and_order(api, cast, network):
    Contact.objects.create(account=network.account, first_name="Beat", last_name="Zürcher", buying_role="coach")
    Contact.objects.create(account=network.account, first_name="Carla", last_name="Ammann", function="CTO")
    Contact.objects.create(account=network.other_account, last_name="Fremd", buying_role="coach")

    def names(**params):
        return [item["last_name"] for item in api(cast.admin, "GET", "/api/contacts", params).json()["items"]]

    assert names() == ["Ammann", "Fremd", "Meier", "Zürcher"]
    assert names(order_by="-last_name") == ["Zürcher", "Meier", "Fremd", "Ammann"]
    assert names(account=network.account.pk) == ["Ammann", "Meier", "Zürcher"]
    assert names(buying_role="coach") == ["Fremd", "Zürcher"]
    assert names(q="cto") == ["Ammann"]
    assert names(q="anna.meier") == ["Meier"]
    response = api(cast.admin, "GET", "/api/contacts", {"buying_role": "boss"})
    assert response.status_code == 422 and locs(response) == [["query", "buying_role"]]
