"""Requests arriving at the same moment (real threads on PostgreSQL): no server error, no duplicate, no
lost update."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from threads import at_once, needs_real_database

from kundennetz.accounts.models import Competitor, Contact, Opportunity
from kundennetz.core.models import ApiToken
from kundennetz.qualification.models import Answer, Checklist

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), needs_real_database()]

N = 6


def _api(user):
    raw = ApiToken.issue(user, "race")[1]

    def call(method, path, data=None, **extra):
        client = Client()
        extra["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        send = getattr(client, method.lower())
        if data is None:
            return send(path, **extra)
        return send(path, json.dumps(data), content_type="application/json", **extra)

    return call


def _statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def test_patches_of_different_fields_all_persist(cast, network):
    api = _api(cast.owner)
    path = f"/api/opportunities/{network.opportunity.pk}"
    fields = [("title", "T"), ("need", "N"), ("expected_volume", "123.00"), ("offer_price", "456.00"),
              ("estimated_margin_pct", "12.50"), ("expected_decision_date", "2027-01-31")]
    responses = at_once(len(fields), lambda i: api("PATCH", path, {fields[i][0]: fields[i][1]}))
    assert _statuses(responses) == [200] * len(fields)
    stored = Opportunity.objects.get(pk=network.opportunity.pk)
    for name, value in fields:
        assert str(getattr(stored, name)) == value, name


def test_the_same_if_match_lets_exactly_one_write_through(cast, network):
    api = _api(cast.owner)
    path = f"/api/contacts/{network.contact.pk}"
    tag = api("GET", path)["ETag"]
    responses = at_once(N, lambda i: api("PATCH", path, {"function": f"F{i}"}, HTTP_IF_MATCH=tag))
    assert sorted(_statuses(responses)) == [200] + [412] * (N - 1)


def test_one_idempotency_key_at_the_same_moment_creates_once(cast, network):
    api = _api(cast.owner)
    body = {"account": network.account.pk, "last_name": "Gleichzeitig"}
    responses = at_once(N, lambda i: api("POST", "/api/contacts", body, HTTP_IDEMPOTENCY_KEY="same-moment"))
    assert _statuses(responses) == [201] * N
    assert len({response.json()["id"] for response in responses}) == 1
    assert Contact.objects.filter(last_name="Gleichzeitig").count() == 1


def test_a_double_submitted_form_at_the_same_moment_creates_once(cast, network):
    data = {"form_token": "f" * 32, "account": network.account.pk, "first_name": "", "last_name": "Doppelt",
            "function": "", "department": "", "language": "de", "email": "", "phone": "",
            "buying_role": "influencer", "influence": "high", "attitude": "supporter", "reports_to": ""}

    def submit(_index):
        client = Client()
        client.force_login(cast.owner)
        return client.post("/contacts/new/", urlencode(data), content_type="application/x-www-form-urlencoded")

    responses = at_once(N, submit)
    assert _statuses(responses) == [302] * N
    assert len({response["Location"] for response in responses}) == 1
    assert Contact.objects.filter(last_name="Doppelt").count() == 1


def test_first_answers_to_one_checklist_at_the_same_moment(cast, network):
    questions = ["aspiration", "solution", "competition", "need", "money", "money"]
    api = _api(cast.owner)
    base = f"/api/opportunities/{network.opportunity.pk}/checklist/answers/"
    responses = at_once(len(questions), lambda i: api("PUT", base + questions[i], {"value": "yes"}))
    assert _statuses(responses) == [200] * len(questions)
    assert Checklist.objects.filter(opportunity=network.opportunity).count() == 1
    assert Answer.objects.count() == len(set(questions))


def test_first_answers_on_the_page_at_the_same_moment(cast, network):
    def answer(index):
        client = Client()
        client.force_login(cast.team_member if index % 2 else cast.owner)
        return client.post(f"/opportunities/{network.opportunity.pk}/checklist/answer/",
                           {"question_id": "competition", "value": "no"}, HTTP_HX_REQUEST="true")

    responses = at_once(N, answer)
    assert all(status < 500 for status in _statuses(responses)), _statuses(responses)
    assert Checklist.objects.count() == 1 and Answer.objects.count() == 1


def test_competitors_of_the_same_name_at_the_same_moment(cast):
    api = _api(cast.owner)
    responses = at_once(N, lambda i: api("POST", "/api/competitors", {"name": "Rivalen AG"}))
    assert sorted(_statuses(responses)) == [201] + [422] * (N - 1)
    assert Competitor.objects.filter(name="Rivalen AG").count() == 1


def test_ratings_and_overrides_at_the_same_moment(cast, network):
    api = _api(cast.owner)
    path = f"/api/portfolio/accounts/{network.account.pk}/ratings/strategic_fit"
    responses = at_once(N, lambda i: api("PUT", path, {"value": 1 + i % 5}))
    assert _statuses(responses) == [200] * N
    from kundennetz.portfolio.models import ManualRating
    assert ManualRating.objects.filter(account=network.account, criterion="strategic_fit").count() == 1


def test_contacts_added_to_one_account_at_the_same_moment_are_all_analysed(cast, network):
    """Each new contact re-analyses the account's network; those analyses must queue, not collide."""
    from kundennetz.network.models import AccountNetwork

    api = _api(cast.owner)
    responses = at_once(N, lambda i: api("POST", "/api/contacts",
                                         {"account": network.account.pk, "last_name": f"Zugleich {i}"}))
    assert _statuses(responses) == [201] * N  # before: a duplicate key on the stored analysis, HTTP 500
    assert Contact.objects.filter(account=network.account, last_name__startswith="Zugleich").count() == N
    assert AccountNetwork.objects.filter(account=network.account).count() == 1


