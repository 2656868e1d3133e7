"""Logging interactions and turning the database into the plain values the consistency domain measures.

Writes: `save_interaction` validates that the people and the opportunity belong to the account,
saves through `core.services.save_record` in one transaction and writes one history row for the
record with its people and messages; the account's stored snapshot follows after the commit.

Reads: `account_history` loads one account in a handful of queries; `iter_histories` streams every
account for a recompute of the whole network in account-id chunks (values_list + iterator, grouped
in one pass, never one query per account). Before the loaded window only two facts matter to the
measures (the last contact, and the last contact with each key person), so those come from MAX(date)
aggregates instead of loading years of rows. Due contacts ("my week", reminders) come from such
aggregates alone.

The measures themselves are `kundennetz.domain.consistency`; nothing here scores anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kundennetz.core.permissions import of_live_accounts
from kundennetz.accounts.models import Account, Contact
from kundennetz.core import bulk, freshness, tunables
from kundennetz.core.models import User
from kundennetz.core.tunables.schemas import (
    ConsistencyWeights,
    DefaultIntensities,
    RelationshipWeights,
    ReminderWindow,
)
from kundennetz.core.services import save_record
from kundennetz.domain import consistency as dc
from kundennetz.domain import reminders as domain_reminders

from . import overview, portfolio_bridge
from .models import ConsistencySnapshot, CoreMessage, Interaction, record_history
from .wording import reason_language, reason_text  # noqa: F401 - read by the pages, API and mails

# Tunables (kundennetz.core.tunables): the consistency weights, the influence weights of key people
# (Contact.influence is a word, the measures weigh by a number) and the reminder window.
CHUNK_ACCOUNTS = 2000

# What the stored consistency rows are computed from (``core.freshness``). The interactions themselves are
# not among them: a change to one refreshes its account's row at once (``_refresh_after_commit``), and
# counting them would put every other row out of date with each logged contact.
SNAPSHOT_INPUTS = "consistency"
freshness.register(SNAPSHOT_INPUTS, models=(
    "accounts.Account", "accounts.Contact", "interactions.CoreMessage", "portfolio.PortfolioSnapshot",
    "portfolio.StrategyOverride", "portfolio.ScoringModel", "planning.AccountPlan", "planning.Period"),
    tunables=(ConsistencyWeights, DefaultIntensities, ReminderWindow, RelationshipWeights))
# Ids per IN list: far below SQLite's limit on query parameters.
ID_BATCH = 900
REASONS_KEPT = 5


_configs: dict = {}


def config() -> dc.ConsistencyConfig:
    """The consistency weights in force (a tunable), with the default intensity of accounts without a
    customer group from the one default intensity table."""
    weights, table = tunables.get(ConsistencyWeights), tunables.get(DefaultIntensities)
    key = weights.model_dump_json() + table.for_group("").model_dump_json()
    if key not in _configs:
        _configs.clear()
        _configs[key] = dc.parse_config(weights.as_domain_document(table.for_group("")))
    return _configs[key]


def due_within_days() -> int:
    """How far ahead "due soon" looks (the one reminder window, a tunable)."""
    return tunables.get(ReminderWindow).due_within_days


def group_intensity(code: str | None) -> dc.Intensity:
    """The default care intensity of a customer group (the table planning uses too)."""
    row = tunables.get(DefaultIntensities).for_group(code)
    return dc.Intensity(row.contacts_per_year_min, row.contacts_per_year_max or None, row.min_contacts_per_quarter)


# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------

PERIOD_CHOICES = ("12m", "quarter", "year", "last_year")


def rolling_year(today: date) -> dc.Period:
    """The twelve whole months up to the end of the current month; its predecessor is the twelve before."""
    start = dc.add_months(today.replace(day=1), -11)
    return dc.Period(start, dc.add_months(start, 12) - timedelta(days=1))


def period_for(key: str | None, today: date) -> dc.Period:
    if key == "quarter":
        return dc.Period.quarter_of(today)
    if key == "year":
        return dc.Period.year_of(today)
    if key == "last_year":
        return dc.Period.year_of(date(today.year - 1, 1, 1))
    return rolling_year(today)


def period_labels() -> dict[str, str]:
    return {
        "12m": _("Last 12 months"),
        "quarter": _("This quarter"),
        "year": _("This year"),
        "last_year": _("Last year"),
    }


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _strangers(interaction: Interaction, contacts) -> list[str]:
    """Messages for people chosen who do not work at the interaction's account."""
    strangers = [c for c in contacts if c.account_id != interaction.account_id]
    if not strangers:
        return []
    return [_("Not a person at this account: %(names)s.") % {"names": ", ".join(str(c) for c in strangers)}]


