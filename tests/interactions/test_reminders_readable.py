"""Reminders worth reading: never-met people said so, long-overdue items summarised, former customers
left out unless a strategy asks for them, everyone with accounts reminded, a first score shown as new."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from kundennetz.accounts.models import Account, Contact
from kundennetz.interactions import services

pytestmark = pytest.mark.django_db

DAY = date(2026, 7, 1)


def run(*args) -> str:
    out = StringIO()
    call_command("reminders", "--date", DAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def body_for(user):
    return next(m.body for m in mail.outbox if m.to == [user.email])


def test_the_sales_head_is_reminded_of_their_own_accounts(network, owner_history, cast):
    owner_history(network.account, [(date(2024, 1, 1), cast.sales_head)])
    run()
    assert cast.sales_head.email in {m.to[0] for m in mail.outbox}
    assert "Muster Engineering AG" in body_for(cast.sales_head)


def test_never_met_and_long_overdue_read_well_in_german(network, owner_history, log, cast):
    owner_history(network.account, [(date(2018, 1, 1), cast.owner)])
    log(network.account, DAY - timedelta(days=2650), contacts=[network.contact])
    Contact.objects.create(account=network.account, first_name="Bruno", last_name="Keller",
                           buying_role=Contact.BuyingRole.INFLUENCER)
    cast.owner.language = "de-ch"
    cast.owner.save()
    run()
    body = body_for(cast.owner)
    assert "Tagen überfällig" not in body and "2'5" not in body and "2’5" not in body
    assert "lange überfällig" in body and "über 7 Jahren" in body
    assert "Noch nicht getroffen: Bruno Keller (Beeinflusser)" in body or "Bruno Keller" in body.split(
        "Noch nicht getroffen:")[1]


def test_never_met_in_english(network, owner_history, log, cast):
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    log(network.account, DAY - timedelta(days=10))
    run()
    body = body_for(cast.owner)
    assert "Not met yet: Anna Meier" in body
    assert "overdue by" not in body.split("Not met yet")[1].splitlines()[0]


def test_former_customers_are_left_out_unless_a_strategy_asks(network, owner_history, cast):
    owner_history(network.account, [(date(2020, 1, 1), cast.owner)])
    owner_history(network.other_account, [(date(2020, 1, 1), cast.owner)])
    Account.objects.filter(pk=network.account.pk).update(status=Account.Status.FORMER)
    due = services.due_for_accounts(Account.objects.filter(owner=cast.owner), DAY, 7)
    assert {d.account_id for d in due} == {network.other_account.pk}


def test_a_former_customer_with_a_chosen_strategy_is_reminded(network, owner_history, cast):
    from kundennetz.portfolio import services as portfolio_services

    owner_history(network.account, [(date(2020, 1, 1), cast.owner)])
    portfolio_services.recompute(period="2026-Q2", as_of=DAY, user=cast.admin)
    Account.objects.filter(pk=network.account.pk).update(status=Account.Status.FORMER)
    assert not services.due_for_accounts(Account.objects.filter(pk=network.account.pk), DAY, 7)
    portfolio_services.set_override(network.account, cast.sales_head, "hold_and_expand", "Zurückgewinnen")
    assert services.due_for_accounts(Account.objects.filter(pk=network.account.pk), DAY, 7)


def test_my_week_groups_and_summarises(network, owner_history, log, cast, client_for):
    owner_history(network.account, [(date(2018, 1, 1), cast.owner)])
    log(network.account, date.today() - timedelta(days=2650), contacts=[network.contact])
    html = client_for(cast.owner).get(reverse("interactions:my_week")).content.decode()
    assert "long overdue" in html and "over 7 years" in html
    assert "days overdue" not in html


def test_my_week_offers_everyone_with_accounts_to_the_sales_head(network, owner_history, cast, client_for):
    owner_history(network.account, [(date(2024, 1, 1), cast.sales_head)])
    response = client_for(cast.sales_head).get(reverse("interactions:my_week"))
    assert cast.sales_head in list(response.context["managers"])
    assert "Muster Engineering AG" in response.content.decode()


def test_a_first_score_shows_as_new(network, owner_history, log, cast, client_for):
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    log(network.account, date.today() - timedelta(days=20), contacts=[network.contact])
    services.refresh_snapshots(date.today())
    html = client_for(cast.sales_head).get(reverse("interactions:management")).content.decode()
    row = html[html.index("Muster Engineering AG", html.index('id="accounts-heading"')):]
    row = row[:row.index("</tr>")]
    assert ">new<" in row and "+" not in row
    panel = client_for(cast.owner).get(reverse("interactions:account_panel", args=[network.account.pk]))
    assert ">new<" in panel.content.decode()


def test_home_marks_decisions_whose_date_passed(network, cast, client_for):
    from django.utils import timezone

    network.opportunity.expected_decision_date = timezone.localdate() - timedelta(days=3)
    network.opportunity.save()
    html = client_for(cast.owner).get("/").content.decode()
    row = html[html.index("ERP-Einführung") - 300:html.index("ERP-Einführung")]
    assert 'class="overdue"' in row and ">overdue<" in row
    network.opportunity.expected_decision_date = timezone.localdate() + timedelta(days=3)
    network.opportunity.save()
    html = client_for(cast.owner).get("/").content.decode()
    assert ">overdue<" not in html
