"""/api/accounts: each role of the fixed cast on list/read/create/update/delete, bad input, history, lists."""

from decimal import Decimal

import pytest
from cast import CHANGES, ROLES, SEES, expected_change
from api_helpers import count_queries, locs

from kundennetz.accounts.models import Account, Contact, Opportunity, Segment

pytestmark = pytest.mark.django_db


# --- who may do what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_what_the_role_may_see(api, cast, network, role):
    response = api(getattr(cast, role), "GET", "/api/accounts")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    if role == "outsider":
        assert ids == {network.other_account.pk}
    elif role in ("owner", "team_member"):
        assert ids == {network.account.pk}
    else:
        assert ids == {network.account.pk, network.other_account.pk}


@pytest.mark.parametrize("role", ROLES)
def test_read(api, cast, network, role):
    response = api(getattr(cast, role), "GET", f"/api/accounts/{network.account.pk}")
    assert response.status_code == (200 if role in SEES else 404)
    if response.status_code == 200:
        body = response.json()
        assert body["name"] == "Muster Engineering AG"
        assert body["owner"] == cast.owner.pk and body["team"] == [cast.team_member.pk]
        assert body["segment"] == "mid_market" and body["annual_revenue"] == "420000.00"


@pytest.mark.parametrize("role", ROLES)
def test_create(api, cast, network, role):
    user = getattr(cast, role)
    body = {"name": "Neu AG", "segment": "key_accounts"}
    if role in ("admin", "sales_head"):
        body["owner"] = cast.outsider.pk
    response = api(user, "POST", "/api/accounts", body)
    if role in ("marketing", "read_only"):
        assert response.status_code == 403
        assert not Account.objects.filter(name="Neu AG").exists()
        return
    assert response.status_code == 201, response.content
    account = Account.objects.get(pk=response.json()["id"])
    # An account manager's new account is theirs; sales head and admin name the owner.
    assert account.owner == (cast.outsider if "owner" in body else user) and account.created_by == user
    assert account.segment.code == "key_accounts"


@pytest.mark.parametrize("role", ROLES)
def test_patch(api, cast, network, role):
    response = api(getattr(cast, role), "PATCH", f"/api/accounts/{network.account.pk}", {"city": "Thun"})
    assert response.status_code == expected_change(role, 200)
    network.account.refresh_from_db()
    assert (network.account.city == "Thun") == (role in CHANGES)


@pytest.mark.parametrize("role", ROLES)
def test_put(api, cast, network, role):
    body = {"name": "Muster Engineering AG", "city": "Thun", "segment": "mid_market", "team": [cast.team_member.pk]}
    response = api(getattr(cast, role), "PUT", f"/api/accounts/{network.account.pk}", body)
    assert response.status_code == expected_change(role, 200)
    if response.status_code == 200:
        data = response.json()
        # Fields not sent take their defaults; the owner stays.
        assert data["city"] == "Thun" and data["annual_revenue"] is None and data["owner"] == cast.owner.pk


@pytest.mark.parametrize("role", ROLES)
def test_delete_moves_to_the_trash_with_dependants(api, cast, network, role):
    user = getattr(cast, role)
    response = api(user, "DELETE", f"/api/accounts/{network.account.pk}")
    # Trashing an account is for its owner, the sales head and an admin: a team member sees it, no more.
    assert response.status_code == (403 if role == "team_member" else expected_change(role, 204))
    account = Account.all_objects.get(pk=network.account.pk)
    if role in CHANGES - {"team_member"}:
        assert response.content == b""
        assert account.is_deleted and account.deleted_by == user
        assert Contact.all_objects.get(pk=network.contact.pk).is_deleted
        assert Opportunity.all_objects.get(pk=network.opportunity.pk).is_deleted
        assert api(user, "GET", f"/api/accounts/{account.pk}").status_code == 404
    else:
        assert not account.is_deleted


def test_unknown_account_is_not_found(api, cast, network):
    assert api(cast.admin, "GET", "/api/accounts/999999").status_code == 404
    assert api(cast.admin, "PATCH", "/api/accounts/999999", {"city": "Thun"}).status_code == 404
    assert api(cast.admin, "DELETE", f"/api/accounts/{2**70}").status_code == 404


# --- owner and team ----------------------------------------------------------------------------------

def test_account_manager_cannot_create_for_someone_else(api, cast, network):
    response = api(cast.owner, "POST", "/api/accounts", {"name": "Neu AG", "owner": cast.team_member.pk})
    assert response.status_code == 422
    assert locs(response) == [["body", "owner"]]
    assert not Account.objects.filter(name="Neu AG").exists()
    assert api(cast.owner, "POST", "/api/accounts", {"name": "Neu AG", "owner": cast.owner.pk}).status_code == 201


def test_account_manager_cannot_change_the_owner(api, cast, network):
    path = f"/api/accounts/{network.account.pk}"
    response = api(cast.team_member, "PATCH", path, {"owner": cast.team_member.pk})
    assert response.status_code == 422 and locs(response) == [["body", "owner"]]
    # Sending the owner it already has is no change.
    assert api(cast.team_member, "PATCH", path, {"owner": cast.owner.pk, "city": "Thun"}).status_code == 200
    assert api(cast.sales_head, "PATCH", path, {"owner": cast.team_member.pk}).json()["owner"] == cast.team_member.pk


