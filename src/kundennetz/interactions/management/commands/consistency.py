"""`kundennetz consistency`: recompute the stored consistency measures of every account (for cron, nightly)."""

import logging
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_number
from kundennetz.core.numberfields import whole_number_argument
from kundennetz.domain import consistency as dc
from kundennetz.interactions import services
from kundennetz.interactions.wording import consistency_refusal

logger = logging.getLogger("kundennetz.interactions")


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
        except dc.ConsistencyError as exc:
            raise CommandError(_("Consistency cannot be computed: %(reason)s") % {
                "reason": consistency_refusal(exc)}) from None
        except ValueError:
            # A refusal without a code: a sentence in the reader's language, the details in the log.
            logger.exception("Consistency cannot be computed")
            raise CommandError(_("Consistency cannot be computed with the present data; the log says why.")) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(_("Consistency computed for %(count)s accounts in %(seconds)s s.") % {
                "count": format_number(count), "seconds": format_number(time.perf_counter() - started, 1)}))
