"""My week: the due contacts of one account manager's accounts, most important first, a page at a time.

Which accounts have anything due is read from the stored consistency rows (``due_dates``/``next_due``,
written by every recompute and after each logged interaction): due dates do not move as days pass, so
yesterday's rows select today's accounts correctly. Only the accounts on the shown page are then worked
out live (``services.due_for_accounts``), so the page costs the same for 50 accounts or 5,000.

A manager with few accounts (``LIVE_LIMIT``) gets the whole week worked out live, as before; for a larger
book the page says as of when its selection is and whether inputs changed since, names accounts not
measured yet, and the nightly recompute (or "Recompute now" on the management view) brings the rows up
to date. Showing the week never writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min

from kundennetz.accounts.models import Account, Contact
from kundennetz.core import freshness
from kundennetz.domain import consistency as dc

from . import portfolio_bridge, reminders, services
from .models import ConsistencySnapshot, CoreMessage

# Up to this many accounts a manager's week is worked out whole and live (about 0.2 ms an account);
# above it the accounts are picked from the stored due dates.
LIVE_LIMIT = 300


@dataclass
class Week:
    page: Page
    overdue: int
    due: int
    status: freshness.AsOf
    unmeasured: int   # the manager's accounts without a stored row (new since the last recompute)
    planned: dict     # the shown accounts' planned figures (`services.planned_figures`)


def _book(accounts) -> dict:
    """Of the manager's ``accounts``: how many (``total``), how many have a stored row (``rows``), the oldest
    row's time (``oldest``), and the least and greatest inputs the rows were computed from (all rows are
    current when both are today's) — one aggregate, no row read into Python."""
    return accounts.aggregate(total=Count("pk"), rows=Count("consistency_snapshot"),
                              oldest=Min("consistency_snapshot__computed_at"),
                              least=Min("consistency_snapshot__inputs"), greatest=Max("consistency_snapshot__inputs"))


def _due_rows(accounts, horizon: date) -> list[tuple]:
    """(account id, due dates) of the stored rows of ``accounts`` with anything due by ``horizon``, most
    important first: the accounts of the week, and what it counts."""
    return list(ConsistencySnapshot.objects.filter(account__in=accounts, next_due__lte=horizon)
                .order_by("-priority", "next_due", "account_id").values_list("account_id", "due_dates"))


def week_items(manager, today: date, within_days: int, page_number=None) -> Week:
    """The due contacts of the accounts ``manager`` owns, grouped by account in priority order and paged.

    The query count stays the same whether the manager has 50 or 5,000 accounts, and above
    ``LIVE_LIMIT`` accounts only the shown page's accounts are worked out one by one."""
    accounts = Account.objects.filter(owner=manager)
    book = _book(accounts)
    if book["total"] <= LIVE_LIMIT:
        return _live_week(manager, accounts, today, within_days, page_number)
    inputs = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    status = freshness.AsOf(when=book["oldest"],
                            out_of_date=book["rows"] > 0 and not book["least"] == book["greatest"] == inputs)
    selected, overdue, due = [], 0, 0
    for pk, dates in _due_rows(accounts, today + timedelta(days=within_days)):
        selected.append(pk)
        o, d = dc.count_due((None if day is None else date.fromisoformat(day) for day in dates), today, within_days)
        overdue, due = overdue + o, due + d
    page = Paginator(selected, settings.KUNDENNETZ_PAGE_SIZE).get_page(page_number)
    shown = list(page.object_list)
    planned = services.planned_figures(shown, today)
    page.object_list = _groups(shown, manager, today, within_days, planned=planned)
    return Week(page, overdue, due, status, unmeasured=book["total"] - book["rows"], planned=planned)


def due_items(manager, today: date, within_days: int) -> list:
    """Every due contact of ``manager``'s accounts, most important first (the API's my week): a small book
    worked out whole; a larger one only for the accounts its stored due dates select."""
    accounts = Account.objects.filter(owner=manager)
    if accounts.count() > LIVE_LIMIT:
        accounts = accounts.filter(consistency_snapshot__next_due__lte=today + timedelta(days=within_days))
    return services.due_for_accounts(accounts, today, within_days)


def _live_week(manager, accounts, today: date, within_days: int, page_number) -> Week:
    """A small book worked out whole, live: exact the moment anything changes, and nothing written."""
    live = services.due_for_accounts(accounts, today, within_days)
    ordered = list(dict.fromkeys(d.account_id for d in live))  # priority order, as the rule sorts
    page = Paginator(ordered, settings.KUNDENNETZ_PAGE_SIZE).get_page(page_number)
    shown = set(page.object_list)
    planned = services.planned_figures(list(page.object_list), today)
    page.object_list = _groups(list(page.object_list), manager, today, within_days,
                               live=[d for d in live if d.account_id in shown], planned=planned)
    return Week(page, sum(d.overdue for d in live), sum(not d.overdue for d in live),
                freshness.AsOf(when=None, live=True), unmeasured=0, planned=planned)


def _groups(account_ids: list, manager, today: date, within_days: int, live: list | None = None,
            planned: dict | None = None) -> list[dict]:
    """The page's accounts worked out live (or from ``live``, their due contacts already worked out), in the
    order of the selection; accounts that turn out to have nothing due (a contact logged since the rows
    were written) drop out. Worked out here, the portfolio's facts of the page's accounts are read once,
    for their care and their value propositions; ``planned``: their planned figures, read already."""
    facts = None
    if live is None:
        facts = portfolio_bridge.portfolio_facts(account_ids)
        live = services.due_for_accounts(Account.objects.filter(pk__in=account_ids, owner=manager), today,
                                         within_days, facts=facts, planned=planned)
    order = {pk: n for n, pk in enumerate(account_ids)}
    groups = sorted(reminders.present(live, services.reason_language()), key=lambda g: order[g["account_id"]])
    shown = [d for group in groups for d in (*(item["due"] for item in group["items"]), *group["never_met_items"])]
    accounts = Account.objects.in_bulk(order)
    contacts = Contact.objects.in_bulk({d.contact_id for d in shown if d.contact_id is not None})
    roles_by_account: dict = {}
    for d in shown:
        if d.role:
            roles_by_account.setdefault(d.account_id, set()).add(d.role)
    propositions = portfolio_bridge.value_propositions(order, roles_by_account, facts)
    # Until the portfolio maps value propositions to roles, the current ones of marketing are offered to all.
    general = [] if propositions else [m.text for m in CoreMessage.objects.filter(
        kind=CoreMessage.Kind.VALUE_PROPOSITION) if m.is_valid_on(today)]
    for group in groups:
        group["account"] = accounts.get(group["account_id"])
        for item in group["items"]:
            d = item["due"]
            item["contact"] = contacts.get(d.contact_id)
            item["propositions"] = propositions.get((d.account_id, d.role), general) if d.contact_id else []
        group["never_met_people"] = [(contacts.get(d.contact_id), d) for d in group["never_met_items"]]
    return [g for g in groups if g["account"] is not None]
