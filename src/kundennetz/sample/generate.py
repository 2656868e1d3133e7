"""A generated network of any size, for trying Kundennetz at size and for the list benchmark.

`generate_network(accounts=N)` writes N accounts with contacts, opportunities (half of them with a
checklist), interactions and one portfolio snapshot, owned by generated account managers (one per
5,000 accounts unless told otherwise) and watched by a generated sales head. Rows go in by bulk
inserts straight into the tables (COPY on PostgreSQL, executemany on SQLite), with ids chosen here, in
one transaction; when a run at least doubles the network, the filled tables' secondary indexes, foreign
keys and (SQLite) search indexes are set aside while loading and built again in one pass each
(``sample.bulkload``). No history rows are written for generated data.

Deterministic: the same seed and sizes give the same network. Names carry umlauts and accents
("Zürich", "Bäckerei Müller") so that searching and sorting meet real Swiss data.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max

from kundennetz.core import freshness, tunables
from kundennetz.core.roles import Role
from kundennetz.core.tunables.schemas import ExchangeRates
from kundennetz.domain.money import to_base
from kundennetz.domain.period import Period
from kundennetz.domain.text import SEARCH_MAX, SORT_MAX, fold, search_text, sort_key

from . import bulkload

PASSWORD = "generate-2026"
USER_PREFIX = "gen-"
ACCOUNTS_PER_MANAGER = 5_000
BATCH = 20_000

WORDS = ("Alpen", "Berg", "Bäckerei", "Burgdorfer", "Chocolat", "Digital", "Energie", "Flughafen", "Garage",
         "Holz", "Informatik", "Jura", "Käserei", "Logistik", "Maschinen", "Natur", "Optik", "Pharma",
         "Quellen", "Rhein", "Säntis", "Technik", "Uhren", "Verkehr", "Wasser", "Zement", "Öko", "Émile",
         "Léman", "Ticino", "Müller", "Schläfli", "Gruyère", "Zürcher", "Aare", "Brücken")
LEGAL = ("AG", "GmbH", "SA", "Genossenschaft", "& Co.", "Sàrl")
CITIES = (("8001", "Zürich"), ("3011", "Bern"), ("4051", "Basel"), ("1204", "Genève"), ("1003", "Lausanne"),
          ("6900", "Lugano"), ("9000", "St. Gallen"), ("6003", "Luzern"), ("2000", "Neuchâtel"),
          ("3400", "Burgdorf"), ("8400", "Winterthur"), ("7000", "Chur"), ("1700", "Fribourg"),
          ("3920", "Zermatt"), ("8640", "Rapperswil-Jona"), ("1950", "Sion"))
INDUSTRIES = ("Maschinenbau", "Banken", "Versicherungen", "Detailhandel", "Energie", "Gesundheit", "Logistik",
              "Öffentliche Verwaltung", "Pharma", "Telekommunikation", "Bau", "Tourismus")
FIRST = ("Anna", "Beat", "Céline", "Daniel", "Élodie", "Fabian", "Gabriela", "Hans", "Irène", "Jürg", "Karin",
         "Lukas", "Marie", "Niklaus", "Olivia", "Pascal", "Regula", "Stefan", "Tanja", "Urs", "Verena", "Zoë")
LAST = ("Ammann", "Bärtschi", "Crivelli", "Dubois", "Egli", "Frei", "Gerber", "Hächler", "Imhof", "Jäggi",
        "Kälin", "Lüscher", "Meier", "Nägeli", "Oberholzer", "Pfister", "Rüegg", "Schnyder", "Tschopp",
        "Vögeli", "Wüthrich", "Zürcher", "Müller", "Lévêque")
FUNCTIONS = ("CEO", "CFO", "CIO", "Leiter Einkauf", "Projektleiterin", "Head of IT", "Bereichsleiter", "Assistenz")
ROLES = ("decision_maker", "influencer", "technical_evaluator", "user", "gatekeeper", "coach", "")
TOPICS = ("Jahresgespräch", "Offertbesprechung", "Projektstatus", "Neue Lösung", "Referenzbesuch", "")


@dataclass
class Generated:
    """What was written, and how long it took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    head: str = ""
    managers: list[str] = field(default_factory=list)


def _table(model_label: str):
    return apps.get_model(model_label)._meta.db_table


