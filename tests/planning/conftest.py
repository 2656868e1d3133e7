"""Fixtures of the planning tests: a small network with figures, capacities and a budget, and the API caller.

The network (period 2026, no portfolio snapshot, so every account has its customer group's default
intensity): the cast's owner looks after three accounts, the outsider after three; the owner has fewer
hours than their strategies ask for, the outsider more.
"""

import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder


@pytest.fixture(autouse=True)
def english_messages():
    """Messages made outside a request (services, commands) in English, whatever language an earlier
    request left active in this thread; the language active before is restored afterwards."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api(client):
    """`api(user, "POST", "/api/planning/…", {...})` with a personal token; user None sends none."""
    from kundennetz.core.models import ApiToken

    tokens = {}

    def call(user, method, path, data=None, **extra):
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk] = ApiToken.issue(user, "tests")[1]
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {tokens[user.pk]}")
        send = getattr(client, method.lower())
        if method.upper() in ("GET", "DELETE"):
            return send(path, data=data, **extra)
        return send(path, json.dumps(data, cls=DjangoJSONEncoder), content_type="application/json", **extra)

    return call


@pytest.fixture
def period(db):
    from kundennetz.planning.models import Period

    return Period.get("2026")


def capacity(manager, period, *, fte="1", working_days="220", care="60", absences="25", user=None):
    from kundennetz.core.services import save_record
    from kundennetz.planning.models import Capacity

    record = Capacity(manager=manager, period=period, fte=Decimal(fte), working_days=Decimal(working_days),
                      care_share_pct=Decimal(care), absence_days=Decimal(absences))
    return save_record(record, user)


@pytest.fixture
def english(cast):
    """The cast reads English, so that the pages' texts can be checked as written."""
    from kundennetz.core.models import User

    User.objects.filter(pk__in=[u.pk for u in cast.all().values()]).update(language="en")
    for user in cast.all().values():
        user.language = "en"
    return cast


@pytest.fixture
def planned(english, cast, network, period):
    """The test network grown to six accounts with figures, two capacities and the 2026 budget."""
    from kundennetz.accounts.models import Account, Segment
    from kundennetz.planning.models import Budget

    segments = {s.code: s for s in Segment.objects.all()}

    def account(name, owner, segment, potential, margin):
        return Account.objects.create(name=name, owner=owner, segment=segments.get(segment),
                                      potential=Decimal(potential), contribution_margin_pct=Decimal(margin))

    accounts = {
        "muster": network.account,
        "alpha": account("Alpha AG", cast.owner, "key_accounts", "2000000", "35"),
        "beta": account("Beta GmbH", cast.owner, "small", "50000", "40"),
        "fremd": network.other_account,
        "gamma": account("Gamma AG", cast.outsider, "public_sector", "800000", "30"),
        "delta": account("Delta AG", cast.outsider, "mid_market", "300000", "25"),
    }
    # Owner: 1 × (40 − 0) × 8.4 × 25 % = 84 h, less than the 98 h the strategies ask for (30 + 60 + 8).
    capacities = {
        "owner": capacity(cast.owner, period, working_days="40", absences="0", care="25", user=cast.sales_head),
        "outsider": capacity(cast.outsider, period, user=cast.sales_head),
    }
    budget = Budget.objects.create(period=period, sales_support=Decimal("100000"), pr=Decimal("50000"))
    return {"accounts": accounts, "capacities": capacities, "budget": budget, "period": period}