@transaction.atomic
def save_interaction(interaction: Interaction, user, *, our_people: Iterable[User] | None = None,
                     contacts: Iterable[Contact] | None = None,
                     core_messages: Iterable[CoreMessage] | None = None) -> Interaction:
    """Validate and save an interaction with its people and messages, all or nothing.

    `None` for a relation keeps what the record has (or leaves it empty on create); an interaction
    without anyone of ours is the author's own. Raises ValidationError keyed by field name."""
    created = interaction._state.adding
    contacts = list(contacts) if contacts is not None else None
    errors: dict[str, list] = {}
    if contacts is not None and interaction.account_id is not None:
        strangers = _strangers(interaction, contacts)
        if strangers:
            errors["contacts"] = strangers
    try:
        interaction.stamp(user)
        interaction.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    people = list(our_people) if our_people is not None else None
    if created and not people and getattr(user, "is_authenticated", False):
        people = [user]
    m2m = {}
    if people is not None:
        m2m["our_people"] = people
    if contacts is not None:
        m2m["contacts"] = contacts
    if core_messages is not None:
        m2m["core_messages"] = list(core_messages)
    interaction.skip_history_when_saving = True
    try:
        save_record(interaction, user, m2m=m2m)
    finally:
        del interaction.skip_history_when_saving
    record_history(interaction, created)
    _refresh_after_commit(interaction.account_id)
    return interaction


def delete_interaction(interaction: Interaction, user) -> None:
    """Move to the trash (an admin or sales head can restore it)."""
    with transaction.atomic():
        interaction._history_user = user
        interaction.soft_delete(user)
        _refresh_after_commit(interaction.account_id)


# Accounts whose stored row waits for the end of the current transaction, per database connection:
# (their ids, the on-commit callback that will refresh them).
_PENDING: dict[int, tuple[set, object]] = {}
# More accounts changed in one transaction than this are left to the nightly recompute (their rows say
# "out of date" meanwhile): a refresh after a bulk change must not hold up the request that made it.
REFRESH_AFTER_COMMIT_LIMIT = 200


def _refresh_after_commit(account_id) -> None:
    """Refresh the account's stored consistency row once the change is committed: once per account and
    transaction, however many of its records changed."""
    from django.db import connection

    key = id(connection)
    entry = _PENDING.get(key)
    # Still waiting for this transaction's commit (not run, not dropped by a rollback): join it.
    if entry is not None and any(func is entry[1] for _sids, func, *_rest in connection.run_on_commit):
        entry[0].add(account_id)
        return
    ids = {account_id}

    # After the commit, so that a slow or failing refresh never undoes or delays the user's save.
    def refresh():
        if _PENDING.get(key, (None, None))[1] is refresh:
            del _PENDING[key]
        if len(ids) > REFRESH_AFTER_COMMIT_LIMIT:
            return
        try:
            refresh_snapshots(account_ids=sorted(ids))
        except Exception:  # noqa: BLE001 - the nightly recompute repairs a missed refresh
            import logging

            logging.getLogger(__name__).exception("consistency snapshot refresh failed for accounts %s", ids)

    _PENDING[key] = (ids, refresh)
    transaction.on_commit(refresh)  # in autocommit it runs at once


