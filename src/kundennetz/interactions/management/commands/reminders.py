"""`kundennetz reminders`: e-mail each account manager their due contacts (for cron, daily).

Mails go through Django's e-mail backend (the console by default; set KUNDENNETZ_EMAIL_BACKEND and
the usual EMAIL_* settings for a real server), each in its recipient's language. A day's reminder
is sent once: a second run on the same day skips whoever already got theirs.
"""

from collections import defaultdict
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from kundennetz.core.numberfields import whole_number_argument
from kundennetz.interactions import reminders


class Command(BaseCommand):
    help = ("E-mail everyone active who is responsible for accounts (the sales head too) the contacts that are "
            "overdue or due within the next days "
            "(accounts they are responsible for, most important first), in their language. Sends each person "
            "at most one reminder per day.")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="The day to remind for (default: today).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Show who would get how many items; send and record nothing.")
        parser.add_argument("--within", type=whole_number_argument, default=None, metavar="DAYS",
                            help="Also list contacts due within this many days (default: the setting “reminder window”, 7).")
        parser.add_argument("--force", action="store_true",
                            help="Send again to people who already got today's reminder.")

    def handle(self, *args, date=None, dry_run=False, within=None, force=False, verbosity=1,
               **options):
        day = date or timezone.localdate()
        report = reminders.send_reminders(day, within_days=None if within is None else max(0, min(within, 60)), dry_run=dry_run, force=force)
        if verbosity < 1:
            return
        counts = defaultdict(int)
        for line in report:
            counts[line.status] += 1
            if verbosity >= 2 or dry_run:
                self.stdout.write(f"{line.status:>8}  {line.email or '-':<40} {line.items:>4} item(s)  {line.name}")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nobody to remind"
        prefix = "Dry run, nothing sent: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary} ({day:%d.%m.%Y})."))
