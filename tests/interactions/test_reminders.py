"""`kundennetz reminders`: the right people get their due contacts, in their language, once a day."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from kundennetz.interactions.models import ReminderLog

pytestmark = pytest.mark.django_db

DAY = date(2026, 7, 1)


def run(*args) -> str:
    out = StringIO()
    call_command("reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def due_network(network, owner_history, log, cast):
    """The owner's account (owner reads German) was last contacted 200 days before DAY; the outsider's
    (who reads English) never, under care since 2024."""
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    owner_history(network.other_account, [(date(2024, 1, 1), cast.outsider)])
    log(network.account, DAY - timedelta(days=200), contacts=[network.contact])
    cast.owner.language, cast.outsider.language = "de-ch", "en"
    cast.owner.save()
    cast.outsider.save()
    return network


def test_each_account_manager_gets_their_own_due_contacts_in_their_language(due_network, cast):
    output = run("--date", DAY.isoformat())
    assert "2 sent" in output
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {cast.owner.email, cast.outsider.email}
    german = by_recipient[cast.owner.email]
    assert "Muster Engineering AG" in german.body and "Fremd Consulting" not in german.body
    assert "überfällig" in german.body and "Anna Meier" in german.body
    assert german.alternatives and "Muster Engineering AG" in german.alternatives[0][0]
    english = by_recipient[cast.outsider.email]
    assert "Fremd Consulting GmbH" in english.body and "overdue" in english.body
    assert "Muster" not in english.body
    assert "contacts due" in english.subject


def test_a_second_run_the_same_day_sends_nothing(due_network, cast):
    run("--date", DAY.isoformat())
    assert len(mail.outbox) == 2
    output = run("--date", DAY.isoformat())
    assert len(mail.outbox) == 2 and "2 skipped" in output
    run("--date", (DAY + timedelta(days=1)).isoformat())
    assert len(mail.outbox) == 4
    run("--date", DAY.isoformat(), "--force")
    assert len(mail.outbox) == 6


def test_dry_run_sends_and_records_nothing(due_network, cast):
    output = run("--date", DAY.isoformat(), "--dry-run")
    assert mail.outbox == [] and not ReminderLog.objects.exists()
    assert "would send" in output and cast.owner.email in output


def test_nothing_due_nothing_sent(network, owner_history, log, cast):
    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    owner_history(network.other_account, [(date(2024, 1, 1), cast.outsider)])
    for account, contacts in ((network.account, [network.contact]), (network.other_account, [])):
        log(account, DAY - timedelta(days=2), contacts=contacts)
    run("--date", DAY.isoformat())
    assert mail.outbox == []


def test_inactive_and_mailless_managers_are_skipped(due_network, cast):
    cast.outsider.is_active = False
    cast.outsider.save()
    cast.owner.email = ""
    cast.owner.save()
    output = run("--date", DAY.isoformat())
    assert mail.outbox == [] and "no e-mail" in output


def test_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises((CommandError, SystemExit)):
        call_command("reminders", "--date", "2026-13-01", stdout=StringIO(), stderr=StringIO())


def test_consistency_command_stores_snapshots(due_network):
    from kundennetz.interactions.models import ConsistencySnapshot

    out = StringIO()
    call_command("consistency", "--date", DAY.isoformat(), stdout=out)
    assert "2 accounts" in out.getvalue()
    assert ConsistencySnapshot.objects.count() == 2