def test_sales_head_must_name_an_owner(api, cast, network):
    response = api(cast.sales_head, "POST", "/api/accounts", {"name": "Neu AG"})
    assert response.status_code == 422 and locs(response) == [["body", "owner"]]


def test_sales_head_assigns_owner_and_team(api, cast, network):
    response = api(cast.sales_head, "POST", "/api/accounts",
                   {"name": "Neu AG", "owner": cast.outsider.pk,
                    "team": [cast.owner.pk, cast.team_member.pk, cast.outsider.pk]})
    assert response.status_code == 201
    assert response.json()["owner"] == cast.outsider.pk
    # The owner is not listed in the team as well.
    assert response.json()["team"] == sorted([cast.owner.pk, cast.team_member.pk])


@pytest.mark.parametrize("owner", ["marketing", "read_only", "sales_head"])
def test_owner_is_an_account_manager(api, cast, network, owner):
    response = api(cast.admin, "POST", "/api/accounts", {"name": "Neu AG", "owner": getattr(cast, owner).pk})
    assert response.status_code == 422 and locs(response) == [["body", "owner"]]


def test_unknown_references_are_named(api, cast, network):
    response = api(cast.admin, "POST", "/api/accounts",
                   {"name": "Neu AG", "owner": 999999, "segment": "nope", "team": [cast.owner.pk, cast.marketing.pk]})
    assert response.status_code == 422
    assert sorted(locs(response)) == sorted([["body", "owner"], ["body", "segment"], ["body", "team", 1]])


def test_segment_by_id_or_code(api, cast, network):
    segment = Segment.objects.get(code="public_sector")
    response = api(cast.owner, "PATCH", f"/api/accounts/{network.account.pk}", {"segment": segment.pk})
    assert response.json()["segment"] == "public_sector"
    response = api(cast.owner, "PATCH", f"/api/accounts/{network.account.pk}", {"segment": None})
    assert response.json()["segment"] is None


# --- bad input: never a 500, always the field's name -------------------------------------------------

@pytest.mark.parametrize("body,loc", [
    ({}, ["body", "name"]),                                            # required field missing
    ({"name": 123}, ["body", "name"]),                                 # wrong type
    ({"name": "  "}, ["body", "name"]),                                # blank after trimming
    ({"name": "x" * 201}, ["body", "name"]),                           # longer than the column
    ({"name": "A\x00B"}, ["body", "name"]),                            # PostgreSQL refuses NUL
    ({"name": "A", "status": "vip"}, ["body", "status"]),              # unknown enum value
    ({"name": "A", "legal_form": "llc"}, ["body", "legal_form"]),
    ({"name": "A", "annual_revenue": -1}, ["body", "annual_revenue"]),
    ({"name": "A", "annual_revenue": "1e400"}, ["body", "annual_revenue"]),
    ({"name": "A", "annual_revenue": 10**20}, ["body", "annual_revenue"]),
    ({"name": "A", "annual_revenue": "1.234"}, ["body", "annual_revenue"]),
    ({"name": "A", "annual_revenue": "zwölf"}, ["body", "annual_revenue"]),
    ({"name": "A", "annual_revenue": "NaN"}, ["body", "annual_revenue"]),
    ({"name": "A", "contribution_margin_pct": 150}, ["body", "contribution_margin_pct"]),
    ({"name": "A", "country": "Schweiz"}, ["body", "country"]),
    ({"name": "A", "website": "not a url"}, ["body", "website"]),
    ({"name": "A", "owner": "me"}, ["body", "owner"]),
    ({"name": "A", "owner": 1.0}, ["body", "owner"]),
    ({"name": "A", "owner": 2**64}, ["body", "owner"]),
    ({"name": "A", "team": "all"}, ["body", "team"]),
    ({"name": "A", "segment": {"code": "x"}}, ["body", "segment"]),
    ({"name": "A", "id": 5}, ["body", "id"]),                          # read-only / unknown field
    ([1, 2], ["body"]),                                                # not an object
])
def test_bad_input_is_422_with_field(api, cast, network, body, loc):
    response = api(cast.owner, "POST", "/api/accounts", body)
    assert response.status_code == 422, response.content
    assert loc in locs(response)
    assert all(item["msg"] for item in response.json()["detail"])
    assert not Account.objects.filter(name="A").exists()


@pytest.mark.parametrize("raw", ["{bad json", '{"name": NaN}', '{"name": "A", "potential": Infinity}', "\xff"])
def test_malformed_json_is_400(api, cast, raw):
    response = api(cast.admin, "POST", "/api/accounts", raw=raw)
    assert response.status_code == 400
    assert locs(response) == [["body"]]


def test_empty_body_is_422(api, cast):
    response = api(cast.admin, "POST", "/api/accounts", raw="")
    assert response.status_code == 422 and locs(response) == [["body"]]


