"""The contacts that are due: per account and per key person, with the date they fall due."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from .config import ConsistencyConfig, default_config
from .digest import Timeline
from .model import AccountHistory, Contact, Id, Intensity
from .results import Reason


# ---------------------------------------------------------------------------------------------
# Due contacts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueInput:
    """What due contacts need per account; the database can fill it from MAX(date) per account and
    person without loading interactions. ``since``: when the account came under care, the start
    for the first contact when there has never been one."""

    account_id: Id
    manager_id: Id | None
    intensity: Intensity | None = None
    last_contact: date | None = None
    since: date | None = None
    contacts: Sequence[Contact] = ()
    last_contact_by_person: Mapping[Id, date] = field(default_factory=dict)


@dataclass(frozen=True)
class DueContact:
    """An account (``contact_id`` None) or a key person to contact. ``days_overdue`` > 0 overdue,
    0 due today, < 0 due in that many days."""

    account_id: Id
    manager_id: Id | None
    contact_id: Id | None
    name: str | None
    role: str | None
    last_contact: date | None
    due_date: date
    days_overdue: int
    priority: float
    reason: Reason

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def due_input(history: AccountHistory, today: date, config: ConsistencyConfig | None = None) -> DueInput:
    """Derive the due-contact input from a full history, counting contacts up to today."""
    config = config or default_config()
    timeline = Timeline(history.assignments)
    key_ids = {c.id for c in history.contacts if c.role in config.key_person_days}
    last = None
    by_person: dict[Id, date] = {}
    for it in history.interactions:
        day = it.date
        if day > today or config.type_weights.get(it.type, config.default_type_weight) <= 0:
            continue
        if last is None or day > last:
            last = day
        for cid in it.contact_ids:
            if cid in key_ids and (cid not in by_person or day > by_person[cid]):
                by_person[cid] = day
    return DueInput(
        account_id=history.account_id, manager_id=timeline.manager_on(today), intensity=history.intensity,
        last_contact=last, since=timeline.first_named, contacts=tuple(history.contacts), last_contact_by_person=by_person,
    )


def due_contacts(
    inputs: Iterable[DueInput],
    today: date,
    within_days: int = 7,
    priority: Mapping[Id, float] | Callable[[Id], float] | None = None,
    config: ConsistencyConfig | None = None,
) -> list[DueContact]:
    """Accounts and key people overdue or due within ``within_days``, ordered by the account's
    priority (higher first; pass -rank for a rank), then the most overdue first.

    An account is due ``Intensity.interval_days`` after its last contact; a key person after the
    days set for their role in ``key_people``. Never contacted: due that long after ``since``, or
    today without it. Take-along accounts are never due."""
    if not isinstance(within_days, int) or isinstance(within_days, bool) or within_days < 0:
        raise ValueError(f"within_days must be a whole number ≥ 0, got {within_days!r}")
    config = config or default_config()
    if priority is None:
        rank: Callable[[Id], float] = lambda _: 0.0
    elif callable(priority):
        rank = priority
    else:
        rank = lambda account_id: priority.get(account_id, 0.0)
    horizon = today + timedelta(days=within_days)
    items: list[DueContact] = []
    for entry in inputs:
        intensity = entry.intensity or config.default_intensity
        interval = intensity.interval_days
        if interval is None:
            continue
        weight = float(rank(entry.account_id))
        due = _due_date(entry.last_contact, entry.since, interval, today)
        if due <= horizon:
            days = (today - due).days
            if entry.last_contact is None and days >= 0:
                # Never contacted: say so, rather than counting days overdue from an arbitrary start.
                reason = Reason("account_never_contacted",
                                {"since": entry.since.isoformat()} if entry.since is not None else {})
            elif days > 0:
                reason = Reason("account_contact_overdue", {"days": days, "interval": interval})
            else:
                reason = Reason("account_contact_due", {"days": -days})
            items.append(DueContact(entry.account_id, entry.manager_id, None, None, None, entry.last_contact, due, days, weight, reason))
        for person in entry.contacts:
            person_interval = config.key_person_days.get(person.role)
            if person_interval is None:
                continue
            last = entry.last_contact_by_person.get(person.id)
            due = _due_date(last, entry.since, person_interval, today)
            if due > horizon:
                continue
            days = (today - due).days
            params = {"name": person.name, "role": person.role}
            if last is None and days >= 0:
                reason = Reason("person_never_met", params)
            elif days > 0:
                reason = Reason("person_contact_overdue", {**params, "days": days, "interval": person_interval})
            else:
                reason = Reason("person_contact_due", {**params, "days": -days})
            items.append(DueContact(entry.account_id, entry.manager_id, person.id, person.name, person.role, last, due, days, weight, reason))
    items.sort(key=lambda d: (-d.priority, d.due_date, d.contact_id is not None, str(d.account_id), d.name or "", str(d.contact_id)))
    return items


def due_dates(entry: DueInput, config: ConsistencyConfig | None = None) -> list[date | None]:
    """When each contact the account asks for falls due, whatever day it is looked at: the account's own
    (unless it is a take-along account), then each key person's. ``None`` where there is nothing to count
    from (never contacted and no start of care): such a contact is due on whichever day one looks.

    The same dates ``due_contacts`` gives its items, so a stored list selects the same accounts on any
    later day as the live rule would (until an input changes)."""
    config = config or default_config()
    dates: list[date | None] = []
    interval = (entry.intensity or config.default_intensity).interval_days
    if interval is not None:
        dates.append(_due_date(entry.last_contact, entry.since, interval, None))
        for person in entry.contacts:
            person_interval = config.key_person_days.get(person.role)
            if person_interval is not None:
                dates.append(_due_date(entry.last_contact_by_person.get(person.id), entry.since, person_interval, None))
    return dates


def count_due(dates: Iterable[date | None], today: date, within_days: int) -> tuple[int, int]:
    """(overdue, due within ``within_days`` but not overdue) among stored due dates as of ``today``."""
    horizon = today + timedelta(days=within_days)
    overdue = due = 0
    for day in dates:
        day = today if day is None else day
        if day < today:
            overdue += 1
        elif day <= horizon:
            due += 1
    return overdue, due


def _due_date(last: date | None, since: date | None, interval: int, today: date | None) -> date | None:
    if last is not None:
        return last + timedelta(days=interval)
    if since is not None:
        return since + timedelta(days=interval)
    return today
