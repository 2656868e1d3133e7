"""`kundennetz logins`: print the demo logins that still work, checked against the stored password hashes."""

from django.core.management.base import BaseCommand

from kundennetz.sample.demo import DEMO_USERS, demo_logins, format_logins


class Command(BaseCommand):
    help = (
        "Print the demo users with their demo passwords, but only those that still exist, are active and "
        "still have the demo password (no password is stored in plain text; the check uses the hash)."
    )

    def handle(self, *args, **options):
        logins = demo_logins()
        if not logins:
            self.stdout.write("No demo logins: the demo users do not exist or their passwords were changed. "
                              "Load the demo into an empty database with `kundennetz demo`.")
            return
        self.stdout.write("Demo logins (fixed, published passwords: for trying Kundennetz out, never for real data):")
        self.stdout.write(format_logins(logins))
        missing = len(DEMO_USERS) - len(logins)
        if missing:
            self.stdout.write(f"{missing} demo user(s) not shown: deleted, deactivated or with a changed password.")
