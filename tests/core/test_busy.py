"""Busy database: "try again" (503) instead of a server error; token use stamped at most once a minute."""

from datetime import timedelta

import pytest
from django.db import OperationalError


@pytest.fixture
def locked(monkeypatch):
    from kundennetz.imports import tasks

    def refuse(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(tasks, "request_commit", refuse)


def _batch(cast):
    from kundennetz.imports.models import ImportBatch

    return ImportBatch.objects.create(kind="accounts", created_by=cast.admin, file_name="x.csv", status="dry_run")


def test_busy_database_is_503_try_again_on_pages(cast, client_for, locked):
    batch = _batch(cast)
    client = client_for(cast.admin)
    client.raise_request_exception = False
    response = client.post(f"/imports/{batch.pk}/commit/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "try again" in response.content.decode()


def test_busy_database_is_503_in_the_api(cast, client, locked):
    from kundennetz.core.models import ApiToken

    batch = _batch(cast)
    token = ApiToken.issue(cast.admin, "t")[1]
    response = client.post(f"/api/imports/{batch.pk}/commit", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The database is busy")


def test_other_database_errors_are_not_hidden():
    from kundennetz.core.busy import is_busy

    assert is_busy(OperationalError("database is locked"))
    assert not is_busy(OperationalError("no such table: x"))
    assert not is_busy(ValueError("database is locked"))


def test_token_last_use_written_at_most_once_a_minute(cast, django_assert_num_queries):
    from django.utils import timezone

    from kundennetz.core.models import ApiToken

    token, raw = ApiToken.issue(cast.owner, "t")
    assert ApiToken.authenticate(raw) == cast.owner
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        ApiToken.authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    ApiToken.authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at > first
