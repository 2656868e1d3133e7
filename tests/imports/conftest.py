"""Fixtures of the import tests; shared helpers live in importing_helpers.py next to this file."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from importing_helpers import Upload


@pytest.fixture
def run_import(db):
    """`run_import(user, kind, content, name="x.csv", mapping=None, commit=False, skip_errors=False)` →
    (batch, result of the check) through the same services the wizard uses: start, the check as a task,
    and the commit as a task when asked (tasks run at once in tests: the immediate backend)."""
    from kundennetz.imports import services, tasks

    def run(user, kind, content, name="import.csv", mapping=None, commit=False, skip_errors=False):
        batch = services.start(user, Upload(content, name), kind, mapping=mapping)
        result = None if batch.file_problem else services.check(batch, user)
        batch.refresh_from_db()
        if commit and batch.can_commit and (skip_errors or not batch.error_count):
            tasks.request_commit(batch, user, skip_errors=skip_errors)
        batch.refresh_from_db()
        return batch, result

    return run


@pytest.fixture
def token_for(db):
    """`token_for(user)` → the headers of a request with that user's personal API token."""
    from kundennetz.core.models import ApiToken

    def headers(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'tests')[1]}"}

    return headers
