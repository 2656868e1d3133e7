"""`kundennetz demo` and `kundennetz logins`: the demo network's size, consistency and determinism, the refusal
of a non-empty database, --force, --if-empty, and printed logins that really log in."""

import hashlib
import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from kundennetz.accounts.models import (
    Account,
    Competitor,
    Contact,
    Opportunity,
    OpportunityContact,
    Segment,
    Stage,
)
from kundennetz.sample import demo
from kundennetz.core.roles import Role

pytestmark = pytest.mark.django_db

REFERENCE = date(2026, 3, 2)
User = get_user_model()


def load(**options):
    return demo.load_demo(today=REFERENCE, **options)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> list[dict]:
    """The rows of the logins table: the line after the header is the rule, then one row per login."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Role") and "Password" in line)
    header = re.split(r"\s{2,}", lines[start].strip())
    rows = []
    for line in lines[start + 2:]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(header):
            break
        rows.append(dict(zip(header, cells)))
    return rows


def digest() -> str:
    """A fingerprint of everything a person would see, independent of primary keys."""
    parts = []
    for a in Account.all_objects.order_by("name"):
        parts.append(repr((a.name, a.legal_form, a.industry, a.segment.code, a.street, a.postal_code, a.city,
                           a.country, a.currency, a.annual_revenue, a.potential, a.contribution_margin_pct,
                           a.status, a.owner.username, sorted(a.team.values_list("username", flat=True)),
                           a.created_at)))
    for c in Contact.all_objects.select_related("account", "reports_to").order_by("account__name", "email"):
        parts.append(repr((c.account.name, c.first_name, c.last_name, c.function, c.department, c.email, c.phone,
                           c.language, c.buying_role, c.influence, c.attitude,
                           c.reports_to.email if c.reports_to else None, c.deleted_at)))
    for o in Opportunity.objects.select_related("account", "stage", "closing_reason", "owner").order_by(
            "account__name", "title", "created_at"):
        parts.append(repr((o.account.name, o.title, o.need, o.stage.code, o.expected_volume,
                           o.expected_follow_up_volume, o.offer_price, o.estimated_margin_pct,
                           o.expected_decision_date, o.closed_on, o.owner.username,
                           o.closing_reason.name_en if o.closing_reason else None,
                           sorted(o.competitors.values_list("name", flat=True)),
                           sorted(o.involvements.values_list("contact__email", "role")), o.created_at)))
    parts.extend(Competitor.objects.order_by("name").values_list("name", flat=True))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@pytest.fixture
def someone_elses_network():
    """A database in use: a real user with an account and a competitor of their own."""
    erika = User(username="erika", role=Role.ACCOUNT_MANAGER, email="erika@firma.ch")
    erika.set_password("Erika-Passwort-1")
    erika.save()
    account = Account.objects.create(name="Eigene Kunde AG", owner=erika)
    competitor = Competitor.objects.create(name="Eigener Mitbewerber AG")
    return erika, account, competitor


# --- what is loaded -----------------------------------------------------------------------------------

def test_loads_the_expected_network():
    result = load()
    assert result.loaded
    assert Account.objects.count() == 60
    assert Contact.objects.count() == 200
    assert Contact.all_objects.filter(deleted_at__isnull=False).count() == 2
    assert Competitor.objects.count() == 12
    # Besides the live pipeline, the demo has history to learn from (closed and declined deals).
    assert Opportunity.objects.filter(historic=False).count() == 80
    assert Opportunity.objects.filter(historic=True).count() == result.counts["historic deals"] >= 180
    assert User.objects.count() == 7
    assert result.counts["accounts"] == 60 and result.counts["contacts"] == 200
    assert result.counts["opportunities"] == 80 and result.counts["competitors"] == 12
    assert result.counts["people involved"] == OpportunityContact.objects.count() > 80

    assert set(Account.objects.values_list("segment__code", flat=True)) == set(
        Segment.objects.values_list("code", flat=True))
    assert set(Account.objects.values_list("status", flat=True)) == set(Account.Status.values)
    assert set(Account.objects.values_list("country", flat=True)) == {"CH", "DE", "AT"}
    assert set(Account.objects.values_list("currency", flat=True)) == {"CHF", "EUR"}
    assert {"de", "fr", "it"} <= set(Contact.objects.values_list("language", flat=True))
    assert set(Contact.objects.values_list("buying_role", flat=True)) == set(Contact.BuyingRole.values)
    # Missing figures are part of the picture: some prospects are not sized yet.
    assert Account.objects.filter(potential__isnull=True).exists()


def test_every_stage_and_every_role_is_present():
    load()
    active = Stage.objects.filter(is_active=True)
    assert set(Opportunity.objects.values_list("stage__type", flat=True)) == set(Stage.Type.values)
    for stage in active:
        assert Opportunity.objects.filter(stage=stage).exists(), stage.code
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    owners = User.objects.filter(owned_accounts__isnull=False).distinct()
    assert owners.filter(role=Role.ACCOUNT_MANAGER).count() == 3
    # Account managers also work on accounts they do not own, so team rules have something to show.
    assert Account.team.through.objects.filter(user__role=Role.ACCOUNT_MANAGER).exists()
    assert User.objects.get(username="admin").is_superuser


def test_records_are_consistent_and_valid():
    load()
    for opportunity in Opportunity.objects.select_related("stage", "closing_reason"):
        kind = opportunity.stage.type
        if kind == Stage.Type.LOST:
            assert opportunity.closing_reason and opportunity.closing_reason.applies_to == Stage.Type.LOST
        if kind == Stage.Type.OPEN:
            assert opportunity.closing_reason is None and opportunity.closed_on is None
        else:
            assert opportunity.closed_on is not None and opportunity.closed_on < REFERENCE
        if kind == Stage.Type.NO_OFFER:
            assert opportunity.offer_price is None
        assert opportunity.expected_volume > 0
        assert opportunity.created_at >= opportunity.account.created_at
    for contact in Contact.all_objects.select_related("reports_to"):
        if contact.reports_to is not None:
            assert contact.reports_to.account_id == contact.account_id
        domain = contact.account.website.removeprefix("https://www.")
        assert contact.email.endswith("@" + domain)
    for involvement in OpportunityContact.objects.select_related("contact", "opportunity"):
        assert involvement.contact.account_id == involvement.opportunity.account_id
    for account in Account.objects.all():
        assert account.contacts.filter(buying_role=Contact.BuyingRole.DECISION_MAKER).exists(), account
        family_names = list(account.contacts.values_list("last_name", flat=True))
        assert len(family_names) == len(set(family_names)), account
    assert len(set(Contact.objects.values_list("email", flat=True))) == 200

    sample = [*Account.objects.all(), *Opportunity.objects.all(), *Competitor.objects.all(),
              *Contact.all_objects.all()[::4], *OpportunityContact.objects.all()[::4]]
    for record in sample:
        record.full_clean()


def test_money_and_dates_are_plausible():
    load()
    for account in Account.objects.select_related("segment"):
        if account.status == Account.Status.CUSTOMER:
            assert account.annual_revenue > 0 and account.contribution_margin_pct is not None
            assert account.potential is None or account.annual_revenue <= account.potential
        else:
            assert account.annual_revenue == 0
    open_dates = list(Opportunity.objects.filter(stage__type=Stage.Type.OPEN)
                      .values_list("expected_decision_date", flat=True))
    assert min(open_dates) < REFERENCE < max(open_dates)   # a few overdue, most ahead
    assert sum(d > REFERENCE for d in open_dates) > len(open_dates) / 2
    margins = Opportunity.objects.exclude(estimated_margin_pct=None).values_list("estimated_margin_pct", flat=True)
    assert all(Decimal(10) <= m <= Decimal(60) for m in margins)


def test_history_is_attributed_to_the_admin():
    load()
    admin = User.objects.get(username="admin")
    for model in (Account, Contact, Opportunity, OpportunityContact, Competitor):
        history = model.history.model.objects
        assert history.exists()
        assert not history.exclude(history_user=admin).exists(), model.__name__
    account = Account.objects.get(name="Rhenopharm AG")
    created = account.history.filter(history_type="+").get()
    assert created.history_date == account.created_at
    # The team was recorded as a change of its own, so the history shows who joined.
    assert account.history.filter(history_type="~").exists()


# --- determinism --------------------------------------------------------------------------------------

def _in_a_fresh_database(action):
    """Run `action` and undo it, so the next load starts from an empty database again."""
    with transaction.atomic():
        value = action()
        transaction.set_rollback(True)
    return value


def test_two_loads_give_the_same_network():
    first = _in_a_fresh_database(lambda: (load(), digest())[1])
    assert not Account.all_objects.exists() and not User.objects.exists()
    second = _in_a_fresh_database(lambda: (load(), digest())[1])
    assert first == second


def test_dates_move_with_the_reference_day():
    def dates(today):
        demo.load_demo(today=today)
        return [(o.expected_decision_date, o.closed_on, o.created_at.date())
                for o in Opportunity.objects.order_by("id")]

    before = _in_a_fresh_database(lambda: dates(REFERENCE))
    after = _in_a_fresh_database(lambda: dates(REFERENCE + timedelta(days=10)))
    shift = timedelta(days=10)
    assert after == [(d + shift, c + shift if c else None, m + shift) for d, c, m in before]


# --- refusing, forcing, only when empty ---------------------------------------------------------------

def test_refuses_a_database_with_accounts(someone_elses_network):
    with pytest.raises(CommandError) as refused:
        run("demo")
    assert refused.value.returncode != 0
    message = str(refused.value)
    assert "not empty" in message and "1 account" in message and "--force" in message
    assert Account.objects.count() == 1 and not User.objects.filter(username="admin").exists()


def test_refuses_a_database_with_other_users():
    User.objects.create(username="erika", email="erika@firma.ch")
    with pytest.raises(CommandError, match="1 user"):
        run("demo")
    assert not Account.objects.exists()


def test_force_replaces_the_network_and_keeps_other_users(someone_elses_network):
    erika, account, competitor = someone_elses_network
    output = run("demo", "--force", "--reference-date", REFERENCE.isoformat())
    assert "Deleted the existing network: accounts 1, competitors 1." in output
    assert not Account.all_objects.filter(pk=account.pk).exists()
    assert not Competitor.objects.filter(pk=competitor.pk).exists()
    assert not Account.history.filter(id=account.pk).exists()
    assert User.objects.filter(pk=erika.pk).exists()
    assert Account.objects.count() == 60 and Opportunity.objects.filter(historic=False).count() == 80
    assert User.objects.count() == 8


def test_force_resets_the_demo_users():
    load()
    sales = User.objects.get(username="sales")
    sales.set_password("Mein-eigenes-Passwort-9")
    sales.is_active = False
    sales.save()
    load(force=True)
    assert [login.username for login in demo.demo_logins()] == [spec.username for spec in demo.DEMO_USERS]
    assert Account.objects.count() == 60 and Contact.all_objects.count() == 202


def test_force_does_not_take_over_a_real_user_with_a_demo_name(cast, network):
    with pytest.raises(CommandError, match="'admin'"):
        run("demo", "--force")
    # One transaction: the existing network is untouched.
    assert Account.objects.filter(pk=network.account.pk).exists()
    assert cast.admin.email == User.objects.get(username="admin").email


def test_if_empty_loads_into_a_blank_database():
    output = run("demo", "--if-empty", "--reference-date", REFERENCE.isoformat())
    assert Account.objects.count() == 60
    assert len(printed_logins(output)) == 7


def test_if_empty_does_nothing_quietly_otherwise(someone_elses_network):
    assert run("demo", "--if-empty") == ""
    assert Account.objects.count() == 1


def test_if_empty_leaves_a_loaded_demo_alone():
    load()
    before = digest()
    assert run("demo", "--if-empty") == ""
    assert digest() == before


def test_force_and_if_empty_exclude_each_other():
    with pytest.raises(CommandError):
        call_command("demo", "--force", "--if-empty")


def test_an_extension_runs_inside_the_same_transaction(monkeypatch):
    seen = {}

    def extend(context):
        seen["accounts"] = len(context.accounts)
        seen["opportunities"] = len(context.opportunities)
        context.count("checklists", 3)

    monkeypatch.setattr(demo.loading, "_extensions", lambda: [extend])
    result = load()
    assert seen == {"accounts": 60, "opportunities": 80}
    assert result.counts["checklists"] == 3

    def broken(context):
        raise RuntimeError("extension failed")

    load(force=True)
    monkeypatch.setattr(demo.loading, "_extensions", lambda: [broken])
    with pytest.raises(RuntimeError):
        load(force=True)
    # The failed forced load was rolled back as a whole, the earlier demo is still there.
    assert Account.objects.count() == 60 and Contact.all_objects.count() == 202


# --- logins -------------------------------------------------------------------------------------------

def test_demo_prints_every_login_and_each_one_logs_in(client):
    rows = printed_logins(run("demo", "--reference-date", REFERENCE.isoformat()))
    assert [row["User name"] for row in rows] == [spec.username for spec in demo.DEMO_USERS]
    assert {str(label) for label in Role.labels} == {row["Role"] for row in rows}
    for row in rows:
        client.logout()
        response = client.post(reverse("login"), {"username": row["User name"], "password": row["Password"]})
        assert response.status_code == 302, row
        assert client.session["_auth_user_id"] == str(User.objects.get(username=row["User name"]).pk)


def test_logins_prints_the_logins_again():
    load()
    rows = printed_logins(run("logins"))
    assert len(rows) == 7
    for row in rows:
        assert User.objects.get(username=row["User name"]).check_password(row["Password"])
    # Nothing in the database holds a password in plain text.
    for spec in demo.DEMO_USERS:
        assert spec.password not in User.objects.get(username=spec.username).password


def test_logins_hides_changed_passwords_and_inactive_users():
    load()
    sales = User.objects.get(username="sales")
    sales.set_password("Mein-eigenes-Passwort-9")
    sales.save()
    User.objects.filter(username="readonly").update(is_active=False)
    output = run("logins")
    names = [row["User name"] for row in printed_logins(output)]
    assert "sales" not in names and "readonly" not in names and len(names) == 5
    assert "demo-sales-2026" not in output
    assert "2 demo user(s) not shown" in output


def test_logins_without_demo_users_says_so():
    output = run("logins")
    assert "No demo logins" in output and "Password" not in output



@pytest.mark.django_db(transaction=True)
def test_the_stored_consistency_overview_of_a_fresh_demo_is_up_to_date():
    """The commit refreshes the rows of accounts a late demo part touched; the overview aggregated from
    them must not be older than those rows."""
    from kundennetz.core import freshness
    from kundennetz.interactions import overview, services

    load()
    stored = overview.stored()
    assert stored is not None
    assert not overview.out_of_date(stored, freshness.fingerprint(services.SNAPSHOT_INPUTS), REFERENCE)
