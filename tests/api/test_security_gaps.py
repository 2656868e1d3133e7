"""The gaps of the security review, each closed: API docs behind a login in production, CSP and headers,
a private SQLite file, the login lockout per client behind a trusted proxy, password pages, who may
trash an account or change its team, integers that are not dates, JSON errors on any API path."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from kundennetz.accounts.models import Account
from kundennetz.core.models import ApiToken

pytestmark = pytest.mark.django_db


# --- API documentation --------------------------------------------------------------------------------

@override_settings(KUNDENNETZ_API_DOCS_PUBLIC=False)
def test_api_docs_and_schema_need_a_login_when_not_public(client, cast):
    docs = client.get("/api/docs")
    assert docs.status_code == 302 and reverse("login") in docs["Location"]
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 401 and "detail" in schema.json()
    client.force_login(cast.read_only)
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Kundennetz API"


def test_the_production_settings_keep_the_docs_private(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kundennetz.settings.production", "KUNDENNETZ_SECRET_KEY": "x" * 60,
           "KUNDENNETZ_ALLOWED_HOSTS": "example.ch", "KUNDENNETZ_HOME": str(tmp_path)}
    env.pop("KUNDENNETZ_API_DOCS_PUBLIC", None)
    code = "import django; django.setup(); from django.conf import settings; print(settings.KUNDENNETZ_API_DOCS_PUBLIC)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# --- headers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/login/", "/accounts/", "/api/accounts"])
def test_security_headers(client, cast, path):
    client.force_login(cast.owner)
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_inline_script_in_the_pages(client, cast, network):
    client.force_login(cast.owner)
    for path in ("/", "/accounts/", f"/opportunities/{network.opportunity.pk}/checklist/"):
        html = client.get(path).content.decode()
        for chunk in html.split("<script")[1:]:
            tag = chunk.split(">")[0]
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert "hx-on" not in html


# --- a private SQLite file --------------------------------------------------------------------------------

def test_the_sqlite_file_and_its_directory_are_private(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "KUNDENNETZ_HOME": str(home), "DJANGO_SETTINGS_MODULE": "kundennetz.settings.local"}
    env.pop("DATABASE_URL", None)
    script = Path(sys.executable).with_name("kundennetz")
    done = subprocess.run([script, "migrate", "-v0"], env=env, capture_output=True, text=True, umask=0o022)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = [p for p in home.iterdir() if p.name.startswith("kundennetz.sqlite3")]
    assert files
    for path in [*files, home / "secret_key"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # An existing installation with looser permissions is narrowed on the next start.
    os.chmod(home, 0o755)
    os.chmod(files[0], 0o644)
    subprocess.run([script, "migrate", "-v0"], env=env, check=True, capture_output=True)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


# --- login lockout per client ------------------------------------------------------------------------------

def _bad_logins(client, username, count, **meta):
    for _ in range(count):
        client.post("/login/", {"username": username, "password": "falsch-falsch"}, **meta)


@override_settings(KUNDENNETZ_TRUSTED_PROXIES=["10.0.0.5"])
def test_bad_logins_behind_the_proxy_lock_out_only_their_sender(client, cast, password):
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    _bad_logins(client, cast.owner.username, 5, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    locked = client.post("/login/", {"username": cast.owner.username, "password": password},
                         HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert locked.status_code in (403, 429)
    # The owner, at another address behind the same proxy, still logs in.
    ok = client.post("/login/", {"username": cast.owner.username, "password": password},
                     HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert ok.status_code == 302


@override_settings(KUNDENNETZ_TRUSTED_PROXIES=["10.0.0.5"])
def test_a_forged_forwarded_header_is_not_believed(client, cast, password):
    """Without a trusted proxy in front, X-Forwarded-For is the sender's own invention: ignored."""
    for number in range(5):
        client.post("/login/", {"username": cast.owner.username, "password": "falsch-falsch"},
                    REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    locked = client.post("/login/", {"username": cast.owner.username, "password": password},
                         REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert locked.status_code in (403, 429)


def test_client_ip_reads_the_chain_from_the_right():
    from django.test import RequestFactory

    from kundennetz.core.security import client_ip

    factory = RequestFactory()
    with override_settings(KUNDENNETZ_TRUSTED_PROXIES=["10.0.0.0/8"]):
        request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.1.1.1")
        assert client_ip(request) == "203.0.113.9"  # "1.2.3.4" could have been sent by the client itself
        assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="nonsense")) == "10.0.0.5"
        assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.5"


# --- password pages -----------------------------------------------------------------------------------------

def test_change_password(client, cast, password):
    client.force_login(cast.owner)
    assert reverse("password_change") in client.get("/profile/").content.decode()
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Kundennetz" in page.content.decode()
    response = client.post(reverse("password_change"), {"old_password": password, "new_password1": "Neues-Passwort-2026!",
                                                        "new_password2": "Neues-Passwort-2026!"})
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    cast.owner.refresh_from_db()
    assert cast.owner.check_password("Neues-Passwort-2026!")