def test_all_problems_reported_at_once(api, cast, network):
    response = api(cast.owner, "POST", "/api/accounts",
                   {"name": "A", "segment": "nope", "annual_revenue": -5, "country": "1"})
    assert response.status_code == 422
    assert sorted(locs(response)) == [["body", "annual_revenue"], ["body", "country"], ["body", "segment"]]


def test_patch_validates_like_create(api, cast, network):
    response = api(cast.owner, "PATCH", f"/api/accounts/{network.account.pk}", {"name": None, "potential": -1})
    assert response.status_code == 422
    assert sorted(locs(response)) == [["body", "name"], ["body", "potential"]]
    network.account.refresh_from_db()
    assert network.account.potential == Decimal("1200000")


def test_money_as_number_or_string(api, cast, network):
    response = api(cast.owner, "PATCH", f"/api/accounts/{network.account.pk}",
                   {"annual_revenue": 1234.5, "potential": "99999999999.99", "industry": None})
    assert response.status_code == 200
    assert response.json()["annual_revenue"] == "1234.50"
    assert response.json()["potential"] == "99999999999.99"
    assert response.json()["industry"] == ""


def test_messages_in_the_users_language(api, cast, network):
    cast.admin.language = "de-ch"
    cast.admin.save()
    body = {"name": "A", "annual_revenue": -1, "owner": cast.owner.pk}
    response = api(cast.admin, "POST", "/api/accounts", {"annual_revenue": -1})
    assert response.json()["detail"][0]["msg"] == "Dieses Feld ist zwingend erforderlich."
    response = api(cast.admin, "POST", "/api/accounts", body)
    assert response.json()["detail"][0]["msg"] == "Dieser Wert muss grösser oder gleich 0 sein."
    cast.admin.language = "en"
    cast.admin.save()
    response = api(cast.admin, "POST", "/api/accounts", body)
    assert response.json()["detail"][0]["msg"] == "Ensure this value is greater than or equal to 0."


# --- history -----------------------------------------------------------------------------------------

def test_history_names_the_api_user(api, cast, network):
    # (The team itself is the owner's to change; a team member changes the other fields.)
    api(cast.team_member, "PATCH", f"/api/accounts/{network.account.pk}", {"city": "Thun"})
    account = Account.objects.get(pk=network.account.pk)
    latest = account.history.first()
    assert latest.history_user == cast.team_member and latest.city == "Thun"
    assert account.updated_by == cast.team_member
    api(cast.owner, "DELETE", f"/api/accounts/{account.pk}")
    assert Account.all_objects.get(pk=account.pk).history.first().history_user == cast.owner
    assert Contact.all_objects.get(pk=network.contact.pk).history.first().history_user == cast.owner


# --- lists -------------------------------------------------------------------------------------------

@pytest.fixture
def many_accounts(cast, network):
    segment = Segment.objects.get(code="key_accounts")
    for number in range(12):
        Account.objects.create(name=f"Firma {number:02d}", owner=cast.owner, segment=segment,
                               status="customer" if number % 3 == 0 else "prospect", city="Zürich")
    return 12


def test_pagination_is_stable_and_counts_everything(api, cast, network, many_accounts):
    seen = []
    for offset in range(0, 20, 5):
        page = api(cast.owner, "GET", "/api/accounts", {"limit": 5, "offset": offset}).json()
        assert page["count"] == many_accounts + 1 and page["count_capped"] is False
        seen += [item["id"] for item in page["items"]]
    assert len(seen) == len(set(seen)) == many_accounts + 1
    names = [item["name"] for item in api(cast.owner, "GET", "/api/accounts", {"order_by": "-name"}).json()["items"]]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"offset": 10**20},
                                    {"order_by": "password"}, {"status": "vip"}, {"owner": "x"}, {"q": "a\x00"}])
def test_bad_list_parameters_are_422(api, cast, params):
    response = api(cast.owner, "GET", "/api/accounts", params)
    assert response.status_code == 422
    assert locs(response)[0][0] == "query"


def test_filters(api, cast, network, many_accounts):
    def ids(**params):
        return {item["id"] for item in api(cast.admin, "GET", "/api/accounts", params).json()["items"]}

    assert ids(q="muster") == {network.account.pk}
    assert ids(q="BASEL") == {network.other_account.pk}
    assert len(ids(status="customer")) == 4
    assert ids(segment="mid_market") == {network.account.pk}
    assert ids(segment=str(Segment.objects.get(code="mid_market").pk)) == {network.account.pk}
    assert ids(owner=cast.outsider.pk) == {network.other_account.pk}
    assert ids(team_member=cast.team_member.pk) == {network.account.pk}
    assert len(ids(q="firma", status="prospect", limit=500)) == 8


def test_list_queries_do_not_grow_with_rows(api, cast, network, many_accounts):
    api(cast.admin, "GET", "/api/accounts")  # issues the token
    few = count_queries(lambda: api(cast.admin, "GET", "/api/accounts", {"limit": 2}))
    many = count_queries(lambda: api(cast.admin, "GET", "/api/accounts", {"limit": 14}))
    assert few == many
