"""The permission door, tested from the outside: every page and every API route, as members of the cast
who must not see or must not change a record.

A hidden account (owned by the cast's owner, nobody else on its team) gets one record of every model that
hangs off an account, all with the same id, so that any id in any address names a hidden record of that
address's kind. Then:

- the outsider account manager gets 404 (or a role's 403), never an answer with the record, for every
  method of every address that names one; lists never show the hidden account;
- marketing and read-only users may look but every change is refused (403, or 404/405), never done;
- a read-only user's looking writes nothing (rows of every model counted before and after);
- every model with a path to an account is known to `restrict` (introspection, not a hand-kept list);
- every other model of ours rules its records itself (`restrict_records`), and one record of each, made
  by the owner, is seen, added to, changed and deleted by exactly the members of the cast its rule names
  (a table here, so that a changed rule fails until the table says so too);
- no page or endpoint loads a record by id past the door (a source check: no `get_object_or_404`).
"""

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from cast import CHANGES, COMMUNICATORS, MANAGERS, OBSERVERS, ROLES, VIEWERS
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

HIDDEN = 900_001
NOWHERE = 900_002  # an id no record has
MARK = "Verborgen Geheim AG"

# Addresses without records of the network: signing in and out, password handling, language, the admin
# (staff only), the API's catch-all for unknown addresses.
SKIP = re.compile(r"^(admin/|login/|logout/|password/|i18n/|api/<path:rest>|api/docs|api/openapi)")
# Values for the words in addresses; ids are all HIDDEN.
WORDS = {"kind": "accounts", "fmt": "csv", "period": "2026", "code": "2026", "criterion": "relationship",
         "question_id": "q1", "key": "bid", "name": "consistency-weights", "rest": "x"}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Text fields whose value must make sense to the code that reads it (a snapshot's grid and period).
TEXTS = {"grid": "2x2", "period": "2026-Q1", "abc_revenue": "A", "abc_margin": "A"}


def _account_path(model, depth=0, seen=()):
    """The lookup from `model` to the account it hangs off (via foreign keys), or None."""
    Account = apps.get_model("accounts", "Account")
    if model is Account:
        return ""
    if depth > 3:
        return None
    for field in model._meta.get_fields():
        if (field.many_to_one or field.one_to_one) and field.concrete and field.related_model not in seen:
            sub = _account_path(field.related_model, depth + 1, (*seen, model))
            if sub is not None:
                return field.name + (f"__{sub}" if sub else "")
    return None


def account_models() -> dict:
    """Every model of ours with a foreign-key path to an account (historical tables aside): label → path."""
    found = {}
    for model in apps.get_models():
        if model.__name__.startswith("Historical") or not model.__module__.startswith("kundennetz."):
            continue
        path = _account_path(model)
        if path is not None:
            found[model._meta.label] = path
    return found


# --- the hidden records ------------------------------------------------------------------------------


def _value(field, made):
    if field.is_relation:
        target = field.related_model
        if target._meta.label in made:
            return made[target._meta.label]
        existing = target._base_manager.order_by("pk").first()
        return existing if existing is not None else _build(target, made)
    if field.choices:
        return field.choices[0][0]
    if field.name in TEXTS:
        return TEXTS[field.name]
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, models.FloatField):
        return 1.0
    if isinstance(field, (models.IntegerField, models.PositiveSmallIntegerField)):
        return 1
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date(2026, 1, 5)
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.BinaryField):
        return b"x"
    return "x"


