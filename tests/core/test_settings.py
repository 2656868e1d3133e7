"""Security basics: deploy checks pass for production settings, secrets stay outside the repository."""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

KUNDENNETZ = [sys.executable, "-m", "kundennetz"]


def run(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUNDENNETZ_", "DJANGO_", "DATABASE_URL"))}
    env.update({"KUNDENNETZ_HOME": str(tmp_path), **env_extra})
    return subprocess.run(KUNDENNETZ + args, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = run(["check", "--deploy", "--fail-level", "WARNING"], {
        "DJANGO_SETTINGS_MODULE": "kundennetz.settings.production",
        "KUNDENNETZ_SECRET_KEY": secrets.token_urlsafe(64),
        "KUNDENNETZ_ALLOWED_HOSTS": "kundennetz.example.ch",
    }, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["check"], {"DJANGO_SETTINGS_MODULE": "kundennetz.settings.production",
                             "KUNDENNETZ_ALLOWED_HOSTS": "x.example.ch"}, tmp_path)
    assert result.returncode != 0
    assert "KUNDENNETZ_SECRET_KEY" in result.stderr


def test_laptop_key_is_generated_once_into_a_private_file(tmp_path):
    assert run(["check"], {}, tmp_path).returncode == 0
    key_file = Path(tmp_path) / "secret_key"
    first = key_file.read_text()
    assert len(first) > 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert run(["check"], {}, tmp_path).returncode == 0
    assert key_file.read_text() == first


def test_passwords_are_hashed_with_argon2_outside_tests():
    from kundennetz.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert base.DEBUG is False
