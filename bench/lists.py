"""Benchmark: every list, picture and dashboard page at size, for an account manager and the sales head.

Builds a network with ``kundennetz generate`` (``--quick``: 10,000 accounts; full: ``--accounts``, default
1,000,000, with contacts, opportunities and interactions in proportion: 3, 1 and 10 per account) into a
temporary SQLite database and, when a server answers at ``--postgres``, into a PostgreSQL database made
for the run (``kundennetz_bench_lists``, dropped afterwards). Account managers own 5,000 accounts each.

Then, per database and role, each page is requested in-process through Django's test client: one warm-up,
then ``--repeat`` timed requests (median and p95 in ms), the number of queries of one request, the size of
the answer, and the peak RSS of a worker serving it (each page runs in a process forked for it, so one
page's memory does not hide another's), with what the first request added to it and the peak of Python
objects during that request (tracemalloc). The floor is a bare indexed ``SELECT … LIMIT 50`` on the page's
main table; ``ratio`` is the page's p95 over the floor's p95. Goal: p95 <= 200 ms everywhere (a full run
exits with status 1 when a page misses it).

The last line of output is one JSON object with all figures.

    .venv/bin/python bench/lists.py --quick
    nice -n 10 .venv/bin/python bench/lists.py --accounts 200000
    .venv/bin/python bench/lists.py --quick --no-postgres
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "kundennetz_bench_lists"
GOAL_MS = 200.0

# (name, url, floor table, roles) — the deep page is page 400 (10,000 rows in).
PAGES = [
    ("home", "/", "accounts_account", "both"),
    ("accounts", "/accounts/", "accounts_account", "both"),
    ("accounts deep page", "/accounts/?page=400", "accounts_account", "both"),
    ("accounts by revenue", "/accounts/?sort=-revenue", "accounts_account", "both"),
    ("accounts by owner", "/accounts/?sort=owner", "accounts_account", "both"),
    ("accounts by customer group", "/accounts/?sort=-segment", "accounts_account", "both"),
    ("accounts customers by city", "/accounts/?status=customer&sort=city", "accounts_account", "both"),
    ("accounts search", "/accounts/?q=zurich", "accounts_account", "both"),
    ("accounts by planned contacts", "/accounts/?sort=-planned", "accounts_account", "both"),
    ("accounts of one strategy", "/accounts/?strategy=selective_withdrawal", "accounts_account", "both"),
    ("contacts", "/contacts/", "accounts_contact", "both"),
    ("contacts deep page", "/contacts/?page=400", "accounts_contact", "both"),
    ("contacts by account", "/contacts/?sort=account", "accounts_contact", "both"),
    ("contacts search", "/contacts/?q=muller", "accounts_contact", "both"),
    ("opportunities", "/opportunities/", "accounts_opportunity", "both"),
    ("opportunities deep page", "/opportunities/?page=400", "accounts_opportunity", "both"),
    ("opportunities offer", "/opportunities/?recommendation=offer", "accounts_opportunity", "both"),
    ("opportunities by volume", "/opportunities/?sort=-volume", "accounts_opportunity", "both"),
    ("opportunities by account", "/opportunities/?sort=account", "accounts_opportunity", "both"),
    ("opportunities by stage", "/opportunities/?sort=-stage", "accounts_opportunity", "both"),
    ("opportunities by owner", "/opportunities/?sort=owner", "accounts_opportunity", "both"),
    ("opportunities by win chance", "/opportunities/?sort=-win", "accounts_opportunity", "both"),
    ("opportunities search", "/opportunities/?q=projekt", "accounts_opportunity", "both"),
    ("interactions", "/interactions/", "interactions_interaction", "both"),
    ("interactions deep page", "/interactions/?page=400", "interactions_interaction", "both"),
    ("interactions of one type", "/interactions/?type=call", "interactions_interaction", "both"),
    ("interactions search", "/interactions/?q=jahresgespr", "interactions_interaction", "both"),
    ("portfolio", "/portfolio/", "portfolio_accountposition", "both"),
    ("portfolio table", "/portfolio/accounts/", "portfolio_accountposition", "both"),
    ("planning", "/planning/", "accounts_account", "both"),
    ("my week", "/my-week/", "interactions_interaction", "both"),
    ("management", "/management/consistency/", "accounts_account", "head"),
    ("management red, by score", "/management/consistency/?band=red&sort=-score", "accounts_account", "head"),
    ("account chooser", "/accounts/choices/?q=alpen", "accounts_account", "both"),
    ("API accounts", "/api/accounts?limit=50", "accounts_account", "both"),
    ("API contacts", "/api/contacts?limit=50", "accounts_contact", "both"),
    ("API opportunities", "/api/opportunities?limit=50", "accounts_opportunity", "both"),
    ("API accounts search", "/api/accounts?q=zurich&limit=50", "accounts_account", "both"),
    ("API interactions", "/api/interactions/?limit=50", "interactions_interaction", "both"),
    ("API interactions search", "/api/interactions/?q=jahresgespr&limit=50", "interactions_interaction", "both"),
]

FLOOR_SQL = {
    "accounts_account": "SELECT id, name FROM accounts_account WHERE deleted_at IS NULL ORDER BY name LIMIT 50",
    "accounts_contact": "SELECT id, last_name FROM accounts_contact WHERE deleted_at IS NULL ORDER BY id LIMIT 50",
    "accounts_opportunity": "SELECT id, title FROM accounts_opportunity WHERE deleted_at IS NULL ORDER BY id LIMIT 50",
    "interactions_interaction": "SELECT id, date FROM interactions_interaction ORDER BY date DESC LIMIT 50",
    "portfolio_accountposition": "SELECT account_id, cell FROM portfolio_accountposition LIMIT 50",
}


def _env(database_url: str, home: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, KUNDENNETZ_HOME=home,
               DJANGO_SETTINGS_MODULE="kundennetz.settings.local")
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def _kundennetz(*args: str, env: dict) -> str:
    exe = Path(sys.executable).parent / "kundennetz"
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"kundennetz {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


# --------------------------------------------------------------------------------------------------
# Measuring (in the child process that has Django set up)
# --------------------------------------------------------------------------------------------------


def _measure_page(client, url: str, headers: dict, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first request's memory: what the worker's resident size grew by (getrusage), and the peak of
    # Python objects alive during the request (tracemalloc).
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    heap_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_added = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    status = response.status_code
    size = len(response.content)
    queries = len(captured.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
    return {"status": status, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 0.95), 1), "queries": queries, "bytes": size,
            "request_rss_added_mb": round(rss_added / 1024, 1), "request_heap_peak_mb": round(heap_peak / 2**20, 1)}


def _forked(fn) -> dict:
    """Run fn() in a forked process; return its dict plus that process's peak RSS in MB."""
    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            result = fn()
            result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            result = {"error": repr(exc)[:500]}
        with os.fdopen(write, "w") as out:
            json.dump(result, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as incoming:
        data = incoming.read()
    os.waitpid(pid, 0)
    return json.loads(data) if data else {"error": "no answer"}


def measure_page(user, token: str, url: str, repeat: int) -> dict:
    """One page for one user in a process forked for it (`_forked`): `_measure_page`'s figures and the peak
    RSS of the process (``peak_rss_mb``). API pages are asked with the user's `token`, others signed in."""
    from django.test import Client

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if url.startswith("/api/") else {}

    def run():
        client = Client()
        if not url.startswith("/api/"):
            client.force_login(user)
        return _measure_page(client, url, headers, repeat)

    return _forked(run)


def measure(database_url: str, home: str, repeat: int, only: str | None) -> dict:
    os.environ.update(_env(database_url, home))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from kundennetz.core.models import ApiToken, User

    setup_test_environment()
    head = User.objects.filter(role="sales_head", username__startswith="gen-").order_by("pk").first()
    manager = User.objects.filter(role="account_manager", username__startswith="gen-").order_by("pk").first()
    roles = {"am": manager, "head": head}
    tokens = {key: ApiToken.issue(user, "bench")[1] for key, user in roles.items()}

    floors = {}
    with connection.cursor() as cursor:
        for table, sql in FLOOR_SQL.items():
            cursor.execute(sql)
            cursor.fetchall()
            times = []
            for _ in range(max(repeat, 10)):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
            floors[table] = {"median_ms": round(statistics.median(times), 2),
                             "p95_ms": round(_percentile(times, 0.95), 2)}

    pages = []
    for name, url, table, who in PAGES:
        if only and only not in name:
            continue
        for role in ("am", "head"):
            if who == "head" and role != "head":
                continue
            figures = measure_page(roles[role], tokens[role], url, repeat)
            floor = floors[table]["p95_ms"]
            if "p95_ms" in figures and floor:
                figures["ratio"] = round(figures["p95_ms"] / floor, 1)
            figures.update(page=name, url=url, role=role)
            pages.append(figures)
            print(f"  {role:4} {name:30} " + (
                f"{figures['status']} median {figures['median_ms']:8.1f} ms  p95 {figures['p95_ms']:8.1f} ms  "
                f"{figures['queries']:3} queries  {figures['bytes'] / 1024:8.1f} KB  "
                f"RSS {figures['peak_rss_mb']:7.1f} MB (+{figures['request_rss_added_mb']:.1f}, "
                f"heap {figures['request_heap_peak_mb']:.1f})" if "error" not in figures else figures["error"]),
                flush=True)
    return {"floors": floors, "pages": pages}


# --------------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------------


def _postgres_available(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001
        return False


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def run_database(label: str, database_url: str, accounts: int, repeat: int, only: str | None,
                 keep: Path | None = None) -> dict:
    """Generate (or, with ``keep``, reuse a network generated before at that size) and measure."""
    home = str(keep / f"home-{label.lower()}") if keep else tempfile.mkdtemp(prefix="kundennetz-bench-lists-")
    os.makedirs(home, exist_ok=True)
    marker = keep / f"generated-{label.lower()}-{accounts}.json" if keep else None
    env = _env(database_url, home)
    try:
        _kundennetz("migrate", "--noinput", "-v", "0", env=env)
        if marker and marker.exists():
            generated = json.loads(marker.read_text())
            generate_s = generated["generate_s"]
            print(f"{label}: reusing {generated['counts']} generated before in {generate_s:.1f} s", flush=True)
        else:
            started = time.perf_counter()
            generated = json.loads(_kundennetz("generate", "--accounts", str(accounts), "--json", env=env)
                                   .strip().splitlines()[-1])
            generate_s = time.perf_counter() - started
            generated["generate_s"] = round(generate_s, 1)
            if marker:
                marker.write_text(json.dumps(generated))
            print(f"{label}: generated {generated['counts']} in {generate_s:.1f} s", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--child", database_url, home, str(repeat), only or ""],
            env=env, capture_output=True, text=True)
        sys.stdout.write("\n".join(child.stdout.splitlines()[:-1]) + "\n")
        if child.returncode:
            raise SystemExit(f"measuring on {label} failed:\n{child.stderr[-3000:]}")
        figures = json.loads(child.stdout.splitlines()[-1])
        figures["generate_s"] = round(generate_s, 1)
        figures["counts"] = generated["counts"]
        return figures
    finally:
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        database_url, home, repeat, only = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] or None
        print(json.dumps(measure(database_url, home, repeat, only)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 accounts, 5 repeats")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=None, help="timed requests per page (default 5 quick, 11 full)")
    parser.add_argument("--postgres", default=PG_DEFAULT, help="a PostgreSQL server's URL (any database on it)")
    parser.add_argument("--pg-database", default=BENCH_DB,
                        help="the name of the PostgreSQL database made for the run (several runs at once on one "
                             "server each need their own)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--only", default=None, help="measure only pages whose name contains this")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the generated networks in this folder (SQLite file; the PostgreSQL database "
                             "is not dropped) and reuse them when run again at the same size")
    args = parser.parse_args()
    accounts = 10_000 if args.quick else args.accounts
    repeat = args.repeat or (5 if args.quick else 11)
    results = {"accounts": accounts, "repeat": repeat, "goal_p95_ms": GOAL_MS, "databases": {}}

    keep = args.keep.resolve() if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    if not args.no_sqlite:
        folder = str(keep) if keep else tempfile.mkdtemp(prefix="kundennetz-bench-lists-db-")
        database = Path(folder) / f"bench-{accounts}.sqlite3"
        try:
            results["databases"]["sqlite"] = run_database(
                "SQLite", f"sqlite:///{database}", accounts, repeat, args.only, keep)
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
    if not args.no_postgres and _postgres_available(args.postgres):
        base = args.postgres.rsplit("/", 1)[0]
        name = f"{args.pg_database}_{accounts}" if keep else args.pg_database
        reuse = keep and (keep / f"generated-postgresql-{accounts}.json").exists()
        if not reuse:
            _pg_admin(args.postgres, f"DROP DATABASE IF EXISTS {name}")
            _pg_admin(args.postgres, f"CREATE DATABASE {name}")
        try:
            results["databases"]["postgresql"] = run_database(
                "PostgreSQL", f"{base}/{name}", accounts, repeat, args.only, keep)
        finally:
            if not keep:
                _pg_admin(args.postgres, f"DROP DATABASE IF EXISTS {name}")
    elif not args.no_postgres:
        print(f"PostgreSQL not reachable at {args.postgres}: measured SQLite only.")

    misses = [f"{db}:{p['role']}:{p['page']}" for db, figures in results["databases"].items()
              for p in figures["pages"] if "error" in p or p.get("p95_ms", 0) > GOAL_MS or p.get("status") != 200]
    results["over_goal"] = misses
    print(f"pages over {GOAL_MS:.0f} ms p95 or failing: {len(misses)}" + (f" ({', '.join(misses)})" if misses else ""))
    print(json.dumps(results))
    return 1 if misses and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
