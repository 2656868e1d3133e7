"""`kundennetz qualify [--json] FILE [FILE ...]`: evaluate checklist files; the logic lives in `..cli`."""

import sys

from django.core.management.base import BaseCommand

from kundennetz.qualification.cli import default_catalogue, default_language, run_qualify


class Command(BaseCommand):
    help = (
        'Evaluate ASCOTSMAN checklists without a database. Each FILE ("-" for standard input) holds '
        '{"answers": {key: "yes"|"no"|"open"}, "threshold": n, "details": {id: value}}.'
    )
    # Scripts run this on machines without a database; neither checks may touch one.
    requires_system_checks = []
    requires_migrations_checks = False
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="One line of JSON per file instead of a readable summary.")
        parser.add_argument("--language", choices=("de", "en"),
                            help="Language of the summary (default: the user's language).")
        catalogue = default_catalogue()
        parser.epilog = "{}: {}. {}: {}.".format(
            "Answer keys", ", ".join(catalogue.keys),
            "Detail ids", ", ".join(d.id for c in catalogue.categories for d in c.details),
        )

    def handle(self, *args, files, as_json, language, **options):
        status = run_qualify(
            files, as_json=as_json, stdin=options.get("stdin") or sys.stdin,
            stdout=self.stdout, stderr=self.stderr, language=language or default_language(),
        )
        if status:
            # Not CommandError: that would add a second stderr line to the one per bad file.
            sys.exit(status)
