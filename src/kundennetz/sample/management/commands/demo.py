"""`kundennetz demo`: load the demo network of a Swiss engineering and IT consultancy and print its logins."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kundennetz.sample.demo import DemoRefused, format_logins, load_demo


class Command(BaseCommand):
    help = (
        "Load a deterministic demo network (about 60 accounts, 200 contacts, 12 competitors, 80 opportunities "
        "in every stage, 7 users covering all five roles) and print the demo logins. Names and figures are the "
        "same on every load; dates are relative to today (or --reference-date). Refuses a database that "
        "already holds accounts, competitors or users other than the demo users. Everything happens in one "
        "transaction: on any error nothing is changed."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--force", action="store_true",
            help="Delete every account, contact, opportunity and competitor and their history, reset the "
                 "demo users, then load. Users who are not demo users are kept.")
        mode.add_argument(
            "--if-empty", action="store_true",
            help="Load only into a database without accounts, competitors and users; otherwise do nothing "
                 "and print nothing (for `make run`).")
        parser.add_argument(
            "--reference-date", type=date.fromisoformat, metavar="YYYY-MM-DD",
            help="The day the demo's dates are relative to (default: today).")

    def handle(self, *args, force=False, if_empty=False, reference_date=None, verbosity=1, **options):
        talk = verbosity >= 1
        try:
            result = load_demo(force=force, if_empty=if_empty, today=reference_date,
                               stdout=self.stdout if talk else None)
        except DemoRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        if not result.loaded:
            if verbosity >= 2:
                self.stdout.write("The database is not empty; the demo was not loaded.")
            return
        if not talk:
            return
        counts = ", ".join(f"{number} {label}" for label, number in result.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded in {result.seconds:.1f} s (dates relative to {result.today:%d.%m.%Y}): {counts}."))
        self.stdout.write("")
        self.stdout.write("Demo logins (fixed, published passwords: for trying Kundennetz out, never for real data):")
        self.stdout.write(format_logins(result.logins))
