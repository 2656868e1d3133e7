"""Fixtures of the import tests; shared helpers live in importing_helpers.py next to this file."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from importing_helpers import Upload


@pytest.fixture
def run_import(db):
    """`run_import(user, kind, content, name="x.csv", mapping=None, commit=False)` → (batch, result)
    through the same service the wizard uses: start, check, and commit when asked."""
    from kundennetz.imports import services

    def run(user, kind, content, name="import.csv", mapping=None, commit=False):
        batch = services.start(user, Upload(content, name), kind, mapping=mapping)
        result = None if batch.file_problem else services.check(batch, user)
        if commit and batch.can_commit:
            result = services.commit(batch, user)
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
