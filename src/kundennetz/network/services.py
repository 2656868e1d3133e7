"""Loading networks from the database, analysing them with `domain.network`, and storing the results.

`refresh_accounts(ids)` analyses any number of accounts with a fixed number of queries per chunk and
stores `AccountNetwork` and `OpportunityNetwork` rows; signals call it for the one account a change
touched (deferred to the end of a `batch()` when many records change at once), and
`kundennetz network_refresh` runs it for all accounts (derived strengths fade with time).
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kundennetz.accounts.models import Account, Contact, Opportunity, OpportunityContact, Stage
from kundennetz.domain import network as nw

from kundennetz.core import tunables
from kundennetz.core.tunables.schemas import NetworkStrength

from .models import AccountNetwork, OpportunityNetwork, Relation

CHUNK = 2000


def ours(user_id: int) -> str:
    return f"u{user_id}"


def theirs(contact_id: int) -> str:
    return f"c{contact_id}"


def number(node: str) -> int:
    return int(node[1:])


@dataclass
class Loaded:
    """One account's network as the domain sees it, plus what a page shows about each tie."""

    account_id: int
    network: nw.Network
    opportunities: dict[int, list[str]] = field(default_factory=dict)  # id -> contact nodes
    open_opportunities: set[int] = field(default_factory=set)
    ties: dict[tuple[int, int], tuple[float, str]] = field(default_factory=dict)  # (user, contact) -> strongest


def weighting_rule(weighting: NetworkStrength) -> nw.StrengthWeighting:
    return nw.StrengthWeighting(weighting.window_days, weighting.half_life_days, weighting.saturation)


def load(account_ids: Iterable[int], *, today: date | None = None,
         weighting: NetworkStrength | None = None) -> dict[int, Loaded]:
    """The networks of the given accounts: six queries at most, whatever their number."""
    ids = list(account_ids)
    today = today or timezone.localdate()
    weighting = weighting or tunables.get(NetworkStrength)
    min_strength = float(weighting.min_strength)
    contacts: dict[int, dict[str, str | None]] = defaultdict(dict)
    superiors: list[tuple[int, int, int]] = []
    for pk, account_id, role, boss in Contact.objects.filter(account_id__in=ids).values_list(
            "id", "account_id", "buying_role", "reports_to_id"):
        contacts[account_id][theirs(pk)] = role or None
        if boss is not None:
            superiors.append((account_id, pk, boss))

    rows = list(Relation.objects.filter(
        account_id__in=ids, contact__deleted_at__isnull=True,
    ).filter(Q(other__isnull=True) | Q(other__deleted_at__isnull=True)).filter(
        Q(user__isnull=True) | Q(user__is_active=True),
    ).values_list("account_id", "kind", "contact_id", "other_id", "user_id", "strength", "source"))
    derived = _derived_strengths({r[0] for r in rows if r[6] == Relation.Source.INTERACTIONS}, today, weighting)

    relations: dict[int, list[nw.Relation]] = defaultdict(list)
    people: dict[int, set[str]] = defaultdict(set)
    ties: dict[int, dict] = defaultdict(dict)
    for account_id, kind, contact, other, user, strength, source in rows:
        if kind == Relation.Kind.KNOWS:
            value = derived.get((user, contact), 0.0) if source == Relation.Source.INTERACTIONS else float(strength)
            people[account_id].add(ours(user))
            relations[account_id].append(nw.Relation(ours(user), theirs(contact), kind, value))
            best = ties[account_id].get((user, contact))
            if best is None or value > best[0]:
                ties[account_id][(user, contact)] = (value, source)
        else:
            relations[account_id].append(nw.Relation(theirs(contact), theirs(other), kind))
    for account_id, pk, boss in superiors:
        if theirs(boss) in contacts[account_id] and boss != pk:
            relations[account_id].append(nw.Relation(theirs(pk), theirs(boss), nw.REPORTS_TO))

    opportunities: dict[int, dict[int, list[str]]] = defaultdict(dict)
    open_ones: dict[int, set[int]] = defaultdict(set)
    for pk, account_id, stage_type in Opportunity.objects.filter(account_id__in=ids).values_list(
            "id", "account_id", "stage__type"):
        opportunities[account_id][pk] = []
        if stage_type == Stage.Type.OPEN:
            open_ones[account_id].add(pk)
    for opportunity, account_id, contact in OpportunityContact.objects.filter(
            opportunity__account_id__in=ids, opportunity__deleted_at__isnull=True,
            contact__deleted_at__isnull=True).values_list("opportunity_id", "opportunity__account_id", "contact_id"):
        if opportunity in opportunities[account_id]:
            opportunities[account_id][opportunity].append(theirs(contact))

    result = {}
    for account_id in ids:
        network = nw.Network(frozenset(people[account_id]), contacts[account_id], tuple(relations[account_id]),
                             min_strength)
        result[account_id] = Loaded(account_id, network, opportunities[account_id], open_ones[account_id],
                                    ties[account_id])
    return result


