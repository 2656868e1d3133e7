"""The demo users: who they are, their fixed passwords, and the logins that still work."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from kundennetz.core.roles import Role


# Demo users carry this mail domain; with the user name it tells them apart from real people,
# and the reserved top-level domain guarantees no mail ever leaves for a real mailbox.
DEMO_MAIL_DOMAIN = "kundennetz.example"


class DemoRefused(Exception):
    """The database holds data the demo would mix with or destroy; the message says what and how to go on."""


# --- users -------------------------------------------------------------------------------------------

EAST, WEST, CENTRAL = "east", "west", "central"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    password: str
    language: str = "de-ch"
    region: str = ""

    @property
    def email(self) -> str:
        return f"{_ascii(self.first_name)}.{_ascii(self.last_name)}@{DEMO_MAIL_DOMAIN}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


DEMO_USERS = (
    DemoUser("admin", "Andrea", "Keller", Role.ADMIN, "demo-admin-2026"),
    DemoUser("sales", "Thomas", "Brunner", Role.SALES_HEAD, "demo-sales-2026"),
    DemoUser("reto", "Reto", "Zimmermann", Role.ACCOUNT_MANAGER, "demo-reto-2026", region=EAST),
    DemoUser("nathalie", "Nathalie", "Rochat", Role.ACCOUNT_MANAGER, "demo-nathalie-2026", "en", WEST),
    DemoUser("marco", "Marco", "Bernasconi", Role.ACCOUNT_MANAGER, "demo-marco-2026", region=CENTRAL),
    DemoUser("marketing", "Claudia", "Widmer", Role.MARKETING, "demo-marketing-2026"),
    DemoUser("readonly", "Peter", "Lüthi", Role.READ_ONLY, "demo-readonly-2026", "en"),
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    name: str


def _demo_user_q() -> Q:
    query = Q(pk__in=[])
    for spec in DEMO_USERS:
        query |= Q(username=spec.username, email__iexact=spec.email)
    return query


def demo_logins() -> list[DemoLogin]:
    """The demo logins that still work: the user exists, is active and still has the demo password."""
    found = {user.username: user for user in get_user_model().objects.filter(_demo_user_q(), is_active=True)}
    logins = []
    for spec in DEMO_USERS:
        user = found.get(spec.username)
        if user is not None and user.check_password(spec.password):
            logins.append(DemoLogin(str(Role(spec.role).label), spec.username, spec.password, user.get_full_name()))
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    """The logins as an aligned table (columns separated by at least two spaces)."""
    header = ("Role", "User name", "Password", "Name")
    rows = [header] + [(login.role, login.username, login.password, login.name) for login in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# --- helpers -----------------------------------------------------------------------------------------

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": "", " ": ""})


def _ascii(text: str) -> str:
    """A name as it appears in an e-mail address: lower case, umlauts spelt out, other accents dropped."""
    text = text.lower().translate(_TRANSLITERATION)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
