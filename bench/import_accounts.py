"""Import 100,000 accounts from CSV with Kundennetz and with django-import-export; compare the times.

    .venv/bin/python bench/import_accounts.py            # 100,000 accounts
    .venv/bin/python bench/import_accounts.py --quick    # 10,000 accounts
    .venv/bin/python bench/import_accounts.py --rows 50000 --skip-import-export

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


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
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

    from kundennetz.core.roles import Role
    from kundennetz.core.testing import make_user

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 accounts")
    parser.add_argument("--rows", type=int, help="number of accounts (default 100,000; 10,000 with --quick)")
    parser.add_argument("--skip-import-export", action="store_true", help="time Kundennetz only")
    args = parser.parse_args()
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
        figures["ok"] = bool(checks)
        print(json.dumps(figures))
        return 0 if checks else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