class _Writer:
    """Bulk rows into one table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, cursor, table: str, columns: Iterable[str]):
        self.cursor, self.table, self.columns = cursor, table, tuple(columns)
        # Columns added to the model later and not named here get their model default.
        self.defaults: tuple = ()
        self.datetimes: list[int] = []
        model = next((m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table), None)
        if model is not None:
            extra = [f for f in model._meta.concrete_fields
                     if f.column not in self.columns and not f.null and f.has_default() and not f.primary_key]
            self.defaults = tuple(f.get_default() for f in extra)
            self.columns += tuple(f.column for f in extra)
            kinds = {f.column: f.get_internal_type() for f in model._meta.concrete_fields}
            self.datetimes = [i for i, column in enumerate(self.columns) if kinds.get(column) == "DateTimeField"]

    def write(self, rows: Iterable[tuple]) -> int:
        defaults = self.defaults
        if defaults:
            rows = (row + defaults for row in rows)
        quote = connection.ops.quote_name
        cols = ", ".join(quote(c) for c in self.columns)
        n = 0
        if connection.vendor == "postgresql":
            raw = self.cursor.cursor
            with raw.copy(f"COPY {quote(self.table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        sql = f"INSERT INTO {quote(self.table)} ({cols}) VALUES ({', '.join(['%s'] * len(self.columns))})"
        batch = []
        positions = self.datetimes
        # Stored as Django writes them (naive UTC text), so that comparisons with its parameters hold.
        # Adapted once per distinct value: a run has a handful (`now`, the creation days), and adapting
        # each row's took a fifth of the SQLite run's time.
        adapted = _Memo(connection.ops.adapt_datetimefield_value)
        for row in rows:
            if positions:
                row = list(row)
                for i in positions:
                    row[i] = adapted(row[i])
            batch.append(row)
            if len(batch) >= BATCH:
                self.cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)
            n += len(batch)
        return n


class _Memo(dict):
    """`function` of a value, computed once per distinct value (for the few values repeated millions of
    times: a timestamp, a city, a first name); None stays None."""

    LIMIT = 100_000  # forget all beyond this many values, so that unique values cannot fill the memory

    def __init__(self, function: Callable):
        super().__init__()
        self.function = function

    def __call__(self, value):
        if value is None:
            return None
        try:
            return self[value]
        except KeyError:
            if len(self) >= self.LIMIT:
                self.clear()
            result = self[value] = self.function(value)
            return result


def _searched(*folded_parts: str) -> str:
    """`domain.text.search_text` of parts folded already: joined and cut as it does (a test compares the
    generated rows with it). Folding each name, city and word once instead of on every row saved a fifth
    of the generation's time."""
    return " | ".join(part for part in folded_parts if part)[:SEARCH_MAX]


