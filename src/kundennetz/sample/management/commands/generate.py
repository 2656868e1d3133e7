"""`kundennetz generate --accounts N`: write a generated network of N accounts (bulk inserts)."""

import json

from django.core.management.base import BaseCommand, CommandError

from kundennetz.sample.generate import PASSWORD, generate_network
from kundennetz.core.numberfields import whole_number_argument


def _non_negative(value: str) -> float:
    """A mean per account, read like the forms read numbers ("2,5" or "2.5")."""
    import argparse

    from kundennetz.domain.numbers import NumberError, parse_number

    try:
        number = float(parse_number(value))
    except NumberError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value!r}")
    return number


class Command(BaseCommand):
    help = ("Write a generated network for trying Kundennetz at size: N accounts with contacts, opportunities, "
            "checklists, interactions and a portfolio snapshot, owned by generated account managers (one per "
            "5,000 accounts) and a generated sales head. Adds to what is in the database.")

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=whole_number_argument, required=True,
                            help="Number of accounts (at least 1; 1'000'000 is read too).")
        parser.add_argument("--managers", type=whole_number_argument, default=None,
                            help="Number of account managers (default: one per 5,000 accounts, at least 3).")
        parser.add_argument("--contacts", type=_non_negative, default=3.0, help="Contacts per account (mean).")
        parser.add_argument("--opportunities", type=_non_negative, default=1.0,
                            help="Opportunities per account (mean).")
        parser.add_argument("--interactions", type=_non_negative, default=10.0,
                            help="Interactions per account (mean).")
        parser.add_argument("--seed", type=whole_number_argument, default=13, help="Seed of the random choices.")
        parser.add_argument("--skip-consistency", action="store_true",
                            help="Leave the consistency rows to the nightly recompute (about a minute per 100,000 "
                                 "accounts saved).")
        parser.add_argument("--json", action="store_true", help="Print what was written as JSON.")

    def handle(self, *args, **options):
        if options["accounts"] < 1:
            raise CommandError("--accounts must be at least 1.")
        if options["managers"] is not None and options["managers"] < 1:
            raise CommandError("--managers must be at least 1.")
        verbose = options["verbosity"] > 1 and not options["json"]
        result = generate_network(
            options["accounts"], managers=options["managers"], contacts_per_account=options["contacts"],
            opportunities_per_account=options["opportunities"], interactions_per_account=options["interactions"],
            seed=options["seed"], consistency=not options["skip_consistency"], progress=self.stdout.write if verbose else None)
        if options["json"]:
            self.stdout.write(json.dumps({"counts": result.counts, "seconds": round(result.seconds, 2),
                                          "sales_head": result.head, "managers": len(result.managers)}))
            return
        counts = ", ".join(f"{value:,} {key}" for key, value in result.counts.items())
        self.stdout.write(f"Generated in {result.seconds:.1f} s: {counts}.")
        self.stdout.write(f"Log in as {result.head} (sales head) or {result.managers[0]} … {result.managers[-1]} "
                          f"(account managers), password {PASSWORD}.")
