"""The fixed test cast used by every test, what each member may do with the test network, and the
small network they work on.

The role sets below are the tests' own statement of the rules (not read from the capability table,
so that a wrong table fails the tests); every test module takes them from here.
"""

from dataclasses import dataclass
from decimal import Decimal

from kundennetz.accounts.models import Account, Contact, Opportunity, Segment, Stage
from kundennetz.core.models import User
from kundennetz.core.roles import Role

PASSWORD = "Test-Passwort-2026"

# The members of the cast, by the name of their `Cast` field.
ROLES = ["admin", "sales_head", "owner", "team_member", "outsider", "marketing", "read_only"]
# Who sees the records of the test network's account (everyone but the outsider account manager)...
SEES = {"admin", "sales_head", "owner", "team_member", "marketing", "read_only"}
# ... and who may change them.
CHANGES = {"admin", "sales_head", "owner", "team_member"}
# Who sees the whole network but changes none of it.
OBSERVERS = {"marketing", "read_only"}
# Who decides for the whole network: planning, strategy overrides, snapshots, the trash, the win model.
MANAGERS = {"admin", "sales_head"}
# Who sees every figure of the network (planning scenarios, management reports).
VIEWERS = MANAGERS | OBSERVERS
# Who keeps the company's values, core messages and value propositions.
COMMUNICATORS = {"admin", "marketing"}


def expected_change(role: str, ok: int) -> int:
    """The answer to a change or delete of the test network's records: done, forbidden (seen but not
    changeable), or not found (not even seen)."""
    if role in CHANGES:
        return ok
    return 403 if role in SEES else 404


def refused(role: str) -> int:
    """The answer to an action `role` may not take on a record of the test network: 403 if they see it."""
    return 403 if role in SEES else 404


@dataclass
class Cast:
    admin: User
    sales_head: User
    owner: User          # account manager who owns the account
    team_member: User    # account manager on the account's team
    outsider: User       # account manager with no tie to the account
    marketing: User
    read_only: User

    def all(self) -> dict[str, User]:
        return dict(vars(self))


def make_user(username: str, role: str, **extra) -> User:
    # English by default so that assertions read the source strings; German is tested where it matters.
    extra.setdefault("language", "en")
    user = User(username=username, role=role, first_name=extra.pop("first_name", username.title()),
                last_name=extra.pop("last_name", "Test"), email=f"{username}@example.ch", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_cast() -> Cast:
    return Cast(
        admin=make_user("admin", Role.ADMIN, is_superuser=True),
        sales_head=make_user("sales_head", Role.SALES_HEAD),
        owner=make_user("owner", Role.ACCOUNT_MANAGER),
        team_member=make_user("team_member", Role.ACCOUNT_MANAGER),
        outsider=make_user("outsider", Role.ACCOUNT_MANAGER),
        marketing=make_user("marketing", Role.MARKETING),
        read_only=make_user("read_only", Role.READ_ONLY),
    )


@dataclass
class Network:
    account: Account          # owned by cast.owner, cast.team_member on its team
    contact: Contact
    opportunity: Opportunity
    other_account: Account    # owned by cast.outsider


def make_network(cast: Cast) -> Network:
    segment = Segment.objects.get(code="mid_market")
    account = Account.objects.create(name="Muster Engineering AG", owner=cast.owner, segment=segment,
                                     city="Bern", annual_revenue=Decimal("420000"), potential=Decimal("1200000"))
    account.team.add(cast.team_member)
    contact = Contact.objects.create(account=account, first_name="Anna", last_name="Meier",
                                     buying_role=Contact.BuyingRole.DECISION_MAKER, email="anna.meier@muster.ch")
    opportunity = Opportunity.objects.create(account=account, title="ERP-Einführung", owner=cast.owner,
                                             stage=Stage.objects.get(code="qualifying"),
                                             expected_volume=Decimal("350000"))
    other = Account.objects.create(name="Fremd Consulting GmbH", owner=cast.outsider, city="Basel")
    return Network(account=account, contact=contact, opportunity=opportunity, other_account=other)