def test_a_locked_record_does_not_block_rows_that_point_at_it(cast, network):
    """A writer holding an opportunity (as every API write and every wholesale replacement does) must not
    keep others from writing rows that point at it: their foreign-key check at commit would otherwise wait
    on the lock while the lock holder waits on them — a deadlock, HTTP 500 (seen in bench/concurrency.py)."""
    import threading

    from django.db import connection, transaction

    from kundennetz.accounts.models import OpportunityContact
    from kundennetz.core import concurrency

    opportunity = network.opportunity
    held, released = threading.Event(), threading.Event()

    def hold(_i):
        with transaction.atomic():
            concurrency.lock_row(Opportunity.objects.get(pk=opportunity.pk))
            held.set()
            released.wait(timeout=20)
        return "held"

    def point(_i):
        held.wait(timeout=20)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                OpportunityContact.objects.create(opportunity_id=opportunity.pk, contact=network.contact,
                                                  role=Contact.BuyingRole.DECISION_MAKER)
            return "written"
        finally:
            released.set()

    assert sorted(at_once(2, lambda i: (hold if i == 0 else point)(i))) == ["held", "written"]


def test_first_ratings_on_stale_pages_at_the_same_moment(cast, network):
    """Pages that all showed "not rated" save at once: one rating is stored, every other page shows the
    conflict (none is silently overwritten, none is a server error)."""
    from kundennetz.portfolio.models import ManualRating

    path = f"/portfolio/accounts/{network.account.pk}/ratings/"

    def rate(i):
        client = Client()
        client.force_login(cast.owner if i % 2 else cast.team_member)
        return client.post(path, {"version_strategic_fit": "0", "value_strategic_fit": str(1 + i)})

    responses = at_once(5, rate)  # five different ratings
    assert sorted(_statuses(responses)) == [200] * 4 + [302]
    assert all(b'id="conflict"' in r.content for r in responses if r.status_code == 200)
    assert ManualRating.objects.filter(account=network.account, criterion="strategic_fit").count() == 1
