"""`kundennetz token`: personal API tokens from the command line, for automation.

    kundennetz token create USERNAME [--name NAME]     the token itself is printed alone as the last line
    kundennetz token list [USERNAME]                   name, prefix, created, last used (never the token)
    kundennetz token revoke USERNAME --name NAME       every token of USERNAME with that name
    kundennetz token revoke USERNAME --prefix PREFIX   the token starting with PREFIX (as `list` shows it)
    kundennetz token revoke USERNAME --all             every token of USERNAME
    kundennetz token revoke --token TOKEN              the token itself (read from standard input with "-")

Only the SHA-256 of a token is stored, as for tokens made on the profile page; a revoked token answers 401.
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kundennetz.core.models import ApiToken, hash_token

DEFAULT_NAME = "command line"
NAME_LENGTH = ApiToken._meta.get_field("name").max_length


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user with the user name {username!r}.")
    return user


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "never"


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens (create prints the token alone as its last line)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="Issue a token for USERNAME; printed once, as the last line.")
        create.add_argument("username")
        create.add_argument("--name", default=DEFAULT_NAME,
                            help=f"What the token is for (at most {NAME_LENGTH} characters; default {DEFAULT_NAME!r}).")
        listing = sub.add_parser("list", help="Show the tokens (of USERNAME, or of everybody).")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke tokens by name, prefix, all of a user, or the token itself.")
        revoke.add_argument("username", nargs="?")
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument("--name", help="Every token of USERNAME with this name.")
        which.add_argument("--prefix", help="The token of USERNAME beginning with this prefix (e.g. kn_AbC12x).")
        which.add_argument("--all", action="store_true", help="Every token of USERNAME.")
        which.add_argument("--token", help='The token itself ("-" reads it from standard input).')

    def handle(self, *args, **options):
        return getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        user = _user(options["username"])
        if not user.is_active:
            raise CommandError(f"The user {user.username!r} is deactivated; a token would not work.")
        name = (options["name"] or "").strip()
        if not name:
            raise CommandError("The token needs a name (--name).")
        if len(name) > NAME_LENGTH:
            raise CommandError(f"The name is too long (at most {NAME_LENGTH} characters).")
        token, raw = ApiToken.issue(user, name)
        self.stdout.write(f"API token {name!r} for {user.username} created (prefix {token.prefix}). "
                          "It is shown only this once; send it as 'Authorization: Bearer <token>':")
        self.stdout.write(raw)

    def _list(self, options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["username"]:
            tokens = tokens.filter(user=_user(options["username"]))
        rows = [(t.user.username, t.name, t.prefix, _when(t.created_at), _when(t.last_used_at)) for t in tokens]
        if not rows:
            self.stdout.write("No API tokens.")
            return
        header = ("user", "name", "prefix", "created", "last used")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(str(value).ljust(width) for value, width in zip(row, widths)).rstrip())

    def _revoke(self, options):
        if options["token"] is not None:
            if options["username"]:
                raise CommandError("Give either USERNAME with --name/--prefix/--all, or --token alone.")
            raw = sys.stdin.readline() if options["token"] == "-" else options["token"]
            tokens = ApiToken.objects.filter(key_hash=hash_token(raw.strip()))
            what = "matching the one given"
        else:
            if not options["username"]:
                raise CommandError("Name the user whose token to revoke (USERNAME), or give --token.")
            user = _user(options["username"])
            tokens = ApiToken.objects.filter(user=user)
            if options["name"] is not None:
                tokens, what = tokens.filter(name=options["name"].strip()), f"named {options['name'].strip()!r}"
            elif options["prefix"] is not None:
                prefix = options["prefix"].strip().rstrip("…")
                if len(prefix) < 6:
                    raise CommandError("Give at least the first 6 characters of the token as --prefix.")
                # The stored prefix is the token's first 10 characters; a longer one must agree with it.
                tokens = tokens.filter(prefix__startswith=prefix[:10]) if len(prefix) <= 10 else (
                    tokens.filter(prefix=prefix[:10]))
                what = f"beginning with {prefix!r}"
                if tokens.count() > 1:
                    raise CommandError(f"More than one token {what}; give a longer prefix or use --name.")
            else:
                what = "at all"
            what = f"of {user.username} {what}"
        deleted, _detail = tokens.delete()
        if not deleted:
            raise CommandError(f"No token {what}.")
        self.stdout.write(f"Revoked {deleted} token{'s' if deleted != 1 else ''} {what}.")
