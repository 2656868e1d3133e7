"""Logging in, throttling of failed attempts, the language switch and API tokens on the profile page."""

import pytest
from django.urls import reverse

from kundennetz.core.models import ApiToken

pytestmark = pytest.mark.django_db


def test_login_with_password_reaches_home(client, cast, password):
    response = client.post(reverse("login"), {"username": "owner", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_five_failed_attempts_lock_the_user_name(client, cast, password):
    for _ in range(5):
        client.post(reverse("login"), {"username": "owner", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    response = client.post(reverse("login"), {"username": "owner", "password": password}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content or "Anmeldeversuche" in response.content.decode()


def test_language_switch_is_kept_per_user(client_for, cast):
    client = client_for(cast.owner)
    response = client.post(reverse("profile"), {"language": "de-ch"})
    assert response.status_code == 302
    cast.owner.refresh_from_db()
    assert cast.owner.language == "de-ch"
    page = client.get(reverse("home"))
    assert page["Content-Language"] == "de-ch"
    assert "Abmelden" in page.content.decode()
    client.post(reverse("profile"), {"language": "en"})
    page = client.get(reverse("home"))
    assert page["Content-Language"] == "en" and "Log out" in page.content.decode()


def test_unknown_language_is_refused(client_for, cast):
    response = client_for(cast.owner).post(reverse("profile"), {"language": "xx"})
    assert response.status_code == 200
    cast.owner.refresh_from_db()
    assert cast.owner.language == "en"


def test_token_is_shown_once_and_stored_hashed(client_for, cast):
    client = client_for(cast.owner)
    response = client.post(reverse("profile"), {"name": "Excel", "create_token": "1"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(user=cast.owner)
    assert raw.startswith("kn_") and raw not in token.key_hash and token.prefix == raw[:10]
    assert ApiToken.authenticate(raw) == cast.owner
    assert raw not in client.get(reverse("profile")).content.decode()


def test_tokens_of_others_cannot_be_revoked(client_for, cast):
    token, _raw = ApiToken.issue(cast.team_member, "mine")
    response = client_for(cast.owner).post(reverse("revoke_token", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
