"""Import 100,000 accounts from CSV with Kundennetz and with django-import-export; compare the times;
then the same file through the API path as background tasks while other people keep reading.

    .venv/bin/python bench/import_accounts.py            # 100,000 accounts
    .venv/bin/python bench/import_accounts.py --quick    # 10,000 accounts
    .venv/bin/python bench/import_accounts.py --rows 50000 --skip-import-export
    .venv/bin/python bench/import_accounts.py --api-only --database-url postgres://postgres@127.0.0.1/bench
    .venv/bin/python bench/import_accounts.py --api-only --web     # the same through the web pages

The API path: `POST /api/imports` (202) → the check by a real `kundennetz worker` process → `POST
/api/imports/{id}/commit` (202) → committed → `POST /api/imports/{id}/undo` (202) → undone. While the
commit runs, the account list (`GET /api/accounts`) is read over and over by another user; its p95
is reported (goal ≤ 500 ms on SQLite), with the commit's rows per second and the worker's peak RSS
(goal: the same for 10,000 and 100,000 rows).

Each tool imports the same generated file (seed 20260611) into its own fresh SQLite database (a copy
of one migrated database, WAL mode as in production) as the same administrator, with the same
validation: every row's values parsed, the owner looked up by user name, the model's `full_clean`
(lengths, choices, digits, ranges, the country code), and a history row per record attributed to the
importer. django-import-export runs as a Django user would set it up (a ModelResource keyed by the
external ID, `clean_model_instances = True`, its default one-row-at-a-time saving); it is a bench-only
dependency (`pip install django-import-export`). Kundennetz runs `kundennetz import … --commit`'s
code path (`services.import_file`): streamed in chunks of 1,000 rows with bulk writes.

Both databases are then compared (same number of accounts, same values for a sample). Prints both
times, their ratio and the peak memory of the process after the Kundennetz import; the last line is
one JSON object. Both wall-clock and CPU time are measured: on a machine shared with other work the
wall-clock figures of both tools stretch, the CPU times much less. Exits with status 1 when the check
fails or the (wall-clock) ratio is below the goal of 10.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260611
GOAL = 10.0
MANAGERS = 20
COLUMNS = ["external_id", "name", "legal_form", "industry", "street", "postal_code", "city", "country", "status",
           "annual_revenue", "potential", "contribution_margin_pct", "owner"]
CITIES = [("8001", "Zürich"), ("3011", "Bern"), ("4051", "Basel"), ("1204", "Genève"), ("6900", "Lugano"),
          ("9000", "St. Gallen"), ("6003", "Luzern"), ("8400", "Winterthur"), ("2502", "Biel/Bienne"),
          ("7000", "Chur"), ("80331", "München"), ("1010", "Wien")]
INDUSTRIES = ["Engineering", "Consulting", "IT Services", "Manufacturing", "Banking", "Insurance", "Pharma",
              "Retail", "Public administration", "Energy", "Logistics", "Tourism"]
WORDS = ["Alpen", "Rhein", "Aare", "Jura", "Gotthard", "Säntis", "Pilatus", "Limmat", "Reuss", "Berner", "Zürcher",
         "Helvetia", "Tell", "Matterhorn", "Bodensee", "Léman", "Ticino", "Engadin", "Emmen", "Thur"]
TRADES = ["Engineering", "Consulting", "Treuhand", "Logistik", "Software", "Bau", "Energie", "Technik", "Systeme",
          "Services", "Partner", "Holding"]
FORMS = [("AG", "ag"), ("GmbH", "gmbh"), ("SA", "ag"), ("Genossenschaft", "cooperative")]


def generate(path: Path, rows: int) -> None:
    """Accounts as a CRM export would carry them: external id, name, address, amounts, owner."""
    rng = random.Random(SEED)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index in range(rows):
            postal, city = rng.choice(CITIES)
            form_label, form = rng.choice(FORMS)
            name = f"{rng.choice(WORDS)} {rng.choice(TRADES)} {form_label} {index}"
            revenue = Decimal(rng.randint(0, 5_000_000_00)) / 100
            writer.writerow([
                f"EXT-{index:07d}", name, form, rng.choice(INDUSTRIES), f"Bahnhofstrasse {rng.randint(1, 200)}",
                postal, city, "DE" if postal == "80331" else ("AT" if postal == "1010" else "CH"),
                rng.choice(["prospect", "customer", "former"]), f"{revenue:.2f}",
                f"{revenue * 3:.2f}", f"{rng.randint(1500, 4500) / 100:.2f}", f"manager{rng.randrange(MANAGERS)}",
            ])


def setup_django(database: Path | str) -> None:
    os.environ["DATABASE_URL"] = database if isinstance(database, str) else f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundennetz.settings.test")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def use_database(path: Path) -> None:
    """Point the default connection at another database file."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = str(path)


