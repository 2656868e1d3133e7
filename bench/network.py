"""Benchmark of the relationship network: analysing every account, and one account's map page.

1. The measures of `domain/network.py` (coverage, bus factor, routes, weak points, threads) over a
   generated portfolio held in memory: 100,000 accounts, 1,000,000 contacts, 3,000,000 relations in the
   full run (10,000 / 100,000 / 300,000 with --quick), and the same at a tenth of the size to show that
   the time grows linearly.
2. The same through the database, as `kundennetz network_refresh` does it (load in chunks of 2,000 with a
   fixed number of queries, analyse, store one row per account and per opportunity), on SQLite, at
   20,000 accounts (2,000 with --quick).
3. One account's map page with 200 contacts (and one with 20): median time through Django's test client,
   logged in, and the number of queries of both (must be equal).

Run: .venv/bin/python bench/network.py [--quick]. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kundennetz.domain import network as nw  # noqa: E402

SEED = 20261204
GOAL_ALL_S = 60.0
GOAL_PAGE_MS = 200.0
ROLES = ("decision_maker", "influencer", "technical_evaluator", "user", "gatekeeper", "coach")
ROLE_WEIGHTS = (0.15, 0.2, 0.15, 0.3, 0.1, 0.1)


def make_account(rng: random.Random, contacts_n: int, relations_n: int) -> tuple[nw.Network, list]:
    """One account: an org chart (each contact but the first reports to an earlier one), some influence,
    and `knows` ties of 2–5 of our people with strengths 0–1 for the rest of the relations."""
    contacts = {f"c{i}": ("decision_maker" if i == 0 else rng.choices(ROLES, ROLE_WEIGHTS)[0])
                for i in range(contacts_n)}
    ours = [f"u{i}" for i in range(rng.randint(2, 5))]
    relations = [nw.Relation(f"c{i}", f"c{rng.randrange(i)}", nw.REPORTS_TO) for i in range(1, contacts_n)]
    influence = max(0, min(contacts_n // 3, relations_n - len(relations)) // 1)
    for _ in range(influence // 3):
        a, b = rng.sample(range(contacts_n), 2)
        relations.append(nw.Relation(f"c{a}", f"c{b}", nw.INFLUENCES))
    while len(relations) < relations_n:
        relations.append(nw.Relation(rng.choice(ours), f"c{rng.randrange(contacts_n)}", nw.KNOWS,
                                     round(rng.random(), 2)))
    opportunity = rng.sample(sorted(contacts), min(3, contacts_n))
    return nw.Network(frozenset(ours), contacts, tuple(relations), 0.5), opportunity


def portfolio(accounts: int, contacts: int, relations: int, seed: int = SEED):
    rng = random.Random(seed)
    per_contacts, per_relations = contacts / accounts, relations / accounts
    for _ in range(accounts):
        size = max(1, round(rng.uniform(0.4, 1.6) * per_contacts))
        yield make_account(rng, size, max(size, round(per_relations * size / per_contacts)))


def domain_run(accounts: int, contacts: int, relations: int) -> dict:
    # Generated and analysed one account at a time (3M relations at once would not fit a small machine);
    # only the analysis is timed.
    counted = [0, 0]
    seconds = cpu = 0.0
    weak = single = uncovered = 0
    for network, opportunity in portfolio(accounts, contacts, relations):
        counted[0] += len(network.contacts)
        counted[1] += len(network.relations)
        started, started_cpu = time.perf_counter(), time.process_time()
        result = nw.analyse(network, opportunity)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        weak += bool(result.weak_points)
        single += bool(result.single_threaded)
        uncovered += bool(result.uncovered)
    return {"accounts": accounts, "contacts": counted[0], "relations": counted[1], "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2), "per_account_us": round(seconds / accounts * 1e6, 1), "with_weak_points": weak,
            "single_threaded": single, "with_uncovered": uncovered}


# --- the database part --------------------------------------------------------------------------------

def setup_django(home: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{home}/bench.sqlite3"
    os.environ["KUNDENNETZ_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "kundennetz.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fill_database(accounts_n: int, per_account: int = 10, relations_per_account: int = 30) -> dict:
    """Accounts with contacts, relations and one opportunity each, written with bulk inserts."""
    from decimal import Decimal

    from django.db import connection, transaction

    from kundennetz.accounts.models import Account, Contact, Opportunity, OpportunityContact, Stage
    from kundennetz.core.models import User
    from kundennetz.core.roles import Role
    from kundennetz.network.models import Relation

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = OFF")
    rng = random.Random(SEED)
    started = time.perf_counter()
    users = [User(username=f"am{i}", role=Role.ACCOUNT_MANAGER, first_name="AM", last_name=str(i))
             for i in range(50)]
    User.objects.bulk_create(users)
    users = list(User.objects.all())
    admin = User.objects.create(username="boss", role=Role.ADMIN, is_superuser=True)
    stage = Stage.objects.filter(type=Stage.Type.OPEN).first()
    with transaction.atomic():
        accounts = Account.objects.bulk_create(
            [Account(name=f"Konto {i:06d}", owner=users[i % len(users)],
                     annual_revenue=Decimal(rng.randint(0, 5_000_000))) for i in range(accounts_n)], batch_size=5000)
        contacts = Contact.objects.bulk_create(
            [Contact(account=a, last_name=f"P{j}", buying_role="decision_maker" if j == 0 else rng.choice(ROLES))
             for a in accounts for j in range(per_account)], batch_size=5000)
        by_account = [contacts[i * per_account:(i + 1) * per_account] for i in range(accounts_n)]
        relations = []
        for account, people in zip(accounts, by_account):
            for j in range(1, len(people)):
                relations.append(Relation(account=account, kind="reports_to", contact=people[j],
                                          other=people[rng.randrange(j)]))
            for _ in range(2):
                a, b = rng.sample(people, 2)
                relations.append(Relation(account=account, kind="influences", contact=a, other=b))
            ours = rng.sample(users, 3)
            pairs = set()
            while len(pairs) < relations_per_account - len(people) - 1:
                pairs.add((rng.randrange(3), rng.randrange(len(people))))
            for u, c in pairs:
                relations.append(Relation(account=account, kind="knows", contact=people[c], user=ours[u],
                                          strength=Decimal(str(round(rng.random(), 2)))))
        Relation.objects.bulk_create(relations, batch_size=5000)
        opportunities = Opportunity.objects.bulk_create(
            [Opportunity(account=a, title="Projekt", owner=a.owner, stage=stage) for a in accounts], batch_size=5000)
        OpportunityContact.objects.bulk_create(
            [OpportunityContact(opportunity=o, contact=c, role="user")
             for o, people in zip(opportunities, by_account) for c in people[:3]], batch_size=5000)
    return {"accounts": accounts_n, "contacts": len(contacts), "relations": len(relations),
            "fill_seconds": round(time.perf_counter() - started, 1), "admin": admin}


def database_run(accounts_n: int) -> dict:
    from kundennetz.network.models import AccountNetwork
    from kundennetz.network.services import refresh_all

    filled = fill_database(accounts_n)
    admin = filled.pop("admin")
    started, started_cpu = time.perf_counter(), time.process_time()
    count = refresh_all()
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    assert count == accounts_n == AccountNetwork.objects.count()
    return {**filled, "refresh_seconds": round(seconds, 2), "refresh_cpu_seconds": round(cpu, 2),
            "refresh_per_account_us": round(seconds / accounts_n * 1e6, 1), "_admin": admin}


def page_run(admin) -> dict:
    from decimal import Decimal

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kundennetz.accounts.models import Account, Contact
    from kundennetz.core.models import User
    from kundennetz.network.models import Relation

    rng = random.Random(SEED + 1)
    users = list(User.objects.filter(role="account_manager")[:6])

    def account_with(size: int) -> Account:
        account = Account.objects.create(name=f"Gross {size}", owner=users[0])
        people = []
        for j in range(size):
            people.append(Contact.objects.create(
                account=account, last_name=f"Person {j}", first_name="Vorname",
                buying_role="decision_maker" if j % 15 == 0 else rng.choice(ROLES),
                reports_to=people[rng.randrange(max(1, j // 3))] if j else None))
        for j in range(size * 2):
            Relation.objects.create(account=account, kind="knows", user=rng.choice(users),
                                    contact=rng.choice(people), strength=Decimal(str(round(rng.random(), 2))))
        for _ in range(size // 10):
            a, b = rng.sample(people, 2)
            Relation.objects.create(account=account, kind="influences", contact=a, other=b)
        return account

    client = Client()
    client.force_login(admin)
    figures = {}
    for size in (20, 200):
        account = account_with(size)
        url = reverse("network:account_map", args=[account.pk])
        assert client.get(url).status_code == 200
        times, cpu = [], []
        for _ in range(5):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        figures[size] = {"median_ms": round(statistics.median(times), 1),
                         "median_cpu_ms": round(statistics.median(cpu), 1), "queries": len(queries.captured_queries),
                         "bytes": len(response.content)}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size (under a minute)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    full = (100_000 // scale, 1_000_000 // scale, 3_000_000 // scale)
    tenth = tuple(v // 10 for v in full)

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    small = domain_run(*tenth)
    print(f"domain, {small['accounts']:,} accounts: {small['seconds']} s, CPU {small['cpu_seconds']} s "
          f"({small['per_account_us']} µs per account)")
    big = domain_run(*full)
    print(f"domain, {big['accounts']:,} accounts, {big['contacts']:,} contacts, {big['relations']:,} relations: "
          f"{big['seconds']} s, CPU {big['cpu_seconds']} s ({big['per_account_us']} µs per account); weak points at {big['with_weak_points']:,}, "
          f"single-threaded {big['single_threaded']:,}, uncovered at {big['with_uncovered']:,}")
    # CPU time: on a shared machine the wall clock also counts the time other processes had the cores.
    linear = big["cpu_seconds"] / max(small["cpu_seconds"], 1e-9) / 10

    with tempfile.TemporaryDirectory() as home:
        setup_django(home)
        db = database_run(20_000 // scale)
        admin = db.pop("_admin")
        print(f"database ({db['accounts']:,} accounts, {db['contacts']:,} contacts, {db['relations']:,} relations; "
              f"filled in {db['fill_seconds']} s): refresh_all {db['refresh_seconds']} s, CPU {db['refresh_cpu_seconds']} s "
              f"({db['refresh_per_account_us']} µs per account)")
        pages = page_run(admin)
        for size, page in pages.items():
            print(f"map page, {size} contacts: {page['median_ms']} ms median of 5 (CPU {page['median_cpu_ms']} ms), "
                  f"{page['queries']} queries, "
                  f"{page['bytes']:,} bytes")

    checks = {
        "all_accounts_within_goal": big["cpu_seconds"] <= GOAL_ALL_S / scale,
        "linear_within_50_percent": 0.5 <= linear <= 1.5,
        "page_within_goal": pages[200]["median_cpu_ms"] <= GOAL_PAGE_MS,
        "queries_constant": pages[20]["queries"] == pages[200]["queries"],
    }
    print("checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in checks.items()))
    print(json.dumps({"quick": args.quick, "domain_small": small, "domain": big, "growth_vs_linear": round(linear, 2),
                      "database": db, "page_20": pages[20], "page_200": pages[200], "checks": checks}))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
