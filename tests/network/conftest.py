"""The API as a member of the fixed cast (as in tests/api), for the relations and analysis endpoints."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder


@pytest.fixture
def api(client):
    """`api(user, "POST", "/api/accounts", {...})`; user None calls without credentials."""
    from kundennetz.core.models import ApiToken

    tokens = {}

    def call(user, method, path, data=None, *, raw=None, **extra):
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk] = ApiToken.issue(user, "tests")[1]
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {tokens[user.pk]}")
        send = getattr(client, method.lower())
        if method.upper() in ("GET", "DELETE") and raw is None:
            return send(path, data=data, **extra)
        body = raw if raw is not None else json.dumps(data, cls=DjangoJSONEncoder)
        return send(path, body, content_type="application/json", **extra)

    return call


@pytest.fixture
def api_client(api):
    """`api_client(user).get(path)`: the `api` fixture bound to one user."""

    class Bound:
        def __init__(self, user):
            self.user = user

        def get(self, path, data=None):
            return api(self.user, "GET", path, data)

    return Bound