def _derived_strengths(account_ids: set[int], today: date, weighting: NetworkStrength) -> dict:
    """(user, contact) -> strength from their shared interactions, for the accounts with derived ties."""
    if not account_ids:
        return {}
    from kundennetz.interactions.models import Interaction

    since = today - timedelta(days=int(weighting.window_days))
    scope = {"interaction__account_id__in": account_ids, "interaction__deleted_at__isnull": True,
             "interaction__date__gte": since}
    contacts_of = defaultdict(list)
    for interaction, contact in Interaction.contacts.through.objects.filter(**scope).values_list(
            "interaction_id", "contact_id"):
        contacts_of[interaction].append(contact)
    days = defaultdict(list)
    for interaction, user, day in Interaction.our_people.through.objects.filter(**scope).values_list(
            "interaction_id", "user_id", "interaction__date"):
        for contact in contacts_of.get(interaction, ()):
            days[(user, contact)].append(day)
    rule = weighting_rule(weighting)
    return {pair: nw.strength_from_interactions(dates, today, rule) for pair, dates in days.items()}


def summarise(loaded: Loaded) -> tuple[dict, dict[int, int]]:
    """The analysis of one account as stored (ids as numbers), and the threads of each opportunity."""
    analysis = nw.analyse(loaded.network)
    knowers = loaded.network.knowers()
    threads = {pk: nw.count_threads(loaded.network, nodes, knowers) for pk, nodes in loaded.opportunities.items()}
    weak = analysis.weak_points
    data = {
        "min_strength": loaded.network.min_strength,
        "decision_makers": [number(d) for d in analysis.decision_makers],
        "covered": [number(d) for d in analysis.covered],
        "uncovered": [number(d) for d in analysis.uncovered],
        "bus_factor": analysis.bus_factor,
        "routes": {str(number(d)): n for d, n in analysis.routes.items()},
        "weak_contacts": [number(p) for p in weak if p.startswith("c")],
        "weak_users": [number(p) for p in weak if p.startswith("u")],
        "knowers": {str(number(d)): [number(u) for u in users] for d, users in analysis.knowers.items()},
        "introductions": [{"decision_maker": number(i.decision_maker), "user": number(i.our_person),
                           "via": [number(c) for c in i.via]} for i in analysis.introductions],
        "ties": [[user, contact, round(strength, 4), source]
                 for (user, contact), (strength, source) in sorted(loaded.ties.items())],
        "threads": {str(pk): n for pk, n in threads.items()},
    }
    return data, threads


def refresh_accounts(account_ids: Iterable[int], *, today: date | None = None) -> int:
    """Analyse the accounts and store the results; returns how many were analysed."""
    ids = sorted(set(account_ids))
    weighting, weighting_version = tunables.get(NetworkStrength), tunables.version(NetworkStrength)
    now = timezone.now()
    done = 0
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            # Accounts deleted meanwhile (not those in the trash) have nothing left to analyse. Their rows
            # are locked: two changes of one account at the same moment (two people adding a contact)
            # analyse it one after the other, the second seeing the first's change, instead of both
            # replacing the stored row at once (a duplicate key, HTTP 500, on PostgreSQL).
            chunk = list(Account.all_objects.select_for_update().filter(pk__in=ids[start:start + CHUNK])
                         .order_by("pk").values_list("pk", flat=True))
            # Many small objects and no cycles: the cyclic collector would only rescan the heap again and again.
            collecting = gc.isenabled()
            gc.disable()
            try:
                loaded = load(chunk, today=today, weighting=weighting)
                accounts, opportunities = _summaries(chunk, loaded, weighting_version, now)
            finally:
                if collecting:
                    gc.enable()
            AccountNetwork.objects.filter(account_id__in=chunk).delete()
            OpportunityNetwork.objects.filter(opportunity__account_id__in=chunk).delete()
            AccountNetwork.objects.bulk_create(accounts, batch_size=500)
            OpportunityNetwork.objects.bulk_create(opportunities, batch_size=500)
        done += len(chunk)
    return done


def _summaries(chunk, loaded, weighting_version, now) -> tuple[list, list]:
    """The rows to store for the accounts of one chunk."""
    accounts, opportunities = [], []
    for account_id in chunk:
        data, threads = summarise(loaded[account_id])
        accounts.append(AccountNetwork(
            account_id=account_id, computed_at=now, weighting_version=weighting_version,
            decision_makers=len(data["decision_makers"]), covered=len(data["covered"]),
            uncovered=len(data["uncovered"]), bus_factor=data["bus_factor"],
            weak_points=len(data["weak_contacts"]) + len(data["weak_users"]),
            single_threaded=sum(1 for pk in loaded[account_id].open_opportunities if threads[pk] <= 1),
            data=data))
        opportunities.extend(OpportunityNetwork(opportunity_id=pk, threads=n, single_threaded=n <= 1,
                                                computed_at=now) for pk, n in threads.items())
    return accounts, opportunities


