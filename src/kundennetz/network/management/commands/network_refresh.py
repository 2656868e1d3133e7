"""`kundennetz network_refresh`: analyse every account's network again and store the results.

Changes to relations, contacts and involvements refresh their account at once; derived strengths fade with
time and a new weighting version applies to all, so this runs nightly (or after changing the weighting).
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_number
from kundennetz.network.services import refresh_all


class Command(BaseCommand):
    help = "Analyse the relationship network of every account again and store the results."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = refresh_all()
        self.stdout.write(_("%(count)s accounts analysed in %(seconds)s s.")
                          % {"count": format_number(count), "seconds": format_number(time.perf_counter() - started, 1)})