def _build(model, made, fixed=None):
    """One row of `model`, its required fields filled (those in `fixed` as given), with id HIDDEN (saved
    without `save()`: this is data to look at, not a path through the model's rules)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and not field.is_relation:
            continue
        required = not field.null and field.default is models.NOT_PROVIDED
        if field.is_relation or required:
            if field.null and field.is_relation and field.related_model._meta.label not in made:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            values[field.name] = _value(field, made)
    obj = model(**{**values, **(fixed or {})})
    if not model._meta.pk.is_relation and not isinstance(model._meta.pk, models.CompositePrimaryKey):
        obj.pk = HIDDEN
    model._base_manager.bulk_create([obj])
    made[model._meta.label] = obj
    return obj


@pytest.fixture
def hidden(cast, network):
    """The hidden account and one record of every model hanging off it, all with id HIDDEN."""
    from kundennetz.accounts.models import Account, Contact, Opportunity, Stage
    from kundennetz.planning.models import Period

    Period.get("2026")  # the period the addresses name, as planning has it
    account = Account(pk=HIDDEN, name=MARK, owner=cast.owner, city="Zug")
    account.save()
    made = {"accounts.Account": account, "core.User": cast.owner}
    contact = Contact(pk=HIDDEN, account=account, first_name="Vera", last_name="Verborgen")
    contact.save()
    made["accounts.Contact"] = contact
    opportunity = Opportunity(pk=HIDDEN, account=account, title="Verborgenes Geschäft", owner=cast.owner,
                              stage=Stage.objects.get(code="qualifying"), expected_volume=Decimal("1000"))
    opportunity.save()
    made["accounts.Opportunity"] = opportunity
    for label, path in account_models().items():
        model = apps.get_model(label)
        # Some rows follow the account by themselves (its network measures, written on save).
        existing = model._base_manager.filter(**{path or "pk": HIDDEN}).first()
        if existing is not None:
            made.setdefault(label, existing)
        elif label not in made:
            _build(model, made)
    return made


# --- every model with an account is behind the door -------------------------------------------------


def test_every_model_with_an_account_names_its_path_and_is_restricted(cast, hidden):
    from kundennetz.core.permissions import restrict

    found = account_models()
    # The introspection finds the network's records at all (a broken walk would make this test vacuous).
    assert {"accounts.Contact", "qualification.Answer", "planning.AccountPlan", "network.Relation"} <= set(found)
    for label in found:
        model = apps.get_model(label)
        assert hasattr(model, "account_lookup"), f"{label} has no account_lookup: restrict() cannot reach it"
        lookup = model.account_lookup
        own = model._base_manager.filter(**{lookup or "pk": HIDDEN})
        assert own.exists(), label
        assert restrict(own, cast.owner).exists(), label
        assert not restrict(own, cast.outsider).exists(), f"the outsider sees a {label}"
        assert not restrict(own, cast.marketing, "change").exists(), f"marketing may change a {label}"


def test_records_of_a_trashed_account_are_hidden_from_everyone(cast, hidden):
    from kundennetz.core.permissions import restrict

    hidden["accounts.Account"].soft_delete(cast.owner)
    for label in account_models():
        model = apps.get_model(label)
        if not model.account_lookup:
            continue
        rows = model._base_manager.filter(**{model.account_lookup: HIDDEN})
        assert not restrict(rows, cast.sales_head).exists(), f"a {label} of a trashed account is shown"
        # The trash itself still reaches those kept (derived measures are dropped with the account).
        assert restrict(rows, cast.sales_head, with_trashed_accounts=True).count() == rows.count(), label


# --- records that hang off no account rule themselves ------------------------------------------------


def our_models() -> list:
    """Every concrete model of our apps (historical tables aside)."""
    return [model for model in apps.get_models()
            if model.__module__.startswith("kundennetz.") and not model.__name__.startswith("Historical")]


def test_every_model_of_ours_is_account_bound_or_rules_its_records():
    from kundennetz.core.permissions import account_lookup

    bound = account_models()
    for model in our_models():
        label = model._meta.label
        lookup = account_lookup(model)  # ValueError for a model with no rule at all
        if lookup is None:
            # A record with a way to an account would escape the account's rule (and its trash).
            assert label not in bound, f"{label} hangs off an account: give it account_lookup = {bound[label]!r}"
            assert callable(model.restrict_records), label
        else:
            assert bound.get(label) is not None, f"{label} names an account_lookup but reaches no account"


def test_a_model_without_a_rule_is_refused(cast):
    from django.contrib.sessions.models import Session

    from kundennetz.core.permissions import get_for, restrict

    with pytest.raises(ValueError, match="no rule"):
        restrict(Session.objects.all(), cast.admin)
    with pytest.raises(ValueError, match="no rule"):
        get_for(Session.objects.all(), cast.admin, 1)


EVERYONE = set(ROLES)
NOBODY = set()
ADMIN = {"admin"}
OWNER = {"owner"}
# Who holds "create_records": every role that tends accounts.
CREATORS = CHANGES | {"outsider"}
IMPORTS = (OWNER | MANAGERS, OWNER, OWNER, MANAGERS)  # an import of the owner's and what belongs to it

# model (and the values that matter for its rule) → who may (view, change, add, delete) one record the
# owner made (every user field of the record names the owner).
RULES = [
    ("core.User", {}, (EVERYONE, ADMIN, ADMIN, ADMIN)),
    ("core.ApiToken", {}, (OWNER, OWNER, OWNER, OWNER)),
    ("core.Job", {}, (OWNER | ADMIN, OWNER, OWNER, OWNER)),
    ("core.JobFilePart", {}, (OWNER | ADMIN, OWNER, OWNER, OWNER)),
    ("core.TunableVersion", {}, (ADMIN, NOBODY, ADMIN, NOBODY)),
    ("core.IdempotencyKey", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("core.WorkerBeat", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("core.ScheduledRun", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("core.ChangeCounter", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("accounts.Segment", {}, (EVERYONE, ADMIN, ADMIN, ADMIN)),
    ("accounts.Stage", {}, (EVERYONE, ADMIN, ADMIN, ADMIN)),
    ("accounts.ClosingReason", {}, (EVERYONE, ADMIN, ADMIN, ADMIN)),
    ("accounts.Competitor", {}, (EVERYONE, ADMIN, CREATORS, ADMIN)),
    ("qualification.Catalogue", {"status": "published"}, (EVERYONE, ADMIN, ADMIN, ADMIN)),
    ("qualification.Catalogue", {"status": "draft"}, (ADMIN, ADMIN, ADMIN, ADMIN)),
    ("portfolio.ScoringModel", {"version": 99}, (EVERYONE, NOBODY, MANAGERS, NOBODY)),
    ("portfolio.PortfolioSnapshot", {}, (EVERYONE, NOBODY, MANAGERS, NOBODY)),
    ("portfolio.SnapshotSummary", {}, (EVERYONE, NOBODY, NOBODY, NOBODY)),
    ("portfolio.ValueProposition", {}, (EVERYONE, COMMUNICATORS, COMMUNICATORS, COMMUNICATORS)),
    ("interactions.CoreMessage", {}, (EVERYONE, COMMUNICATORS, COMMUNICATORS, NOBODY)),
    ("interactions.ReminderLog", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("interactions.ConsistencyOverview", {}, (MANAGERS, NOBODY, NOBODY, NOBODY)),
    ("planning.Period", {}, (EVERYONE, MANAGERS, MANAGERS, MANAGERS)),
    ("planning.Capacity", {}, (VIEWERS | OWNER, MANAGERS, MANAGERS, MANAGERS)),  # the owner's own time
    ("planning.Budget", {}, (VIEWERS, MANAGERS, MANAGERS, MANAGERS)),
    ("planning.Scenario", {}, (VIEWERS, MANAGERS, MANAGERS, MANAGERS)),
    ("planning.ScenarioManager", {}, (VIEWERS, MANAGERS, MANAGERS, MANAGERS)),
    ("planning.AccountCount", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("planning.AccountCountChange", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("imports.ImportBatch", {}, IMPORTS),
    ("imports.ImportFilePart", {}, IMPORTS),
    ("imports.ImportRow", {}, IMPORTS),
    ("imports.ImportedRecord", {}, IMPORTS),
    ("imports.SavedMapping", {}, (OWNER, OWNER, OWNER, OWNER)),
    ("imports.ExternalReference", {}, (NOBODY, NOBODY, NOBODY, NOBODY)),
    ("winloss.WinModel", {}, (VIEWERS, NOBODY, MANAGERS, NOBODY)),
    ("winloss.BidCost", {}, (VIEWERS, MANAGERS, MANAGERS, MANAGERS)),
]


def test_the_table_covers_every_model_that_hangs_off_no_account():
    from kundennetz.core.permissions import account_lookup

    unbound = {model._meta.label for model in our_models() if account_lookup(model) is None}
    assert {label for label, _values, _who in RULES} == unbound


@pytest.mark.parametrize("label, values, who", RULES, ids=[
    "-".join([label, *map(str, values.values())]) for label, values, _who in RULES])
def test_each_member_of_the_cast_reaches_what_the_rule_says(label, values, who, cast):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from kundennetz.core.permissions import ACTIONS, CHANGE, get_for, restrict

    model = apps.get_model(label)
    record = cast.owner if label == "core.User" else _build(model, {"core.User": cast.owner}, values)
    rows = model._base_manager.filter(pk=record.pk)
    expected = dict(zip(("view", "change", "add", "delete"), who, strict=True))
    assert set(expected) == ACTIONS
    for role, user in cast.all().items():
        reached = {action for action in ACTIONS if restrict(rows, user, action).exists()}
        assert reached == {action for action, roles in expected.items() if role in roles}, role
        # Loading it by id says the same: 404 for who cannot see it, 403 for who sees but may not change it.
        if role not in expected["view"]:
            with pytest.raises(Http404):
                get_for(rows, user, record.pk, CHANGE)
        elif role not in expected["change"]:
            with pytest.raises(PermissionDenied):
                get_for(rows, user, record.pk, CHANGE)
        else:
            assert get_for(rows, user, record.pk, CHANGE) == record


# --- no page or endpoint loads a record past the door -------------------------------------------------

SOURCE = Path(__file__).resolve().parents[2] / "src" / "kundennetz"
# Loading a record by the id an address names: `Model.objects.get(pk=pk)`, `.filter(pk=message_id).first()`.
HAND_LOAD = re.compile(r"\b[A-Z]\w*\.(objects|all_objects|_base_manager)\.(get|filter)\((pk|id)=(pk|\w+_id)\b")


def _answering_modules() -> list[Path]:
    """The modules that answer requests: views and API routers (by name)."""
    return [path for path in SOURCE.rglob("*.py") if "migrations" not in path.parts
            and ("views" in path.name or "api" in path.name or "views" in path.parts or "api" in path.parts)]


def test_no_record_is_loaded_by_hand():
    """Pages and endpoints load a record by id through `get_for` (404 if unseen, 403 if not allowed), not
    with `get_object_or_404` or a bare `objects.get(pk=…)` behind a role check of their own. The admin
    site is Django's, with `RestrictedAdmin` in front."""
    offenders = [f"{path.relative_to(SOURCE)}:{number}" for path in SOURCE.rglob("*.py")
                 if "migrations" not in path.parts and path.name != "admin.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "get_object_or_404" in line]
    offenders += [f"{path.relative_to(SOURCE)}:{number}" for path in _answering_modules()
                  for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                  if HAND_LOAD.search(line)]
    assert offenders == [], "load through core.permissions.get_for"


def test_the_source_check_sees_a_hand_load():
    assert len(_answering_modules()) > 20
    assert HAND_LOAD.search("    message = CoreMessage.objects.filter(pk=message_id).first()")
    assert HAND_LOAD.search("    token = ApiToken.objects.get(pk=pk)")
    assert not HAND_LOAD.search("    editable = Opportunity.objects.get(pk=opportunity.pk)")


# --- every address, as those who must not see or change ------------------------------------------------


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def routes() -> list[str]:
    """Every address of the site and the API, once each."""
    return sorted({route for route in _walk(get_resolver()) if not SKIP.match(route)})


def _fill(route: str) -> str:
    def one(match):
        converter, name = match.group(1), match.group(2)
        return str(HIDDEN) if converter == "int" else WORDS.get(name, "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


def _api_methods() -> dict[str, set[str]]:
    """The methods of each API address, from the API's own OpenAPI schema."""
    from kundennetz.api import api

    out = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        key = re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/api/"))
        out[key] = {method.upper() for method in operations}
    return out


def _route_key(route: str) -> str:
    return re.sub(r"<\w+:(\w+)>", r"<\1>", route)


@pytest.fixture
def call(client):
    from kundennetz.core.models import ApiToken

    tokens = {}
    # A failing page is one finding among all, reported with the others (status 500), not a stop.
    client.raise_request_exception = False

    def send(user, method, url):
        client.force_login(user)
        extra = {}
        if url.startswith("/api/"):
            if user.pk not in tokens:
                tokens[user.pk] = ApiToken.issue(user, "door")[1]
            extra["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
            if method in ("GET", "DELETE"):
                return getattr(client, method.lower())(url, **extra)
            return getattr(client, method.lower())(url, json.dumps({}), content_type="application/json", **extra)
        if method == "GET":
            return client.get(url)
        return client.post(url, {})

    return send


def _requests():
    api_methods = _api_methods()
    for route in routes():
        url = _fill(route)
        if url.startswith("/api/"):
            methods = sorted(api_methods.get(_route_key(route).removeprefix("api/"), {"GET"}))
        else:
            methods = ["GET", "POST"]
        for method in methods:
            yield route, url, method


def test_the_walk_covers_every_api_route():
    """The API's routes (its OpenAPI schema) are all among the addresses walked."""
    walked = {_route_key(r).removeprefix("api/") for r in routes() if r.startswith("api/")}
    schema = set(_api_methods())
    assert len(schema) > 50
    assert schema <= walked, schema - walked


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# Records of the whole network that every signed-in user reads by design (a snapshot's counts and dates,
# no account in them); the check that no answer shows the hidden account still applies.
NETWORK_WIDE = re.compile(r"^api/portfolio/snapshots/<int:")


def _names_a_record(route: str) -> bool:
    return "<int:" in route and not NETWORK_WIDE.match(route)


# Exports are started with a POST but only read: whoever sees the records may take them along.
READ_BY_POST = re.compile(r"^api/exports/")


def _tells_nothing(call, user, method, url, response) -> bool:
    """A refusal of the request itself (a body that is not valid, 422) says nothing about the record if
    the same request about a record that does not exist gets the very same answer."""
    if response.status_code != 422:
        return False
    twin = call(user, method, url.replace(str(HIDDEN), str(NOWHERE)))
    return twin.status_code == 422 and twin.content == response.content


def test_the_outsider_never_reaches_a_hidden_record(cast, hidden, call):
    call(cast.outsider, "GET", "/api/users/me")
    before = _state()
    problems = []
    for route, url, method in _requests():
        response = call(cast.outsider, method, url)
        status = response.status_code
        if status >= 500:
            problems.append(f"{method} {url}: {status}")
        elif (_names_a_record(route) and status not in (403, 404, 405)
              and not _tells_nothing(call, cast.outsider, method, url, response)):
            problems.append(f"{method} {url}: {status}, expected 404 (or 403/405)")
        elif method == "GET" and status == 200 and MARK.encode() in _body(response):
            problems.append(f"{method} {url}: shows the hidden account")
    assert not problems, "\n".join(problems)
    assert not _written_besides_exports(before)


# Bookkeeping, not records: sessions, sign-in logs, a token's or user's last use.
BOOKKEEPING = {"sessions.Session", "axes.AccessLog", "axes.AccessAttempt", "axes.AccessFailureLog"}
IGNORED_COLUMNS = {"last_login", "last_used_at"}


def _state() -> dict[str, list]:
    """Every row of every table (the test database is small), without the bookkeeping."""
    out = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in BOOKKEEPING:
            continue
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED_COLUMNS]
        out[label] = sorted(map(repr, model._base_manager.values_list(*columns)))
    return out


def _changes(before: dict, after: dict) -> dict:
    return {label: (len(before[label]), len(after[label])) for label in before if before[label] != after[label]}


def _written_besides_exports(before: dict) -> dict:
    """What changed since `before`, apart from exports: anyone may export what they see, and an export
    is a job with its file."""
    return {label: n for label, n in _changes(before, _state()).items()
            if label not in ("core.Job", "core.JobFilePart")}


@pytest.mark.parametrize("role", sorted(OBSERVERS))
def test_observers_may_look_but_change_nothing(role, cast, hidden, call):
    user = getattr(cast, role)
    call(user, "GET", "/api/users/me")
    before = _state()
    problems = []
    for route, url, method in _requests():
        response = call(user, method, url)
        status = response.status_code
        api_write = url.startswith("/api/") and method in WRITES and not READ_BY_POST.match(route)
        if status >= 500:
            problems.append(f"{method} {url}: {status}")
        elif (api_write and _names_a_record(route) and status not in (403, 404, 405)
              and not _tells_nothing(call, user, method, url, response)):
            problems.append(f"{method} {url}: {status}, expected 403")
        elif api_write and 200 <= status < 300:
            problems.append(f"{method} {url}: {status}, a change was accepted")
    assert not problems, "\n".join(problems)
    # Pages answer a POST they do not handle like a GET; what counts is that nothing was written.
    assert not _written_besides_exports(before)


def test_looking_writes_nothing(cast, hidden, call):
    """Every page and API read as a read-only user leaves every table as it was."""
    call(cast.read_only, "GET", "/api/users/me")  # the session and the API token exist before counting
    before = _state()
    for _route, url, method in _requests():
        if method == "GET":
            call(cast.read_only, "GET", url)
    assert not _changes(before, _state())
