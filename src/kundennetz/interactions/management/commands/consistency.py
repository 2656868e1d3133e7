"""`kundennetz consistency`: recompute the stored consistency measures of every account (for cron, nightly)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kundennetz.core.numberfields import whole_number_argument
from kundennetz.interactions import services



class Command(BaseCommand):
    help = ("Recompute the consistency score and measures of every account for the rolling twelve months "
            "(and the twelve before, for the trend) and store them for the management view. Run it nightly; "
            "an account is also refreshed whenever one of its interactions changes.")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="Compute as of this day (default: today).")
        parser.add_argument("--account", type=whole_number_argument, action="append", metavar="ID",
                            help="Only this account (repeatable).")

    def handle(self, *args, date=None, account=None, verbosity=1, **options):
        started = time.perf_counter()
        try:
            count = services.refresh_snapshots(date, account)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"Consistency computed for {count} accounts in {time.perf_counter() - started:.1f} s."))