def prepare_template(path: Path) -> None:
    from django.core.management import call_command

    from kundennetz.core.models import User
    from kundennetz.core.roles import Role

    def make_user(username, role, **extra):
        user = User(username=username, role=role, email=f"{username}@example.ch", **extra)
        user.set_password("bench-2026")
        user.save()

    call_command("migrate", verbosity=0)
    make_user("bench_admin", Role.ADMIN, is_superuser=True)
    for index in range(MANAGERS):
        make_user(f"manager{index}", Role.ACCOUNT_MANAGER)
    from django.db import connections

    connections["default"].close()


def run_kundennetz(csv_path: Path) -> tuple[float, float]:
    from kundennetz.core.models import User
    from kundennetz.imports import services
    from kundennetz.imports.engine import Mapping

    admin = User.objects.get(username="bench_admin")
    mapping = Mapping.from_json({"key": "external_id"})

    def on_open(source, _mapping):
        from kundennetz.imports.engine import suggest

        chosen = suggest(source.headers, "accounts")
        chosen.key = "external_id"
        return chosen

    started, cpu = time.perf_counter(), time.process_time()
    result, batch = services.import_file(str(csv_path), "accounts", admin, mapping, commit_changes=True,
                                         on_open=on_open)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if not result.ok or batch is None:
        raise SystemExit(f"Kundennetz import failed: {dict(result.counts)} {result.file_problem}")
    return elapsed, cpu


def run_import_export(csv_path: Path) -> tuple[float, float]:
    import tablib
    from import_export import fields, resources, widgets

    from kundennetz.accounts.models import Account
    from kundennetz.core.models import User

    admin = User.objects.get(username="bench_admin")

    class AccountResource(resources.ModelResource):
        owner = fields.Field(attribute="owner", column_name="owner", widget=widgets.ForeignKeyWidget(User, "username"))

        class Meta:
            model = Account
            import_id_fields = ("external_id",)
            fields = tuple(COLUMNS)
            clean_model_instances = True
            skip_unchanged = True

        def before_save_instance(self, instance, row, **kwargs):
            # As Kundennetz does: who created it, and history attributed to the importer.
            instance.stamp(admin)
            instance._history_user = admin

    started, cpu = time.perf_counter(), time.process_time()
    dataset = tablib.Dataset().load(csv_path.read_text(encoding="utf-8"), format="csv")
    result = AccountResource().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit(f"django-import-export failed: {result.totals}")
    return elapsed, cpu


def snapshot(limit: int = 200) -> tuple[int, list]:
    from kundennetz.accounts.models import Account

    sample = list(Account.objects.order_by("external_id").values_list(
        "external_id", "name", "legal_form", "city", "country", "status", "annual_revenue", "potential",
        "contribution_margin_pct", "owner__username")[:limit])
    return Account.objects.count(), sample


def history_count() -> int:
    from kundennetz.accounts.models import Account

    return Account.history.filter(history_user__username="bench_admin").count()


def _wait(client, batch_id: int, status: str, timeout: float, during=None) -> float:
    """Poll the batch until `status` (or failed); `during()` runs between polls. Seconds taken."""
    started = time.perf_counter()
    while True:
        current = client.get(f"/api/imports/{batch_id}").json()
        if current["status"] == status:
            return time.perf_counter() - started
        if current["status"] == "failed" or time.perf_counter() - started > timeout:
            raise SystemExit(f"API path: batch {batch_id} is {current['status']}: {current.get('failure')}")
        if during is not None:
            during()
        else:
            time.sleep(0.2)


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _p95_ms(latencies: list[float]) -> float:
    latencies = sorted(latencies)
    return latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000 if latencies else 0.0


