"""Benchmark: consistency of appearance at 10,000 accounts with 1,000,000 interactions.

Generates the network (``--quick``: 1,000 accounts, 100,000 interactions) into a temporary SQLite
database, and into a PostgreSQL database created for the run (``kundennetz_bench_consistency``,
dropped afterwards) when a server answers at ``--postgres`` (default
``postgres://postgres@127.0.0.1:5432/test``). Interactions spread over three years, 5 people per
account, about 1.2 people of theirs, 1.15 of ours and 0.9 core messages per interaction, a fifth of
the accounts handed from one account manager to another, a sixth neglected for months.

Per database, in a fresh process on the same rows:

- the bare SQL ``COUNT(*)`` over the interactions the recompute reads (the current and the previous
  twelve months), and over all of them;
- the measure computation: ``kundennetz consistency`` (stream every account, score the current and
  the previous period, due contacts, write one snapshot row per account), split into loading and
  scoring;
- pages through Django's test client, logged in: the management view (reads the snapshots), its CSV
  export, an account page (median and largest account), the account's consistency panel, my week of
  an account manager, and logging an interaction (HTMX, including the account's snapshot refresh).
  Each page once to warm up, then the median of five.

Check (exit status 1 if it fails): at full size, every page (the export aside) under 200 ms on every
database. Timings depend on what else the machine does: the 1-minute load average at the start of the
measurements is printed with them. The last line of output is one JSON object with all figures.

    .venv/bin/python bench/consistency.py --quick
    .venv/bin/python bench/consistency.py               # 10k accounts, 1M interactions
    .venv/bin/python bench/consistency.py --no-postgres
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "kundennetz_bench_consistency"
CONTACT_ROLES = ("decision_maker", "influencer", "technical_evaluator", "user", "gatekeeper")
INFLUENCE = ("high", "medium", "medium", "low", "")
TYPES = (("meeting", 40), ("call", 30), ("email", 20), ("event", 5), ("offer_presentation", 5))
YEARS_OF_HISTORY = 3
BATCH = 50_000
REPEAT = 5
GOAL_MS = 200


# --------------------------------------------------------------------------------------------------
# Child process: Django set up against one database
# --------------------------------------------------------------------------------------------------


def _setup(database_url: str, home: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["KUNDENNETZ_HOME"] = home
    # Test settings: the database from DATABASE_URL, any host name for the test client, mail kept in memory.
    os.environ["DJANGO_SETTINGS_MODULE"] = "kundennetz.settings.test"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _raw_insert(model, columns: list[str], rows) -> int:
    """Insert plain tuples fast: executemany on SQLite, COPY on PostgreSQL. Values must already be in
    the database's form (SQLite: datetimes as UTC text)."""
    from django.db import connection

    table = model._meta.db_table
    count = 0
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            raw.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        raw.executemany(sql, batch)
        count += len(batch)
    return count


