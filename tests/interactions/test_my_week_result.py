"""My week of a large book, pinned: whatever the page reads to be faster, it shows what the plain reading
gives — every stored row of the manager's accounts read in priority order and selected by its due dates,
the shown page's accounts worked out live (`services.due_for_accounts`), their planned figures
(`planning.figures`), their people and value propositions. Out-of-date, unmeasured and trashed accounts,
an adopted plan, value propositions per role and of marketing are in the book.
"""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PAGE = 10


@pytest.fixture
def book(db, settings, monkeypatch):
    """A generated network whose first manager's book is picked from the stored due dates, with its edges."""
    from kundennetz.accounts.models import Account
    from kundennetz.core.models import User
    from kundennetz.interactions import my_week
    from kundennetz.interactions.models import ConsistencySnapshot, CoreMessage
    from kundennetz.planning.models import AccountPlan, Period
    from kundennetz.portfolio.models import ValueProposition
    from kundennetz.sample.generate import generate_network

    settings.KUNDENNETZ_PAGE_SIZE = PAGE
    monkeypatch.setattr(my_week, "LIVE_LIMIT", 10)
    generate_network(160, managers=2, interactions_per_account=3, seed=17, rebuild_indexes=False)
    manager = User.objects.filter(username__startswith="gen-", role="account_manager").order_by("pk").first()
    User.objects.filter(username__startswith="gen-").update(language="en")
    manager.refresh_from_db()
    rows = ConsistencySnapshot.objects.filter(account__owner=manager).order_by("-priority", "account_id")
    ids = list(rows.values_list("account_id", flat=True))
    ConsistencySnapshot.objects.filter(account_id__in=ids[-3:]).delete()  # not measured yet
    ConsistencySnapshot.objects.filter(account_id__in=ids[5:9]).update(inputs="older inputs")  # out of date
    ConsistencySnapshot.objects.filter(account_id=ids[2]).update(computed_at=timezone.now() - timedelta(days=3))
    Account.objects.get(pk=ids[4]).soft_delete(manager)  # its stored row stays, the account is gone
    today = timezone.localdate()
    period = Period.objects.create(code=str(today.year), kind=Period.Kind.YEAR, year=today.year,
                                   start=today.replace(month=1, day=1), end=today.replace(month=12, day=31))
    AccountPlan.objects.create(account_id=ids[0], period=period, contacts=14, hours=28.0, contact_hours=2.0,
                               support=0, pr=0)
    ValueProposition.objects.create(title_de="Tiefere Kosten", title_en="Lower cost", text_de="15 % weniger",
                                    text_en="15 % less", roles=["decision_maker"])
    CoreMessage.objects.create(kind="value_proposition", text_de="Kosten senken", text_en="Cut costs")
    head = User.objects.get(username__startswith="gen-", role="sales_head")
    return {"manager": manager, "head": head}


def _reference(manager, today, within, page_number):
    """The week read plainly: every stored row, selected in Python; the page's accounts worked out live."""
    from kundennetz.accounts.models import Account
    from kundennetz.core import freshness
    from kundennetz.domain import consistency as dc
    from kundennetz.interactions import reminders, services
    from kundennetz.interactions.models import ConsistencySnapshot
    from kundennetz.planning.figures import planned_for_accounts

    accounts = Account.objects.filter(owner=manager)
    rows = list(ConsistencySnapshot.objects.filter(account__in=accounts).order_by("-priority", "next_due", "account_id")
                .values_list("account_id", "next_due", "due_dates", "computed_at", "inputs"))
    inputs = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    horizon = today + timedelta(days=within)
    selected, overdue, due = [], 0, 0
    for pk, next_due, dates, _at, _inputs in rows:
        if next_due is not None and next_due <= horizon:
            selected.append(pk)
            o, d = dc.count_due((None if day is None else dc_date(day) for day in dates), today, within)
            overdue, due = overdue + o, due + d
    page = Paginator(selected, PAGE).get_page(page_number)
    shown = list(page.object_list)
    live = services.due_for_accounts(Account.objects.filter(pk__in=shown, owner=manager), today, within)
    order = {pk: n for n, pk in enumerate(shown)}
    groups = sorted(reminders.present(live, services.reason_language()), key=lambda g: order[g["account_id"]])
    return {
        "overdue": overdue, "due": due, "unmeasured": accounts.count() - len(rows),
        "when": min(row[3] for row in rows), "out_of_date": any(row[4] != inputs for row in rows),
        "count": len(selected), "number": page.number, "groups": groups,
        "planned": planned_for_accounts([g["account_id"] for g in groups], today),
    }


def dc_date(text):
    from datetime import date

    return date.fromisoformat(text)


PRESENTED = ("account_id", "never_contacted", "never_met", "never_met_items", "long_overdue",
             "long_overdue_items", "count", "overdue")
ITEM = ("due", "overdue", "due_date", "text")


@pytest.mark.parametrize("within", [7, 30])
def test_my_week_of_a_large_book_shows_what_the_plain_reading_gives(book, client, within):
    from kundennetz.accounts.models import Contact
    from kundennetz.interactions import portfolio_bridge

    today = timezone.localdate()
    first = _reference(book["manager"], today, within, 1)
    assert first["count"] > 2 * PAGE and first["unmeasured"] == 3 and first["out_of_date"]
    last = -(-first["count"] // PAGE)
    compared = 0
    for viewer, params in ((book["manager"], {}), (book["head"], {"manager": book["manager"].pk})):
        client.force_login(viewer)
        for number in (1, 2, last):
            expected = _reference(book["manager"], today, within, number)
            response = client.get(reverse("interactions:my_week"), {**params, "within": within, "page": number})
            context = response.context
            assert (context["overdue"], context["due_count"], context["unmeasured"]) == (
                expected["overdue"], expected["due"], expected["unmeasured"])
            assert (context["status"].when, context["status"].out_of_date) == (expected["when"], True)
            page = context["page"]
            assert (page.paginator.count, page.number) == (expected["count"], expected["number"])
            shown = [(group, plan) for group, plan in context["groups"]]
            assert [group["account"].pk for group, _plan in shown] == [g["account_id"] for g in expected["groups"]]
            roles = {}
            for group in expected["groups"]:
                for d in (*(item["due"] for item in group["items"]), *group["never_met_items"]):
                    if d.role:
                        roles.setdefault(d.account_id, set()).add(d.role)
            propositions = portfolio_bridge.value_propositions([g["account_id"] for g in expected["groups"]], roles)
            for (group, plan), wanted in zip(shown, expected["groups"], strict=True):
                assert {key: group[key] for key in PRESENTED} == {key: wanted[key] for key in PRESENTED}
                assert [{key: item[key] for key in ITEM} for item in group["items"]] == wanted["items"]
                assert plan == expected["planned"].get(group["account"].pk)
                for item in group["items"]:
                    d = item["due"]
                    assert item["contact"] == (Contact.objects.get(pk=d.contact_id) if d.contact_id else None)
                    assert item["propositions"] == (
                        propositions.get((d.account_id, d.role), ["Cut costs"]) if d.contact_id else [])
                compared += 1
    assert compared > 2 * PAGE
