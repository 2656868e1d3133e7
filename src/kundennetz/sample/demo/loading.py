"""Loading the demo: refusing or clearing, the users, the base network, then each app's extension."""

from __future__ import annotations

import importlib.util
import random
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from kundennetz.accounts.models import Account, Competitor, Contact, Opportunity, OpportunityContact
from kundennetz.core import freshness
from kundennetz.core.roles import Role

from .builder import _Builder, _moment
from .users import DEMO_USERS, DemoLogin, DemoRefused, _demo_user_q


SEED = 2026


# --- what a load produces ----------------------------------------------------------------------------

@dataclass
class DemoResult:
    loaded: bool
    today: date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class DemoContext:
    """What an app's `extend_demo(context)` gets: the saved base network and where to put its figures."""

    today: date
    force: bool
    admin: object
    users: dict[str, object]               # by user name
    accounts: list[Account]
    contacts: list[Contact]
    competitors: list[Competitor]
    opportunities: list[Opportunity]
    counts: dict[str, int]
    stdout: object = None

    def random(self, name: str) -> random.Random:
        """A random stream of its own, so that one extension never shifts another's data."""
        return random.Random(f"{SEED}:{name}")

    def count(self, label: str, number: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + number

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return _moment(day, hour, minute)


@dataclass
class DatabaseState:
    accounts: int
    competitors: int
    users: int
    other_users: int

    @property
    def blank(self) -> bool:
        return not (self.accounts or self.competitors or self.users)

    @property
    def ready_for_demo(self) -> bool:
        return not (self.accounts or self.competitors or self.other_users)

    def describe(self) -> str:
        parts = []
        if self.accounts:
            parts.append(f"{self.accounts} account(s)")
        if self.competitors:
            parts.append(f"{self.competitors} competitor(s)")
        if self.other_users:
            parts.append(f"{self.other_users} user(s) who are not demo users")
        return ", ".join(parts)


def database_state() -> DatabaseState:
    users = get_user_model().objects
    return DatabaseState(
        accounts=Account.all_objects.count(),
        competitors=Competitor.objects.count(),
        users=users.count(),
        other_users=users.exclude(_demo_user_q()).count(),
    )


# --- loading -----------------------------------------------------------------------------------------

def load_demo(*, force: bool = False, if_empty: bool = False, today: date | None = None,
              stdout=None) -> DemoResult:
    """Load the demo network in one transaction and return what was made and the logins.

    Refuses (DemoRefused) when accounts, competitors or users other than the demo users exist, unless
    `force`: then every account, contact, opportunity and competitor and their history are deleted first
    and the demo users are reset; other users are kept. With `if_empty` it does nothing (loaded=False)
    unless the database has no accounts, competitors or users at all. `stdout`, if given, is a command's
    output wrapper (it ends each line itself) for notes such as what --force deleted.
    """
    started = clock.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        state = database_state()
        if if_empty and not state.blank:
            return DemoResult(loaded=False)
        if not state.ready_for_demo and not force:
            raise DemoRefused(
                f"The database is not empty ({state.describe()}); the demo loads only into an empty one. "
                "Run `kundennetz demo --force` to delete all accounts, contacts, opportunities and competitors "
                "and load the demo instead (users who are not demo users are kept).")
        deleted = _clear_network() if force else {}
        if stdout is not None and any(deleted.values()):
            stdout.write("Deleted the existing network: "
                         + ", ".join(f"{label} {n}" for label, n in deleted.items() if n) + ".")
        users = _ensure_users()
        builder = _Builder(random.Random(SEED), today, users)
        counts = builder.build()
        context = DemoContext(
            today=today, force=force, admin=users["admin"], users=users, accounts=builder.accounts,
            contacts=builder.contacts, competitors=builder.competitors, opportunities=builder.opportunities,
            counts=counts, stdout=stdout)
        for extend in _extensions():
            extend(context)
        # Each part stored its figures as it went; what a later part added (the adopted plan after the
        # consistency rows, say) is taken into account now, so that no page of a fresh demo says
        # "out of date".
        freshness.refresh_stale(today)
    # The commit itself refreshed the stored rows of accounts whose records a late part touched (after-commit
    # refresh): the figures aggregated from those rows (the stored consistency overview) follow them now.
    freshness.refresh_stale(today)
    # The passwords were set a moment ago; checking them again would only repeat the slow hashing.
    logins = [DemoLogin(str(Role(spec.role).label), spec.username, spec.password, spec.full_name)
              for spec in DEMO_USERS]
    return DemoResult(loaded=True, today=today, counts=counts, deleted=deleted, logins=logins,
                      seconds=clock.perf_counter() - started)


def _extensions():
    """Each installed app's `demo.extend_demo`, in INSTALLED_APPS order unless its module sets `DEMO_STEP`.

    A part that computes figures from the others' records (portfolio snapshots, planning scenarios) sets a
    high `DEMO_STEP`, so that it runs after every record it reads is there.
    """
    found = []
    for position, config in enumerate(apps.get_app_configs()):
        if config.name == __package__ or not config.name.startswith("kundennetz."):
            continue
        module_name = f"{config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        extend = getattr(module, "extend_demo", None)
        if callable(extend):
            found.append((getattr(module, "DEMO_STEP", position), position, extend))
    return [extend for _step, _position, extend in sorted(found, key=lambda item: item[:2])]


def _clear_network() -> dict[str, int]:
    """Delete the network's records and their history (the demo starts from nothing)."""
    deleted = {}
    try:
        for label, queryset in (("opportunities", Opportunity.all_objects.all()),
                                ("contacts", Contact.all_objects.all()),
                                ("accounts", Account.all_objects.all()),
                                ("competitors", Competitor.objects.all())):
            deleted[label] = queryset.count()
            queryset.delete()
    except (ProtectedError, RestrictedError) as error:
        objects = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
        blocking = sorted({str(type(obj)._meta.verbose_name_plural) for obj in objects})
        raise DemoRefused(f"Cannot delete the existing network: {', '.join(blocking)} still refer to it. "
                          "Remove those first.") from error
    for model in (OpportunityContact, Opportunity, Contact, Account, Competitor):
        model.history.model.objects.all().delete()
    return deleted


def _ensure_users() -> dict[str, object]:
    """Create the demo users, or reset them to their demo state (password, role, name, active)."""
    User = get_user_model()
    users = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is not None and user.email.lower() != spec.email:
            raise DemoRefused(f"The user name {spec.username!r} belongs to a user who is not a demo user; "
                              "rename that user before loading the demo.")
        user = user or User(username=spec.username)
        user.first_name, user.last_name, user.email = spec.first_name, spec.last_name, spec.email
        user.role, user.language, user.is_active = spec.role, spec.language, True
        user.is_superuser = spec.role == Role.ADMIN
        user.is_staff = spec.role == Role.ADMIN
        user.set_password(spec.password)
        user.save()
        users[spec.username] = user
    return users