def _next_id(model_label: str) -> int:
    model = apps.get_model(model_label)
    manager = getattr(model, "all_objects", model._default_manager)
    return (manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _chunks(start: int, stop: int, size: int) -> Iterator[range]:
    for low in range(start, stop, size):
        yield range(low, min(low + size, stop))


def generate_network(accounts: int, *, managers: int | None = None, contacts_per_account: float = 3,
                     opportunities_per_account: float = 1, interactions_per_account: float = 10,
                     seed: int = 13, today: date | None = None, consistency: bool = True,
                     rebuild_indexes: bool | None = None,
                     progress: Callable[[str], None] | None = None) -> Generated:
    """Write a network of `accounts` accounts (see the module's docstring); adds to what is there.

    `rebuild_indexes`: set the filled tables' indexes and foreign keys aside while loading and build them
    again after (``sample.bulkload``); None decides by size (when the run at least doubles the accounts)."""
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    started = clock.perf_counter()
    say = _timed(progress, started)
    today = today or date.today()
    now = datetime.now(dt_timezone.utc)
    rng = random.Random(seed)
    result = Generated()
    managers = managers or max(3, -(-accounts // ACCOUNTS_PER_MANAGER))

    # One transaction: a load that fails half-way (or is stopped) leaves the database as it was.
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA defer_foreign_keys = ON")
        user_ids, head = _users(managers, rng, result)
        if rebuild_indexes is None:
            # Building an index again costs a pass over the whole table, old rows too: worth it when this
            # run writes at least as many accounts as there are (a fresh or small database), not when
            # a few are added to a large one (which would also keep its readers waiting until the commit).
            rebuild_indexes = accounts >= _next_id("accounts.Account") - 1
        with bulkload.set_aside(filled_tables(), say) if rebuild_indexes else nullcontext():
            _accounts(accounts, user_ids, rng, now, result, say)
            _contacts(accounts, contacts_per_account, rng, now, result, say)
            _opportunities(accounts, opportunities_per_account, rng, now, today, result, say)
            _interactions(accounts, interactions_per_account, rng, now, today, result, say)
            _portfolio(rng, today, now, result, say)
            # Apps that store figures derived from the strategies (planning) bring them up to date: here,
            # while the account table's indexes are set aside, since the figures are indexed and writing
            # them onto every account afterwards updated each of its 35 indexes row by row (112 s of a
            # 100,000-account run on PostgreSQL); and in the same transaction, so no account is ever
            # committed without its figures.
            if apps.is_installed("kundennetz.portfolio"):
                from kundennetz.portfolio.signals import strategies_changed

                strategies_changed.send(sender=apps.get_model("portfolio.PortfolioSnapshot"), account_ids=None)
                say("stored figures")
        if rebuild_indexes and apps.is_installed("kundennetz.planning"):
            # The account table's triggers were set aside while loading, those keeping the planning
            # counts too: count again, in the same transaction.
            from kundennetz.planning import counts

            counts.recount()
            say("planning counts")
        say("loaded")
    say("committed")
    if connection.vendor == "postgresql":
        _reset_sequences()
    with connection.cursor() as cursor:
        # Statistics of the new rows before the steps below read them (PostgreSQL plans them by these). On
        # PostgreSQL also VACUUM, outside a transaction: until the new rows are marked visible to all, an
        # index-only scan fetches every row from the table anyway (at a million accounts an account
        # manager's lists took three times as long), and autovacuum may be off or come much later.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
    say("vacuumed and analysed" if vacuum else "analysed")
    if consistency:
        # The stored consistency rows (management view, the due dates My week picks its accounts from).
        freshness.refresh("consistency", today)
        say("consistency rows")
    result.seconds = clock.perf_counter() - started
    return result


def filled_tables() -> list[str]:
    """The tables a run writes most of its rows into (those whose indexes are set aside while loading)."""
    tables = [_table(label) for label in (
        "accounts.Account", "accounts.Contact", "accounts.Opportunity", "qualification.Checklist",
        "interactions.Interaction", "portfolio.AccountPosition")]
    return [*tables, apps.get_model("accounts.Account").team.through._meta.db_table]


def _timed(progress: Callable[[str], None] | None, started: float) -> Callable[[str], None]:
    """The progress callback, each line with the seconds since the previous line and since the start."""
    if progress is None:
        return lambda message: None
    last = [started]

    def say(message: str) -> None:
        now = clock.perf_counter()
        progress(f"{message} ({now - last[0]:.1f} s, {now - started:.1f} s in all)")
        last[0] = now

    return say


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    models = [apps.get_model(label) for label in (
        "core.User", "accounts.Account", "accounts.Contact", "accounts.Opportunity", "qualification.Checklist",
        "interactions.Interaction", "portfolio.PortfolioSnapshot")]
    models.append(apps.get_model("accounts.Account").team.through)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _users(managers: int, rng: random.Random, result: Generated) -> tuple[list[int], int]:
    User = apps.get_model("core.User")
    Group = apps.get_model("auth.Group")
    password = make_password(PASSWORD)
    run = (User.objects.filter(username__startswith=USER_PREFIX).count() // (managers + 1)) + 1
    tag = f"{USER_PREFIX}{run}-" if run > 1 else USER_PREFIX
    people = [User(username=f"{tag}head", first_name="Silvia", last_name="Generated", role=Role.SALES_HEAD,
                   password=password, email=f"{tag}head@kundennetz.example")]
    for i in range(managers):
        people.append(User(username=f"{tag}am-{i + 1:04d}", first_name=rng.choice(FIRST),
                           last_name=f"{rng.choice(LAST)} {i + 1}", role=Role.ACCOUNT_MANAGER, password=password,
                           email=f"{tag}am-{i + 1:04d}@kundennetz.example"))
    User.objects.bulk_create(people, batch_size=1000)
    saved = list(User.objects.filter(username__startswith=tag).order_by("pk"))
    saved = [u for u in saved if u.username == f"{tag}head" or u.username.startswith(f"{tag}am-")]
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in (Role.SALES_HEAD, Role.ACCOUNT_MANAGER)}
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=groups[u.role].pk) for u in saved], batch_size=1000)
    head = next(u for u in saved if u.role == Role.SALES_HEAD)
    result.head = head.username
    result.managers = [u.username for u in saved if u.role == Role.ACCOUNT_MANAGER]
    result.counts["users"] = len(saved)
    result._manager_ids = [u.pk for u in saved if u.role == Role.ACCOUNT_MANAGER]  # type: ignore[attr-defined]
    return result._manager_ids, head.pk  # type: ignore[attr-defined]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(int(rng.lognormvariate(0, 1.2) * low) % high + low)


