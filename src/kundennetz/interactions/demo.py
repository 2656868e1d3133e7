"""Demo interactions and core messages, so that every consistency measure shows in good and bad shape.

Called by `kundennetz demo` after the base network is saved (see `sample.demo`). Each account gets a
care profile that decides its two years of interactions: exemplary (regular, decision makers met,
steady messages), solid, neglected (nothing for months), noisy (frequent contacts, changing and
retired messages, key people avoided) and a few handed from one account manager to the next twice
in 18 months. Prospects and former customers have a short or faded history. All randomness comes from
the demo's own stream for this app, so the base network stays the same.
"""

from __future__ import annotations

from datetime import timedelta

from simple_history.utils import bulk_create_with_history

from kundennetz.accounts.models import Account, Contact, Opportunity, Stage
from kundennetz.core.roles import Role

from .models import CoreMessage, Interaction

MESSAGES = (
    # kind, German, English, valid from (days before today, None: always), valid to (days before today)
    ("value", "Verlässlichkeit: Wir halten, was wir zusagen", "Reliability: we deliver what we promise", 1500, None),
    ("value", "Ingenieurskunst mit Schweizer Präzision", "Engineering with Swiss precision", 1500, None),
    ("message", "Sicherheit by Design in jedem Projekt", "Security by design in every project", 1200, None),
    ("message", "Ein Ansprechpartner von der Idee bis zum Betrieb", "One contact from idea to operation", 1200, None),
    ("value_proposition", "Betriebskosten um 15 % senken durch Automatisierung",
     "Cut operating costs by 15 % through automation", 900, None),
    ("value_proposition", "Schneller zur Zulassung dank dokumentierter Prozesse",
     "Faster approval thanks to documented processes", 900, None),
    ("message", "Digitalisierung 2020: alles in die Cloud", "Digitalisation 2020: everything to the cloud", 2500, 700),
    ("message", "Nachhaltigkeit messbar machen", "Making sustainability measurable", -60, None),
)

TOPICS = ("Jahresgespräch", "Projektstatus", "Roadmap und Investitionsplanung", "Sicherheitsaudit",
          "Offertbesprechung", "Workshop Anforderungen", "Eskalation Support", "Referenzbesuch",
          "Kennenlernen neue Ansprechperson", "Review Servicevertrag", "Messebesuch", "Lunch")
TYPES = (("meeting", 45), ("call", 30), ("email", 15), ("event", 5), ("offer_presentation", 5))