def account_inputs_changed(sender, instance, **kwargs) -> None:
    """Receiver: an account or one of its people changed (owner, key people, roles): its due dates and
    measures follow after the commit (connected in ``InteractionsConfig.ready``)."""
    account_id = instance.pk if sender is Account else getattr(instance, "account_id", None)
    if account_id is not None and not kwargs.get("raw"):
        _refresh_after_commit(account_id)


# ---------------------------------------------------------------------------------------------
# Strategy, intensity, priority
# ---------------------------------------------------------------------------------------------


def intensity_for_accounts(account_ids: Iterable, facts: portfolio_bridge.PortfolioFacts | None = None,
                           planned: dict | None = None, segments: dict | None = None) -> dict:
    """The planned care intensity per account: the care intensity of its strategy today in the
    portfolio, else the default of its customer group (the one table planning uses too).

    `facts`, `planned` (`planned_figures` of these accounts) and `segments` (account id -> its customer
    group's code) let a caller that already read the portfolio, the planned figures or the accounts pass them
    in instead of reading them again."""
    ids = list(account_ids)
    facts = facts if facts is not None else portfolio_bridge.portfolio_facts(ids)
    result, missing = {}, []
    for pk in ids:
        strategy = facts.strategies.get(pk)
        if strategy is not None and strategy.intensity is not None:
            result[pk] = strategy.intensity
        else:
            missing.append(pk)
    if missing:
        groups = segments if segments is not None else _segment_codes(missing)
        for pk in missing:
            result[pk] = group_intensity(groups.get(pk))
    return _with_planned_contacts(result, figures=planned)


def planned_figures(account_ids, day: date | None = None) -> dict:
    """The one planned figure per account (``planning.figures``); empty without the planning app."""
    from django.apps import apps

    if not apps.is_installed("kundennetz.planning"):
        return {}
    from kundennetz.planning.figures import planned_for_accounts

    return planned_for_accounts(account_ids, day)


def planned_figure(account_id, day: date | None = None):
    return planned_figures([account_id], day).get(account_id)


def _with_planned_contacts(intensities: dict, day: date | None = None, figures: dict | None = None) -> dict:
    """Measure the cadence against the one planned figure: its contacts per year replace the
    intensity's minimum (the quarterly minimum of the strategy stays)."""
    if not intensities:
        return intensities
    ids = list(intensities)
    if figures is None:
        figures = planned_figures(ids, day)
    if not figures:
        return intensities
    from kundennetz.planning.figures import share_of_year

    out = {}
    for pk, intensity in intensities.items():
        figure = figures.get(pk)
        if figure is None:
            out[pk] = intensity
            continue
        per_year = figure.per_year(share_of_year(figure))
        out[pk] = dc.Intensity(per_year, None, intensity.min_per_quarter if per_year > 0 else 0)
    return out


def _segment_codes(account_ids: list) -> dict:
    """Account id -> its customer group's code, in IN lists of ID_BATCH ids."""
    out = {}
    for start in range(0, len(account_ids), ID_BATCH):
        batch = account_ids[start:start + ID_BATCH]
        out.update(Account.all_objects.filter(pk__in=batch).values_list("pk", "segment__code"))
    return out


def account_priorities(accounts: Iterable[tuple], facts: portfolio_bridge.PortfolioFacts | None = None) -> dict:
    """(id, annual revenue) pairs -> priority, higher first: the portfolio rank where the portfolio
    ranks the account, otherwise revenue; ranked accounts come before unranked ones."""
    accounts = list(accounts)
    facts = facts if facts is not None else portfolio_bridge.portfolio_facts([pk for pk, _ in accounts])
    result = {}
    for pk, revenue in accounts:
        rank = facts.ranks.get(pk)
        # Ranks start at 1 and revenue stays below 1e12, so any ranked account outranks every unranked one.
        result[pk] = 2e12 - float(rank) if rank is not None else min(float(revenue or 0), 1e12 - 1)
    return result


