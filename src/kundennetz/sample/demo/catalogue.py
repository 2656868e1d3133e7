"""What the demo is made of: places, accounts, people and positions, competitors and services."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kundennetz.accounts.models import Account, Contact, Stage

DATA = Path(__file__).resolve().parent / "data"


def _data(name: str):
    """One data file of the demo: names and texts live in ``data/*.json``, the tuning stays here."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


TARGET_CONTACTS = 200
TARGET_OPPORTUNITIES = 80
# Closed opportunities by stage type; the rest of the 80 spread over the open stages.
CLOSED_MIX = {Stage.Type.WON: 16, Stage.Type.LOST: 10, Stage.Type.NO_OFFER: 6}
# Open opportunities per open stage, from the first to the last (a pipeline narrows towards the close).
OPEN_MIX = (10, 12, 10, 9, 7)


# --- places ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class City:
    postal_code: str
    country: str
    pools: tuple[str, ...]   # name pools of the people working there; bilingual towns have two
    area_code: str
    region: str


CITIES = {name: City(**{**fields, "pools": tuple(fields["pools"])}) for name, fields in _data("cities").items()}
STREETS = {pool: tuple(streets) for pool, streets in _data("streets").items()}

# --- accounts ----------------------------------------------------------------------------------------

KEY, MID, PUBLIC, SMALL = "key_accounts", "mid_market", "public_sector", "small"
CUSTOMER, PROSPECT, FORMER = Account.Status.CUSTOMER, Account.Status.PROSPECT, Account.Status.FORMER
L = Account.LegalForm



@dataclass(frozen=True)
class AccountSpec:
    name: str
    legal_form: str
    industry: str
    segment: str
    city: str
    status: str
    domain: str
    kind: str   # what kind of customer it is decides which of our services fit (industry, utility, ...)
    international: bool = False   # some contacts there speak English


ACCOUNTS = tuple(AccountSpec(**fields) for fields in _data("accounts"))

# "Chefsache": the sales head looks after these key accounts personally.
SALES_HEAD_ACCOUNTS = {"Helvetronic Industrie AG", "Rhenopharm AG", "Léman Assurances SA"}

# Account figures per customer group, in the account's currency: (revenue with us, potential), margin %.
FIGURES = {
    KEY: ((400_000, 3_500_000), (2_000_000, 12_000_000), (28, 42)),
    MID: ((60_000, 700_000), (300_000, 2_500_000), (25, 45)),
    PUBLIC: ((100_000, 1_600_000), (500_000, 5_000_000), (22, 35)),
    SMALL: ((5_000, 90_000), (20_000, 250_000), (30, 50)),
}
CONTACTS_PER_ACCOUNT = {KEY: (6, 7), MID: (2, 4), PUBLIC: (3, 4), SMALL: (1, 2)}
# How likely an account gets the next opportunity, and how many it may get at most.
OPPORTUNITY_WEIGHT = {KEY: 4.0, MID: 2.0, PUBLIC: 2.5, SMALL: 0.7}
OPPORTUNITY_CAP = {KEY: 5, MID: 3, PUBLIC: 3, SMALL: 2}

# --- people ------------------------------------------------------------------------------------------

# Per name pool: (male first names, female first names, last names).
NAMES = {
    pool: (tuple(names["male"]), tuple(names["female"]), tuple(names["last"]))
    for pool, names in _data("names").items()
}
POOL_LANGUAGE = {"de": "de", "de_xx": "de", "fr": "fr", "it": "it", "en": "en"}

R = Contact.BuyingRole
HIGH, MEDIUM, LOW = Contact.Influence.HIGH, Contact.Influence.MEDIUM, Contact.Influence.LOW


@dataclass(frozen=True)
class Position:
    functions: dict[str, tuple[str, str]]   # language -> (male, female)
    departments: dict[str, str]
    roles: tuple[tuple[str, int], ...]      # buying-centre role, weight
    influence: str

    def function(self, language: str, female: bool) -> str:
        return self.functions[language][1 if female else 0]


POSITIONS = {
    key: Position(
        {language: tuple(pair) for language, pair in fields["functions"].items()},
        fields["departments"],
        tuple((role, weight) for role, weight in fields["roles"]),
        fields["influence"],
    )
    for key, fields in _data("positions").items()
}

# The shape of the organisation we know, per customer group: (position choices, index of the superior).
# Seven slots at most; an account with n contacts uses the first n.
ORG_CHARTS = {
    KEY: (("ceo", None), ("cio", 0), ("cfo", 0), (("engineering", "operations", "quality"), 0),
          ("architect", 1), ("procurement", 2), ("project_manager", 3)),
    MID: ((("ceo", "managing_director"), None), (("cio", "engineering", "operations"), 0),
          (("project_manager", "specialist"), 1), ("procurement", 0)),
    PUBLIC: (("director", None), (("cio", "infrastructure"), 0), ("project_manager", 1), ("buyer", 0)),
    SMALL: (("managing_director", None), (("assistant", "project_manager"), 0)),
}

ATTITUDES = {  # (supporter, neutral, opponent) weights by account status
    CUSTOMER: (45, 45, 10),
    PROSPECT: (15, 70, 15),
    FORMER: (10, 50, 40),
}

# --- competitors -------------------------------------------------------------------------------------

# name, website, notes, the customers' languages where they are strong ("" everywhere)
COMPETITORS = tuple((c["name"], c["website"], c["notes"], c["language"]) for c in _data("competitors"))

# --- services we sell (each with the kinds of customer it fits) --------------------------------------

@dataclass(frozen=True)
class Service:
    titles: dict[str, str]
    needs: dict[str, str]
    kinds: frozenset[str]
    small_ok: bool = False   # small enough for a small customer


SERVICES_CATALOGUE = tuple(
    Service(fields["titles"], fields["needs"], frozenset(fields["kinds"]), fields.get("small_ok", False))
    for fields in _data("services")
)


SERVICES_CATALOGUE = tuple(
    Service(fields["titles"], fields["needs"], frozenset(fields["kinds"]), fields.get("small_ok", False))
    for fields in _data("services")
)