# (profile, days between contacts (lo, hi), chance a decision maker takes part, chance of a current message)
PROFILES = {
    "exemplary": ((18, 40), 0.7, 0.9),
    "solid": ((35, 75), 0.4, 0.6),
    "neglected": ((40, 90), 0.2, 0.4),
    "noisy": ((10, 25), 0.0, 0.3),
    "handed_over": ((30, 60), 0.3, 0.6),
}


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def extend_demo(context) -> None:
    rng = context.random("interactions")
    today = context.today
    if context.force:
        CoreMessage.objects.filter(text_de__in=[m[1] for m in MESSAGES]).delete()
        Interaction.history.model.objects.exclude(id__in=Interaction.all_objects.values("id")).delete()
    marketing = next((u for u in context.users.values() if u.role == Role.MARKETING), context.admin)
    messages = []
    for kind, de, en, since, until in MESSAGES:
        message = CoreMessage(kind=kind, text_de=de, text_en=en,
                              valid_from=today - timedelta(days=since) if since is not None else None,
                              valid_to=today - timedelta(days=until) if until is not None else None)
        message.created_at = context.at(today - timedelta(days=max(since or 0, 0) + 10))
        message.created_by = message.updated_by = marketing
        message._history_user = marketing
        messages.append(message)
    messages = bulk_create_with_history(messages, CoreMessage, default_user=marketing)
    current = [m for m in messages if m.valid_to is None and (m.valid_from is None or m.valid_from <= today)]
    retired = [m for m in messages if m.valid_to is not None]

    managers = [u for u in context.users.values() if u.role == Role.ACCOUNT_MANAGER]
    contacts_of: dict[int, list[Contact]] = {}
    for contact in context.contacts:
        if contact.deleted_at is None:
            contacts_of.setdefault(contact.account_id, []).append(contact)
    open_opportunities: dict[int, list[Opportunity]] = {}
    for opportunity in Opportunity.objects.filter(stage__type=Stage.Type.OPEN).only("id", "account_id"):
        open_opportunities.setdefault(opportunity.account_id, []).append(opportunity)

    owners_on: dict[int, list] = {}
    handed = 0
    plans = []
    long_standing = [a.pk for a in context.accounts if a.status == Account.Status.CUSTOMER
                     and (today - a.created_at.date()).days >= 600]
    handed_over = set(rng.sample(long_standing, min(5, len(long_standing))))
    for account in context.accounts:
        age = (today - account.created_at.date()).days
        if account.pk in handed_over:
            profile = "handed_over"
        elif account.status == Account.Status.PROSPECT:
            profile = "solid" if rng.random() < 0.5 else "neglected"
        elif account.status == Account.Status.FORMER:
            profile = "neglected"
        else:
            profile = _weighted(rng, (("exemplary", 30), ("solid", 35), ("neglected", 20), ("noisy", 15)))
        owners = [(account.created_at.date(), account.owner)]
        if profile == "handed_over":
            handed += 1
            others = [m for m in managers if m != account.owner] or [account.owner]
            first, second = rng.sample(others, 2) if len(others) >= 2 else (others[0], others[0])
            owners = [(account.created_at.date(), first), (today - timedelta(days=rng.randint(330, 480)), second),
                      (today - timedelta(days=rng.randint(60, 200)), account.owner)]
            _rewrite_owner_history(account, owners, context)
        owners_on[account.pk] = owners
        plans.append((account, profile, age))

    interactions, links = [], []
    for account, profile, age in plans:
        (gap_lo, gap_hi), dm_chance, message_chance = PROFILES[profile]
        people = contacts_of.get(account.pk, [])
        deciders = [c for c in people if c.buying_role == Contact.BuyingRole.DECISION_MAKER]
        others = [c for c in people if c not in deciders]
        start = today - timedelta(days=min(age, 730))
        stop = today - timedelta(days=rng.randint(130, 300)) if profile == "neglected" else today
        if account.status == Account.Status.FORMER:
            stop = today - timedelta(days=rng.randint(400, 700))
        steady = rng.sample(current, 2) if len(current) >= 2 else current
        day = start + timedelta(days=rng.randint(3, gap_hi))
        while day <= stop:
            manager = _owner_on(owners_on[account.pk], day)
            team = [manager] + ([context.users["sales"]] if rng.random() < 0.1 else [])
            if profile == "handed_over" and rng.random() < 0.4:
                team = [m for m in managers if m != manager][:1] or team  # the manager often left it to others
            chosen = []
            if deciders and rng.random() < dm_chance:
                chosen.append(rng.choice(deciders))
            if others and (not chosen or rng.random() < 0.5):
                chosen.append(rng.choice(others))
            carried = []
            if rng.random() < message_chance:
                carried = list(steady) if profile != "noisy" else rng.sample(current, min(len(current), 2))
            if profile == "noisy" and retired and rng.random() < 0.4:
                carried.append(rng.choice(retired))
            opportunity = None
            if open_opportunities.get(account.pk) and rng.random() < 0.3:
                opportunity = rng.choice(open_opportunities[account.pk])
            kind = _weighted(rng, TYPES)
            interaction = Interaction(
                account=account, type=kind, date=day,
                duration_minutes=None if kind == "email" else rng.choice((30, 45, 60, 60, 90, 120)),
                topics=rng.choice(TOPICS), opportunity=opportunity,
                follow_up_date=day + timedelta(days=rng.choice((14, 30, 60))) if rng.random() < 0.2 else None,
            )
            moment = context.at(day, rng.randint(8, 17), rng.randint(0, 59))
            interaction.created_at = moment
            interaction.created_by = interaction.updated_by = manager
            interaction._history_user = manager
            interaction._history_date = moment
            interactions.append(interaction)
            links.append((team, chosen, carried))
            day += timedelta(days=rng.randint(gap_lo, gap_hi))

    saved = bulk_create_with_history(interactions, Interaction, default_user=context.admin)
    _save_links(saved, links)
    context.count("core messages", len(messages))
    context.count("interactions", len(saved))
    context.count("account-manager changes", 2 * handed)

    from .services import refresh_snapshots

    refresh_snapshots(today)


def _owner_on(owners, day):
    responsible = owners[0][1]
    for since, user in owners:
        if since <= day:
            responsible = user
    return responsible


def _rewrite_owner_history(account, owners, context) -> None:
    """Two handovers in 18 months, recorded the way a change of owner is: one history row each."""
    rows = Account.history.filter(id=account.pk).order_by("history_date", "history_id")
    rows.update(owner_id=owners[0][1].pk)
    template = rows.last()
    for since, user in owners[1:]:
        template.pk = None
        template.history_id = None
        template.owner_id = user.pk
        template.history_type = "~"
        template.history_date = context.at(since, 9)
        template.history_user_id = context.admin.pk
        template.save()


def _save_links(saved, links) -> None:
    through = {name: getattr(Interaction, name).through for name in ("our_people", "contacts", "core_messages")}
    rows = {name: [] for name in through}
    for interaction, (team, chosen, carried) in zip(saved, links):
        rows["our_people"] += [through["our_people"](interaction_id=interaction.pk, user_id=u.pk) for u in set(team)]
        rows["contacts"] += [through["contacts"](interaction_id=interaction.pk, contact_id=c.pk) for c in set(chosen)]
        rows["core_messages"] += [through["core_messages"](interaction_id=interaction.pk, coremessage_id=m.pk)
                                  for m in set(carried)]
    for name, objs in rows.items():
        rows[name] = through[name].objects.bulk_create(objs, batch_size=2000)
    # The history rows written with the interactions name their people and messages too.
    history = Interaction.history.model
    history_of = dict(history.objects.filter(id__in=[i.pk for i in saved]).values_list("id", "history_id"))
    for name, objs in rows.items():
        snapshot = getattr(history, name).model
        column = {"our_people": "user_id", "contacts": "contact_id", "core_messages": "coremessage_id"}[name]
        snapshot.objects.bulk_create(
            [snapshot(id=o.pk, history_id=history_of[o.interaction_id], interaction_id=o.interaction_id,
                      **{column: getattr(o, column)}) for o in objs], batch_size=2000)
