"""Creating twice creates once: the API's Idempotency-Key and the token of each rendered page form."""

import json
import re
from urllib.parse import urlencode
from datetime import timedelta

import pytest
from django.utils import timezone

from kundennetz.accounts.models import Account, Contact
from kundennetz.core.models import ApiToken, IdempotencyKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client):
    tokens = {}

    def call(user, path, data, key=None, **extra):
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.issue(user, "tests")[1]
        extra["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
        if key is not None:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        return client.post(path, json.dumps(data), content_type="application/json", **extra)

    return call


def test_same_key_same_user_gives_the_first_answer_again(post, cast, network):
    body = {"account": network.account.pk, "last_name": "Einmal"}
    first = post(cast.owner, "/api/contacts", body, key="abc-1")
    second = post(cast.owner, "/api/contacts", body, key="abc-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert second["ETag"] == first["ETag"]
    assert Contact.objects.filter(last_name="Einmal").count() == 1


def test_without_a_key_each_post_creates(post, cast, network):
    body = {"account": network.account.pk, "last_name": "Zweimal"}
    post(cast.owner, "/api/contacts", body)
    post(cast.owner, "/api/contacts", body)
    assert Contact.objects.filter(last_name="Zweimal").count() == 2


def test_keys_belong_to_their_user(post, cast, network):
    body = {"account": network.account.pk, "last_name": "Jeder"}
    assert post(cast.owner, "/api/contacts", body, key="same").status_code == 201
    assert post(cast.team_member, "/api/contacts", body, key="same").status_code == 201
    assert Contact.objects.filter(last_name="Jeder").count() == 2


def test_a_key_reused_for_another_request_answers_422(post, cast, network):
    post(cast.owner, "/api/contacts", {"account": network.account.pk, "last_name": "A"}, key="k")
    other = post(cast.owner, "/api/contacts", {"account": network.account.pk, "last_name": "B"}, key="k")
    assert other.status_code == 422 and "detail" in other.json()
    assert not Contact.objects.filter(last_name="B").exists()


def test_a_refused_request_keeps_no_answer(post, cast, network):
    """A 422 is not replayed: the corrected request with the same key goes through."""
    bad = post(cast.owner, "/api/accounts", {"name": ""}, key="retry")
    assert bad.status_code == 422
    good = post(cast.owner, "/api/accounts", {"name": "Korrigiert AG"}, key="retry")
    assert good.status_code == 201 and Account.objects.filter(name="Korrigiert AG").count() == 1


def test_after_a_day_the_key_is_free_again(post, cast, network):
    body = {"account": network.account.pk, "last_name": "Morgen"}
    post(cast.owner, "/api/contacts", body, key="daily")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = post(cast.owner, "/api/contacts", body, key="daily")
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert Contact.objects.filter(last_name="Morgen").count() == 2


@pytest.mark.parametrize("key", ["", " ", "x" * 300])
def test_an_unusable_key_answers_400(post, cast, network, key):
    response = post(cast.owner, "/api/contacts", {"account": network.account.pk, "last_name": "K"}, key=key)
    assert response.status_code == 400 and "detail" in response.json()
    assert not Contact.objects.filter(last_name="K").exists()


def test_without_credentials_the_key_changes_nothing(client):
    response = client.post("/api/accounts", json.dumps({"name": "X"}), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="anon")
    assert response.status_code == 401 and not IdempotencyKey.objects.exists()


# --- page forms ------------------------------------------------------------------------------------

def _form_post(client, path, data):
    """As a browser sends a form without files (and as HTMX does)."""
    return client.post(path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def _token(html: str) -> str:
    match = re.search(r'name="form_token" value="([0-9a-f]+)"', html)
    assert match, "the form carries no token"
    return match.group(1)


def test_each_rendered_form_has_its_own_token(client_for, cast):
    client = client_for(cast.owner)
    first = _token(client.get("/contacts/new/").content.decode())
    second = _token(client.get("/contacts/new/").content.decode())
    assert first != second


def test_a_double_submitted_form_creates_one_record(client_for, cast, network):
    client = client_for(cast.owner)
    token = _token(client.get(f"/contacts/new/?account={network.account.pk}").content.decode())
    data = {"form_token": token, "account": network.account.pk, "first_name": "", "last_name": "Doppelklick",
            "function": "", "department": "", "language": "de", "email": "", "phone": "",
            "buying_role": "influencer", "influence": "high", "attitude": "supporter", "reports_to": ""}
    first = _form_post(client, "/contacts/new/", data)
    second = _form_post(client, "/contacts/new/", data)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Contact.objects.filter(last_name="Doppelklick").count() == 1


def test_a_new_rendering_of_the_form_creates_again(client_for, cast, network):
    client = client_for(cast.sales_head)
    for _round in range(2):
        token = _token(client.get("/accounts/new/").content.decode())
        response = _form_post(client, "/accounts/new/", {
            "form_token": token, "name": "Zweimal gewollt AG", "legal_form": "ag", "industry": "", "status": "prospect",
            "city": "Thun", "country": "CH", "currency": "CHF", "annual_revenue": "", "potential": "",
            "contribution_margin_pct": "", "street": "", "postal_code": "", "website": "", "owner": cast.owner.pk})
        assert response.status_code == 302, response.content.decode()[:3000]
    assert Account.objects.filter(name="Zweimal gewollt AG").count() == 2
