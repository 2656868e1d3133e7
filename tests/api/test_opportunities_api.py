"""/api/opportunities: each role of the fixed cast, stages and closing reasons, people involved and
competitors, all-or-nothing writes, bad input, history, filters; and the catalogue lists."""

from decimal import Decimal

import pytest
from cast import CHANGES, ROLES, SEES, expected_change
from api_helpers import count_queries, locs

from kundennetz.accounts.models import ClosingReason, Competitor, Contact, Opportunity, OpportunityContact, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(network):
    """A second person at the network's account and one at the other account."""
    colleague = Contact.objects.create(account=network.account, first_name="Beat", last_name="Keller")
    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    return colleague, stranger


def lost_reason() -> ClosingReason:
    return ClosingReason.objects.filter(applies_to="lost").first()


# --- who may do what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_what_the_role_may_see(api, cast, network, role):
    other = Opportunity.objects.create(account=network.other_account, title="Fremd", owner=cast.outsider,
                                       stage=Stage.objects.get(code="lead"))
    response = api(getattr(cast, role), "GET", "/api/opportunities")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    expected = {"outsider": {other.pk}, "owner": {network.opportunity.pk}, "team_member": {network.opportunity.pk}}
    assert ids == expected.get(role, {other.pk, network.opportunity.pk})


@pytest.mark.parametrize("role", ROLES)
def test_read(api, cast, network, role):
    response = api(getattr(cast, role), "GET", f"/api/opportunities/{network.opportunity.pk}")
    assert response.status_code == (200 if role in SEES else 404)
    if response.status_code == 200:
        body = response.json()
        assert body["stage"] == "qualifying" and body["stage_type"] == "open"
        assert body["expected_volume"] == "350000.00" and body["account"] == network.account.pk


@pytest.mark.parametrize("role", ROLES)
def test_create(api, cast, network, role):
    user = getattr(cast, role)
    response = api(user, "POST", "/api/opportunities", {"account": network.account.pk, "title": "Cloud"})
    if role in CHANGES:
        assert response.status_code == 201, response.content
        body = response.json()
        # Defaults: the first open stage; an account manager's own deal, else the account's owner's.
        assert body["stage"] == "lead" and body["stage_type"] == "open" and body["closed_on"] is None
        assert body["owner"] == (cast.owner.pk if role in ("admin", "sales_head") else user.pk)
    elif role == "outsider":
        assert response.status_code == 422 and locs(response) == [["body", "account"]]
    else:
        assert response.status_code == 403
    assert Opportunity.objects.filter(title="Cloud").count() == (1 if role in CHANGES else 0)


@pytest.mark.parametrize("role", ROLES)
def test_patch(api, cast, network, role):
    response = api(getattr(cast, role), "PATCH", f"/api/opportunities/{network.opportunity.pk}",
                   {"stage": "offer_preparation"})
    assert response.status_code == expected_change(role, 200)
    network.opportunity.refresh_from_db()
    assert (network.opportunity.stage.code == "offer_preparation") == (role in CHANGES)


@pytest.mark.parametrize("role", ROLES)
def test_put(api, cast, network, role):
    body = {"account": network.account.pk, "title": "ERP-Einführung Phase 1", "expected_volume": "200000"}
    response = api(getattr(cast, role), "PUT", f"/api/opportunities/{network.opportunity.pk}", body)
    assert response.status_code == expected_change(role, 200)
    if response.status_code == 200:
        # Stage and owner stay when not sent; everything else takes what was sent or its default.
        assert response.json()["stage"] == "qualifying" and response.json()["owner"] == cast.owner.pk
        assert response.json()["expected_volume"] == "200000.00"


@pytest.mark.parametrize("role", ROLES)
def test_delete(api, cast, network, role):
    response = api(getattr(cast, role), "DELETE", f"/api/opportunities/{network.opportunity.pk}")
    assert response.status_code == expected_change(role, 204)
    assert Opportunity.all_objects.get(pk=network.opportunity.pk).is_deleted == (role in CHANGES)