def _stored_moment(moment: datetime, postgres: bool):
    return moment if postgres else moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def generate(accounts_n: int, interactions_n: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from kundennetz.accounts.models import Account, Contact, Segment
    from kundennetz.core.models import User
    from kundennetz.core.roles import Role
    from kundennetz.interactions.models import CoreMessage, Interaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    postgres = connection.vendor == "postgresql"
    if not postgres:
        with connection.cursor() as cursor:
            # Only for loading: the measurements run in a fresh process with the product's settings.
            cursor.execute("PRAGMA cache_size = -1000000")
            cursor.execute("PRAGMA synchronous = OFF")
    rng = random.Random(2026)
    today = timezone.localdate()
    now = timezone.now()
    User.objects.create(username="admin", role=Role.ADMIN, is_superuser=True)
    User.objects.create(username="sales", role=Role.SALES_HEAD, first_name="Sara", last_name="Sales")
    managers = [User.objects.create(username=f"am{i:03d}", role=Role.ACCOUNT_MANAGER, first_name="Manager",
                                    last_name=f"{i:03d}", email=f"am{i:03d}@example.ch",
                                    language="en" if i % 3 == 0 else "de-ch")
                for i in range(max(4, accounts_n // 250))]
    manager_ids = [m.pk for m in managers]
    segments = list(Segment.objects.values_list("pk", flat=True))

    # Accounts and who was responsible when: a fifth handed over once or twice in the last three years.
    owners_over_time: dict[int, tuple[list[date], list[int]]] = {}
    account_rows = []
    for i in range(accounts_n):
        created = today - timedelta(days=rng.randint(400, 2500))
        owners = [rng.choice(manager_ids)]
        days = [created]
        if rng.random() < 0.2:
            for _ in range(rng.choice((1, 1, 2))):
                days.append(today - timedelta(days=rng.randint(30, 365 * YEARS_OF_HISTORY)))
                owners.append(rng.choice([m for m in manager_ids if m != owners[-1]]))
            order = sorted(range(1, len(days)), key=lambda k: days[k])
            days = [days[0], *(days[k] for k in order)]
            owners = [owners[0], *(owners[k] for k in order)]
        account_rows.append((created, days, owners))
    with transaction.atomic():
        objs = []
        for i, (created, _days, owners) in enumerate(account_rows):
            moment = timezone.make_aware(datetime.combine(created, datetime.min.time()).replace(hour=9))
            objs.append(Account(name=f"Kunde {i:05d} AG", owner_id=owners[-1], segment_id=rng.choice(segments),
                                status="customer", annual_revenue=rng.randint(10, 5000) * 1000,
                                created_at=moment, city="Bern"))
        objs = Account.objects.bulk_create(objs, batch_size=2000)
        history = Account.history.model
        kept = {f.attname for f in Account._meta.concrete_fields} - {"updated_at"}
        rows = []
        for account, (created, days, owners) in zip(objs, account_rows):
            owners_over_time[account.pk] = (days, owners)
            for k, (day, owner) in enumerate(zip(days, owners)):
                # The history keeps only the fields it tracks (not versions, sort keys or stored figures).
                row = history(**{f.attname: getattr(account, f.attname) for f in history._meta.concrete_fields
                                 if f.attname in kept})
                row.owner_id = owner
                row.history_date = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))
                row.history_type = "+" if k == 0 else "~"
                rows.append(row)
        history.objects.bulk_create(rows, batch_size=2000)
        contacts = []
        for account in objs:
            for k, role in enumerate(CONTACT_ROLES):
                contacts.append(Contact(account_id=account.pk, first_name="Vorname", last_name=f"Person {k}",
                                        buying_role=role, influence=INFLUENCE[k], created_at=now))
        Contact.objects.bulk_create(contacts, batch_size=5000)
        messages = [CoreMessage.objects.create(kind="message", text_de=f"Botschaft {k}", text_en=f"Message {k}",
                                               valid_to=today - timedelta(days=500) if k < 2 else None)
                    for k in range(10)]
    message_ids = [m.pk for m in messages]
    current_messages = message_ids[2:]
    contacts_of: dict[int, list[int]] = {}
    for account_id, contact_id in Contact.objects.order_by("account_id", "id").values_list("account_id", "id"):
        contacts_of.setdefault(account_id, []).append(contact_id)

    # Interactions per account: a skewed spread (a few big accounts, many small ones) adding up exactly.
    account_ids = sorted(owners_over_time)
    weights = [rng.lognormvariate(0, 0.8) for _ in account_ids]
    total = sum(weights)
    counts = [int(interactions_n * w / total) for w in weights]
    for k in rng.sample(range(len(counts)), interactions_n - sum(counts)):
        counts[k] += 1
    neglected = set(rng.sample(account_ids, len(account_ids) // 6))
    span = 365 * YEARS_OF_HISTORY
    stamps = {}
    types, type_weights = zip(*TYPES)
    columns = [f.column for f in Interaction._meta.concrete_fields]
    template = {f.column: (f.get_default() if f.has_default() and not callable(f.default) else None)
                for f in Interaction._meta.concrete_fields}
    for text_column in ("topics", "note"):
        template[text_column] = ""
    links = {"our_people": [], "contacts": [], "core_messages": []}

    def interaction_rows():
        pk = 0
        for account_id, n in zip(account_ids, counts):
            days_, owners_ = owners_over_time[account_id]
            people = contacts_of[account_id]
            latest = 200 if account_id in neglected else 0
            for _ in range(n):
                pk += 1
                day = today - timedelta(days=rng.randint(latest, span))
                stamp = stamps.get(day)
                if stamp is None:
                    moment = datetime.combine(day, datetime.min.time(), tzinfo=dt_timezone.utc).replace(hour=10)
                    stamp = stamps[day] = _stored_moment(moment, postgres)
                owner = owners_[max(0, bisect.bisect_right(days_, day) - 1)]
                row = dict(template, id=pk, account_id=account_id, date=day if postgres else day.isoformat(),
                           type=rng.choices(types, type_weights)[0], created_at=stamp, updated_at=stamp,
                           created_by_id=owner, updated_by_id=owner, topics="Besprechung")
                yield tuple(row[c] for c in columns)
                links["our_people"].append((pk, owner))
                if rng.random() < 0.15:
                    colleague = rng.choice(manager_ids)
                    if colleague != owner:
                        links["our_people"].append((pk, colleague))
                draw = rng.random()
                for contact in rng.sample(people, 0 if draw < 0.05 else 2 if draw > 0.75 else 1):
                    links["contacts"].append((pk, contact))
                draw = rng.random()
                for message in rng.sample(current_messages if rng.random() < 0.9 else message_ids,
                                          0 if draw < 0.3 else 2 if draw > 0.8 else 1):
                    links["core_messages"].append((pk, message))

    with transaction.atomic():
        written = _raw_insert(Interaction, columns, interaction_rows())
        link_rows = {}
        for name, column in (("our_people", "user_id"), ("contacts", "contact_id"),
                             ("core_messages", "coremessage_id")):
            through = getattr(Interaction, name).through
            link_rows[name] = _raw_insert(through, ["interaction_id", column], links[name])
            links[name] = []
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT setval(pg_get_serial_sequence('interactions_interaction', 'id'), %s)", [written])
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "accounts": len(account_ids),
            "interactions": written, "managers": len(managers), "contacts": len(contacts),
            "links": link_rows, "account_manager_changes": sum(len(d) - 1 for d, _ in owners_over_time.values())}


def _median_ms(call, repeat: int = REPEAT) -> float:
    call()  # warm up: caches, lazy imports, the database's pages
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1)


def measure() -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from kundennetz.accounts.models import Account
    from kundennetz.core.models import User
    from kundennetz.domain import consistency as dc
    from kundennetz.interactions import services
    from kundennetz.interactions.models import ConsistencySnapshot, Interaction

    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load_average = os.getloadavg()[0]
    today = timezone.localdate()
    period = services.rolling_year(today)
    previous = dc.previous_period(period)
    table = Interaction._meta.db_table

    def count(where: str = "", params=()):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" {where}', params)
            return cursor.fetchone()[0]

    window_sql = "WHERE deleted_at IS NULL AND date >= %s AND date <= %s"
    window_params = [previous.start, today]
    count(window_sql, window_params)
    started = time.perf_counter()
    window_rows = count(window_sql, window_params)
    count_window_s = time.perf_counter() - started
    started = time.perf_counter()
    all_rows = count()
    count_all_s = time.perf_counter() - started

    # Loading alone, then scoring alone (the recompute does both in one pass).
    started = time.perf_counter()
    histories = list(services.iter_histories(previous.start, today))
    load_s = time.perf_counter() - started
    messages = services.message_set()
    within = services.due_within_days()
    started = time.perf_counter()
    for history in histories:
        dc.assess_account(history, period, messages, today)
        dc.assess_account(history, previous, messages, today)
        dc.due_contacts([dc.due_input(history, today)], today, within)
    assess_s = time.perf_counter() - started
    loaded = sum(len(h.interactions) for h in histories)
    del histories
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.perf_counter()
    stored = services.refresh_snapshots(today)
    recompute_s = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    sales = User.objects.get(username="sales")
    counts = dict(Interaction.objects.values("account_id").order_by().annotate(n=Count("id"))
                  .values_list("account_id", "n"))
    by_size = sorted(counts, key=lambda pk: (counts[pk], pk))
    median_account = Account.objects.get(pk=by_size[len(by_size) // 2])
    largest_account = Account.objects.get(pk=by_size[-1])
    manager = median_account.owner

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    head, owner_client = client_for(sales), client_for(manager)

    def get(client, url, **extra):
        def call():
            response = client.get(url, **extra)
            assert response.status_code == 200, (url, response.status_code)
            if getattr(response, "streaming", False):
                for _chunk in response.streaming_content:
                    pass
        return call

    figures = {
        "management_view_ms": _median_ms(get(head, "/management/consistency/")),
        "management_view_filtered_ms": _median_ms(get(head, "/management/consistency/?band=red&sort=delta")),
        "management_export_ms": _median_ms(get(head, "/management/consistency/export.csv"), 3),
        "account_page_ms": _median_ms(get(owner_client, f"/accounts/{median_account.pk}/")),
        "account_page_largest_ms": _median_ms(get(client_for(largest_account.owner),
                                                  f"/accounts/{largest_account.pk}/")),
        "account_panel_ms": _median_ms(get(owner_client, f"/accounts/{median_account.pk}/consistency/",
                                           HTTP_HX_REQUEST="true")),
        "my_week_ms": _median_ms(get(owner_client, "/my-week/")),
        "interaction_list_ms": _median_ms(get(owner_client, "/interactions/")),
    }
    contact = median_account.contacts.first()

    def log():
        response = owner_client.post(f"/accounts/{median_account.pk}/interactions/log/",
                                     {"type": "call", "date": today.isoformat(), "topics": "Bench",
                                      "contacts": [contact.pk]}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and b"Bench" in response.content

    figures["log_interaction_ms"] = _median_ms(log)
    assert ConsistencySnapshot.objects.filter(account=median_account, last_contact=today).exists()
    return {
        "vendor": connection.vendor,
        "interactions_total": all_rows,
        "interactions_read": window_rows,
        "interactions_loaded": loaded,
        "count_all_s": round(count_all_s, 3),
        "count_window_s": round(count_window_s, 3),
        "load_s": round(load_s, 2),
        "assess_s": round(assess_s, 2),
        "recompute_s": round(recompute_s, 2),
        "recompute_vs_count": round(recompute_s / count_window_s, 1) if count_window_s else None,
        "snapshots": stored,
        "median_account_interactions": counts[median_account.pk],
        "largest_account_interactions": counts[largest_account.pk],
        "manager_accounts": Account.objects.filter(owner=manager).count(),
        **figures,
        "pages_under_goal": all(v < GOAL_MS for k, v in figures.items() if k != "management_export_ms"),
        "load_average": round(load_average, 2),
        "cpus": os.cpu_count(),
        "peak_rss_mb": round(max(rss_before, rss_after) / 1024, 1),
        "rss_at_start_mb": round(rss_start / 1024, 1),
    }


def child(args) -> None:
    _setup(args.database_url, args.home)
    result = generate(args.accounts, args.interactions) if args.phase == "generate" else measure()
    print(json.dumps(result))


# --------------------------------------------------------------------------------------------------
# Parent process
# --------------------------------------------------------------------------------------------------


def _run_child(phase: str, database_url: str, home: str, accounts: int, interactions: int) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--database-url", database_url, "--home", home,
               "--accounts", str(accounts), "--interactions", str(interactions)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-5000:])
        raise SystemExit(f"{phase} failed ({database_url.split('@')[-1]})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pg_admin(url: str):
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    params = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                  password=cfg["PASSWORD"] or None, dbname=cfg["NAME"], connect_timeout=3, autocommit=True)
    return psycopg.connect(**params), cfg


def _bench_url(cfg) -> str:
    auth = cfg["USER"] or ""
    if cfg["PASSWORD"]:
        auth += f":{cfg['PASSWORD']}"
    host = f"{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{BENCH_DB}"


def run_backend(name: str, database_url: str, home: str, accounts: int, interactions: int) -> dict:
    print(f"[{name}] generating {accounts:,} accounts with {interactions:,} interactions …", flush=True)
    generated = _run_child("generate", database_url, home, accounts, interactions)
    links = generated["links"]
    print(f"[{name}] generated in {generated['seconds']} s: {generated['interactions']:,} interactions, "
          f"{generated['contacts']:,} contacts, {sum(links.values()):,} links (people and messages), "
          f"{generated['account_manager_changes']:,} account-manager changes", flush=True)
    f = _run_child("measure", database_url, home, accounts, interactions)
    print(f"[{name}] bare COUNT over the {f['interactions_read']:,} rows read: {f['count_window_s']} s "
          f"(all {f['interactions_total']:,}: {f['count_all_s']} s)", flush=True)
    print(f"[{name}] measure computation (kundennetz consistency): {f['recompute_s']} s for {f['snapshots']:,} "
          f"accounts = {f['recompute_vs_count']}x the COUNT (loading {f['load_s']} s, scoring {f['assess_s']} s), "
          f"peak RSS {f['peak_rss_mb']} MB", flush=True)
    pages = [key for key in f if key.endswith("_ms")]
    print(f"[{name}] pages (median of {REPEAT}, ms): " + ", ".join(f"{k[:-3]} {f[k]}" for k in pages), flush=True)
    print(f"[{name}] pages under {GOAL_MS} ms (export aside): {'yes' if f['pages_under_goal'] else 'NO'} "
          f"(load average {f['load_average']} on {f['cpus']} CPUs while measuring)", flush=True)
    return {"generate_s": generated["seconds"], "links": links, **f}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 accounts and 100,000 interactions")
    parser.add_argument("--accounts", type=int, help="number of accounts (overrides --quick)")
    parser.add_argument("--interactions", type=int, help="number of interactions (overrides --quick)")
    parser.add_argument("--postgres", default=os.environ.get("KUNDENNETZ_BENCH_POSTGRES", PG_DEFAULT))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--phase", choices=("generate", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args)
        return
    accounts = args.accounts or (1_000 if args.quick else 10_000)
    interactions = args.interactions or (100_000 if args.quick else 1_000_000)
    results: dict = {"benchmark": "consistency", "accounts": accounts, "interactions": interactions,
                     "goal_ms": GOAL_MS}
    import shutil

    workdir = tempfile.mkdtemp(prefix="kundennetz-bench-consistency-")
    try:
        url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        results["sqlite"] = run_backend("sqlite", url, workdir, accounts, interactions)
        results["postgresql"] = None
        if not args.no_postgres:
            try:
                admin, cfg = _pg_admin(args.postgres)
            except Exception as exc:  # noqa: BLE001 - no server is a normal case, not a failure
                print(f"[postgresql] not reachable at {args.postgres.split('@')[-1]}: skipped "
                      f"({type(exc).__name__})", flush=True)
            else:
                with admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
                    admin.execute(f"CREATE DATABASE {BENCH_DB}")
                    try:
                        results["postgresql"] = run_backend("postgresql", _bench_url(cfg), workdir, accounts,
                                                            interactions)
                    finally:
                        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    full_size = accounts >= 10_000 and interactions >= 1_000_000
    results["ok"] = not full_size or all(r["pages_under_goal"] for r in (results["sqlite"], results["postgresql"]) if r)
    print(json.dumps(results))
    if not results["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