def _owner_keys(manager_ids: list[int]) -> dict[int, str]:
    """The owners' sort keys, copied onto their accounts and opportunities (accounts.sortkeys)."""
    return dict(apps.get_model("core.User").objects.filter(pk__in=manager_ids).values_list("pk", "name_sort"))


def _accounts(n: int, manager_ids: list[int], rng: random.Random, now, result: Generated, say) -> None:
    Segment = apps.get_model("accounts.Segment")
    # Each customer group with its sort keys, copied onto its accounts as the triggers would (accounts.sortkeys).
    segments = list(Segment.objects.order_by("pk").values_list("pk", "name_sort_de", "name_sort_en")) or [
        (None, None, None)]
    owner_keys = _owner_keys(manager_ids)
    first = _next_id("accounts.Account")
    result._account_range = range(first, first + n)  # type: ignore[attr-defined]
    result._owners = {}  # type: ignore[attr-defined]
    columns = ("id", "name", "legal_form", "industry", "segment_id", "street", "postal_code", "city", "country",
               "website", "currency", "annual_revenue", "potential", "contribution_margin_pct", "status",
               "owner_id", "external_id", "created_at", "updated_at", "created_by_id", "updated_by_id",
               "deleted_at", "deleted_by_id", "search_text", "name_sort", "revenue_base", "owner_sort",
               "segment_sort_de", "segment_sort_en")
    rates = tunables.get(ExchangeRates).rates()
    legal_forms = ("ag", "gmbh", "cooperative", "sole", "partnership", "other")
    statuses = ("customer", "customer", "prospect", "former")
    currencies = ("CHF",) * 17 + ("EUR", "EUR", "USD")
    team_rows = []
    owners = result._owners  # type: ignore[attr-defined]
    names = result._names = {}  # type: ignore[attr-defined]  # folded, for the people's and deals' search text
    folded = _Memo(fold)

    def rows():
        for offset, pk in enumerate(result._account_range):  # type: ignore[attr-defined]
            owner = manager_ids[offset % len(manager_ids)]
            owners[pk] = owner
            postal, city = rng.choice(CITIES)
            revenue = _money(rng, 20_000, 5_000_000) if rng.random() < 0.8 else None
            potential = (revenue or Decimal(0)) + _money(rng, 10_000, 3_000_000)
            prefix = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(LEGAL)}"
            name = f"{prefix} {pk}"
            industry = rng.choice(INDUSTRIES)
            names[pk] = folded_name = f"{folded(prefix)} {pk}"
            legal_form = rng.choice(legal_forms)
            segment, segment_de, segment_en = rng.choice(segments)  # this order: a seed gives the network it always gave
            row = (pk, name, legal_form, industry, segment,
                   f"Bahnhofstrasse {rng.randint(1, 200)}", postal, city, "CH", "", rng.choice(currencies),
                   revenue, potential, Decimal(rng.randint(5, 45)), rng.choice(statuses), owner, "",
                   now, now, None, None, None, None, _searched(folded_name, folded(city), folded(industry)),
                   folded_name[:SORT_MAX])
            yield (*row, to_base(revenue, row[10], rates), owner_keys[owner], segment_de, segment_en)
            if len(manager_ids) > 1 and rng.random() < 0.2:
                team_rows.append((pk, manager_ids[(offset + 1 + rng.randrange(len(manager_ids) - 1))
                                                  % len(manager_ids)]))

    with connection.cursor() as cursor:
        result.counts["accounts"] = _Writer(cursor, _table("accounts.Account"), columns).write(rows())
        say(f"accounts: {result.counts['accounts']}")
        through = apps.get_model("accounts.Account").team.through
        first_team = (through.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        result.counts["team memberships"] = _Writer(cursor, through._meta.db_table, ("id", "account_id", "user_id")).write(
            (first_team + i, account, user) for i, (account, user) in enumerate(team_rows))


def _per_account(rng: random.Random, mean: float) -> int:
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)