# --- stages and closing reasons ----------------------------------------------------------------------

def test_stage_by_code_or_id(api, cast, network):
    path = f"/api/opportunities/{network.opportunity.pk}"
    preparation = Stage.objects.get(code="offer_preparation")
    assert api(cast.owner, "PATCH", path, {"stage": preparation.pk}).json()["stage"] == "offer_preparation"
    assert api(cast.owner, "PATCH", path, {"stage": "lead"}).json()["stage"] == "lead"
    for bad in ("gibts-nicht", 999999, True, 1.5, ["lead"]):
        response = api(cast.owner, "PATCH", path, {"stage": bad})
        assert response.status_code == 422 and locs(response) == [["body", "stage"]], bad


def test_retired_stage_cannot_be_chosen(api, cast, network):
    Stage.objects.filter(code="offer_preparation").update(is_active=False)
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}",
                   {"stage": "offer_preparation"})
    assert response.status_code == 422 and locs(response) == [["body", "stage"]]


def test_offer_stages_need_a_pursuit_decision(api, cast, network):
    # The model's stage gate answers like any other validation error.
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}", {"stage": "negotiation"})
    assert response.status_code == 422 and locs(response) == [["body", "stage"]]


def test_lost_needs_a_fitting_closing_reason(api, cast, network):
    path = f"/api/opportunities/{network.opportunity.pk}"
    response = api(cast.owner, "PATCH", path, {"stage": "lost"})
    assert response.status_code == 422 and locs(response) == [["body", "closing_reason"]]
    won_reason = ClosingReason.objects.filter(applies_to="won").first()
    response = api(cast.owner, "PATCH", path, {"stage": "lost", "closing_reason": won_reason.pk})
    assert response.status_code == 422 and locs(response) == [["body", "closing_reason"]]
    response = api(cast.owner, "PATCH", path, {"stage": "lost", "closing_reason": lost_reason().pk,
                                               "closed_on": "2026-03-31"})
    assert response.status_code == 200, response.content
    assert response.json()["stage_type"] == "lost" and response.json()["closed_on"] == "2026-03-31"
    # An open opportunity has no closing reason (and no closing date).
    response = api(cast.owner, "PATCH", path, {"stage": "lead"})
    assert response.status_code == 422 and locs(response) == [["body", "closing_reason"]]
    response = api(cast.owner, "PATCH", path, {"stage": "lead", "closing_reason": None})
    assert response.status_code == 200 and response.json()["closed_on"] is None
    response = api(cast.owner, "PATCH", path, {"closing_reason": 999999})
    assert response.status_code == 422 and locs(response) == [["body", "closing_reason"]]


def test_closing_date_follows_the_stage(api, cast, network):
    from django.utils import timezone

    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}",
                   {"stage": "no_offer", "closing_reason": ClosingReason.objects.filter(applies_to="no_offer")[0].pk})
    assert response.status_code == 200, response.content
    assert response.json()["closed_on"] == timezone.localdate().isoformat()


# --- people involved, competitors, owner -------------------------------------------------------------

def test_people_and_competitors_are_written(api, cast, network, people):
    colleague, _stranger = people
    rival = Competitor.objects.create(name="Rivalo AG")
    body = {"account": network.account.pk, "title": "Cloud", "competitors": [rival.pk],
            "contacts": [{"contact": network.contact.pk, "role": "decision_maker"},
                         {"contact": colleague.pk, "role": "coach"}]}
    response = api(cast.team_member, "POST", "/api/opportunities", body)
    assert response.status_code == 201, response.content
    assert response.json()["competitors"] == [rival.pk]
    assert response.json()["contacts"] == [{"contact": network.contact.pk, "role": "decision_maker"},
                                           {"contact": colleague.pk, "role": "coach"}]
    path = f"/api/opportunities/{response.json()['id']}"
    # PATCH replaces a list that is sent and leaves one that is not.
    response = api(cast.team_member, "PATCH", path, {"contacts": [{"contact": colleague.pk, "role": "influencer"}]})
    assert response.json()["contacts"] == [{"contact": colleague.pk, "role": "influencer"}]
    assert response.json()["competitors"] == [rival.pk]
    involvement = OpportunityContact.objects.get(contact=colleague)
    assert involvement.history.first().history_user == cast.team_member
    # PUT without the lists empties them.
    response = api(cast.team_member, "PUT", path, {"account": network.account.pk, "title": "Cloud"})
    assert response.json()["contacts"] == [] and response.json()["competitors"] == []


