"""My week, the management view with its charts and export, and the core messages pages, with the fixed cast."""

import csv
import io
from datetime import date, timedelta

import pytest
from cast import ROLES
from django.urls import reverse
from django.utils import timezone

from kundennetz.interactions.models import ConsistencySnapshot, CoreMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(network, owner_history, log, cast):
    """The test account under care since 2024, last contact 200 days ago: overdue, with its decision maker."""
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    log(network.account, timezone.localdate() - timedelta(days=200), contacts=[network.contact])
    return network.account


def test_my_week_lists_overdue_contacts(cast, overdue, client_for):
    response = client_for(cast.owner).get(reverse("interactions:my_week"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Muster Engineering AG" in html and "Anna Meier" in html
    assert response.context["overdue"] == 2


def test_my_week_offers_current_value_propositions(cast, overdue, client_for):
    CoreMessage.objects.create(kind="value_proposition", text_de="Kosten senken", text_en="Cut costs")
    CoreMessage.objects.create(kind="value_proposition", text_de="Vorbei", text_en="Gone",
                               valid_from=date(2020, 1, 1), valid_to=date(2021, 1, 1))
    client = client_for(cast.owner)
    cast.owner.language = "en"
    cast.owner.save()
    html = client.get(reverse("interactions:my_week")).content.decode()
    assert "Cut costs" in html and "Gone" not in html


def test_my_week_of_someone_else(cast, overdue, client_for):
    url = reverse("interactions:my_week")
    assert client_for(cast.team_member).get(url, {"manager": cast.owner.pk}).status_code == 403
    for role in ("sales_head", "admin", "marketing", "read_only"):
        response = client_for(getattr(cast, role)).get(url, {"manager": cast.owner.pk})
        assert response.status_code == 200 and "Muster Engineering AG" in response.content.decode(), role
    # Bad parameters fall back rather than fail.
    assert client_for(cast.sales_head).get(url, {"manager": "x", "within": "lots"}).status_code == 200


def test_my_week_shows_nothing_for_someone_without_accounts(cast, overdue, client_for):
    response = client_for(cast.outsider).get(reverse("interactions:my_week"))
    assert "Muster Engineering AG" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_management_view_is_for_sales_head_and_admin(role, cast, overdue, client_for):
    client = client_for(getattr(cast, role))
    allowed = role in ("admin", "sales_head")
    for name in ("interactions:management", "interactions:management_export"):
        assert client.get(reverse(name)).status_code == (200 if allowed else 403), name
    assert client.post(reverse("interactions:management_refresh")).status_code == (302 if allowed else 403)


def test_management_view_content(cast, overdue, network, client_for, owner_history):
    owner_history(network.other_account, [(date(2024, 1, 1), cast.owner),
                                          (timezone.localdate() - timedelta(days=30), cast.outsider)])
    response = client_for(cast.sales_head).get(reverse("interactions:management"))
    html = response.content.decode()
    assert response.status_code == 200
    # Computed on the spot for a small network: one row per account.
    assert ConsistencySnapshot.objects.count() == 2
    assert html.count("<svg") == 2
    overview = response.context["overview"]
    assert overview.network.accounts == 2 and overview.network.overdue_contacts >= 2
    assert overview.network.manager_changes == 1
    assert overview.decision_makers == 1 and overview.decision_makers_covered == 0
    assert {row.manager for row in overview.managers} == {cast.owner, cast.outsider}
    assert "Fremd Consulting GmbH" in html  # listed under the account-manager changes


def test_management_filters_and_sorting(cast, overdue, client_for):
    client = client_for(cast.sales_head)
    url = reverse("interactions:management")
    for params in ({"band": "red"}, {"band": "green"}, {"manager": cast.owner.pk}, {"manager": "none"},
                   {"strategy": "-"}, {"sort": "-score"}, {"sort": "delta"}, {"sort": "bogus"}, {"page": "99"}):
        assert client.get(url, params).status_code == 200, params


def test_management_export(cast, overdue, client_for):
    response = client_for(cast.admin).get(reverse("interactions:management_export"))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert {row["account"] for row in rows} == {"Muster Engineering AG", "Fremd Consulting GmbH"}
    mine = next(row for row in rows if row["account"] == "Muster Engineering AG")
    assert mine["band"] in ("red", "amber", "green") and float(mine["score"]) >= 0
    assert int(mine["overdue_contacts"]) == 2 and mine["top_reasons"]


def test_management_reads_snapshots_when_the_network_is_large(cast, overdue, client_for, monkeypatch):
    from kundennetz.interactions import management_view, services

    services.refresh_snapshots(timezone.localdate() - timedelta(days=1))
    monkeypatch.setattr(management_view, "LIVE_REFRESH_LIMIT", 1)
    response = client_for(cast.sales_head).get(reverse("interactions:management"))
    assert response.context["overview"].stale
    assert set(ConsistencySnapshot.objects.values_list("as_of", flat=True)) == {
        timezone.localdate() - timedelta(days=1)}


@pytest.mark.parametrize("role", ROLES)
def test_core_messages_are_kept_by_marketing(role, cast, client_for):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("interactions:message_list")).status_code == 200
    editor = role in ("marketing", "admin")
    response = client.post(reverse("interactions:message_create"),
                           {"kind": "message", "text_de": "Nähe zum Kunden", "text_en": "Close to the customer"})
    assert response.status_code == (302 if editor else 403)
    assert CoreMessage.objects.filter(text_de="Nähe zum Kunden").exists() == editor


def test_core_message_validation_and_retire(cast, client_for, core_messages):
    client = client_for(cast.marketing)
    response = client.post(reverse("interactions:message_create"),
                           {"kind": "message", "text_de": "Verkehrt", "valid_from": "2026-05-01",
                            "valid_to": "2026-04-01"})
    assert response.status_code == 200 and "valid_to" in response.context["form"].errors
    assert client.post(reverse("interactions:message_create"), {"kind": "nonsense", "text_de": "x"}).status_code == 200
    message = core_messages["partner"]
    client.post(reverse("interactions:message_retire", args=[message.pk]))
    message.refresh_from_db()
    assert message.valid_to == timezone.localdate()
    assert message.history.count() == 2
    html = client.get(reverse("interactions:message_update", args=[message.pk])).content.decode()
    assert "history-heading" in html
    assert client_for(cast.sales_head).post(reverse("interactions:message_retire", args=[message.pk])).status_code == 403


def test_core_message_tabs(cast, client_for, core_messages):
    client = client_for(cast.read_only)
    url = reverse("interactions:message_list")
    assert "Alt" not in client.get(url).content.decode()
    assert "Alt" in client.get(url, {"state": "retired"}).content.decode()


def test_my_week_shows_the_contacts_the_applied_plan_recommends(cast, overdue, client_for):
    from kundennetz.planning.models import AccountPlan, Period

    today = timezone.localdate()
    period = Period.objects.create(code=str(today.year), kind=Period.Kind.YEAR, year=today.year,
                                   start=date(today.year, 1, 1), end=date(today.year, 12, 31))
    AccountPlan.objects.create(account=overdue, period=period, contacts=14, hours=28.0, contact_hours=2.0,
                               support=0, pr=0)
    html = client_for(cast.owner).get(reverse("interactions:my_week")).content.decode()
    assert f"<strong>14 contacts in {today.year}</strong>" in html and 'data-planned-source="adopted"' in html


def test_my_week_of_a_large_book_picks_its_accounts_from_the_stored_due_dates(cast, overdue, network, log,
                                                                                client_for, monkeypatch):
    """Above the live limit the page works out only the shown page: an account without a stored row is named as not
    measured yet; once measured it is listed (live items for the shown page); a contact logged since drops
    it out although its stored row still says due."""
    from kundennetz.interactions import my_week, services

    monkeypatch.setattr(my_week, "LIVE_LIMIT", 0)
    client = client_for(cast.owner)
    url = reverse("interactions:my_week")
    response = client.get(url)
    assert response.context["unmeasured"] == 1 and not response.context["groups"]
    assert "not measured yet" in response.content.decode() or "noch nicht gemessen" in response.content.decode()
    assert not ConsistencySnapshot.objects.exists()  # the GET wrote nothing

    services.refresh_snapshots()
    row = ConsistencySnapshot.objects.get(account=overdue)
    assert row.next_due is not None and row.next_due < timezone.localdate() and row.due_dates
    response = client.get(url)
    assert [group["account"] for group, _plan in response.context["groups"]] == [overdue]
    assert response.context["overdue"] == 2 and response.context["unmeasured"] == 0
    assert response.context["status"].when == row.computed_at and not response.context["status"].out_of_date

    # A contact logged now; in a test the refresh after the commit does not run, so the row stays as it was.
    log(overdue, timezone.localdate(), contacts=[network.contact])
    assert ConsistencySnapshot.objects.get(account=overdue).next_due == row.next_due
    assert not client.get(url).context["groups"]


def test_my_week_of_a_small_book_is_live_and_writes_nothing(cast, overdue, network, log, client_for):
    client = client_for(cast.owner)
    response = client.get(reverse("interactions:my_week"))
    assert response.context["overdue"] == 2 and response.context["status"].live
    assert 'data-live="true"' in response.content.decode()
    assert not ConsistencySnapshot.objects.exists()
    log(overdue, timezone.localdate(), contacts=[network.contact])
    assert client.get(reverse("interactions:my_week")).context["overdue"] == 0



def test_a_new_key_person_reaches_the_stored_due_dates_after_the_commit(cast, overdue, network,
                                                                         django_capture_on_commit_callbacks,
                                                                         monkeypatch):
    """My week of a large book picks accounts from the stored due dates: a change to the account's people
    refreshes its row once the change is committed — once per transaction, however many records changed."""
    from django.db import transaction

    from kundennetz.accounts.models import Contact
    from kundennetz.interactions import services

    services.refresh_snapshots()
    before = ConsistencySnapshot.objects.get(account=overdue).due_dates
    calls = []
    real = services.refresh_snapshots
    monkeypatch.setattr(services, "refresh_snapshots", lambda **kw: calls.append(kw) or real(**kw))
    # The test's own transaction never commits: what the fixtures left waiting belongs to it, not to the
    # transaction below (which the capture commits).
    services._PENDING.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Contact.objects.create(account=overdue, first_name="Neu", last_name="Entscheiderin",
                                   buying_role="decision_maker")
            Contact.objects.create(account=overdue, first_name="Noch", last_name="Eine", buying_role="decision_maker")
    assert calls == [{"account_ids": [overdue.pk]}]
    assert len(ConsistencySnapshot.objects.get(account=overdue).due_dates) == len(before) + 2
    # A change rolled back leaves nothing waiting: the next change is refreshed on its own commit.
    calls.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        Contact.objects.create(account=overdue, first_name="Weg", last_name="Wieder", buying_role="decision_maker")
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True):
        Contact.objects.create(account=network.other_account, first_name="Andere", last_name="Person",
                               buying_role="decision_maker")
    assert calls == [{"account_ids": [network.other_account.pk]}]
