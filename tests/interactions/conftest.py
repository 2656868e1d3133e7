"""Fixtures for interactions: core messages, logging through the service, owner history at chosen dates."""

from datetime import date, datetime, time

import pytest


@pytest.fixture
def core_messages(db):
    """Two current messages and one retired at the end of 2024."""
    from kundennetz.interactions.models import CoreMessage

    return {
        "quality": CoreMessage.objects.create(kind="value", text_de="Qualität zuerst", text_en="Quality first"),
        "partner": CoreMessage.objects.create(kind="message", text_de="Partner auf Augenhöhe",
                                              text_en="Partners on equal terms"),
        "old": CoreMessage.objects.create(kind="message", text_de="Alt", text_en="Old",
                                          valid_from=date(2020, 1, 1), valid_to=date(2024, 12, 31)),
    }


@pytest.fixture
def log(cast):
    """`log(account, day, **fields)`: an interaction saved through the service, by the owner."""
    from kundennetz.interactions.models import Interaction
    from kundennetz.interactions.services import save_interaction

    def make(account, day, *, user=None, contacts=(), messages=(), people=None, **fields):
        interaction = Interaction(account=account, date=day, **{"type": "meeting", **fields})
        return save_interaction(interaction, user or account.owner, our_people=people, contacts=list(contacts),
                                core_messages=list(messages))

    return make


def at(day: date) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def owner_history():
    """`owner_history(account, [(day, user), ...])`: rewrite who was responsible when.

    The creation row is moved to the first day; each later entry is an owner change saved with that
    date, exactly as the accounts app records a change (one historical row per save)."""

    def rewrite(account, entries):
        first_day, first_user = entries[0]
        account.history.all().delete()
        account.owner = first_user
        account._history_date = at(first_day)
        account._history_user = first_user
        account.save()
        account.history.update(history_type="+")
        for day, user in entries[1:]:
            account.owner = user
            account._history_date = at(day)
            account.save()
        del account._history_date
        return account

    return rewrite


@pytest.fixture
def api(client):
    """`api(user, "POST", "/api/interactions/", {...})` with the user's personal token; None: no credentials."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

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