def test_bad_people_list_saves_nothing(api, cast, network, people):
    colleague, stranger = people
    before = Opportunity.all_objects.count(), OpportunityContact.objects.count(), Opportunity.history.count()
    body = {"account": network.account.pk, "title": "Cloud",
            "contacts": [{"contact": colleague.pk, "role": "coach"}, {"contact": stranger.pk, "role": "user"}]}
    # The stranger is visible to the admin but works at another account: the model refuses the pair.
    response = api(cast.admin, "POST", "/api/opportunities", body)
    assert response.status_code == 422 and locs(response) == [["body", "contacts", 1, "contact"]]
    assert (Opportunity.all_objects.count(), OpportunityContact.objects.count(), Opportunity.history.count()) == before
    # The same on a change: the title stays as it was.
    path = f"/api/opportunities/{network.opportunity.pk}"
    response = api(cast.admin, "PATCH", path, {"title": "Neu", "contacts": body["contacts"]})
    assert response.status_code == 422
    network.opportunity.refresh_from_db()
    assert network.opportunity.title == "ERP-Einführung" and not network.opportunity.involvements.exists()


@pytest.mark.parametrize("contacts,loc", [
    ([{"contact": 999999, "role": "coach"}], ["body", "contacts", 0, "contact"]),
    ([{"contact": "anna", "role": "coach"}], ["body", "contacts", 0, "contact"]),
    ([{"contact": 1, "role": "chef"}], ["body", "contacts", 0, "role"]),
    ([{"contact": 1}], ["body", "contacts", 0, "role"]),
    ([{"contact": 1, "role": "coach"}, {"contact": 1, "role": "user"}], ["body", "contacts", 1, "contact"]),
    ([{"contact": 1, "role": "coach", "note": "x"}], ["body", "contacts", 0, "note"]),
    ([1], ["body", "contacts", 0]),
    ("alle", ["body", "contacts"]),
])
def test_bad_people(api, cast, network, contacts, loc):
    contacts = [{**item, "contact": network.contact.pk} if isinstance(item, dict) and item.get("contact") == 1
                else item for item in contacts] if isinstance(contacts, list) else contacts
    response = api(cast.owner, "POST", "/api/opportunities",
                   {"account": network.account.pk, "title": "Cloud", "contacts": contacts})
    assert response.status_code == 422, response.content
    assert loc in locs(response)
    assert not Opportunity.objects.filter(title="Cloud").exists()


def test_people_the_caller_cannot_see_are_unknown(api, cast, network, people):
    _colleague, stranger = people
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}",
                   {"contacts": [{"contact": stranger.pk, "role": "coach"}]})
    assert response.status_code == 422 and locs(response) == [["body", "contacts", 0, "contact"]]


def test_unknown_competitor_saves_nothing(api, cast, network):
    rival = Competitor.objects.create(name="Rivalo AG")
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}",
                   {"title": "Neu", "competitors": [rival.pk, 999999]})
    assert response.status_code == 422 and locs(response) == [["body", "competitors", 1]]
    network.opportunity.refresh_from_db()
    assert network.opportunity.title == "ERP-Einführung"


def test_owner_rules(api, cast, network):
    path = f"/api/opportunities/{network.opportunity.pk}"
    # An account manager cannot hand a deal on (sending the present owner is no change).
    response = api(cast.team_member, "PATCH", path, {"owner": cast.team_member.pk})
    assert response.status_code == 422 and locs(response) == [["body", "owner"]]
    assert api(cast.team_member, "PATCH", path, {"owner": cast.owner.pk}).status_code == 200
    # Sales head and admin choose any active account manager.
    assert api(cast.sales_head, "PATCH", path, {"owner": cast.team_member.pk}).json()["owner"] == cast.team_member.pk
    for unfit in (cast.marketing, cast.sales_head, 999999):
        response = api(cast.admin, "PATCH", path, {"owner": getattr(unfit, "pk", unfit)})
        assert response.status_code == 422 and locs(response) == [["body", "owner"]]