def _start_worker(database_url: str, home: Path):
    """A real `kundennetz worker` process on the bench's database (each step of an import is its task)."""
    import subprocess

    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "kundennetz.settings.local",
           "KUNDENNETZ_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "kundennetz", "worker", "--interval", "0.2", "-v", "0",
                             "--no-startup-delay", "--no-schedule"], env=env, cwd=ROOT)


def run_api_path(csv_path: Path, rows: int, database_url: str, home: Path) -> dict:
    """Upload → check → commit → undo through the API, each step a task run by a separate worker
    process, with the account list read by another user meanwhile."""
    from django.test import Client, override_settings

    from kundennetz.core.models import ApiToken, User

    admin = User.objects.get(username="bench_admin")
    reader = User.objects.get(username="manager0")
    worker = _start_worker(database_url, home)
    latencies: list[float] = []
    try:
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(admin, 'bench')[1]}")
            other = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(reader, 'bench')[1]}")

            def read_list():
                started = time.perf_counter()
                response = other.get("/api/accounts?limit=50")
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"account list during the commit: HTTP {response.status_code}")
                time.sleep(0.05)

            with csv_path.open("rb") as handle:
                started = time.perf_counter()
                response = client.post("/api/imports", {"kind": "accounts", "file": handle,
                                                        "mapping": json.dumps({"key": "external_id"})})
            upload_s = time.perf_counter() - started
            if response.status_code != 202:
                raise SystemExit(f"upload: HTTP {response.status_code} {response.content[:300]!r}")
            batch_id = response.json()["id"]
            check_s = _wait(client, batch_id, "dry_run", 3600)
            started = time.perf_counter()
            if client.post(f"/api/imports/{batch_id}/commit").status_code != 202:
                raise SystemExit("commit was not accepted")
            commit_s = _wait(client, batch_id, "committed", 3600, during=read_list)
            from kundennetz.accounts.models import Account

            committed = Account.objects.count()
            if client.post(f"/api/imports/{batch_id}/undo?attached=keep").status_code != 202:
                raise SystemExit("undo was not accepted")
            undo_s = _wait(client, batch_id, "undone", 3600)
            remaining = Account.objects.count()
        rss = _peak_rss_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    p95 = _p95_ms(latencies)
    figures = {"api_upload_s": round(upload_s, 2), "api_check_s": round(check_s, 2),
               "api_commit_s": round(commit_s, 2), "api_commit_rows_per_s": round(rows / commit_s),
               "api_undo_s": round(undo_s, 2), "list_p95_ms_during_commit": round(p95, 1),
               "list_reads_during_commit": len(latencies), "worker_peak_rss_mb": round(rss),
               "api_committed": committed, "api_left_after_undo": remaining}
    print(f"API path ({'PostgreSQL' if database_url.startswith('postgres') else 'SQLite'}): upload {upload_s:.1f} s, "
          f"check {check_s:.1f} s, commit {commit_s:.1f} s ({rows / commit_s:,.0f} rows/s), undo {undo_s:.1f} s; "
          f"account list p95 {p95:.0f} ms over {len(latencies)} reads during the commit; worker peak RSS {rss:.0f} MB")
    return figures


def _wait_web(client, batch_id: int, status: str, timeout: float, during=None) -> float:
    """Poll the import's page (its progress fragment, as the browser does) until the batch is `status`;
    `during()` runs between polls."""
    from kundennetz.imports.models import ImportBatch

    started = time.perf_counter()
    while True:
        if during is not None:
            during()
        if client.get(f"/imports/{batch_id}/progress/").status_code not in (200, 204):  # 204: done, reload
            raise SystemExit(f"web path: the progress of batch {batch_id} does not answer")
        current = ImportBatch.objects.values_list("status", flat=True).get(pk=batch_id)
        if current == status:
            return time.perf_counter() - started
        if current == "failed" or time.perf_counter() - started > timeout:
            raise SystemExit(f"web path: batch {batch_id} is {current}")
        time.sleep(0.5)