def _contacts(n: int, per_account: float, rng: random.Random, now, result: Generated, say) -> None:
    first = _next_id("accounts.Contact")
    columns = ("id", "account_id", "first_name", "last_name", "function", "department", "email", "phone",
               "language", "buying_role", "influence", "attitude", "reports_to_id", "created_at", "updated_at",
               "created_by_id", "updated_by_id", "deleted_at", "deleted_by_id", "search_text", "last_name_sort")
    names = result._names  # type: ignore[attr-defined]
    folded = _Memo(fold)
    sorted_as = _Memo(lambda pair: sort_key(*pair))

    def rows():
        pk = first
        for account in result._account_range:  # type: ignore[attr-defined]
            for _ in range(_per_account(rng, per_account)):
                given, family, function = rng.choice(FIRST), rng.choice(LAST), rng.choice(FUNCTIONS)
                email = f"p{pk}@kunde.example"  # folded as it is (lower case, no accents, no spaces)
                yield (pk, account, given, family, function, "", email,
                       f"+41 44 {pk % 1000:03d} {pk % 100:02d} {pk % 97:02d}", rng.choice(("de", "de", "fr", "it")),
                       rng.choice(ROLES), rng.choice(("high", "medium", "low", "")),
                       rng.choice(("supporter", "neutral", "opponent")), None, now, now, None, None, None, None,
                       _searched(folded(given), folded(family), folded(function), email, names[account]),
                       sorted_as((family, given)))
                pk += 1

    with connection.cursor() as cursor:
        result.counts["contacts"] = _Writer(cursor, _table("accounts.Contact"), columns).write(rows())
    say(f"contacts: {result.counts['contacts']}")


def _opportunities(n: int, per_account: float, rng: random.Random, now, today: date, result: Generated,
                   say) -> None:
    Stage = apps.get_model("accounts.Stage")
    stages = list(Stage.objects.order_by("order").values_list("pk", "type", "order"))
    reasons = dict(apps.get_model("accounts.ClosingReason").objects.values_list("applies_to", "pk"))
    Catalogue = apps.get_model("qualification.Catalogue")
    catalogue = Catalogue.objects.filter(status="published").order_by("-version").values_list("pk", flat=True).first()
    first = _next_id("accounts.Opportunity")
    first_checklist = _next_id("qualification.Checklist")
    owners = result._owners  # type: ignore[attr-defined]
    columns = ("id", "account_id", "title", "need", "stage_id", "expected_volume", "expected_follow_up_volume",
               "offer_price", "estimated_margin_pct", "expected_decision_date", "owner_id", "closing_reason_id",
               "closed_on", "created_at", "updated_at", "created_by_id", "updated_by_id", "deleted_at",
               "deleted_by_id", "search_text", "recommendation", "open_points", "account_sort", "owner_sort",
               "stage_sort")
    owner_keys = _owner_keys(list(set(owners.values())))
    checklists = []
    names = result._names  # type: ignore[attr-defined]
    folded = _Memo(fold)

    def rows():
        pk = first
        for account in result._account_range:  # type: ignore[attr-defined]
            for _ in range(_per_account(rng, per_account)):
                stage, kind, order = rng.choice(stages)
                closed = kind != "open"
                created = now - timedelta(days=rng.randint(0, 720))
                summary = ("", None)
                if catalogue is not None and rng.random() < 0.5:
                    summary = (rng.choice(("offer", "clarify", "no_offer")), rng.randint(0, 12))
                    checklists.append((first_checklist + len(checklists), pk, catalogue, summary[0],
                                       rng.randint(0, 4), summary[1], created, created, None, None))
                prefix = (f"{rng.choice(('Rahmenvertrag', 'Projekt', 'Wartung', 'Beratung', 'Migration'))} "
                          f"{rng.choice(WORDS)}")
                title = f"{prefix} {pk}"
                yield (pk, account, title, "", stage, _money(rng, 10_000, 2_000_000), None,
                       None, Decimal(rng.randint(5, 40)), today + timedelta(days=rng.randint(-200, 300)),
                       owners[account], reasons.get(kind) if kind == "lost" else None,
                       today - timedelta(days=rng.randint(1, 400)) if closed else None, created, created,
                       None, None, None, None, _searched(f"{folded(prefix)} {pk}", names[account]), *summary,
                       names[account][:SORT_MAX], owner_keys[owners[account]], order)
                pk += 1

    with connection.cursor() as cursor:
        result.counts["opportunities"] = _Writer(cursor, _table("accounts.Opportunity"), columns).write(rows())
        result.counts["checklists"] = _Writer(cursor, _table("qualification.Checklist"), (
            "id", "opportunity_id", "catalogue_id", "recommendation", "unfavourable_count", "open_points",
            "created_at", "updated_at", "created_by_id", "updated_by_id")).write(checklists)
    say(f"opportunities: {result.counts['opportunities']}, checklists: {result.counts['checklists']}")