def test_an_opportunity_stays_at_its_account(api, cast, network):
    response = api(cast.admin, "PATCH", f"/api/opportunities/{network.opportunity.pk}",
                   {"account": network.other_account.pk})
    assert response.status_code == 422 and locs(response) == [["body", "account"]]


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("expected_volume", -1),
    ("expected_volume", "1e400"),
    ("offer_price", 10**13),
    ("offer_price", "12'000"),
    ("estimated_margin_pct", 100.5),
    ("estimated_margin_pct", "abc"),
    ("expected_decision_date", "31.12.2026"),
    ("expected_decision_date", "2026-02-30"),
    ("expected_decision_date", "99999-01-01"),
    ("closed_on", True),
    ("title", ""),
    ("title", None),
    ("title", ["a"]),
    ("need", "x\x00y"),
    ("owner", 0),
    ("competitors", [0]),
    ("stage", None),   # accepted (keeps the stage); listed here to prove it is not an error below
])
def test_bad_values_are_422_with_field(api, cast, network, field, value):
    response = api(cast.owner, "PATCH", f"/api/opportunities/{network.opportunity.pk}", {field: value})
    if field == "stage":
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.content
    assert locs(response)[0][:2] == ["body", field]
    network.opportunity.refresh_from_db()
    assert network.opportunity.expected_volume == Decimal("350000")


# --- history, lists ----------------------------------------------------------------------------------

def test_history_names_the_api_user(api, cast, network):
    rival = Competitor.objects.create(name="Rivalo AG")
    opportunity = network.opportunity
    before = opportunity.history.count()
    response = api(cast.team_member, "PATCH", f"/api/opportunities/{opportunity.pk}",
                   {"stage": "offer_preparation", "competitors": [rival.pk]})
    assert response.status_code == 200
    opportunity.refresh_from_db()
    assert opportunity.updated_by == cast.team_member
    records = list(opportunity.history.all()[: opportunity.history.count() - before])
    assert records and {record.history_user for record in records} == {cast.team_member}
    changed = set()
    for record in records:
        changed |= {change.field for change in record.diff_against(record.prev_record).changes}
    assert {"stage", "competitors"} <= changed


@pytest.fixture
def pipeline(cast, network, people):
    colleague, _stranger = people
    rival = Competitor.objects.create(name="Rivalo AG")
    made = []
    for number, code in enumerate(["lead", "lead", "negotiation", "won", "won", "offer_submitted"]):
        opportunity = Opportunity(
            account=network.account, title=f"Projekt {number}", owner=cast.owner, stage=Stage.objects.get(code=code),
            expected_decision_date=f"2026-0{number + 1}-15",
            closing_reason=ClosingReason.objects.filter(applies_to="won").first() if code == "won" else None)
        opportunity.is_historic = True  # test data: deals recorded with their stage, no pursuit decision
        opportunity.save()
        if number % 2 == 0:
            OpportunityContact.objects.create(opportunity=opportunity, contact=colleague, role="decision_maker")
            OpportunityContact.objects.create(opportunity=opportunity, contact=network.contact, role="decision_maker")
            opportunity.competitors.add(rival)
        made.append(opportunity)
    return made, colleague, rival


