"""Fixtures of the portfolio tests: the API caller, a model scored by manual ratings only (so that axis
scores land exactly on cell boundaries), and helpers to give accounts figures."""

import copy
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder


@pytest.fixture
def cast(cast):
    """The fixed cast, reading English: the tests look for words on the pages and in the messages."""
    for user in cast.all().values():
        user.language = "en"
        user.save(update_fields=["language"])
    return cast


@pytest.fixture
def api(client):
    """`api(user, "POST", "/api/portfolio/…", {...})` with a personal token; user None sends none."""
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


def manual_definition(grid: str = "2x2", thresholds: list[float] | None = None) -> dict:
    """The default model with one manual criterion per axis: rating r gives the axis score 25 × (r − 1),
    so ratings 1–5 put an account at 0, 25, 50, 75 or 100 exactly."""
    from kundennetz.domain.portfolio import load_default_model

    definition = copy.deepcopy(load_default_model().to_dict())
    definition["min_coverage"] = 0.0
    for axis, key in (("attractiveness", "att_rating"), ("position", "pos_rating")):
        definition["axes"][axis]["criteria"] = [{
            "key": key, "name_de": f"{axis} (Einschätzung)", "name_en": f"{axis} (rating)", "weight": 1,
            "source": "manual", "scale": {"kind": "manual"}}]
    definition["grid"] = grid
    if thresholds is not None:
        definition["grids"][grid]["attractiveness_thresholds"] = thresholds
        definition["grids"][grid]["position_thresholds"] = thresholds
    return definition


@pytest.fixture
def manual_model(cast):
    """Publish the manual-ratings model (optionally another grid) as the current version."""
    from kundennetz.portfolio.services import publish_model

    def publish(grid: str = "2x2", thresholds: list[float] | None = None):
        return publish_model(manual_definition(grid, thresholds), cast.sales_head, "tests")

    return publish


@pytest.fixture
def rate(cast):
    """`rate(account, attractiveness_rating, position_rating)` for the manual-ratings model."""
    from kundennetz.portfolio.services import set_rating

    def give(account, att, pos):
        set_rating(account, cast.sales_head, "att_rating", att, "")
        set_rating(account, cast.sales_head, "pos_rating", pos, "")

    return give


@pytest.fixture
def make_account(cast):
    """An account of `owner` (default: the cast's owner), with optional figures."""
    from kundennetz.accounts.models import Account, Segment

    def make(name, owner=None, segment="mid_market", **fields):
        segment_obj = Segment.objects.get(code=segment) if segment else None
        return Account.objects.create(name=name, owner=owner or cast.owner, segment=segment_obj, **fields)

    return make


@pytest.fixture
def customer(make_account, cast):
    """A customer for six years with every figure the default model reads from the database."""
    from kundennetz.accounts.models import Contact, Opportunity, Stage
    from django.utils import timezone

    account = make_account(
        "Figuren AG", status="customer", annual_revenue=Decimal("300000"), potential=Decimal("1000000"),
        contribution_margin_pct=Decimal("32"), created_at=timezone.now() - timedelta(days=6 * 365))
    stages = {s.code: s for s in Stage.objects.all()}
    for code, closed in (("won", date(2024, 3, 1)), ("won", date(2025, 5, 1)), ("lost", date(2025, 6, 1)),
                         ("no_offer", date(2025, 7, 1)), ("qualifying", None)):
        Opportunity.objects.create(account=account, title=f"{code} deal", owner=cast.owner, stage=stages[code],
                                   closed_on=closed)
    gone = Opportunity.objects.create(account=account, title="deleted loss", owner=cast.owner, stage=stages["lost"])
    gone.soft_delete(cast.owner)
    for role, attitude in (("decision_maker", "neutral"), ("coach", "supporter"), ("influencer", "opponent"),
                           ("gatekeeper", "neutral")):
        Contact.objects.create(account=account, last_name=role, buying_role=role, attitude=attitude)
    deleted = Contact.objects.create(account=account, last_name="gone", buying_role="coach")
    deleted.soft_delete(cast.owner)
    return account