def _interactions(n: int, per_account: float, rng: random.Random, now, today: date, result: Generated,
                  say) -> None:
    first = _next_id("interactions.Interaction")
    types = ("meeting", "meeting", "call", "call", "email", "event", "offer_presentation", "other")
    columns = ("id", "account_id", "type", "date", "duration_minutes", "opportunity_id", "topics", "note",
               "follow_up_date", "created_at", "updated_at", "created_by_id", "updated_by_id", "deleted_at",
               "deleted_by_id", "search_text")
    # The folded search text, as `Interaction.refresh_search_fields` writes it (topics and an empty note).
    folded = {topic: search_text(topic, "", limit=None) for topic in TOPICS}

    def rows():
        pk = first
        for account in result._account_range:  # type: ignore[attr-defined]
            for _ in range(_per_account(rng, per_account)):
                day = today - timedelta(days=rng.randint(0, 730))
                follow = day + timedelta(days=rng.randint(7, 90)) if rng.random() < 0.15 else None
                kind, minutes, topic = rng.choice(types), rng.choice((30, 60, 90, None)), rng.choice(TOPICS)
                yield (pk, account, kind, day, minutes, None, topic, "", follow, now, now, None, None, None, None,
                       folded[topic])
                pk += 1

    with connection.cursor() as cursor:
        result.counts["interactions"] = _Writer(cursor, _table("interactions.Interaction"), columns).write(rows())
    say(f"interactions: {result.counts['interactions']}")


def _portfolio(rng: random.Random, today: date, now, result: Generated, say) -> None:
    """One snapshot placing every generated account (random scores through the model's own grid)."""
    ScoringModel = apps.get_model("portfolio.ScoringModel")
    Snapshot = apps.get_model("portfolio.PortfolioSnapshot")
    stored = ScoringModel.objects.order_by("-version").first()
    if stored is None:
        return
    model = stored.rules
    quarter = Period.quarter_of(today)
    period, start = quarter.code, quarter.start
    snapshot = Snapshot.objects.filter(period=period).first()
    if snapshot is None:
        snapshot = Snapshot.objects.create(period=period, period_start=start, period_end=today, as_of=today,
                                           scoring_model=stored, grid=model.grid.key)
    accounts = result._account_range  # type: ignore[attr-defined]
    columns = ("snapshot_id", "account_id", "attractiveness", "position", "attractiveness_coverage",
               "position_coverage", "rank", "order", "cell", "strategy", "abc_revenue", "abc_margin")

    def rows():
        for offset, account in enumerate(accounts):
            if rng.random() < 0.05:
                yield (snapshot.pk, account, None, None, 0.3, 0.3, None, None, "", "", "C", "C")
                continue
            att, pos = round(rng.uniform(0, 100), 1), round(rng.uniform(0, 100), 1)
            cell = model.grid.cell_for(att, pos)
            yield (snapshot.pk, account, att, pos, 1.0, 1.0, offset + 1, offset + 1, cell.key if cell else "",
                   cell.strategy if cell else "", rng.choice("AABBBCCCCC"), rng.choice("ABC"))

    with connection.cursor() as cursor:
        written = _Writer(cursor, _table("portfolio.AccountPosition"), columns).write(rows())
    Snapshot.objects.filter(pk=snapshot.pk).update(account_count=snapshot.account_count + written,
                                                   placed_count=snapshot.placed_count + written)
    result.counts["portfolio positions"] = written
    say(f"portfolio positions: {written}")
    # What the portfolio page counts of the whole snapshot (and its moves), as every snapshot writer keeps it.
    from kundennetz.portfolio import summary

    summary.store(snapshot)
    summary.store_following(snapshot)
    say("portfolio summary")