def test_filters(api, cast, network, pipeline):
    made, colleague, rival = pipeline

    def titles(**params):
        response = api(cast.owner, "GET", "/api/opportunities", params)
        assert response.status_code == 200, response.content
        return sorted(item["title"] for item in response.json()["items"])

    assert titles(stage="lead") == ["Projekt 0", "Projekt 1"]
    assert titles(stage=str(Stage.objects.get(code="won").pk)) == ["Projekt 3", "Projekt 4"]
    assert titles(stage_type="won") == ["Projekt 3", "Projekt 4"]
    assert titles(stage_type="open") == ["ERP-Einführung", "Projekt 0", "Projekt 1", "Projekt 2", "Projekt 5"]
    # Two decision makers on one opportunity still list it once.
    assert titles(buying_role="decision_maker") == ["Projekt 0", "Projekt 2", "Projekt 4"]
    assert titles(contact=colleague.pk) == ["Projekt 0", "Projekt 2", "Projekt 4"]
    assert titles(competitor=rival.pk) == ["Projekt 0", "Projekt 2", "Projekt 4"]
    assert titles(decision_from="2026-02-01", decision_to="2026-04-30") == ["Projekt 1", "Projekt 2", "Projekt 3"]
    assert titles(q="erp") == ["ERP-Einführung"]
    assert titles(q="muster", stage_type="won") == ["Projekt 3", "Projekt 4"]
    assert titles(owner=cast.outsider.pk) == []
    ordered = api(cast.owner, "GET", "/api/opportunities", {"order_by": "expected_decision_date"}).json()["items"]
    assert [item["title"] for item in ordered][:2] == ["Projekt 0", "Projekt 1"]
    for bad in ({"stage_type": "closed"}, {"decision_from": "gestern"}, {"contact": "x"}):
        assert api(cast.owner, "GET", "/api/opportunities", bad).status_code == 422


def test_pagination_and_query_count(api, cast, network, pipeline):
    first = api(cast.owner, "GET", "/api/opportunities", {"limit": 4}).json()
    second = api(cast.owner, "GET", "/api/opportunities", {"limit": 4, "offset": 4}).json()
    assert first["count"] == second["count"] == 7
    assert len({item["id"] for item in first["items"] + second["items"]}) == 7
    few = count_queries(lambda: api(cast.owner, "GET", "/api/opportunities", {"limit": 1}))
    many = count_queries(lambda: api(cast.owner, "GET", "/api/opportunities", {"limit": 7}))
    assert few == many


# --- catalogues --------------------------------------------------------------------------------------

def test_catalogues(api, cast, network):
    stages = api(cast.read_only, "GET", "/api/stages").json()
    assert [stage["code"] for stage in stages][:2] == ["lead", "qualifying"]
    assert {stage["type"] for stage in stages} == {"open", "won", "lost", "no_offer"}
    reasons = api(cast.read_only, "GET", "/api/closing-reasons", {"applies_to": "lost"}).json()
    assert reasons and {reason["applies_to"] for reason in reasons} == {"lost"}
    segments = api(cast.read_only, "GET", "/api/segments").json()
    assert "mid_market" in {segment["code"] for segment in segments}
    users = api(cast.read_only, "GET", "/api/users", {"role": "account_manager"}).json()
    assert {user["username"] for user in users["items"]} == {"owner", "team_member", "outsider"}
    assert api(cast.outsider, "GET", "/api/users/me").json()["username"] == "outsider"
    assert api(None, "GET", "/api/stages").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_competitors(api, cast, network, role):
    user = getattr(cast, role)
    response = api(user, "POST", "/api/competitors", {"name": "Rivalo AG", "website": "https://rivalo.ch"})
    may_create = role not in ("marketing", "read_only")
    assert response.status_code == (201 if may_create else 403)
    listed = api(user, "GET", "/api/competitors", {"q": "riv"}).json()
    assert listed["count"] == (1 if may_create else 0)
    if may_create:
        assert api(user, "GET", f"/api/competitors/{response.json()['id']}").status_code == 200
        duplicate = api(user, "POST", "/api/competitors", {"name": "Rivalo AG"})
        assert duplicate.status_code == 422 and locs(duplicate) == [["body", "name"]]


def test_refused_account_is_the_only_complaint(api, cast, network):
    response = api(cast.admin, "POST", "/api/opportunities", {"account": 999999, "title": "Cloud"})
    assert response.status_code == 422 and locs(response) == [["body", "account"]]
