"""`kundennetz network [--json] FILE [FILE ...]`: analyse relationship-network files; the logic lives in `..cli`."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kundennetz.network.cli import run_network
from kundennetz.qualification.cli import default_language


class Command(BaseCommand):
    help = (
        'Analyse relationship networks without a database. Each FILE ("-" for standard input) holds '
        '{"our_people": [id], "contacts": [{"id": id, "role": role}], "relations": [{"a": id, "b": id, '
        '"kind": "knows"|"reports_to"|"influences", "strength": 0..1}], "opportunity_contacts": [id], '
        '"min_strength": 0.5}.'
    )
    # Scripts run this on machines without a database; neither checks may touch one.
    requires_system_checks = []
    requires_migrations_checks = False
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help=_("One line of JSON per file instead of a readable summary."))
        parser.add_argument("--language", choices=("de", "en"),
                            help=_("Language of the summary (default: the user's language)."))

    def handle(self, *args, files, as_json, language, **options):
        status = run_network(files, as_json=as_json, stdin=options.get("stdin") or sys.stdin,
                             stdout=self.stdout, stderr=self.stderr, language=language or default_language())
        if status:
            # Not CommandError: that would add a second stderr line to the one per bad file.
            sys.exit(status)
