"""Demo relations, so that the relationship map shows every warning somewhere.

Called by `kundennetz demo` after the base network and the interactions are saved (see `sample.demo`).
The base demo already gives each contact a superior (the org chart). Here each account gets one of five
profiles, in turn: well covered (two of ours know each decision maker), hanging on one person (bus factor
1), reached only through a coach (decision maker uncovered, the coach and our person weak points),
a tie too weak to count, and strengths derived from the interactions. Some contacts influence a decision
maker. Single-threaded deals follow from who is involved in each opportunity.
"""

from __future__ import annotations

from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from kundennetz.accounts.models import Account, Contact

from .models import Relation
from .services import refresh_all

WELL_COVERED, ONE_PERSON, THROUGH_COACH, WEAK_TIE, DERIVED = range(5)


def _strength(rng, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


def extend_demo(context) -> None:
    rng = context.random("network")
    team: dict[int, list[int]] = {}
    for account_id, user_id in Account.team.through.objects.filter(
            account__in=context.accounts).values_list("account_id", "user_id"):
        team.setdefault(account_id, []).append(user_id)
    contacts: dict[int, list[Contact]] = {}
    for contact in context.contacts:
        if contact.deleted_at is None:
            contacts.setdefault(contact.account_id, []).append(contact)

    relations: list[Relation] = []
    head = context.users.get("sales")

    def knows(account, user_id, contact, strength=None, source=Relation.Source.MANUAL):
        relations.append(Relation(account=account, kind=Relation.Kind.KNOWS, user_id=user_id, contact=contact,
                                  strength=strength, source=source, created_by_id=account.owner_id,
                                  updated_by_id=account.owner_id, created_at=account.created_at))

    for index, account in enumerate(context.accounts):
        people = contacts.get(account.pk, [])
        if not people:
            continue
        ours = [account.owner_id, *(u for u in team.get(account.pk, []) if u != account.owner_id)]
        if len(ours) == 1 and head is not None and head.pk != account.owner_id:
            ours.append(head.pk)  # the sales head keeps in touch with the key people of some accounts
        deciders = [c for c in people if c.buying_role == Contact.BuyingRole.DECISION_MAKER] or people[:1]
        others = [c for c in people if c not in deciders]
        profile = index % 5
        if profile == WELL_COVERED:
            for decider in deciders:
                knows(account, ours[0], decider, _strength(rng, 0.7, 0.95))
                if len(ours) > 1:
                    knows(account, ours[1], decider, _strength(rng, 0.55, 0.8))
            for other in others[:2]:
                knows(account, rng.choice(ours), other, _strength(rng, 0.5, 0.9))
        elif profile == ONE_PERSON:
            for decider in deciders:
                knows(account, ours[0], decider, _strength(rng, 0.6, 0.9))
            if others and len(ours) > 1:
                knows(account, ours[1], others[0], _strength(rng, 0.2, 0.45))
        elif profile == THROUGH_COACH:
            coach = next((c for c in others if c.buying_role == Contact.BuyingRole.COACH), None) \
                or next((c for c in others if c.reports_to_id in {d.pk for d in deciders}), None) \
                or (others[0] if others else None)
            if coach is not None:
                knows(account, ours[0], coach, _strength(rng, 0.75, 0.95))
                if coach.reports_to_id not in {d.pk for d in deciders}:
                    relations.append(Relation(account=account, kind=Relation.Kind.INFLUENCES, contact=coach,
                                              other=deciders[0], created_by_id=account.owner_id,
                                              updated_by_id=account.owner_id, created_at=account.created_at))
        elif profile == WEAK_TIE:
            knows(account, ours[0], deciders[0], _strength(rng, 0.2, 0.4))
            for other in others[:1]:
                knows(account, ours[-1], other, _strength(rng, 0.55, 0.8))
        else:
            for person in [*deciders[:1], *others[:2]]:
                knows(account, ours[0], person, source=Relation.Source.INTERACTIONS)
        # Someone below the top who sways a decision maker, drawn as an arrow on the map.
        if len(others) >= 2 and index % 2 == 0:
            influencer = rng.choice(others[1:])
            relations.append(Relation(account=account, kind=Relation.Kind.INFLUENCES, contact=influencer,
                                      other=deciders[-1], created_by_id=account.owner_id,
                                      updated_by_id=account.owner_id, created_at=account.created_at))
    seen, unique = set(), []
    for relation in relations:
        key = (relation.kind, relation.contact.pk, relation.other.pk if relation.other else None, relation.user_id,
               relation.source)
        if key not in seen:
            seen.add(key)
            unique.append(relation)
    bulk_create_with_history(unique, Relation, batch_size=500, default_user=context.admin)
    context.count("relations", len(unique))
    refresh_all(today=context.today)