def test_change_password_refuses_a_wrong_old_one(client, cast):
    client.force_login(cast.owner)
    response = client.post(reverse("password_change"), {"old_password": "falsch", "new_password1": "Neues-Passwort-2026!",
                                                        "new_password2": "Neues-Passwort-2026!"})
    assert response.status_code == 200 and "old_password" in response.context["form"].errors


def test_reset_password_by_mail(client, cast):
    cast.owner.email = "owner@example.ch"
    cast.owner.save()
    assert reverse("password_reset") in client.get("/login/").content.decode()
    response = client.post(reverse("password_reset"), {"email": "owner@example.ch"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.ch"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Ganz-neu-2026!x", "new_password2": "Ganz-neu-2026!x"})
    assert done.status_code == 302
    cast.owner.refresh_from_db()
    assert cast.owner.check_password("Ganz-neu-2026!x")


def test_reset_for_an_unknown_address_tells_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "niemand@example.ch"})
    assert response.status_code == 302 and not mail.outbox


# --- trash and team ------------------------------------------------------------------------------------------

def test_a_team_member_may_not_trash_the_account(client_for, cast, network):
    client = client_for(cast.team_member)
    assert client.post(f"/accounts/{network.account.pk}/delete/").status_code == 403
    assert not Account.all_objects.get(pk=network.account.pk).is_deleted
    client = client_for(cast.owner)
    assert client.post(f"/accounts/{network.account.pk}/delete/").status_code == 302
    assert Account.all_objects.get(pk=network.account.pk).is_deleted


def test_a_team_member_may_not_change_the_team(api, cast, network):
    before = set(network.account.team.values_list("pk", flat=True))
    response = api(cast.team_member, "PATCH", f"/api/accounts/{network.account.pk}", {"team": []})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "team"]
    assert set(network.account.team.values_list("pk", flat=True)) == before
    # Other fields stay theirs to change, and sending the team unchanged is fine.
    ok = api(cast.team_member, "PATCH", f"/api/accounts/{network.account.pk}", {"city": "Chur", "team": sorted(before)})
    assert ok.status_code == 200
    assert api(cast.owner, "PATCH", f"/api/accounts/{network.account.pk}", {"team": []}).status_code == 200


def test_the_team_field_is_locked_for_a_team_member_in_the_form(client_for, cast, network):
    page = client_for(cast.team_member).get(f"/accounts/{network.account.pk}/edit/")
    assert page.context["form"].fields["team"].disabled
    page = client_for(cast.owner).get(f"/accounts/{network.account.pk}/edit/")
    assert not page.context["form"].fields["team"].disabled


# --- integers are not dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 1700000000, 20260630, 1.5, True])
def test_a_number_is_not_a_date(api, cast, network, value):
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}", {"expected_decision_date": value})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "expected_decision_date"]


@pytest.mark.parametrize("value", ["0", "1700000000"])
def test_a_number_is_not_a_date_in_a_filter_either(api, cast, value):
    response = api(cast.owner, "GET", "/api/opportunities", {"decision_from": value})
    assert response.status_code == 422


def test_an_iso_date_still_is_one(api, cast, network):
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}",
                   {"expected_decision_date": "2026-06-30"})
    assert response.status_code == 200 and response.json()["expected_decision_date"] == "2026-06-30"


# --- JSON on every API path ------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("GET", "/api/nothing-here"), ("GET", "/api/accounts/abc"), ("GET", "/api/accounts/1/x/y"),
    ("DELETE", "/api/zzz"), ("GET", "/api/accounts/99999999"), ("GET", "/api/%ff"), ("GET", "/api/accounts/-1"),
    ("PUT", "/api/nothing"), ("GET", "/api/accounts/1/"),
])
def test_odd_api_paths_answer_json(api, cast, method, path):
    response = api(cast.owner, method, path)
    assert response.status_code in (404, 405), (path, response.status_code)
    assert response["Content-Type"].startswith("application/json"), path
    assert "detail" in json.loads(response.content)


def test_an_odd_path_without_credentials_is_json_too(client):
    response = client.get("/api/no/such/thing")
    assert response.status_code in (401, 404) and response["Content-Type"].startswith("application/json")


def test_a_method_the_endpoint_does_not_take_answers_json(api, cast, network):
    response = api(cast.owner, "POST", f"/api/accounts/{network.account.pk}", {})
    assert response.status_code in (404, 405) and response["Content-Type"].startswith("application/json")


def test_tokens_shown_on_the_profile_are_never_stored_as_answers(client_for, cast):
    from kundennetz.core.models import IdempotencyKey

    client = client_for(cast.owner)
    page = client.get("/profile/").content.decode()
    token = page.split('name="form_token" value="')[2].split('"')[0]
    from urllib.parse import urlencode
    client.post("/profile/", urlencode({"form_token": token, "name": "Excel", "create_token": "1"}),
                content_type="application/x-www-form-urlencoded")
    assert ApiToken.objects.filter(user=cast.owner).count() == 1
    assert not IdempotencyKey.objects.exists()
