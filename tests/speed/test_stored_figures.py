"""Pages that read stored per-account figures instead of computing every account per request.

My week and the planning page cost the same number of queries (and, for planning, the same page size)
whether a user has 50 or 5,000 accounts; the stored figures equal what the live rule functions give.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _network(accounts: int, seed: int):
    from kundennetz.sample.generate import generate_network
    from kundennetz.core.models import User

    before = set(User.objects.values_list("pk", flat=True))
    generate_network(accounts, managers=1, interactions_per_account=2, seed=seed)
    new = User.objects.exclude(pk__in=before)
    new.update(language="en")
    return new.get(role="account_manager"), new.get(role="sales_head")


def _get(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [q["sql"] for q in queries.captured_queries]


def test_my_week_costs_the_same_queries_for_50_and_5000_accounts(client, monkeypatch):
    from kundennetz.interactions import my_week

    # Both books picked from the stored due dates (below the limit a week is worked out whole and live).
    monkeypatch.setattr(my_week, "LIVE_LIMIT", 10)
    small, _head = _network(50, seed=3)
    large, _head = _network(5_000, seed=4)
    _get(client, small, "/my-week/")  # warm caches (tunables, content types)
    few_response, few = _get(client, small, "/my-week/")
    many_response, many = _get(client, large, "/my-week/")
    # The same statements, one per line (only the id lists differ): a gap names the query that repeats.
    assert len(many) == len(few), "\n".join(sql[:160] for sql in many)
    assert many_response.context["groups"] and few_response.context["groups"]
    # The page's planned figures are read once (for the care measured and for the figure shown), and so are
    # the portfolio's facts (for the care and the value propositions; planning reads its strategies itself);
    # of the stored rows only those with anything due come back, the rest is counted in one aggregate.
    assert sum('"planning_accountplan"."contacts"' in sql for sql in many) == 1, "\n".join(sql[:160] for sql in many)
    assert sum('"portfolio_strategyoverride"."strategy"' in sql for sql in many) == 2
    rows = [sql for sql in many if '"interactions_consistencysnapshot"."due_dates"' in sql]
    assert len(rows) == 1 and '"interactions_consistencysnapshot"."next_due" <=' in rows[0]


def test_my_week_worked_out_live_costs_the_same_queries_for_5_and_60_accounts(client):
    """Below the live limit (the default, 300 accounts) the week is worked out whole, live, on every
    request: the page and the API's my week still cost the same queries for 5 accounts as for 60."""
    from kundennetz.core.models import ApiToken
    from kundennetz.interactions import my_week

    assert my_week.LIVE_LIMIT >= 60  # both books are worked out live
    small, _head = _network(5, seed=11)
    large, _head = _network(60, seed=12)

    def api(user):
        token = ApiToken.issue(user, "tests")[1]
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/interactions/my-week", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        return response.json(), [q["sql"] for q in queries.captured_queries]

    _get(client, small, "/my-week/")  # warm caches (tunables, content types)
    few_response, few = _get(client, small, "/my-week/")
    many_response, many = _get(client, large, "/my-week/")
    assert few_response.context["status"].live and many_response.context["status"].live
    assert few_response.context["groups"] and many_response.context["groups"]
    assert len(many) == len(few), "\n".join(sql[:160] for sql in many)
    api(small)
    few_due, few = api(small)
    many_due, many = api(large)
    assert few_due and len(many_due) > len(few_due)
    assert len(many) == len(few), "\n".join(sql[:160] for sql in many)


def test_planning_page_costs_the_same_queries_and_size_for_50_and_5000_accounts(client):
    from kundennetz.accounts.models import Account

    manager, head = _network(50, seed=5)
    _get(client, head, "/planning/")
    small_response, small = _get(client, head, "/planning/")
    other, _other_head = _network(4_950, seed=6)
    # The same manager now has 5,000 accounts: the page must not grow with them.
    Account.objects.filter(owner=other).update(owner=manager)
    large_response, large = _get(client, head, "/planning/")
    assert len(large) == len(small), "\n".join(sql[:160] for sql in large)
    # A hundred times the accounts: only the figures' digits get longer.
    assert len(large_response.content) < 1.05 * len(small_response.content)
    assert not any('"accounts_account"."name"' in sql for sql in large)  # no account is loaded one by one
    row = next(r for r in large_response.context["rows"] if r.manager_id == manager.pk)
    assert row.accounts == 5_000


