"""Making the demo records: accounts, contacts, competitors and opportunities, in a fixed order."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kundennetz.accounts.models import (
    Account,
    ClosingReason,
    Competitor,
    Contact,
    Opportunity,
    OpportunityContact,
    Segment,
    Stage,
)
from kundennetz.core.roles import Role

from .catalogue import (
    ACCOUNTS,
    ATTITUDES,
    AccountSpec,
    CITIES,
    CLOSED_MIX,
    COMPETITORS,
    CONTACTS_PER_ACCOUNT,
    CUSTOMER,
    City,
    FIGURES,
    FORMER,
    HIGH,
    KEY,
    L,
    LOW,
    MEDIUM,
    MID,
    NAMES,
    OPEN_MIX,
    OPPORTUNITY_CAP,
    OPPORTUNITY_WEIGHT,
    ORG_CHARTS,
    POOL_LANGUAGE,
    POSITIONS,
    PROSPECT,
    PUBLIC,
    R,
    SALES_HEAD_ACCOUNTS,
    SERVICES_CATALOGUE,
    SMALL,
    STREETS,
    TARGET_CONTACTS,
    TARGET_OPPORTUNITIES,
)
from .users import DEMO_USERS, DemoRefused, _ascii


class _Builder:
    """Makes the network in a fixed order of random draws and saves it level by level."""

    def __init__(self, rng: random.Random, today: date, users: dict):
        self.rng = rng
        self.today = today
        self.users = users
        self.admin = users["admin"]
        self.sales_head = users["sales"]
        self.managers = {spec.region: users[spec.username] for spec in DEMO_USERS if spec.region}
        self.accounts: list[Account] = []
        self.contacts: list[Contact] = []
        self.competitors: list[Competitor] = []
        self.opportunities: list[Opportunity] = []
        self.involvements: list[OpportunityContact] = []
        self.leavers: list[Contact] = []
        self.spec_of: dict[int, AccountSpec] = {}
        self.team_of: dict[int, list] = {}
        self.contacts_of: dict[int, list[Contact]] = {}
        self.competitor_languages: dict[str, str] = {}
        # Nobody at a customer shares a full name with one of our people or with another contact.
        self.used_names = {spec.full_name for spec in DEMO_USERS}

    def build(self) -> dict[str, int]:
        self._competitors()
        self._accounts()
        self._contacts()
        self._opportunities()
        trashed = self._trash()
        self._validate()
        self._forget_history_marks()
        return {
            "users": len(self.users),
            "accounts": len(self.accounts),
            "contacts": len(self.contacts) - trashed,
            "contacts in the trash": trashed,
            "competitors": len(self.competitors),
            "opportunities": len(self.opportunities),
            "people involved": len(self.involvements),
        }

    # history -----------------------------------------------------------------------------------------

    def _stamp(self, obj, created: datetime):
        obj.created_at = created
        obj.created_by = obj.updated_by = self.admin
        obj._history_user = self.admin
        obj._history_date = created
        return obj

    def _bulk(self, objs, model):
        return bulk_create_with_history(objs, model, default_user=self.admin)

    # competitors -------------------------------------------------------------------------------------

    def _competitors(self):
        created = _moment(self.today - timedelta(days=900), 9)
        objs = [self._stamp(Competitor(name=name, website=site, notes=notes), created)
                for name, site, notes, _languages in COMPETITORS]
        self.competitors = self._bulk(objs, Competitor)
        self.competitor_languages = {c.name: languages for c, (_n, _s, _t, languages) in
                                     zip(self.competitors, COMPETITORS)}

    # accounts ----------------------------------------------------------------------------------------

    def _accounts(self):
        rng = self.rng
        segments = {segment.code: segment for segment in Segment.objects.all()}
        objs, teams = [], []
        for spec in ACCOUNTS:
            city = CITIES[spec.city]
            language = city.pools[0]
            (rev_lo, rev_hi), (pot_lo, pot_hi), (margin_lo, margin_hi) = FIGURES[spec.segment]
            potential = _round_money(_log_uniform(rng, pot_lo, pot_hi))
            revenue = margin = None
            if spec.status == CUSTOMER:
                revenue = _round_money(min(_log_uniform(rng, rev_lo, rev_hi), float(potential) * 0.8))
                margin = Decimal(rng.randint(margin_lo * 2, margin_hi * 2)) / 2
                age = rng.randint(500, 2600)
            elif spec.status == FORMER:
                revenue = Decimal(0)
                margin = Decimal(rng.randint(margin_lo * 2 - 10, margin_hi * 2 - 10)) / 2
                age = rng.randint(1400, 3000)
            else:
                revenue = Decimal(0)
                age = rng.randint(90, 700)
                # Some prospects have not been sized yet: the potential is unknown, not zero.
                if rng.random() < 0.25:
                    potential = None
            owner = self.sales_head if spec.name in SALES_HEAD_ACCOUNTS else self.managers[city.region]
            team = self._team(spec, owner, city)
            street = rng.choice(STREETS[language])
            account = Account(
                name=spec.name, legal_form=spec.legal_form, industry=spec.industry,
                segment=segments.get(spec.segment), street=f"{street} {rng.randint(1, 90)}",
                postal_code=city.postal_code, city=spec.city, country=city.country,
                website=f"https://www.{spec.domain}", currency="CHF" if city.country == "CH" else "EUR",
                annual_revenue=revenue, potential=potential, contribution_margin_pct=margin,
                status=spec.status, owner=owner)
            self._stamp(account, _moment(self.today - timedelta(days=age), rng.randint(8, 16), rng.randint(0, 59)))
            objs.append(account)
            teams.append(team)
        self.accounts = self._bulk(objs, Account)
        for account, team, spec in zip(self.accounts, teams, ACCOUNTS):
            self.spec_of[account.pk] = spec
            if team:
                # The team change is its own history entry, attributed like the creation.
                account._history_user = self.admin
                account._history_date = account.created_at + timedelta(minutes=5)
                account.team.set(team)
            self.team_of[account.pk] = team

    def _team(self, spec: AccountSpec, owner, city: City) -> list:
        rng = self.rng
        regional = self.managers[city.region]
        others = [m for m in self.managers.values() if m not in (owner, regional)]
        if spec.segment == KEY:
            team = [regional] if owner == self.sales_head else []
            if owner != self.sales_head and rng.random() < 0.5:
                team.append(self.sales_head)
            if rng.random() < 0.6:
                team.append(rng.choice(others))
            return team
        if spec.segment in (MID, PUBLIC) and rng.random() < 0.4:
            return [rng.choice(others)]
        return []

    # contacts ----------------------------------------------------------------------------------------

    def _contact_sizes(self) -> list[int]:
        rng = self.rng
        sizes = [rng.randint(*CONTACTS_PER_ACCOUNT[spec.segment]) for spec in ACCOUNTS]
        # Nudge to exactly the target, taking from or giving to accounts still inside their range.
        while sum(sizes) != TARGET_CONTACTS:
            step = 1 if sum(sizes) < TARGET_CONTACTS else -1
            candidates = [i for i, spec in enumerate(ACCOUNTS)
                          if CONTACTS_PER_ACCOUNT[spec.segment][0] <= sizes[i] + step
                          <= CONTACTS_PER_ACCOUNT[spec.segment][1]]
            sizes[rng.choice(candidates)] += step
        return sizes

    def _contacts(self):
        rng = self.rng
        levels: dict[int, list[Contact]] = {}
        for account, size in zip(self.accounts, self._contact_sizes()):
            spec = self.spec_of[account.pk]
            city = CITIES[spec.city]
            chart = ORG_CHARTS[spec.segment]
            phone_block = (rng.randint(200, 989), rng.randint(10, 89))
            people: list[Contact] = []
            depth: list[int] = []
            extensions = rng.sample(range(10, 100), size + 1)
            for slot in range(size):
                choices, superior = chart[slot]
                key = choices if isinstance(choices, str) else rng.choice(choices)
                if key == "ceo" and spec.legal_form == L.GMBH:
                    key = "managing_director"
                position = POSITIONS[key]
                pool = rng.choice(city.pools)
                if spec.international and slot in (1, 4) and rng.random() < 0.6:
                    pool = "en"
                first, last, female = self._name(pool, {p.last_name for p in people})
                language = POOL_LANGUAGE[pool]
                role = R.DECISION_MAKER if superior is None else _weighted(rng, position.roles)
                influence = position.influence if superior is None else _shift_influence(rng, position.influence)
                attitude = _weighted(rng, zip((Contact.Attitude.SUPPORTER, Contact.Attitude.NEUTRAL,
                                               Contact.Attitude.OPPONENT), ATTITUDES[spec.status]))
                if role in (R.USER, R.TECHNICAL_EVALUATOR) and attitude == Contact.Attitude.SUPPORTER \
                        and rng.random() < 0.3:
                    role = R.COACH   # a supporter who guides us through the buying process
                if role == R.COACH:
                    attitude = Contact.Attitude.SUPPORTER
                mobile = superior is None and rng.random() < 0.5
                contact = Contact(
                    account=account, first_name=first, last_name=last,
                    function=position.function(language, female), department=position.departments[language],
                    email=f"{_ascii(first)}.{_ascii(last)}@{spec.domain}",
                    phone=_phone(rng, city, phone_block, extensions[slot], mobile),
                    language=language, buying_role=role, influence=influence, attitude=attitude,
                    reports_to=people[superior] if superior is not None else None)
                offset = rng.randint(0, max(1, min(120, (self.today - account.created_at.date()).days - 1)))
                self._stamp(contact, account.created_at + timedelta(days=offset, hours=rng.randint(0, 6)))
                people.append(contact)
                depth.append(0 if superior is None else depth[superior] + 1)
                levels.setdefault(depth[-1], []).append(contact)
            self.contacts_of[account.pk] = people
        # Someone who has left: kept in the trash, as a deleted contact would be.
        for account_index in (3, 16):
            account = self.accounts[account_index]
            spec = self.spec_of[account.pk]
            city = CITIES[spec.city]
            first, last, female = self._name(city.pools[0], {p.last_name for p in self.contacts_of[account.pk]})
            language = POOL_LANGUAGE[city.pools[0]]
            position = POSITIONS["project_manager"]
            leaver = Contact(
                account=account, first_name=first, last_name=last, function=position.function(language, female),
                department=position.departments[language], email=f"{_ascii(first)}.{_ascii(last)}@{spec.domain}",
                phone="", language=language, buying_role=R.USER, influence=LOW,
                reports_to=self.contacts_of[account.pk][0])
            self._stamp(leaver, account.created_at + timedelta(days=30))
            levels.setdefault(1, []).append(leaver)
            self.leavers.append(leaver)
        for level in sorted(levels):
            self.contacts.extend(self._bulk(levels[level], Contact))

    def _name(self, pool: str, family_names_taken: set[str]) -> tuple[str, str, bool]:
        """A new name; two colleagues with the same family name would share an e-mail pattern and confuse."""
        rng = self.rng
        males, females, lasts = NAMES[pool]
        while True:
            female = rng.random() < 0.42
            first = rng.choice(females if female else males)
            last = rng.choice(lasts)
            if last not in family_names_taken and f"{first} {last}" not in self.used_names:
                self.used_names.add(f"{first} {last}")
                return first, last, female

    # opportunities -----------------------------------------------------------------------------------

    def _stage_plan(self) -> list[Stage]:
        stages = list(Stage.objects.filter(is_active=True).order_by("order", "id"))
        open_stages = [s for s in stages if s.type == Stage.Type.OPEN]
        if not open_stages:
            raise DemoRefused("The pipeline has no active open stage; add one before loading the demo.")
        plan: list[Stage] = []
        for stage_type, number in CLOSED_MIX.items():
            of_type = [s for s in stages if s.type == stage_type]
            plan.extend(of_type[i % len(of_type)] for i in range(number) if of_type)
        remaining = TARGET_OPPORTUNITIES - len(plan)
        weights = [OPEN_MIX[min(i, len(OPEN_MIX) - 1)] for i in range(len(open_stages))]
        shares = [remaining * w // sum(weights) for w in weights]
        for i in range(remaining - sum(shares)):
            shares[i % len(shares)] += 1
        for stage, share in zip(open_stages, shares):
            plan.extend([stage] * share)
        return plan

    def _opportunities(self):
        rng = self.rng
        plan = self._stage_plan()
        reasons = {t: list(ClosingReason.objects.filter(applies_to=t, is_active=True).order_by("order", "id"))
                   for t in (Stage.Type.WON, Stage.Type.LOST, Stage.Type.NO_OFFER)}
        if not reasons[Stage.Type.LOST]:
            raise DemoRefused("There is no active closing reason for lost opportunities; add one first.")
        open_index = {s.pk: i for i, s in enumerate(s for s in dict.fromkeys(plan) if s.type == Stage.Type.OPEN)}
        open_count = max(1, len(open_index))
        taken: dict[int, int] = {}
        used_services: dict[int, set[int]] = {}
        objs, details = [], []
        for stage in plan:
            account = self._pick_account(stage, taken)
            taken[account.pk] = taken.get(account.pk, 0) + 1
            spec = self.spec_of[account.pk]
            language = {"fr": "fr", "it": "it"}.get(CITIES[spec.city].pools[0], "de")
            service_index = self._pick_service(spec, used_services.setdefault(account.pk, set()))
            service = SERVICES_CATALOGUE[service_index]
            segment = account.segment
            volume = self._volume(segment)
            follow_up = None if rng.random() < 0.35 else _round_money(float(volume) * rng.uniform(0.2, 1.5))
            progress = open_index.get(stage.pk, open_count) / open_count   # 0 = first open stage, 1 = closed
            # A price exists once an offer is being written; "no offer" never got one.
            priced = stage.type != Stage.Type.NO_OFFER and (
                progress >= 0.6 or (progress >= 0.4 and rng.random() < 0.5))
            price = _round_money(float(volume) * rng.uniform(0.9, 1.08)) if priced else None
            target = segment.margin_target_pct if segment and segment.margin_target_pct is not None else Decimal(35)
            margin = None if (progress < 0.2 and rng.random() < 0.6) else (
                target + Decimal(rng.randint(-24, 16)) / 2)
            created, decision, closed = self._dates(stage, spec, account, progress)
            reason = None
            if stage.type == Stage.Type.LOST or stage.type == Stage.Type.NO_OFFER or (
                    stage.type == Stage.Type.WON and rng.random() < 0.8):
                choices = reasons.get(stage.type) or []
                reason = rng.choice(choices) if choices else None
            owner = account.owner
            managers_on_team = [u for u in self.team_of[account.pk] if u.role == Role.ACCOUNT_MANAGER]
            if managers_on_team and rng.random() < 0.2:
                owner = rng.choice(managers_on_team)
            years = {"next": created.year + 1, "end": created.year + 4}
            opportunity = Opportunity(
                account=account, title=service.titles[language].format(**years),
                need=service.needs[language].format(**years), stage=stage,
                expected_volume=volume, expected_follow_up_volume=follow_up, offer_price=price,
                estimated_margin_pct=margin, expected_decision_date=decision, owner=owner,
                closing_reason=reason, closed_on=closed)
            self._stamp(opportunity, created)
            objs.append(opportunity)
            details.append((self._pick_competitors(stage, spec, progress), self._pick_people(account, progress)))
        self.opportunities = self._bulk(objs, Opportunity)
        involvements = []
        for opportunity, (competitors, people) in zip(self.opportunities, details):
            if competitors:
                opportunity._history_user = self.admin
                opportunity._history_date = opportunity.created_at + timedelta(days=1)
                opportunity.competitors.set(competitors)
            for contact, role in people:
                involvements.append(self._stamp_plain(
                    OpportunityContact(opportunity=opportunity, contact=contact, role=role),
                    opportunity.created_at + timedelta(days=1)))
        self.involvements = self._bulk(involvements, OpportunityContact)

    def _stamp_plain(self, obj, when: datetime):
        obj._history_user = self.admin
        obj._history_date = when
        return obj

    def _pick_account(self, stage: Stage, taken: dict[int, int]) -> Account:
        allowed = {
            Stage.Type.OPEN: {CUSTOMER, PROSPECT},
            Stage.Type.WON: {CUSTOMER, FORMER},
            Stage.Type.LOST: {CUSTOMER, PROSPECT, FORMER},
            Stage.Type.NO_OFFER: {CUSTOMER, PROSPECT, FORMER},
        }[stage.type]
        candidates, weights = [], []
        for account in self.accounts:
            spec = self.spec_of[account.pk]
            if spec.status in allowed and taken.get(account.pk, 0) < OPPORTUNITY_CAP[spec.segment]:
                candidates.append(account)
                weights.append(OPPORTUNITY_WEIGHT[spec.segment])
        return self.rng.choices(candidates, weights)[0]

    def _pick_service(self, spec: AccountSpec, used: set[int]) -> int:
        fitting = [i for i, s in enumerate(SERVICES_CATALOGUE)
                   if (s.small_ok if spec.segment == SMALL else spec.kind in s.kinds) and i not in used]
        if not fitting:
            fitting = [i for i in range(len(SERVICES_CATALOGUE)) if i not in used]
        choice = self.rng.choice(fitting)
        used.add(choice)
        return choice

    def _volume(self, segment: Segment | None) -> Decimal:
        low = float(segment.volume_min) if segment and segment.volume_min else 20_000
        high = float(segment.volume_max) if segment and segment.volume_max else 500_000
        # Most deals sit inside the group's range; a few fall outside, as real ones do.
        return _round_money(_log_uniform(self.rng, low * 0.8, high * 0.7))

    def _dates(self, stage: Stage, spec: AccountSpec, account: Account, progress: float):
        rng = self.rng
        earliest = account.created_at + timedelta(days=7)
        if stage.type == Stage.Type.OPEN:
            age = rng.randint(5, 40) + int(progress * rng.randint(30, 160))
            created = max(_moment(self.today - timedelta(days=age), rng.randint(8, 17), rng.randint(0, 59)),
                          earliest)
            # Early deals decide months ahead; late ones soon, and a few are already overdue.
            ahead = (60, 240) if progress < 0.2 else (14, 150) if progress < 0.6 else (-20, 60)
            decision = self.today + timedelta(days=rng.randint(*ahead))
            return created, decision, None
        back = rng.randint(150, 720) if spec.status == FORMER else rng.randint(5, 420)
        closed = self.today - timedelta(days=back)
        created = max(_moment(closed - timedelta(days=rng.randint(30, 180)), rng.randint(8, 17), rng.randint(0, 59)),
                      earliest)
        closed = min(max(closed, created.date() + timedelta(days=21)), self.today - timedelta(days=1))
        decision = closed + timedelta(days=rng.randint(-14, 7))
        return created, decision, closed

    def _pick_competitors(self, stage: Stage, spec: AccountSpec, progress: float) -> list[Competitor]:
        rng = self.rng
        if stage.type == Stage.Type.LOST:
            number = rng.randint(1, 3)
        elif stage.type == Stage.Type.OPEN and progress < 0.4:
            number = 0 if rng.random() < 0.6 else 1
        else:
            number = rng.randint(0, 3)
        language = CITIES[spec.city].pools[0][:2]
        weights = [4 if self.competitor_languages[c.name] == language else
                   (2 if not self.competitor_languages[c.name] else 0.3) for c in self.competitors]
        chosen: list[Competitor] = []
        while len(chosen) < number:
            pick = rng.choices(self.competitors, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        return chosen

    def _pick_people(self, account: Account, progress: float) -> list[tuple[Contact, str]]:
        rng = self.rng
        people = self.contacts_of[account.pk]
        top, others = people[0], people[1:]
        chosen = []
        if rng.random() < 0.4 + 0.5 * progress:
            chosen.append(top)
        # Some deals hang on a single person: the risk the network view is there to show.
        number = min(len(others), rng.choice((0, 1, 1, 2, 2, 3)))
        chosen.extend(rng.sample(others, number))
        if not chosen:
            chosen.append(rng.choice(people))
        result = []
        for contact in chosen:
            role = contact.buying_role or R.USER
            if contact is not top and rng.random() < 0.2:
                role = rng.choice((R.INFLUENCER, R.USER, R.COACH, R.TECHNICAL_EVALUATOR))
            result.append((contact, role))
        return result

    # trash and checks --------------------------------------------------------------------------------

    def _trash(self) -> int:
        for leaver in self.leavers:
            leaver._history_user = self.admin
            leaver._history_date = leaver.created_at + timedelta(days=200)
            leaver.soft_delete(self.admin, when=leaver._history_date)
        return len(self.leavers)

    def _validate(self):
        """Every record passes the same validation a form would apply; a failure rolls the load back.

        Foreign keys are left to the database's constraints: checking each one here costs a query per
        field and record and could only fail if the rows just inserted had vanished.
        """
        for obj in (*self.competitors, *self.accounts, *self.contacts, *self.opportunities, *self.involvements):
            foreign_keys = [f.name for f in obj._meta.concrete_fields if f.is_relation]
            obj.full_clean(exclude=foreign_keys)

    def _forget_history_marks(self):
        """Later saves of these instances (by extensions) must get their own date and author."""
        for obj in (*self.competitors, *self.accounts, *self.contacts, *self.opportunities, *self.involvements):
            obj.__dict__.pop("_history_date", None)
            obj.__dict__.pop("_history_user", None)


def _moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _round_money(value) -> Decimal:
    """Round as people quote amounts: to the thousand, five thousand or 25 thousand."""
    value = float(value)
    step = 1_000 if value < 100_000 else 5_000 if value < 1_000_000 else 25_000
    return Decimal(max(step, int(round(value / step)) * step))


def _weighted(rng: random.Random, pairs):
    pairs = list(pairs)
    return rng.choices([value for value, _w in pairs], [weight for _v, weight in pairs])[0]


def _shift_influence(rng: random.Random, influence: str) -> str:
    order = [LOW, MEDIUM, HIGH]
    if rng.random() < 0.2:
        index = order.index(influence) + rng.choice((-1, 1))
        return order[min(max(index, 0), 2)]
    return influence


def _phone(rng: random.Random, city: City, block: tuple[int, int], extension: int, mobile: bool) -> str:
    """A direct line on the company's exchange, or a mobile number, in the country's usual grouping."""
    if city.country == "CH":
        if mobile:
            return f"+41 {rng.choice((76, 77, 78, 79))} {rng.randint(200, 999)} " \
                   f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
        return f"+41 {city.area_code} {block[0]} {block[1]} {extension:02d}"
    prefix = "+49" if city.country == "DE" else "+43"
    if mobile:
        network = rng.choice((151, 160, 171)) if city.country == "DE" else rng.choice((664, 676, 699))
        return f"{prefix} {network} {rng.randint(1000000, 9999999)}"
    return f"{prefix} {city.area_code} {block[0]}{block[1]}-{extension}"