# ---------------------------------------------------------------------------------------------
# Loading plain values
# ---------------------------------------------------------------------------------------------


def _contact_types() -> list[str]:
    """Interaction types that count as a contact (weight above zero)."""
    cfg = config()
    return [t for t in Interaction.Type.values if cfg.type_weights.get(t, cfg.default_type_weight) > 0]


def _key_roles() -> list[str]:
    return list(config().key_person_days)


def _rows(queryset, stream: bool, chunk: int = 20000):
    """Stream a large result (values_list + iterator) but fetch a small one at once: on PostgreSQL
    an iterator opens a server-side cursor, a round trip too many for one account's rows."""
    return queryset.iterator(chunk_size=chunk) if stream else queryset


def _to_date(moment) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def assignments_for(account_ids: Iterable | None = None) -> dict:
    """Account id -> the responsible account manager over time, from the account's change history."""
    history = Account.history.model.objects.exclude(history_type="-")
    ids = None
    if account_ids is not None:
        ids = list(account_ids)
        history = history.filter(id__in=ids)
    result: dict = defaultdict(list)
    for pk, moment, owner_id in _rows(history.order_by("id", "history_date", "history_id").values_list(
            "id", "history_date", "owner_id"), stream=ids is None):
        result[pk].append(dc.Assignment(_to_date(moment), owner_id))
    # Records written without history (raw imports) still have an owner since their creation.
    if ids is None:
        missing = Account.all_objects.exclude(pk__in=Account.history.model.objects.values("id"))
    else:
        lacking = [pk for pk in ids if pk not in result]
        missing = Account.all_objects.filter(pk__in=lacking) if lacking else Account.all_objects.none()
    if ids is None or lacking:
        for pk, created, owner_id in missing.values_list("pk", "created_at", "owner_id"):
            result[pk].append(dc.Assignment(_to_date(created), owner_id))
    return result


def contacts_for(account_ids: Iterable | None = None) -> dict:
    """Account id -> its people (not in the trash) as the domain's Contact values."""
    queryset = Contact.objects.all()
    if account_ids is not None:
        queryset = queryset.filter(account_id__in=list(account_ids))
    result: dict = defaultdict(list)
    influence_weight = tunables.get(RelationshipWeights).influence_weight
    for pk, account_id, first, last, role, influence in _rows(queryset.order_by("account_id", "id").values_list(
            "id", "account_id", "first_name", "last_name", "buying_role", "influence"), stream=account_ids is None):
        result[account_id].append(dc.Contact(pk, f"{first} {last}".strip(), role or None,
                                             influence_weight(influence)))
    return result


def message_set() -> dc.MessageSet:
    """Every core message ever defined, retired ones included: they tell an outdated message apart
    from an unknown one."""
    return dc.MessageSet({pk: (lo, hi) for pk, lo, hi in CoreMessage.objects.values_list("id", "valid_from", "valid_to")})


def _live_interactions():
    return of_live_accounts(Interaction.objects.all())


def _links(through, column: str, stream: bool = True, **filters) -> dict:
    links: dict = defaultdict(list)
    for interaction_id, other in _rows(through.objects.filter(**filters).values_list("interaction_id", column),
                                       stream):
        links[interaction_id].append(other)
    return links


_THROUGH = (
    ("contacts", "contact_id"),
    ("our_people", "user_id"),
    ("core_messages", "coremessage_id"),
)


def _interactions_of(rows, links) -> list[dc.Interaction]:
    contacts, people, messages = links
    empty = ()
    make = dc.Interaction
    # The lists from _links are handed over as they are: the domain only iterates and tests membership.
    return [make(day, kind, people.get(pk, empty), contacts.get(pk, empty), messages.get(pk, empty))
            for pk, day, kind in rows]