def test_stored_figures_are_what_the_live_rules_answer():
    from kundennetz.accounts.models import Account
    from kundennetz.planning.figures import planned_for_accounts
    from kundennetz.portfolio import services as portfolio
    from kundennetz.portfolio import strategy as today_rule

    manager, head = _network(300, seed=9)
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    before = today_rule.for_accounts(ids)
    account = Account.objects.get(pk=next(pk for pk in ids if before.of(pk).key not in (None, "selective_withdrawal")))
    portfolio.set_override(account, head, "selective_withdrawal", "small")
    today = today_rule.for_accounts(ids)
    planned = planned_for_accounts(ids)
    assert Account.objects.filter(figures_at__isnull=True).count() == 0
    for row in Account.objects.all():
        assert row.strategy == (today.of(row.pk).key or ""), row.pk
        assert (row.planned_contacts, row.planned_hours) == (pytest.approx(planned[row.pk].contacts),
                                                             pytest.approx(planned[row.pk].hours))
    account.refresh_from_db()
    assert account.strategy == "selective_withdrawal"
    portfolio.clear_override(account, head)
    account.refresh_from_db()
    assert account.strategy == before.of(account.pk).key
    # A person's edit keeps the stored figures (they are not form fields) and writes no history for them.
    history = account.history.count()
    account.name = "Renamed AG"
    account.save()
    assert Account.objects.get(pk=account.pk).strategy == account.strategy
    assert account.history.count() == history + 1
    # The planning page's sums from the stored rows equal the plan computed account by account.
    from kundennetz.planning import services
    from kundennetz.planning.models import Period

    period = Period.get(services.current_period_code())
    stored = services.implied_plan(period)
    live = services.implied_plan(period, services.load(period))
    assert stored.accounts == live.accounts == 300 and stored.from_portfolio == live.from_portfolio
    for name in ("hours_required", "hours_minimum", "contacts_required", "support_required", "pr_required",
                 "hours_available"):
        assert getattr(stored, name) == pytest.approx(getattr(live, name)), name
    assert [(r.manager_id, r.accounts) for r in stored.rows] == [(r.manager_id, r.accounts) for r in live.rows]
    for mine, theirs in zip(stored.rows, live.rows):
        assert (mine.required, mine.contacts) == (pytest.approx(theirs.required), pytest.approx(theirs.contacts))


def test_revenue_sorts_in_francs_across_currencies(client):
    from decimal import Decimal

    from kundennetz.accounts.models import Account
    from kundennetz.core import tunables
    from cast import make_cast
    from kundennetz.core.tunables.schemas import ExchangeRates

    cast = make_cast()
    tunables.save(ExchangeRates, {"EUR": 0.94, "USD": 0.8, "GBP": 1.07}, cast.admin, "test rates")
    made = {code: Account.objects.create(name=f"Konto {code}", owner=cast.owner, currency=code,
                                         annual_revenue=Decimal(amount))
            for code, amount in (("CHF", "1000"), ("EUR", "1100"), ("USD", "1200"))}
    assert made["EUR"].revenue_base == Decimal("1034.00") and made["USD"].revenue_base == Decimal("960.00")

    def order():
        client.force_login(cast.owner)
        response = client.get("/accounts/?sort=-revenue")
        return [r.currency for r in response.context["records"] if r.pk in {a.pk for a in made.values()}]

    assert order() == ["EUR", "CHF", "USD"]  # in their own currencies the order would be USD, EUR, CHF
    # New rates convert every account again; so do bulk writes of the amount or the currency.
    tunables.save(ExchangeRates, {"EUR": 0.5, "USD": 0.8, "GBP": 1.07}, cast.admin, "euro falls")
    assert Account.objects.get(pk=made["EUR"].pk).revenue_base == Decimal("550.00")
    assert order() == ["CHF", "USD", "EUR"]
    usd = made["USD"]
    usd.currency = "GBP"
    Account.objects.bulk_update([usd], ["currency"])
    assert Account.objects.get(pk=usd.pk).revenue_base == Decimal("1284.00")
    assert order() == ["GBP", "CHF", "EUR"]


def test_refreshing_unchanged_figures_writes_no_row():
    """Each written row rewrites every index of the account table: only changed figures are written, and
    `figures_at` says when an account's figures last changed."""
    from kundennetz.accounts.models import Account
    from kundennetz.planning.stored import refresh_figures

    _network(50, seed=3)
    refresh_figures()
    stamps = dict(Account.objects.values_list("pk", "figures_at"))
    assert None not in stamps.values()
    assert refresh_figures() == len(stamps)
    assert dict(Account.objects.values_list("pk", "figures_at")) == stamps
    changed = Account.objects.order_by("pk").first()
    Account.objects.filter(pk=changed.pk).update(planned_contacts=-1)
    refresh_figures([changed.pk])
    changed.refresh_from_db()
    assert changed.planned_contacts != -1 and changed.figures_at > stamps[changed.pk]