def refresh_all(*, today: date | None = None) -> int:
    """Every account (also those in the trash, so that a restored one shows right away)."""
    return refresh_accounts(Account.all_objects.values_list("id", flat=True), today=today)


# --- keeping the stored analysis in step --------------------------------------------------------------

_state = threading.local()


@contextmanager
def batch():
    """Within the block, changes only collect the accounts they touch; each is analysed once at its end."""
    outer = getattr(_state, "pending", None)
    if outer is not None:
        yield
        return
    _state.pending = set()
    try:
        yield
        pending = _state.pending
    finally:
        _state.pending = None
    if pending:
        refresh_accounts(pending)


def touched(account_id: int | None) -> None:
    """A record of this account's network changed: analyse it again (now, or at the end of the batch)."""
    if account_id is None:
        return
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.add(account_id)
    else:
        refresh_accounts([account_id])


def stored(account: Account) -> AccountNetwork:
    """The stored analysis of an account (an empty one when none was stored yet)."""
    found = AccountNetwork.objects.filter(account=account).first()
    return found or AccountNetwork(account=account, data={})


def users_by_id(ids: Iterable[int]) -> dict:
    return get_user_model().objects.in_bulk(set(ids))


# --- the map ---------------------------------------------------------------------------------------------

def map_data(account: Account, stored_network: AccountNetwork | None = None):
    """Everything the relationship map of `account` shows, in a fixed number of queries."""
    from django.utils.translation import gettext as _

    from kundennetz.domain.network_svg import MapContact, MapData, MapLabels, MapPerson
    from kundennetz.portfolio.models import ValueProposition

    stored_network = stored_network or stored(account)
    data = stored_network.data or {}
    contacts = list(account.contacts.only("id", "account_id", "first_name", "last_name", "function", "buying_role", "attitude",
                                          "reports_to_id"))
    roles = dict(Contact.BuyingRole.choices)
    attitudes = dict(Contact.Attitude.choices)
    ties = [(u, c, s) for u, c, s, _src in data.get("ties", [])]
    users = users_by_id(u for u, _c, _s in ties)
    people = [MapPerson(pk, str(users[pk])) for pk in sorted(users, key=lambda pk: str(users[pk]))]
    relations = list(Relation.objects.filter(account=account).exclude(kind=Relation.Kind.KNOWS)
                     .values_list("kind", "contact_id", "other_id"))
    reports = [(c.pk, c.reports_to_id) for c in contacts if c.reports_to_id]
    reports += [(a, b) for kind, a, b in relations if kind == Relation.Kind.REPORTS_TO]
    influences = [(a, b) for kind, a, b in relations if kind == Relation.Kind.INFLUENCES]
    present = {c.buying_role for c in contacts if c.buying_role}
    propositions: dict[str, list[str]] = {}
    items = list(ValueProposition.objects.active().prefetch_related("segments"))
    for role, label in Contact.BuyingRole.choices:
        if role in present:
            titles = [item.title for item in items
                      if item.applies_to(role, account.segment_id, None, {s.pk for s in item.segments.all()})]
            if titles:
                propositions[str(label)] = titles
    labels = MapLabels(
        title=_("Relationship map of %(account)s") % {"account": account.name}, ours=_("Our people"),
        decision_maker=_("Decision maker"), uncovered=_("uncovered decision maker"), weak_point=_("weak point"),
        influences=_("influences"), reports_to=_("reports to"),
        knows=_("knows (line width = strength; dotted: below the minimum)"),
        value_propositions=_("Value propositions"), empty=_("No contacts recorded yet."), strength=_("strength"),
        supporter=str(attitudes["supporter"]), neutral=str(attitudes["neutral"]), opponent=str(attitudes["opponent"]))
    weak = frozenset([*data.get("weak_contacts", []), *(("u", u) for u in data.get("weak_users", []))])
    map_contacts = [MapContact(c.pk, str(c), c.buying_role or None, str(roles.get(c.buying_role, "")), c.attitude,
                               str(attitudes.get(c.attitude, "")), c.function, c.get_absolute_url()) for c in contacts]
    people = [MapPerson(("u", p.id), p.name) for p in people]
    return MapData(map_contacts, people, reports, influences, [(("u", u), c, s) for u, c, s in ties],
                   float(data.get("min_strength", 0.5)), frozenset(data.get("uncovered", [])), weak,
                   propositions), labels