def run_web_path(csv_path: Path, rows: int, database_url: str, home: Path) -> dict:
    """Upload → columns → check → commit → undo (after its confirmation page) through the web pages, as the
    browser sends them, each step a task run by a separate worker process."""
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from kundennetz.accounts.models import Account
    from kundennetz.core.models import User

    setup_test_environment()  # the responses keep their context: the columns form is read from it
    admin = User.objects.get(username="bench_admin")
    worker = _start_worker(database_url, home)
    try:
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(admin)
            other = Client(HTTP_HOST="127.0.0.1")
            other.force_login(User.objects.get(username="manager0"))
            latencies: list[float] = []

            def read_list():
                for _ in range(5):
                    started = time.perf_counter()
                    response = other.get("/accounts/")
                    latencies.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise SystemExit(f"account list page during the commit: HTTP {response.status_code}")

            with csv_path.open("rb") as handle:
                started = time.perf_counter()
                response = client.post("/imports/new/", {"kind": "accounts", "file": handle})
            upload_s = time.perf_counter() - started
            if response.status_code != 302:
                raise SystemExit(f"web upload: HTTP {response.status_code}")
            mapping_url = response.url
            batch_id = int(mapping_url.strip("/").split("/")[1])
            page = client.get(mapping_url)
            form = page.context["form"]
            data = {name: ("" if form.initial.get(name, field.initial) is None else form.initial.get(name, field.initial))
                    for name, field in form.fields.items()}
            data["key"] = "external_id"
            started = time.perf_counter()
            if client.post(mapping_url, data).status_code != 302:
                raise SystemExit("web: the columns were not accepted")
            check_s = _wait_web(client, batch_id, "dry_run", 3600)
            started = time.perf_counter()
            if client.post(f"/imports/{batch_id}/commit/").status_code != 302:
                raise SystemExit("web: commit was not accepted")
            commit_s = _wait_web(client, batch_id, "committed", 3600, during=read_list)
            committed = Account.objects.count()
            if client.get(f"/imports/{batch_id}/undo/").status_code != 200:
                raise SystemExit("web: no confirmation page before the undo")
            if client.post(f"/imports/{batch_id}/undo/", {"attached": "keep"}).status_code != 302:
                raise SystemExit("web: undo was not accepted")
            undo_s = _wait_web(client, batch_id, "undone", 3600)
            remaining = Account.objects.count()
        rss = _peak_rss_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    p95 = _p95_ms(latencies)
    print(f"Web path ({'PostgreSQL' if database_url.startswith('postgres') else 'SQLite'}): upload {upload_s:.1f} s, "
          f"check {check_s:.1f} s, commit {commit_s:.1f} s ({rows / commit_s:,.0f} rows/s), undo {undo_s:.1f} s; "
          f"account list page p95 {p95:.0f} ms over {len(latencies)} reads during the commit; "
          f"worker peak RSS {rss:.0f} MB")
    return {"web_upload_s": round(upload_s, 2), "web_check_s": round(check_s, 2), "web_commit_s": round(commit_s, 2),
            "web_undo_s": round(undo_s, 2), "web_list_page_p95_ms_during_commit": round(p95, 1),
            "web_list_reads_during_commit": len(latencies), "web_worker_peak_rss_mb": round(rss),
            "web_committed": committed, "web_left_after_undo": remaining}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 accounts")
    parser.add_argument("--rows", type=int, help="number of accounts (default 100,000; 10,000 with --quick)")
    parser.add_argument("--skip-import-export", action="store_true", help="time Kundennetz only")
    parser.add_argument("--api-only", action="store_true", help="only the API path with a worker")
    parser.add_argument("--skip-api", action="store_true", help="leave out the API path")
    parser.add_argument("--database-url", help="the API path on this (empty) database, e.g. PostgreSQL")
    parser.add_argument("--web", action="store_true", help="with --api-only: the web pages instead of the API")
    args = parser.parse_args()
    if args.api_only:
        return api_only(args)
    rows = args.rows or (10_000 if args.quick else 100_000)
    compare = not args.skip_import_export
    if compare and importlib.util.find_spec("import_export") is None:
        print("django-import-export is not installed (pip install django-import-export==4.4.3, a bench-only "
              "dependency): timing Kundennetz only.")
        compare = False

    work = Path(tempfile.mkdtemp(prefix="kundennetz-bench-"))
    try:
        csv_path = work / "accounts.csv"
        generate(csv_path, rows)
        size_mb = csv_path.stat().st_size / 1024 / 1024
        print(f"{rows:,} accounts generated: {size_mb:.1f} MB CSV")
        template = work / "template.sqlite3"
        setup_django(template)
        prepare_template(template)

        ours_db, theirs_db = work / "kundennetz.sqlite3", work / "import_export.sqlite3"
        shutil.copy(template, ours_db)
        use_database(ours_db)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ours, ours_cpu = run_kundennetz(csv_path)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ours_count, ours_sample = snapshot()
        ours_history = history_count()
        print(f"Kundennetz:           {ours:8.2f} s  ({rows / ours:,.0f} rows/s; CPU {ours_cpu:.2f} s), peak memory "
              f"{rss_after:.0f} MB (+{rss_after - rss_before:.0f} MB)")

        figures = {"benchmark": "import_accounts", "rows": rows, "csv_mb": round(size_mb, 1),
                   "kundennetz_s": round(ours, 3), "kundennetz_cpu_s": round(ours_cpu, 3),
                   "kundennetz_rows_per_s": round(rows / ours),
                   "peak_rss_mb": round(rss_after), "goal_ratio": GOAL}
        checks = ours_count == rows and ours_history == rows
        if compare:
            shutil.copy(template, theirs_db)
            use_database(theirs_db)
            theirs, theirs_cpu = run_import_export(csv_path)
            theirs_count, theirs_sample = snapshot()
            theirs_history = history_count()
            ratio = theirs / ours
            same = theirs_count == ours_count and theirs_sample == ours_sample and theirs_history == ours_history
            checks = checks and same
            cpu_ratio = theirs_cpu / ours_cpu
            print(f"django-import-export: {theirs:8.2f} s  ({rows / theirs:,.0f} rows/s; CPU {theirs_cpu:.2f} s)")
            print(f"ratio:                {ratio:8.1f}×  (goal ≥ {GOAL:.0f}×; CPU time {cpu_ratio:.1f}×)")
            print(f"same records: {'yes' if same else 'NO'} ({theirs_count:,} accounts, history rows {ours_history:,} "
                  f"and {theirs_history:,})")
            figures.update(import_export_s=round(theirs, 3), import_export_cpu_s=round(theirs_cpu, 3),
                           import_export_rows_per_s=round(rows / theirs), ratio=round(ratio, 1),
                           cpu_ratio=round(cpu_ratio, 1), same_records=same)
            checks = checks and ratio >= GOAL
        if not args.skip_api:
            api_db = work / "api.sqlite3"
            shutil.copy(template, api_db)
            use_database(api_db)
            api = run_api_path(csv_path, rows, f"sqlite:///{api_db}", work)
            figures.update(api)
            checks = checks and api["api_committed"] == rows and api["api_left_after_undo"] == 0
        figures["ok"] = bool(checks)
        print(json.dumps(figures))
        return 0 if checks else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def api_only(args) -> int:
    """The API path alone, on SQLite or on the database of --database-url (migrated here)."""
    rows = args.rows or (10_000 if args.quick else 100_000)
    work = Path(tempfile.mkdtemp(prefix="kundennetz-bench-"))
    try:
        csv_path = work / "accounts.csv"
        generate(csv_path, rows)
        url = args.database_url or f"sqlite:///{work / 'api.sqlite3'}"
        setup_django(url)
        if url.startswith("postgres"):
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        prepare_template(work)
        figures = {"benchmark": "import_accounts", "rows": rows,
                   "database": "postgresql" if url.startswith("postgres") else "sqlite"}
        if args.web:
            figures.update(run_web_path(csv_path, rows, url, work))
            figures["ok"] = figures["web_committed"] == rows and figures["web_left_after_undo"] == 0
        else:
            figures.update(run_api_path(csv_path, rows, url, work))
            figures["ok"] = figures["api_committed"] == rows and figures["api_left_after_undo"] == 0
        print(json.dumps(figures))
        return 0 if figures["ok"] else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