def account_history(account: Account, until: date | None = None) -> dc.AccountHistory:
    """One account as plain values: assignments, all its interactions up to `until`, its people, its intensity."""
    until = until or timezone.localdate()
    interactions = Interaction.objects.filter(account_id=account.pk, date__lte=until)
    rows = list(interactions.order_by("date", "id").values_list("id", "date", "type"))
    ids = [pk for pk, _day, _kind in rows]
    # The links by the ids just read, not by a join: the planner then always walks the link index
    # (a join tempted PostgreSQL into scanning a million link rows for a large account).
    links = ({}, {}, {})
    for start in range(0, len(ids), ID_BATCH):
        batch = ids[start:start + ID_BATCH]
        for (name, column), found in zip(_THROUGH, links):
            for key, values in _links(getattr(Interaction, name).through, column, False,
                                      interaction_id__in=batch).items():
                found[key] = values
    return dc.AccountHistory(
        account_id=account.pk,
        assignments=assignments_for([account.pk]).get(account.pk, ()),
        interactions=_interactions_of(rows, links),
        contacts=contacts_for([account.pk]).get(account.pk, ()),
        intensity=intensity_for_accounts([account.pk])[account.pk],
    )


class _Before(NamedTuple):
    last: dict          # account id -> last contact before the window
    by_person: dict     # account id -> [(contact id, last contact with them)]


def _last_contacts(until: date, *, account_ids: Iterable | None = None, before: bool = False) -> _Before:
    """MAX(date) of contacts per account and per (account, key person), up to `until` (or before it)."""
    date_filter = {"date__lt" if before else "date__lte": until}
    interactions = _live_interactions().filter(type__in=_contact_types(), **date_filter)
    # Driven from the key people (few) rather than the interactions (many): the planner then walks
    # contact -> link -> interaction by index.
    through = Interaction.contacts.through.objects.filter(
        contact__buying_role__in=_key_roles(), contact__deleted_at__isnull=True,
        interaction__type__in=_contact_types(), interaction__deleted_at__isnull=True,
        **{f"interaction__{key}": value for key, value in date_filter.items()})
    if account_ids is not None:
        ids = list(account_ids)
        interactions = interactions.filter(account_id__in=ids)
        through = through.filter(contact__account_id__in=ids)
    else:
        through = through.filter(contact__account__deleted_at__isnull=True)
    last = dict(interactions.values("account_id").annotate(last=Max("date")).values_list("account_id", "last"))
    by_person: dict = defaultdict(list)
    for account_id, contact_id, day in (through.values("contact__account_id", "contact_id")
                                        .annotate(last=Max("interaction__date"))
                                        .values_list("contact__account_id", "contact_id", "last")):
        by_person[account_id].append((contact_id, day))
    return _Before(last, by_person)


def _summary_interactions(account_id, before: _Before) -> list[dc.Interaction]:
    """The only facts before the window that the measures use, as interactions: the last contact,
    and the last contact with each key person."""
    kind = Interaction.Type.MEETING  # any type that counts as a contact; before the window only the date matters
    result = []
    if account_id in before.last:
        result.append(dc.Interaction(before.last[account_id], kind))
    for contact_id, day in before.by_person.get(account_id, ()):
        result.append(dc.Interaction(day, kind, (), (contact_id,)))
    return result


