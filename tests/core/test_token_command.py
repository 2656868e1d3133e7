"""`kundennetz token create|list|revoke`: personal API tokens for automation, from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from kundennetz.core.models import ApiToken

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def create(username, *extra) -> str:
    """The token: the last line of the output, alone."""
    return run("create", username, *extra).rstrip("\n").splitlines()[-1]


def test_create_prints_a_working_token_alone_on_the_last_line(cast, client):
    raw = create(cast.owner.username, "--name", "Nightly report")
    assert raw.startswith("kn_") and " " not in raw and len(raw) > 30
    token = ApiToken.objects.get(user=cast.owner)
    assert token.name == "Nightly report" and token.prefix == raw[:10]
    assert raw not in {token.key_hash, token.prefix}  # only the hash is stored
    response = client.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_create_has_a_default_name(cast):
    create(cast.read_only.username)
    assert ApiToken.objects.get(user=cast.read_only).name == "command line"


@pytest.mark.parametrize("args, message", [
    (["nobody"], "No user"),
    (["{owner}", "--name", ""], "needs a name"),
    (["{owner}", "--name", "x" * 101], "too long"),
])
def test_create_refuses_bad_input(cast, args, message):
    args = [a.format(owner=cast.owner.username) for a in args]
    with pytest.raises(CommandError, match=message):
        run("create", *args)
    assert not ApiToken.objects.exists()


def test_create_refuses_a_deactivated_user(cast):
    cast.outsider.is_active = False
    cast.outsider.save()
    with pytest.raises(CommandError, match="deactivated"):
        run("create", cast.outsider.username)


def test_list_shows_names_and_prefixes_never_tokens(cast):
    raw = create(cast.owner.username, "--name", "CI")
    listing = run("list")
    assert "CI" in listing and raw[:10] in listing and raw not in listing
    assert run("list", cast.admin.username).strip() == "No API tokens."


def test_revoke_by_name(cast, client):
    raw = create(cast.owner.username, "--name", "CI")
    keep = create(cast.owner.username, "--name", "Excel")
    assert "Revoked 1 token" in run("revoke", cast.owner.username, "--name", "CI")
    assert client.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {keep}").status_code == 200


def test_revoke_by_prefix_and_by_the_token_itself(cast):
    first = create(cast.owner.username, "--name", "a")
    second = create(cast.owner.username, "--name", "b")
    run("revoke", cast.owner.username, "--prefix", first[:10])
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["b"]
    run("revoke", "--token", second)
    assert not ApiToken.objects.exists()


def test_revoke_reads_the_token_from_standard_input(cast, monkeypatch):
    raw = create(cast.owner.username)
    monkeypatch.setattr("sys.stdin", io.StringIO(raw + "\n"))
    run("revoke", "--token", "-")
    assert not ApiToken.objects.exists()


def test_revoke_all_of_one_user_only(cast):
    create(cast.owner.username)
    create(cast.owner.username)
    create(cast.admin.username)
    assert "Revoked 2 tokens" in run("revoke", cast.owner.username, "--all")
    assert list(ApiToken.objects.values_list("user", flat=True)) == [cast.admin.pk]


@pytest.mark.parametrize("args, message", [
    (["{owner}", "--name", "unknown"], "No token"),
    (["{owner}", "--prefix", "kn_"], "at least"),
    (["--name", "CI"], "Name the user"),
    (["{owner}", "--token", "kn_x"], "either"),
    (["--token", "kn_not_a_token"], "No token"),
    (["nobody", "--all"], "No user"),
])
def test_revoke_refuses_what_matches_nothing(cast, args, message):
    create(cast.owner.username, "--name", "CI")
    with pytest.raises(CommandError, match=message):
        run("revoke", *[a.format(owner=cast.owner.username) for a in args])
    assert ApiToken.objects.count() == 1


def test_revoke_never_touches_another_users_token(cast):
    raw = create(cast.admin.username)
    with pytest.raises(CommandError, match="No token"):
        run("revoke", cast.owner.username, "--prefix", raw[:10])
    assert ApiToken.objects.count() == 1


def test_the_console_script_prints_the_token_last(cast, tmp_path):
    """Through the real `kundennetz` entry point, as automation calls it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("runs against a file database of its own")
    script = Path(sys.executable).with_name("kundennetz")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "KUNDENNETZ_HOME": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([script, "migrate", "-v0"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','kundennetz.settings.local');"
                    "django.setup();from kundennetz.core.models import User;User.objects.create(username='robot',role='read_only')"],
                   env=env, check=True, capture_output=True)
    done = subprocess.run([script, "token", "create", "robot", "--name", "cron"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("kn_")
    missing = subprocess.run([script, "token", "create", "ghost"], env=env, capture_output=True, text=True)
    assert missing.returncode != 0 and "No user" in missing.stderr
