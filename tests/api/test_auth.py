"""Who may call the API: personal tokens, the browser session with CSRF, the caller's language; the docs."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string

from kundennetz.core.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"]


# --- tokens ------------------------------------------------------------------------------------------

def test_valid_token(client, cast, network):
    token, raw = ApiToken.issue(cast.owner, "CRM sync")
    response = client.get("/api/accounts", **bearer(raw))
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [network.account.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Only the hash is kept.
    assert raw.startswith("kn_") and raw not in {token.key_hash, token.prefix}


@pytest.mark.parametrize("header", ["Bearer kn_wrong", "Bearer ", "Token kn_x", "Basic b3duZXI6cHc=", "kn_x"])
def test_wrong_credentials(client, cast, header):
    ApiToken.issue(cast.owner, "CRM sync")
    assert_unauthorized(client.get("/api/accounts", HTTP_AUTHORIZATION=header))


def test_no_credentials(client, cast):
    assert_unauthorized(client.get("/api/accounts"))
    assert_unauthorized(client.post("/api/accounts", {"name": "X"}, content_type="application/json"))


def test_revoked_token(client, cast):
    token, raw = ApiToken.issue(cast.owner, "CRM sync")
    token.delete()
    assert_unauthorized(client.get("/api/accounts", **bearer(raw)))


def test_token_of_inactive_user(client, cast):
    _token, raw = ApiToken.issue(cast.owner, "CRM sync")
    cast.owner.is_active = False
    cast.owner.save()
    assert_unauthorized(client.get("/api/accounts", **bearer(raw)))


def test_wrong_token_does_not_fall_back_to_the_session(client, cast):
    client.force_login(cast.owner)
    assert_unauthorized(client.get("/api/accounts", **bearer("kn_wrong")))


def test_token_needs_no_csrf(cast, network):
    _token, raw = ApiToken.issue(cast.owner, "CRM sync")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/api/accounts", {"name": "Per Token AG"}, content_type="application/json", **bearer(raw))
    assert response.status_code == 201


def test_every_endpoint_needs_authentication(client, cast):
    schema = client.get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            response = getattr(client, method)(url, "{}", content_type="application/json") if method != "get" \
                else client.get(url)
            assert response.status_code == 401, (method, path)


# --- session -----------------------------------------------------------------------------------------

def test_session_reads(client, cast, network):
    client.force_login(cast.team_member)
    response = client.get(f"/api/accounts/{network.account.pk}")
    assert response.status_code == 200


def test_session_writes_need_the_csrf_token(cast, network):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.owner)
    path = f"/api/accounts/{network.account.pk}"
    response = strict.patch(path, {"city": "Thun"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"]
    response = strict.post("/api/accounts", {"name": "Ohne CSRF AG"}, content_type="application/json")
    assert response.status_code == 403
    secret = get_random_string(32)
    strict.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = strict.patch(path, {"city": "Thun"}, content_type="application/json", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200 and response.json()["city"] == "Thun"
    network.account.refresh_from_db()
    assert network.account.history.first().history_user == cast.owner


def test_session_of_observer_is_refused_like_a_token(client, cast, network):
    client.force_login(cast.marketing)
    response = client.patch(f"/api/accounts/{network.account.pk}", {"city": "Thun"}, content_type="application/json")
    assert response.status_code == 403


# --- language ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("language,expected", [("de-ch", "Dieses Feld ist zwingend erforderlich."),
                                               ("en", "This field is required.")])
def test_token_caller_reads_messages_in_their_language(client, cast, language, expected):
    cast.owner.language = language
    cast.owner.save()
    _token, raw = ApiToken.issue(cast.owner, "CRM sync")
    # The browser's preference does not matter: the user chose a language in their profile.
    other = "en" if language.startswith("de") else "de"
    response = client.post("/api/accounts", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE=other,
                           **bearer(raw))
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "name"], "msg": expected, "type": "missing"}]
    assert response["Content-Language"] == language


def test_session_caller_reads_messages_in_their_language(client, cast):
    cast.owner.language = "de-ch"
    cast.owner.save()
    client.force_login(cast.owner)
    response = client.post("/api/accounts", {"name": "A", "potential": -1}, content_type="application/json")
    assert response.json()["detail"][0]["msg"] == "Dieser Wert muss grösser oder gleich 0 sein."


# --- documentation -----------------------------------------------------------------------------------

def test_openapi_schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/accounts", "/api/accounts/{account_id}", "/api/contacts", "/api/opportunities",
            "/api/opportunities/{opportunity_id}", "/api/stages", "/api/closing-reasons", "/api/segments",
            "/api/competitors", "/api/users/me"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/accounts/{account_id}"]) == {"get", "put", "patch", "delete"}
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    responses = schema["paths"]["/api/opportunities/{opportunity_id}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(responses)
    operation_ids = [operation["operationId"] for operations in schema["paths"].values()
                     for operation in operations.values()]
    assert len(operation_ids) == len(set(operation_ids)) and "list_accounts" in operation_ids


def test_docs_page(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