def iter_histories(window_start: date, until: date, account_ids: Iterable | None = None,
                   chunk: int = CHUNK_ACCOUNTS, intensities: dict | None = None) -> Iterator[dc.AccountHistory]:
    """Every account (not in the trash) as plain values, interactions loaded from `window_start` to
    `until`, earlier ones reduced to the last contacts. A constant number of queries per chunk of
    accounts, so 10 000 accounts take a few dozen queries."""
    accounts = Account.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    ids = list(accounts.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return
    scope = None if account_ids is None else ids
    assignments = assignments_for(scope)
    contacts = contacts_for(scope)
    intensities = intensities if intensities is not None else intensity_for_accounts(ids)
    before = _last_contacts(window_start, account_ids=scope, before=True)
    for offset in range(0, len(ids), chunk):
        part = ids[offset:offset + chunk]
        lo, hi = part[0], part[-1]
        # One account (every logged interaction refreshes its own) by equality: with a range of one id the
        # planner may walk the date index over every account's interactions instead of (account, date).
        accounts = {"account_id": lo} if lo == hi else {"account_id__gte": lo, "account_id__lte": hi}
        window = {"date__gte": window_start, "date__lte": until}
        rows_by_account: dict = defaultdict(list)
        for pk, account_id, day, kind in (Interaction.objects.filter(**accounts, **window)
                                          .order_by("account_id", "date", "id")
                                          .values_list("id", "account_id", "date", "type")
                                          .iterator(chunk_size=20000)):
            rows_by_account[account_id].append((pk, day, kind))
        link_filter = {**{f"interaction__{key}": value for key, value in accounts.items()},
                       "interaction__deleted_at__isnull": True,
                       **{f"interaction__{key}": value for key, value in window.items()}}
        links = tuple(_links(getattr(Interaction, name).through, column, **link_filter) for name, column in _THROUGH)
        for account_id in part:
            interactions = _summary_interactions(account_id, before)
            interactions.extend(_interactions_of(rows_by_account.get(account_id, ()), links))
            yield dc.AccountHistory(
                account_id=account_id,
                assignments=assignments.get(account_id, ()),
                interactions=interactions,
                contacts=contacts.get(account_id, ()),
                intensity=intensities.get(account_id),
            )


# ---------------------------------------------------------------------------------------------
# Measures of one account
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    """An account's consistency now and in the previous period of the same length."""

    current: dc.AccountConsistency
    previous: dc.AccountConsistency
    due: list
    earlier: float | None = None   # the previous score when there was anything to score then

    @property
    def delta(self) -> float | None:
        now, before = self.current.score.value, self.earlier
        return None if now is None or before is None else now - before

    @property
    def is_first_score(self) -> bool:
        return self.current.score.value is not None and self.earlier is None


def account_consistency(account: Account, period: dc.Period | None = None, today: date | None = None) -> AccountView:
    today = today or timezone.localdate()
    period = period or rolling_year(today)
    history = account_history(account, until=today)
    messages = message_set()
    cfg = config()
    current = dc.assess_account(history, period, messages, today, cfg)
    previous = dc.assess_account(history, dc.previous_period(period), messages, today, cfg)
    due = dc.due_contacts([dc.due_input(history, today, cfg)], today, due_within_days(), config=cfg)
    return AccountView(current, previous, due, dc.earlier_score(history, previous))


# ---------------------------------------------------------------------------------------------
# Snapshots for the management view
# ---------------------------------------------------------------------------------------------


def _snapshot(history: dc.AccountHistory, current: dc.AccountConsistency, previous: dc.AccountConsistency,
              due: list, today: date, now, priority: float, strategy: str, inputs: str = "",
              dates: list | None = None) -> dict:
    """The stored row of one account (field names to values, for ``core.bulk.upsert``); ``dates``: when
    each of its contacts falls due (``dc.due_dates``; ``None`` in it: due on whichever day one looks, so
    its next due day is today)."""
    dates = dates or []
    cont, cad, msg = current.continuity, current.cadence, current.messages
    decision_makers = [c for c in history.contacts if c.role == dc.DECISION_MAKER]
    dm_gaps = sum(1 for g in cad.key_people_gaps if g.role == dc.DECISION_MAKER)
    reasons = [{"code": r.code, "params": dict(r.params), "impact": round(r.impact, 2)}
               for r in current.score.top(REASONS_KEPT)]
    return dict(
        account_id=history.account_id, computed_at=now, as_of=today, inputs=inputs,
        period_start=current.period.start, period_end=current.period.end,
        manager_id=current.manager_id, strategy=strategy, priority=priority,
        score=current.score.value, band=current.score.band or "",
        score_previous=dc.earlier_score(history, previous),
        band_previous=(previous.score.band or "") if dc.earlier_score(history, previous) is not None else "",
        continuity=current.score.components.get(dc.CONTINUITY), cadence=current.score.components.get(dc.CADENCE),
        messages=current.score.components.get(dc.MESSAGES),
        manager_since=cont.manager_since, tenure_days=cont.tenure_days,
        manager_changes=cont.changes_in_period, manager_changes_window=cont.changes_in_window,
        manager_changes_previous=previous.continuity.changes_in_period,
        contacts_held=cad.held, contacts_planned=cad.planned, longest_gap_days=cad.longest_gap_days,
        last_contact=cad.last_contact, days_since_last_contact=cad.days_since_last_contact,
        key_people=cad.key_people, key_people_not_met=len(cad.key_people_not_met),
        key_people_not_met_previous=len(previous.cadence.key_people_not_met),
        decision_makers=len(decision_makers), decision_makers_covered=len(decision_makers) - dm_gaps,
        message_share=msg.share,
        overdue_contacts=sum(1 for d in due if d.overdue), due_contacts=len(due),
        reasons=reasons,
        due_dates=[None if day is None else day.isoformat() for day in dates],
        next_due=min((today if day is None else day for day in dates), default=None),
    )


# Accounts computed together in a whole-network run: what is held in memory (their people, assignments,
# interactions of two years) stays the same whatever the size of the network.
RANGE_ACCOUNTS = 5000


@dataclass(frozen=True)
class _Run:
    """What every account of one recompute is judged by, read once."""

    today: date
    now: object
    inputs: str
    period: dc.Period
    previous: dc.Period
    config: object
    within: int
    messages: dc.MessageSet


def refresh_snapshots(today: date | None = None, account_ids: Iterable | None = None,
                      batch: int = 1000) -> int:
    """Compute and store the measures of the given accounts (all when None) for the rolling twelve
    months as of `today` and the twelve before; returns how many accounts were stored.

    The whole network goes in ranges of `RANGE_ACCOUNTS` accounts by id, each read, computed and stored
    before the next, so the memory it takes does not grow with the network."""
    today = today or timezone.localdate()
    period = rolling_year(today)
    run = _Run(today=today, now=timezone.now(),
               # Taken before reading: a change while computing leaves the rows out of date rather than hiding it.
               inputs=freshness.fingerprint(SNAPSHOT_INPUTS),
               period=period, previous=dc.previous_period(period), config=config(), within=due_within_days(),
               messages=message_set())
    if account_ids is not None:
        scope = list(account_ids)
        stored, seen = _refresh_accounts(run, scope, batch)
        # Accounts of the scope gone to the trash lose their row.
        ConsistencySnapshot.objects.filter(account_id__in=scope).exclude(account_id__in=seen).delete()
        return stored
    stored = 0
    for part in _account_ranges():
        stored += _refresh_accounts(run, part, batch)[0]
    # Accounts gone to the trash since the last run lose their row.
    ConsistencySnapshot.objects.filter(account__deleted_at__isnull=False).delete()
    # The whole network's figures, so that a large network's management view reads one row.
    overview.store(run.inputs, stored, today)
    return stored


def _account_ranges() -> Iterator[list[int]]:
    """The ids of the accounts not in the trash, `RANGE_ACCOUNTS` at a time in id order (read by key)."""
    size, last = RANGE_ACCOUNTS, 0
    while True:
        part = list(Account.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not part:
            return
        yield part
        last = part[-1]


def _refresh_accounts(run: _Run, ids: list, batch: int) -> tuple[int, list]:
    """Compute and store the rows of the accounts `ids` (those not in the trash): (stored, their ids)."""
    revenue = list(Account.objects.filter(pk__in=ids).values_list("pk", "annual_revenue"))
    facts = portfolio_bridge.portfolio_facts([pk for pk, _ in revenue])
    priorities = account_priorities(revenue, facts)
    intensities = intensity_for_accounts([pk for pk, _ in revenue], facts)
    strategies = facts.strategies
    pending: list[dict] = []
    seen: list = []
    stored = 0
    for history in iter_histories(run.previous.start, min(run.today, run.period.end), ids, intensities=intensities):
        now_ = dc.assess_account(history, run.period, run.messages, run.today, run.config)
        before = dc.assess_account(history, run.previous, run.messages, run.today, run.config)
        entry = dc.due_input(history, run.today, run.config)
        due = dc.due_contacts([entry], run.today, run.within, config=run.config)
        strategy = strategies.get(history.account_id)
        pending.append(_snapshot(history, now_, before, due, run.today, run.now,
                                 priorities.get(history.account_id, 0.0), strategy.key if strategy else "",
                                 run.inputs, dates=dc.due_dates(entry, run.config)))
        seen.append(history.account_id)
        if len(pending) >= batch:
            stored += _store(pending)
            pending = []
    stored += _store(pending)
    return stored, seen


def _store(rows: list[dict]) -> int:
    return bulk.upsert(ConsistencySnapshot, rows, key="account") if rows else 0


# ---------------------------------------------------------------------------------------------
# Due contacts from MAX(date) aggregates
# ---------------------------------------------------------------------------------------------


def due_for_accounts(accounts, today: date | None = None, within_days: int | None = None, *,
                     facts: portfolio_bridge.PortfolioFacts | None = None, planned: dict | None = None) -> list:
    """Overdue and due contacts of the given accounts (a queryset), ordered by account priority.

    Loads no interactions: the last contact per account and per key person come from MAX(date). A caller
    that has read the portfolio's facts or the planned figures (`planned_figures`) of these accounts
    already passes them in."""
    today = today or timezone.localdate()
    within_days = due_within_days() if within_days is None else within_days
    # The customer groups come along, so that the accounts without a strategy of the portfolio cost no query
    # of their own: the same queries whichever accounts those are.
    rows = list(accounts.values_list("pk", "annual_revenue", "status", "segment__code"))
    segments = {pk: segment for pk, _revenue, _status, segment in rows}
    if facts is None:
        facts = portfolio_bridge.portfolio_facts([pk for pk, _revenue, _status, _segment in rows])
    # Former customers only where a strategy chosen for the account asks for their care.
    rows = [(pk, revenue) for pk, revenue, status, _segment in rows if domain_reminders.wants_reminders(
        status, getattr(facts.strategies.get(pk), "source", None))]
    ids = [pk for pk, _ in rows]
    if not ids:
        return []
    last = _last_contacts(today, account_ids=ids)
    assignments = assignments_for(ids)
    people = contacts_for(ids)
    intensities = intensity_for_accounts(ids, facts, planned, segments)
    cfg = config()
    inputs = []
    for pk in ids:
        history = dc.AccountHistory(pk, assignments.get(pk, ()), _summary_interactions(pk, last),
                                    people.get(pk, ()), intensities.get(pk))
        inputs.append(dc.due_input(history, today, cfg))
    return dc.due_contacts(inputs, today, within_days, account_priorities(rows, facts), cfg)


def interaction_counts(first_id: int, last_id: int, as_of: date):
    """(account id, contacts in the year up to `as_of`) for accounts in an id range: the portfolio's
    "interactions" figure. One aggregate query; interactions that are no contact (weight 0) do not count."""
    from kundennetz.portfolio.services import INTERACTION_DAYS

    since = as_of - timedelta(days=INTERACTION_DAYS - 1)
    return (Interaction.objects.filter(account_id__gte=first_id, account_id__lte=last_id, date__gte=since,
                                       date__lte=as_of, type__in=_contact_types())
            .values("account_id").order_by().annotate(n=Count("id")).values_list("account_id", "n"))
