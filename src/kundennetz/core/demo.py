"""The demo network: the customers of a Swiss engineering and IT consultancy, loaded by `kundennetz demo`.

What it holds: seven users covering the five roles (three account managers, one per sales region), about
60 accounts in the four customer groups across German-, French- and Italian-speaking Switzerland plus a
few in Germany and Austria, 200 contacts with a reporting hierarchy per account, 12 competitors and
80 opportunities in every stage of the pipeline.

Deterministic: one `random.Random(SEED)` makes every choice in a fixed order, so two loads give the same
names, figures and relations. Dates are offsets from a reference day, today unless one is given, so the
pipeline always looks current (decisions due next month, deals closed last quarter); with the same
reference day two loads are identical.

The demo passwords are fixed here, in code, and never stored in plain text: `demo_logins()` shows a
login only while that user still exists and the password still checks.

Other apps extend the demo without touching this module: a module `<app>.demo` with a function
`extend_demo(context: DemoContext)` is called after the base network is saved, in INSTALLED_APPS order (or
at the module's `DEMO_STEP`), inside the same transaction (a failure there leaves nothing behind). It
should draw its randomness from `context.random("<app>")` so that adding an extension never changes the
base data, save through `core.services.save_record(obj, context.admin)` or
`bulk_create_with_history(..., default_user=context.admin)` so that the history names the admin, record
what it made with `context.count(...)`, and, when
`context.force` is set, remove its own earlier demo data that does not hang off accounts (records that do
are already gone).
"""

from __future__ import annotations

import importlib.util
import math
import random
import time as clock
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kundennetz.accounts.models import (
    Account,
    ClosingReason,
    Competitor,
    Contact,
    Opportunity,
    OpportunityContact,
    Segment,
    Stage,
)

from . import freshness
from .roles import Role

SEED = 2026
# Demo users carry this mail domain; with the user name it tells them apart from real people,
# and the reserved top-level domain guarantees no mail ever leaves for a real mailbox.
DEMO_MAIL_DOMAIN = "kundennetz.example"

TARGET_CONTACTS = 200
TARGET_OPPORTUNITIES = 80
# Closed opportunities by stage type; the rest of the 80 spread over the open stages.
CLOSED_MIX = {Stage.Type.WON: 16, Stage.Type.LOST: 10, Stage.Type.NO_OFFER: 6}
# Open opportunities per open stage, from the first to the last (a pipeline narrows towards the close).
OPEN_MIX = (10, 12, 10, 9, 7)


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


# --- places ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class City:
    postal_code: str
    country: str
    pools: tuple[str, ...]   # name pools of the people working there; bilingual towns have two
    area_code: str
    region: str


CITIES = {
    "Zürich": City("8005", "CH", ("de",), "44", EAST),
    "Winterthur": City("8400", "CH", ("de",), "52", EAST),
    "Dübendorf": City("8600", "CH", ("de",), "44", EAST),
    "Schlieren": City("8952", "CH", ("de",), "44", EAST),
    "Baden": City("5400", "CH", ("de",), "56", EAST),
    "St. Gallen": City("9000", "CH", ("de",), "71", EAST),
    "Wil SG": City("9500", "CH", ("de",), "71", EAST),
    "Frauenfeld": City("8500", "CH", ("de",), "52", EAST),
    "Rapperswil-Jona": City("8640", "CH", ("de",), "55", EAST),
    "Chur": City("7000", "CH", ("de",), "81", EAST),
    "Aarau": City("5000", "CH", ("de",), "62", CENTRAL),
    "Olten": City("4600", "CH", ("de",), "62", CENTRAL),
    "Solothurn": City("4500", "CH", ("de",), "32", WEST),
    "Bern": City("3008", "CH", ("de",), "31", WEST),
    "Thun": City("3600", "CH", ("de",), "33", WEST),
    "Burgdorf": City("3400", "CH", ("de",), "34", CENTRAL),
    "Basel": City("4052", "CH", ("de",), "61", CENTRAL),
    "Pratteln": City("4133", "CH", ("de",), "61", CENTRAL),
    "Luzern": City("6005", "CH", ("de",), "41", CENTRAL),
    "Zug": City("6300", "CH", ("de",), "41", CENTRAL),
    "Schwyz": City("6430", "CH", ("de",), "41", CENTRAL),
    "Biel/Bienne": City("2502", "CH", ("de", "fr"), "32", WEST),
    "Visp": City("3930", "CH", ("de",), "27", WEST),
    "Genève": City("1204", "CH", ("fr",), "22", WEST),
    "Lausanne": City("1003", "CH", ("fr",), "21", WEST),
    "Vevey": City("1800", "CH", ("fr",), "21", WEST),
    "Nyon": City("1260", "CH", ("fr",), "22", WEST),
    "Neuchâtel": City("2000", "CH", ("fr",), "32", WEST),
    "La Chaux-de-Fonds": City("2300", "CH", ("fr",), "32", WEST),
    "Delémont": City("2800", "CH", ("fr",), "32", WEST),
    "Yverdon-les-Bains": City("1400", "CH", ("fr",), "24", WEST),
    "Fribourg": City("1700", "CH", ("fr", "de"), "26", WEST),
    "Sion": City("1950", "CH", ("fr",), "27", WEST),
    "Monthey": City("1870", "CH", ("fr",), "24", WEST),
    "Lugano": City("6900", "CH", ("it",), "91", CENTRAL),
    "Bellinzona": City("6500", "CH", ("it",), "91", CENTRAL),
    "Locarno": City("6600", "CH", ("it",), "91", CENTRAL),
    "Mendrisio": City("6850", "CH", ("it",), "91", CENTRAL),
    "Chiasso": City("6830", "CH", ("it",), "91", CENTRAL),
    "Stuttgart": City("70173", "DE", ("de_xx",), "711", EAST),
    "Konstanz": City("78462", "DE", ("de_xx",), "7531", EAST),
    "Bregenz": City("6900", "AT", ("de_xx",), "5574", EAST),
    "Innsbruck": City("6020", "AT", ("de_xx",), "512", EAST),
}

STREETS = {
    "de": ("Industriestrasse", "Bahnhofstrasse", "Hauptstrasse", "Seestrasse", "Technoparkstrasse",
           "Werkstrasse", "Poststrasse", "Gewerbestrasse", "Allmendstrasse", "Mühlestrasse", "Zürcherstrasse",
           "Bernstrasse", "Rheinstrasse", "Feldstrasse"),
    "de_xx": ("Industriestraße", "Hauptstraße", "Bahnhofstraße", "Am Gewerbepark", "Lindenstraße"),
    "fr": ("Route de Genève", "Rue du Lac", "Avenue de la Gare", "Chemin des Vignes", "Rue de l'Industrie",
           "Route du Simplon", "Rue des Moulins", "Avenue des Sports", "Rue du Collège"),
    "it": ("Via Cantonale", "Via San Gottardo", "Via Industria", "Viale Stazione", "Via della Posta",
           "Via Serafino Balestra"),
}

# --- accounts ----------------------------------------------------------------------------------------

KEY, MID, PUBLIC, SMALL = "key_accounts", "mid_market", "public_sector", "small"
CUSTOMER, PROSPECT, FORMER = Account.Status.CUSTOMER, Account.Status.PROSPECT, Account.Status.FORMER
L = Account.LegalForm

# What kind of customer it is decides which of our services fit its opportunities.
INDUSTRY, UTILITY, LIFE, FINANCE, SERVICES, PUBLIC_BODY, TRADE = (
    "industry", "utility", "life", "finance", "services", "public", "trade")


@dataclass(frozen=True)
class AccountSpec:
    name: str
    legal_form: str
    industry: str
    segment: str
    city: str
    status: str
    domain: str
    kind: str
    international: bool = False   # some contacts there speak English


ACCOUNTS = (
    # Key accounts
    AccountSpec("Aarewerk Energie AG", L.AG, "Energieversorgung", KEY, "Aarau", CUSTOMER, "aarewerk.ch", UTILITY),
    AccountSpec("Helvetronic Industrie AG", L.AG, "Maschinenbau", KEY, "Winterthur", CUSTOMER, "helvetronic.ch",
                INDUSTRY, True),
    AccountSpec("Rhenopharm AG", L.AG, "Pharma", KEY, "Basel", CUSTOMER, "rhenopharm.ch", LIFE, True),
    AccountSpec("Léman Assurances SA", L.AG, "Versicherungen", KEY, "Lausanne", CUSTOMER, "leman-assurances.ch",
                FINANCE),
    AccountSpec("Banca Monteverde SA", L.AG, "Banken", KEY, "Lugano", CUSTOMER, "bancamonteverde.ch", FINANCE),
    AccountSpec("Transalpina Logistik AG", L.AG, "Logistik", KEY, "Pratteln", CUSTOMER, "transalpina-logistik.ch",
                TRADE),
    AccountSpec("Novaterra Bau AG", L.AG, "Bau und Infrastruktur", KEY, "Zürich", CUSTOMER, "novaterra-bau.ch",
                INDUSTRY),
    AccountSpec("Vitacor Medtech AG", L.AG, "Medizintechnik", KEY, "Zug", CUSTOMER, "vitacor-medtech.ch", LIFE,
                True),
    AccountSpec("Chronoval Horlogerie SA", L.AG, "Uhrenindustrie", KEY, "La Chaux-de-Fonds", CUSTOMER,
                "chronoval.ch", INDUSTRY),
    AccountSpec("Alpenfirn Telekom AG", L.AG, "Telekommunikation", KEY, "Bern", PROSPECT, "alpenfirn-telekom.ch",
                SERVICES, True),
    AccountSpec("Neckartal Antriebstechnik GmbH", L.GMBH, "Maschinenbau", KEY, "Stuttgart", CUSTOMER,
                "neckartal-antriebe.de", INDUSTRY),
    AccountSpec("Rhône Capital Services SA", L.AG, "Finanzdienstleistungen", KEY, "Genève", PROSPECT,
                "rhone-capital.ch", FINANCE, True),
    # Mid-market
    AccountSpec("Brunnmatt Präzisionstechnik AG", L.AG, "Präzisionsmechanik", MID, "Solothurn", CUSTOMER,
                "brunnmatt.ch", INDUSTRY),
    AccountSpec("Thurgauer Agrotech AG", L.AG, "Agrartechnik", MID, "Frauenfeld", CUSTOMER, "tg-agrotech.ch",
                INDUSTRY),
    AccountSpec("Sensoria Systems AG", L.AG, "Elektronik und Sensorik", MID, "Dübendorf", CUSTOMER,
                "sensoria-systems.ch", INDUSTRY),
    AccountSpec("Limmat Data Services GmbH", L.GMBH, "IT-Dienstleistungen", MID, "Schlieren", FORMER,
                "limmat-data.ch", SERVICES),
    AccountSpec("Bergkristall Lebensmittel AG", L.AG, "Nahrungsmittel", MID, "Luzern", CUSTOMER,
                "bergkristall-lebensmittel.ch", INDUSTRY),
    AccountSpec("Oberland Seilbahntechnik AG", L.AG, "Seilbahntechnik", MID, "Thun", CUSTOMER,
                "oberland-seilbahn.ch", INDUSTRY),
    AccountSpec("Rheintaler Kunststoffwerk AG", L.AG, "Kunststofftechnik", MID, "St. Gallen", CUSTOMER,
                "rheintaler-kunststoff.ch", INDUSTRY),
    AccountSpec("Jura Microtechnique SA", L.AG, "Mikrotechnik", MID, "Delémont", CUSTOMER, "jura-microtech.ch",
                INDUSTRY),
    AccountSpec("Mécanique de la Broye SA", L.AG, "Maschinenbau", MID, "Yverdon-les-Bains", PROSPECT,
                "mecabroye.ch", INDUSTRY),
    AccountSpec("Valais Hydro Ingénierie SA", L.AG, "Energieversorgung", MID, "Sion", CUSTOMER, "valaishydro.ch",
                UTILITY),
    AccountSpec("Lavaux Vins & Distribution SA", L.AG, "Getränkehandel", MID, "Vevey", PROSPECT,
                "lavaux-distribution.ch", TRADE),
    AccountSpec("Chablais Chimie SA", L.AG, "Chemie", MID, "Monthey", CUSTOMER, "chablais-chimie.ch", LIFE),
    AccountSpec("Ticino Meccanica SA", L.AG, "Maschinenbau", MID, "Mendrisio", CUSTOMER, "ticinomeccanica.ch",
                INDUSTRY),
    AccountSpec("Gotthard Trasporti SA", L.AG, "Logistik", MID, "Bellinzona", PROSPECT, "gotthard-trasporti.ch",
                TRADE),
    AccountSpec("Verbano Tessile Sagl", L.GMBH, "Textil", MID, "Locarno", FORMER, "verbanotessile.ch", INDUSTRY),
    AccountSpec("Zugerberg Software AG", L.AG, "Software", MID, "Zug", CUSTOMER, "zugerberg-software.ch",
                SERVICES, True),
    AccountSpec("Burgdorfer Elektrotechnik AG", L.AG, "Elektrotechnik", MID, "Burgdorf", CUSTOMER,
                "burgdorfer-elektro.ch", INDUSTRY),
    AccountSpec("Seeland Verpackungen AG", L.AG, "Verpackungen", MID, "Biel/Bienne", CUSTOMER,
                "seeland-verpackungen.ch", INDUSTRY),
    AccountSpec("Linthal Papier AG", L.AG, "Papierindustrie", MID, "Rapperswil-Jona", FORMER, "linthal-papier.ch",
                INDUSTRY),
    AccountSpec("Bodan Medizintechnik GmbH", L.GMBH, "Medizintechnik", MID, "Konstanz", PROSPECT,
                "bodan-medizintechnik.de", LIFE),
    AccountSpec("Ländle Metallbau GmbH", L.GMBH, "Metallbau", MID, "Bregenz", CUSTOMER, "laendle-metallbau.at",
                INDUSTRY),
    AccountSpec("Alpenland Tiefbau GmbH", L.GMBH, "Bau und Infrastruktur", MID, "Innsbruck", PROSPECT,
                "alpenland-tiefbau.at", INDUSTRY),
    # Public sector
    AccountSpec("Stadtwerke Aarfelden", L.PUBLIC, "Energie- und Wasserversorgung", PUBLIC, "Baden", CUSTOMER,
                "stadtwerke-aarfelden.ch", UTILITY),
    AccountSpec("Zweckverband Abwasserreinigung Thurtal", L.PUBLIC, "Abwasser", PUBLIC, "Wil SG", CUSTOMER,
                "ara-thurtal.ch", UTILITY),
    AccountSpec("Verkehrsbetriebe Region Mittelland", L.PUBLIC, "Öffentlicher Verkehr", PUBLIC, "Olten", CUSTOMER,
                "vb-mittelland.ch", PUBLIC_BODY),
    AccountSpec("Informatikdienste Regio Nordwest", L.PUBLIC, "Öffentliche Verwaltung", PUBLIC, "Basel", CUSTOMER,
                "idr-nordwest.ch", PUBLIC_BODY),
    AccountSpec("Fachhochschule Aare-Emme", L.PUBLIC, "Bildung", PUBLIC, "Bern", PROSPECT, "fh-aare-emme.ch",
                PUBLIC_BODY),
    AccountSpec("Spitalverbund Ostalpen", L.PUBLIC, "Gesundheitswesen", PUBLIC, "Chur", CUSTOMER,
                "spitalverbund-ostalpen.ch", PUBLIC_BODY),
    AccountSpec("Hôpital intercantonal de la Sarine", L.PUBLIC, "Gesundheitswesen", PUBLIC, "Fribourg", CUSTOMER,
                "hisarine.ch", PUBLIC_BODY),
    AccountSpec("Services industriels de Rivebelle", L.PUBLIC, "Energieversorgung", PUBLIC, "Nyon", CUSTOMER,
                "si-rivebelle.ch", UTILITY),
    AccountSpec("Transports régionaux du Plateau", L.PUBLIC, "Öffentlicher Verkehr", PUBLIC, "Neuchâtel",
                PROSPECT, "trp-plateau.ch", PUBLIC_BODY),
    AccountSpec("Azienda Elettrica del Ceresio", L.PUBLIC, "Energieversorgung", PUBLIC, "Lugano", CUSTOMER,
                "ae-ceresio.ch", UTILITY),
    AccountSpec("Stiftung Wohnen und Pflege Seerose", L.FOUNDATION, "Gesundheitswesen", PUBLIC, "Winterthur",
                FORMER, "stiftung-seerose.ch", PUBLIC_BODY),
    AccountSpec("Wasserversorgungsgenossenschaft Reusstal", L.COOPERATIVE, "Wasserversorgung", PUBLIC, "Luzern",
                CUSTOMER, "wv-reusstal.ch", UTILITY),
    # Small customers
    AccountSpec("Huber & Rüegg Architekten GmbH", L.GMBH, "Architektur", SMALL, "Zürich", CUSTOMER,
                "huber-rueegg.ch", SERVICES),
    AccountSpec("Kälin Holzbau AG", L.AG, "Holzbau", SMALL, "Schwyz", CUSTOMER, "kaelin-holzbau.ch", INDUSTRY),
    AccountSpec("Meier Haustechnik GmbH", L.GMBH, "Gebäudetechnik", SMALL, "Aarau", CUSTOMER,
                "meier-haustechnik.ch", SERVICES),
    AccountSpec("Brunner Treuhand AG", L.AG, "Treuhand", SMALL, "Thun", PROSPECT, "brunner-treuhand.ch", FINANCE),
    AccountSpec("Atelier Pasche Sàrl", L.GMBH, "Produktdesign", SMALL, "Lausanne", CUSTOMER, "atelier-pasche.ch",
                SERVICES),
    AccountSpec("Étude Favre & Rochat", L.PARTNERSHIP, "Rechtsberatung", SMALL, "Genève", PROSPECT,
                "favre-rochat-avocats.ch", FINANCE),
    AccountSpec("Fiduciaria Lepori Sagl", L.GMBH, "Treuhand", SMALL, "Chiasso", CUSTOMER, "fiduciaria-lepori.ch",
                FINANCE),
    AccountSpec("Studio d'ingegneria Galli", L.SOLE, "Ingenieurbüro", SMALL, "Bellinzona", PROSPECT,
                "studio-galli.ch", SERVICES),
    AccountSpec("Bäckerei-Konditorei Frei AG", L.AG, "Bäckerei", SMALL, "Wil SG", CUSTOMER, "frei-beck.ch",
                TRADE),
    AccountSpec("Widmer Elektro AG", L.AG, "Elektroinstallationen", SMALL, "Frauenfeld", FORMER,
                "widmer-elektro.ch", SERVICES),
    AccountSpec("Schreinerei Odermatt GmbH", L.GMBH, "Schreinerei", SMALL, "Luzern", CUSTOMER,
                "odermatt-schreinerei.ch", INDUSTRY),
    AccountSpec("Gerber Velotechnik GmbH", L.GMBH, "Fahrzeugtechnik", SMALL, "Bern", PROSPECT,
                "gerber-velotechnik.ch", TRADE),
    AccountSpec("Imhof Vermessung AG", L.AG, "Vermessung", SMALL, "Visp", CUSTOMER, "imhof-vermessung.ch",
                SERVICES),
    AccountSpec("Ryser Druck AG", L.AG, "Druckerei", SMALL, "Burgdorf", FORMER, "ryser-druck.ch", INDUSTRY),
)

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

NAMES = {
    "de": (
        ("Andreas", "Beat", "Christoph", "Daniel", "Fabian", "Hans-Peter", "Jürg", "Lukas", "Marcel", "Martin",
         "Matthias", "Michael", "Patrick", "Philipp", "Roger", "Roland", "Simon", "Stefan", "Urs", "Adrian",
         "Pascal", "Dominik", "Samuel", "Kurt"),
        ("Barbara", "Corinne", "Daniela", "Esther", "Franziska", "Karin", "Manuela", "Monika", "Nadine", "Nicole",
         "Regula", "Sabine", "Sandra", "Silvia", "Simone", "Ursula", "Yvonne", "Jacqueline", "Melanie", "Sarah",
         "Tanja", "Brigitte", "Priska", "Rahel"),
        ("Ammann", "Bachmann", "Baumann", "Bieri", "Bösch", "Bühler", "Egli", "Frei", "Gerber", "Graf", "Hess",
         "Hofer", "Huber", "Imhof", "Kägi", "Kälin", "Kuster", "Marti", "Meier", "Moser", "Odermatt", "Ryser",
         "Rüegg", "Schmid", "Schneider", "Steiner", "Studer", "Suter", "Tanner", "Wälti", "Weber", "Wyss",
         "Zaugg", "Zürcher", "Aebi", "Baumgartner", "Gut", "Fässler", "Stalder", "Hürlimann", "Vogt",
         "Schürch"),
    ),
    "de_xx": (
        ("Jürgen", "Markus", "Tobias", "Florian", "Sebastian", "Wolfgang", "Klaus", "Andreas"),
        ("Katrin", "Julia", "Stefanie", "Birgit", "Anja", "Sabine", "Martina"),
        ("Wagner", "Becker", "Hoffmann", "Schulz", "Gruber", "Pichler", "Hofbauer", "Leitner", "Maier",
         "Schäfer", "Wimmer", "Brandstätter"),
    ),
    "fr": (
        ("Alain", "Christophe", "David", "Frédéric", "Jean-Luc", "Julien", "Laurent", "Nicolas", "Olivier",
         "Philippe", "Pierre-Alain", "Raphaël", "Sébastien", "Stéphane", "Thierry", "Vincent", "Yves"),
        ("Anne-Laure", "Aurélie", "Caroline", "Catherine", "Céline", "Christine", "Émilie", "Isabelle",
         "Laurence", "Mélanie", "Sandrine", "Sophie", "Valérie", "Véronique", "Marie-Claude"),
        ("Berthoud", "Blanc", "Bonvin", "Chappuis", "Crettenand", "Cuénod", "Dubois", "Favre", "Fournier",
         "Gay", "Girard", "Jaquet", "Maillard", "Monnier", "Mottier", "Pasche", "Perret", "Rey", "Vuilleumier",
         "Zufferey", "Morand", "Clerc", "Ducret", "Reymond"),
    ),
    "it": (
        ("Alessandro", "Claudio", "Davide", "Fabio", "Giorgio", "Luca", "Matteo", "Mauro", "Paolo", "Roberto",
         "Stefano", "Tiziano", "Nicola"),
        ("Chiara", "Elena", "Federica", "Francesca", "Giulia", "Laura", "Monica", "Paola", "Sara", "Valentina",
         "Roberta"),
        ("Beffa", "Bianchi", "Cattaneo", "Crivelli", "Fontana", "Galli", "Gianella", "Lepori", "Moretti",
         "Pedrazzini", "Pellandini", "Rezzonico", "Rossi", "Rusconi", "Soldati", "Cavadini", "Poretti",
         "Jelmini"),
    ),
    "en": (
        ("James", "Michael", "Ravi", "Daniel", "Thomas", "Oliver"),
        ("Emma", "Sarah", "Priya", "Rachel", "Hannah"),
        ("Whitfield", "Clarke", "Hughes", "Patel", "O'Neill", "Bennett", "Fraser", "Morgan"),
    ),
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


def _same(text: str) -> tuple[str, str]:
    return (text, text)


BOARD = {"de": "Geschäftsleitung", "fr": "Direction générale", "it": "Direzione generale", "en": "Executive Board"}
IT_DEPT = {"de": "Informatik", "fr": "Informatique", "it": "Informatica", "en": "IT"}
PURCHASING = {"de": "Einkauf", "fr": "Achats", "it": "Acquisti", "en": "Procurement"}

POSITIONS = {
    "ceo": Position({"de": _same("CEO"), "fr": ("Directeur général", "Directrice générale"),
                     "it": ("Direttore generale", "Direttrice generale"), "en": _same("Chief Executive Officer")},
                    BOARD, ((R.DECISION_MAKER, 1),), HIGH),
    "managing_director": Position({"de": ("Geschäftsführer", "Geschäftsführerin"), "fr": ("Gérant", "Gérante"),
                                   "it": _same("Gerente"), "en": _same("Managing Director")},
                                  BOARD, ((R.DECISION_MAKER, 1),), HIGH),
    "director": Position({"de": ("Direktor", "Direktorin"), "fr": ("Directeur", "Directrice"),
                          "it": ("Direttore", "Direttrice"), "en": _same("Director")},
                         {"de": "Direktion", "fr": "Direction", "it": "Direzione", "en": "Management"},
                         ((R.DECISION_MAKER, 1),), HIGH),
    "cfo": Position({"de": ("Leiter Finanzen", "Leiterin Finanzen"),
                     "fr": ("Directeur financier", "Directrice financière"),
                     "it": ("Direttore finanziario", "Direttrice finanziaria"), "en": _same("Chief Financial Officer")},
                    {"de": "Finanzen", "fr": "Finances", "it": "Finanze", "en": "Finance"},
                    ((R.DECISION_MAKER, 1), (R.INFLUENCER, 4)), HIGH),
    "cio": Position({"de": ("Leiter Informatik", "Leiterin Informatik"), "fr": _same("Responsable informatique"),
                     "it": _same("Responsabile informatica"), "en": _same("Head of IT")},
                    IT_DEPT, ((R.DECISION_MAKER, 1), (R.TECHNICAL_EVALUATOR, 3), (R.INFLUENCER, 2)), HIGH),
    "engineering": Position({"de": ("Leiter Engineering", "Leiterin Engineering"),
                             "fr": _same("Responsable de l'ingénierie"), "it": _same("Responsabile ingegneria"),
                             "en": _same("Head of Engineering")},
                            {"de": "Engineering", "fr": "Ingénierie", "it": "Ingegneria", "en": "Engineering"},
                            ((R.TECHNICAL_EVALUATOR, 3), (R.INFLUENCER, 2)), MEDIUM),
    "operations": Position({"de": ("Leiter Produktion", "Leiterin Produktion"),
                            "fr": _same("Responsable de production"), "it": _same("Responsabile produzione"),
                            "en": _same("Head of Operations")},
                           {"de": "Produktion", "fr": "Production", "it": "Produzione", "en": "Operations"},
                           ((R.INFLUENCER, 2), (R.USER, 2)), MEDIUM),
    "infrastructure": Position({"de": ("Leiter Infrastruktur", "Leiterin Infrastruktur"),
                                "fr": _same("Responsable des infrastructures"),
                                "it": _same("Responsabile infrastrutture"), "en": _same("Head of Infrastructure")},
                               {"de": "Infrastruktur", "fr": "Infrastructures", "it": "Infrastrutture",
                                "en": "Infrastructure"},
                               ((R.TECHNICAL_EVALUATOR, 2), (R.INFLUENCER, 2)), MEDIUM),
    "quality": Position({"de": ("Leiter Qualitätsmanagement", "Leiterin Qualitätsmanagement"),
                         "fr": _same("Responsable qualité"), "it": _same("Responsabile qualità"),
                         "en": _same("Head of Quality")},
                        {"de": "Qualitätsmanagement", "fr": "Qualité", "it": "Qualità", "en": "Quality"},
                        ((R.INFLUENCER, 2), (R.TECHNICAL_EVALUATOR, 2)), MEDIUM),
    "procurement": Position({"de": ("Leiter Einkauf", "Leiterin Einkauf"), "fr": _same("Responsable des achats"),
                             "it": _same("Responsabile acquisti"), "en": _same("Head of Procurement")},
                            PURCHASING, ((R.GATEKEEPER, 3), (R.INFLUENCER, 2)), MEDIUM),
    "architect": Position({"de": ("Enterprise-Architekt", "Enterprise-Architektin"),
                           "fr": _same("Architecte d'entreprise"), "it": ("Architetto IT", "Architetta IT"),
                           "en": _same("Enterprise Architect")},
                          IT_DEPT, ((R.TECHNICAL_EVALUATOR, 4), (R.COACH, 1)), MEDIUM),
    "project_manager": Position({"de": ("Projektleiter", "Projektleiterin"),
                                 "fr": ("Chef de projet", "Cheffe de projet"),
                                 "it": _same("Capoprogetto"), "en": _same("Project Manager")},
                                {"de": "Projektmanagement", "fr": "Gestion de projets", "it": "Gestione progetti",
                                 "en": "Project Office"},
                                ((R.USER, 2), (R.COACH, 2), (R.INFLUENCER, 1)), MEDIUM),
    "specialist": Position({"de": ("Prozessspezialist", "Prozessspezialistin"),
                            "fr": _same("Spécialiste des processus"), "it": _same("Specialista di processo"),
                            "en": _same("Process Specialist")},
                           {"de": "Organisation und Prozesse", "fr": "Organisation et processus",
                            "it": "Organizzazione e processi", "en": "Business Processes"},
                           ((R.USER, 3), (R.TECHNICAL_EVALUATOR, 1)), LOW),
    "buyer": Position({"de": ("Einkäufer", "Einkäuferin"), "fr": ("Acheteur", "Acheteuse"),
                       "it": ("Addetto acquisti", "Addetta acquisti"), "en": _same("Buyer")},
                      PURCHASING, ((R.GATEKEEPER, 3), (R.USER, 1)), LOW),
    "assistant": Position({"de": ("Assistent der Geschäftsleitung", "Assistentin der Geschäftsleitung"),
                           "fr": ("Assistant de direction", "Assistante de direction"),
                           "it": _same("Assistente di direzione"), "en": _same("Executive Assistant")},
                          BOARD, ((R.GATEKEEPER, 1),), LOW),
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

COMPETITORS = (
    # name, website, notes, the customers' languages where they are strong ("" everywhere)
    ("Brugger & Partner Engineering AG", "https://www.brugger-engineering.ch",
     "Ingenieurbüro mit Schwerpunkt Anlagenbau und Steuerungstechnik, stark in der Ostschweiz.", "de"),
    ("Helvetic IT Consulting AG", "https://www.helvetic-itc.ch",
     "Grosser IT-Berater, oft günstiger bei Festpreisen; hohe Fluktuation im Projektteam.", ""),
    ("Consultix SA", "https://www.consultix.ch",
     "Westschweizer IT-Beratung, gut vernetzt in den Verwaltungen der Romandie.", "fr"),
    ("Rheinblick Informatik AG", "https://www.rheinblick-informatik.ch",
     "Mittelgrosser Integrator mit SAP-Fokus, stark in der Nordwestschweiz.", "de"),
    ("Ingegneria Ceresio SA", "https://www.ingceresio.ch",
     "Tessiner Ingenieurbüro, kennt die lokalen Werke und Behörden seit Jahrzehnten.", "it"),
    ("Dreiländer Systemhaus GmbH", "https://www.dreilaender-systemhaus.de",
     "Deutsches Systemhaus mit Niederlassung in Basel; tiefe Tagessätze, wenig Branchenwissen.", "de"),
    ("Alpendata AG", "https://www.alpendata.ch",
     "Rechenzentrums- und Cloud-Betreiber, bietet Beratung und Betrieb aus einer Hand.", ""),
    ("Quadra Management Consulting AG", "https://www.quadra-consulting.ch",
     "Strategieberatung mit direktem Draht zu Verwaltungsräten, wenig Umsetzungskapazität.", ""),
    ("Synerga Conseils Sàrl", "https://www.synerga-conseils.ch",
     "Kleine Genfer Beratung, sehr flexibel, Kapazität begrenzt.", "fr"),
    ("Innerschweizer Technikberatung AG", "https://www.itb-technik.ch",
     "Engineering-Dienstleister in der Zentralschweiz, Fokus Maschinenbau und Automation.", "de"),
    ("Donau Systems Consulting GmbH", "https://www.donausystems.at",
     "Österreichischer IT-Berater, expandiert in die Ostschweiz und nach Süddeutschland.", "de"),
    ("Nordwind Digital AG", "https://www.nordwind-digital.ch",
     "Digitalagentur, stark bei Portalen und Apps, wenig Erfahrung mit Kernsystemen.", ""),
)

# --- services we sell --------------------------------------------------------------------------------

ANY = frozenset({INDUSTRY, UTILITY, LIFE, FINANCE, SERVICES, PUBLIC_BODY, TRADE})


@dataclass(frozen=True)
class Service:
    titles: dict[str, str]
    needs: dict[str, str]
    kinds: frozenset[str]
    small_ok: bool = False   # small enough for a small customer


def _service(de: str, fr: str, it: str, need_de: str, need_fr: str, need_it: str, kinds, small_ok=False):
    return Service({"de": de, "fr": fr, "it": it}, {"de": need_de, "fr": need_fr, "it": need_it},
                   frozenset(kinds), small_ok)


SERVICES_CATALOGUE = (
    _service("ERP-Ablösung SAP S/4HANA", "Migration ERP vers SAP S/4HANA", "Migrazione ERP a SAP S/4HANA",
             "Das bestehende ERP fällt {next} aus dem Support; gesucht ist eine Migration ohne Unterbruch der "
             "Auftragsabwicklung.",
             "Le support de l'ERP actuel prend fin en {next} ; il faut migrer sans interrompre le traitement des "
             "commandes.",
             "Il supporto dell'ERP attuale termina nel {next}; serve una migrazione senza interrompere la gestione "
             "degli ordini.",
             {INDUSTRY, LIFE, TRADE}),
    _service("Cloud-Migration Rechenzentrum", "Migration du centre de calcul vers le cloud",
             "Migrazione del centro di calcolo nel cloud",
             "Das eigene Rechenzentrum soll bis Ende Jahr in eine Schweizer Cloud umziehen, Daten bleiben in der "
             "Schweiz.",
             "Le centre de calcul doit passer dans un cloud suisse d'ici la fin de l'année, avec des données "
             "hébergées en Suisse.",
             "Il centro di calcolo deve passare a un cloud svizzero entro fine anno, con i dati in Svizzera.",
             ANY),
    _service("Informationssicherheit nach ISO 27001", "Sécurité de l'information selon ISO 27001",
             "Sicurezza delle informazioni secondo ISO 27001",
             "Nach einem Phishing-Vorfall will die Geschäftsleitung ein ISMS und die Zertifizierung innert "
             "18 Monaten.",
             "Après un incident d'hameçonnage, la direction veut un SMSI et la certification dans les 18 mois.",
             "Dopo un incidente di phishing la direzione vuole un SGSI e la certificazione entro 18 mesi.",
             ANY, True),
    _service("Digitaler Zwilling Produktionslinie", "Jumeau numérique de la ligne de production",
             "Gemello digitale della linea di produzione",
             "Stillstände der Linie sollen vorhergesagt werden; Sensordaten sind vorhanden, aber ungenutzt.",
             "Les arrêts de la ligne doivent être anticipés ; les données des capteurs existent mais ne sont pas "
             "exploitées.",
             "I fermi della linea vanno previsti; i dati dei sensori ci sono ma non vengono usati.",
             {INDUSTRY, LIFE}),
    _service("Retrofit Steuerungstechnik", "Modernisation des automatismes", "Ammodernamento dei sistemi di controllo",
             "Die Steuerungen der Anlagen sind über 20 Jahre alt; Ersatzteile fehlen, ein schrittweiser Ersatz ist "
             "nötig.",
             "Les automates des installations ont plus de 20 ans ; faute de pièces de rechange, un remplacement "
             "progressif s'impose.",
             "I controllori degli impianti hanno oltre 20 anni; mancano i ricambi, serve una sostituzione graduale.",
             {INDUSTRY, UTILITY}),
    _service("Datenplattform und Reporting", "Plateforme de données et reporting", "Piattaforma dati e reporting",
             "Kennzahlen werden monatlich von Hand aus fünf Systemen zusammengetragen; gewünscht ist ein "
             "tagesaktuelles Reporting.",
             "Les indicateurs sont compilés à la main chaque mois depuis cinq systèmes ; un reporting quotidien "
             "est souhaité.",
             "Gli indicatori vengono raccolti a mano ogni mese da cinque sistemi; si desidera un reporting "
             "giornaliero.",
             ANY),
    _service("Automatisierung Auftragsabwicklung", "Automatisation du traitement des commandes",
             "Automazione della gestione ordini",
             "Die Auftragserfassung bindet drei Vollzeitstellen; Übertragungsfehler führen zu Reklamationen.",
             "La saisie des commandes occupe trois postes à plein temps ; les erreurs de reprise génèrent des "
             "réclamations.",
             "L'inserimento degli ordini occupa tre persone a tempo pieno; gli errori di trascrizione causano "
             "reclami.",
             {INDUSTRY, TRADE, SERVICES, FINANCE}, True),
    _service("Netzwerkerneuerung aller Standorte", "Renouvellement du réseau de tous les sites",
             "Rinnovo della rete di tutte le sedi",
             "Die Standorte sind unterschiedlich vernetzt; gefordert ist ein einheitliches, zentral betriebenes "
             "Netz.",
             "Les sites sont reliés de manière hétérogène ; il faut un réseau uniforme, exploité de façon "
             "centralisée.",
             "Le sedi sono collegate in modo eterogeneo; serve una rete uniforme gestita centralmente.",
             {INDUSTRY, UTILITY, PUBLIC_BODY, TRADE, FINANCE}),
    _service("Engineering-Support Anlagenbau", "Appui d'ingénierie pour la construction d'installations",
             "Supporto di ingegneria per la costruzione di impianti",
             "Für zwei Grossprojekte fehlen für rund 18 Monate Fachleute in Verfahrenstechnik.",
             "Pour deux grands projets, il manque des ingénieurs en génie des procédés pendant environ 18 mois.",
             "Per due grandi progetti mancano ingegneri di processo per circa 18 mesi.",
             {INDUSTRY, UTILITY, LIFE}),
    _service("Machbarkeitsstudie Photovoltaik und Speicher", "Étude de faisabilité photovoltaïque et stockage",
             "Studio di fattibilità fotovoltaico e accumulo",
             "Die Energiekosten sollen sinken; zu klären ist, welche Dächer und Speicher sich rechnen.",
             "Les coûts énergétiques doivent baisser ; il faut déterminer quels toits et quel stockage sont "
             "rentables.",
             "I costi energetici devono scendere; occorre capire quali tetti e quali accumuli convengono.",
             {UTILITY, PUBLIC_BODY, INDUSTRY}),
    _service("IT-Strategie {next}–{end}", "Stratégie informatique {next}–{end}", "Strategia IT {next}–{end}",
             "Der Verwaltungsrat verlangt eine IT-Strategie mit Investitionsplan, abgestimmt auf das Wachstum.",
             "Le conseil d'administration demande une stratégie informatique avec un plan d'investissement aligné "
             "sur la croissance.",
             "Il consiglio di amministrazione chiede una strategia IT con piano di investimenti allineato alla "
             "crescita.",
             ANY, True),
    _service("Einführung PLM und CAD-Datenmanagement", "Introduction du PLM et de la gestion des données CAO",
             "Introduzione PLM e gestione dati CAD",
             "Zeichnungsstände gehen zwischen Entwicklung und Produktion verloren; Varianten sind nicht "
             "nachvollziehbar.",
             "Les versions de plans se perdent entre développement et production ; les variantes ne sont pas "
             "traçables.",
             "Le revisioni dei disegni si perdono tra sviluppo e produzione; le varianti non sono tracciabili.",
             {INDUSTRY}),
    _service("GMP-Validierung Laborsysteme", "Validation GMP des systèmes de laboratoire",
             "Convalida GMP dei sistemi di laboratorio",
             "Ein Audit hat Lücken in der Validierung der Laborsoftware gezeigt; der Nachweis muss vor der "
             "nächsten Inspektion stehen.",
             "Un audit a révélé des lacunes dans la validation des logiciels de laboratoire ; la preuve doit être "
             "prête avant la prochaine inspection.",
             "Un audit ha rilevato lacune nella convalida dei software di laboratorio; la documentazione deve "
             "essere pronta prima della prossima ispezione.",
             {LIFE}),
    _service("Einführung Microsoft 365 und Teams", "Déploiement de Microsoft 365 et Teams",
             "Introduzione di Microsoft 365 e Teams",
             "Die Zusammenarbeit läuft über E-Mail und Dateiserver; mobile Teams brauchen sicheren Zugriff.",
             "La collaboration passe par la messagerie et des serveurs de fichiers ; les équipes mobiles ont "
             "besoin d'un accès sécurisé.",
             "La collaborazione passa da e-mail e file server; i team mobili hanno bisogno di un accesso sicuro.",
             {SERVICES, PUBLIC_BODY, FINANCE, TRADE}, True),
    _service("Managed Service Applikationsbetrieb", "Exploitation des applications en service géré",
             "Gestione delle applicazioni in servizio gestito",
             "Das interne Team ist zu klein für den Betrieb rund um die Uhr; gesucht ist ein Partner mit SLA.",
             "L'équipe interne est trop petite pour une exploitation 24h/24 ; un partenaire avec SLA est "
             "recherché.",
             "Il team interno è troppo piccolo per una gestione 24/7; si cerca un partner con SLA.",
             ANY, True),
    _service("Entwicklung Kundenportal", "Développement d'un portail clients", "Sviluppo di un portale clienti",
             "Kundinnen und Kunden sollen Bestellungen, Rechnungen und Servicefälle online sehen können.",
             "Les clients doivent pouvoir consulter en ligne commandes, factures et demandes de service.",
             "I clienti devono poter consultare online ordini, fatture e richieste di assistenza.",
             {FINANCE, SERVICES, UTILITY, TRADE}, True),
    _service("Energieeffizienz-Analyse Gebäude und Anlagen",
             "Analyse d'efficacité énergétique des bâtiments et installations",
             "Analisi di efficienza energetica di edifici e impianti",
             "Die Zielvereinbarung mit dem Kanton verlangt 15 % weniger Energieverbrauch bis {end}.",
             "La convention d'objectifs avec le canton exige 15 % de consommation d'énergie en moins d'ici {end}.",
             "L'accordo con il Cantone richiede il 15 % di consumo energetico in meno entro il {end}.",
             {PUBLIC_BODY, UTILITY, INDUSTRY}),
    _service("OT-Security Leitsystem", "Sécurité OT du système de conduite", "Sicurezza OT del sistema di controllo",
             "Das Leitsystem ist mit dem Büronetz verbunden; die Aufsicht verlangt Trennung und Überwachung.",
             "Le système de conduite est relié au réseau bureautique ; l'autorité de surveillance exige séparation "
             "et surveillance.",
             "Il sistema di controllo è collegato alla rete d'ufficio; l'autorità di vigilanza chiede separazione "
             "e monitoraggio.",
             {UTILITY, PUBLIC_BODY, LIFE}),
)


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
        # Each part stored its figures as it went; what a later part added (interactions after the
        # portfolio snapshot, the adopted plan after the consistency rows) is taken into account now, so
        # that no page of a fresh demo says "out of date".
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


class _Builder:
    """Makes the network in a fixed order of random draws and saves it level by level."""

    def __init__(self, rng: random.Random, today: date, users: dict):
        self.rng = rng
        self.today = today
        self.users = users
        self.admin = users["admin"]
        self.sales_head = users["sales"]
        self.managers = {spec.region: users[spec.username] for spec in DEMO_USERS if spec.region}
        self.accounts: list[Account] = []
        self.contacts: list[Contact] = []
        self.competitors: list[Competitor] = []
        self.opportunities: list[Opportunity] = []
        self.involvements: list[OpportunityContact] = []
        self.leavers: list[Contact] = []
        self.spec_of: dict[int, AccountSpec] = {}
        self.team_of: dict[int, list] = {}
        self.contacts_of: dict[int, list[Contact]] = {}
        self.competitor_languages: dict[str, str] = {}
        # Nobody at a customer shares a full name with one of our people or with another contact.
        self.used_names = {spec.full_name for spec in DEMO_USERS}

    def build(self) -> dict[str, int]:
        self._competitors()
        self._accounts()
        self._contacts()
        self._opportunities()
        trashed = self._trash()
        self._validate()
        self._forget_history_marks()
        return {
            "users": len(self.users),
            "accounts": len(self.accounts),
            "contacts": len(self.contacts) - trashed,
            "contacts in the trash": trashed,
            "competitors": len(self.competitors),
            "opportunities": len(self.opportunities),
            "people involved": len(self.involvements),
        }

    # history -----------------------------------------------------------------------------------------

    def _stamp(self, obj, created: datetime):
        obj.created_at = created
        obj.created_by = obj.updated_by = self.admin
        obj._history_user = self.admin
        obj._history_date = created
        return obj

    def _bulk(self, objs, model):
        return bulk_create_with_history(objs, model, default_user=self.admin)

    # competitors -------------------------------------------------------------------------------------

    def _competitors(self):
        created = _moment(self.today - timedelta(days=900), 9)
        objs = [self._stamp(Competitor(name=name, website=site, notes=notes), created)
                for name, site, notes, _languages in COMPETITORS]
        self.competitors = self._bulk(objs, Competitor)
        self.competitor_languages = {c.name: languages for c, (_n, _s, _t, languages) in
                                     zip(self.competitors, COMPETITORS)}

    # accounts ----------------------------------------------------------------------------------------

    def _accounts(self):
        rng = self.rng
        segments = {segment.code: segment for segment in Segment.objects.all()}
        objs, teams = [], []
        for spec in ACCOUNTS:
            city = CITIES[spec.city]
            language = city.pools[0]
            (rev_lo, rev_hi), (pot_lo, pot_hi), (margin_lo, margin_hi) = FIGURES[spec.segment]
            potential = _round_money(_log_uniform(rng, pot_lo, pot_hi))
            revenue = margin = None
            if spec.status == CUSTOMER:
                revenue = _round_money(min(_log_uniform(rng, rev_lo, rev_hi), float(potential) * 0.8))
                margin = Decimal(rng.randint(margin_lo * 2, margin_hi * 2)) / 2
                age = rng.randint(500, 2600)
            elif spec.status == FORMER:
                revenue = Decimal(0)
                margin = Decimal(rng.randint(margin_lo * 2 - 10, margin_hi * 2 - 10)) / 2
                age = rng.randint(1400, 3000)
            else:
                revenue = Decimal(0)
                age = rng.randint(90, 700)
                # Some prospects have not been sized yet: the potential is unknown, not zero.
                if rng.random() < 0.25:
                    potential = None
            owner = self.sales_head if spec.name in SALES_HEAD_ACCOUNTS else self.managers[city.region]
            team = self._team(spec, owner, city)
            street = rng.choice(STREETS[language])
            account = Account(
                name=spec.name, legal_form=spec.legal_form, industry=spec.industry,
                segment=segments.get(spec.segment), street=f"{street} {rng.randint(1, 90)}",
                postal_code=city.postal_code, city=spec.city, country=city.country,
                website=f"https://www.{spec.domain}", currency="CHF" if city.country == "CH" else "EUR",
                annual_revenue=revenue, potential=potential, contribution_margin_pct=margin,
                status=spec.status, owner=owner)
            self._stamp(account, _moment(self.today - timedelta(days=age), rng.randint(8, 16), rng.randint(0, 59)))
            objs.append(account)
            teams.append(team)
        self.accounts = self._bulk(objs, Account)
        for account, team, spec in zip(self.accounts, teams, ACCOUNTS):
            self.spec_of[account.pk] = spec
            if team:
                # The team change is its own history entry, attributed like the creation.
                account._history_user = self.admin
                account._history_date = account.created_at + timedelta(minutes=5)
                account.team.set(team)
            self.team_of[account.pk] = team

    def _team(self, spec: AccountSpec, owner, city: City) -> list:
        rng = self.rng
        regional = self.managers[city.region]
        others = [m for m in self.managers.values() if m not in (owner, regional)]
        if spec.segment == KEY:
            team = [regional] if owner == self.sales_head else []
            if owner != self.sales_head and rng.random() < 0.5:
                team.append(self.sales_head)
            if rng.random() < 0.6:
                team.append(rng.choice(others))
            return team
        if spec.segment in (MID, PUBLIC) and rng.random() < 0.4:
            return [rng.choice(others)]
        return []

    # contacts ----------------------------------------------------------------------------------------

    def _contact_sizes(self) -> list[int]:
        rng = self.rng
        sizes = [rng.randint(*CONTACTS_PER_ACCOUNT[spec.segment]) for spec in ACCOUNTS]
        # Nudge to exactly the target, taking from or giving to accounts still inside their range.
        while sum(sizes) != TARGET_CONTACTS:
            step = 1 if sum(sizes) < TARGET_CONTACTS else -1
            candidates = [i for i, spec in enumerate(ACCOUNTS)
                          if CONTACTS_PER_ACCOUNT[spec.segment][0] <= sizes[i] + step
                          <= CONTACTS_PER_ACCOUNT[spec.segment][1]]
            sizes[rng.choice(candidates)] += step
        return sizes

    def _contacts(self):
        rng = self.rng
        levels: dict[int, list[Contact]] = {}
        for account, size in zip(self.accounts, self._contact_sizes()):
            spec = self.spec_of[account.pk]
            city = CITIES[spec.city]
            chart = ORG_CHARTS[spec.segment]
            phone_block = (rng.randint(200, 989), rng.randint(10, 89))
            people: list[Contact] = []
            depth: list[int] = []
            extensions = rng.sample(range(10, 100), size + 1)
            for slot in range(size):
                choices, superior = chart[slot]
                key = choices if isinstance(choices, str) else rng.choice(choices)
                if key == "ceo" and spec.legal_form == L.GMBH:
                    key = "managing_director"
                position = POSITIONS[key]
                pool = rng.choice(city.pools)
                if spec.international and slot in (1, 4) and rng.random() < 0.6:
                    pool = "en"
                first, last, female = self._name(pool, {p.last_name for p in people})
                language = POOL_LANGUAGE[pool]
                role = R.DECISION_MAKER if superior is None else _weighted(rng, position.roles)
                influence = position.influence if superior is None else _shift_influence(rng, position.influence)
                attitude = _weighted(rng, zip((Contact.Attitude.SUPPORTER, Contact.Attitude.NEUTRAL,
                                               Contact.Attitude.OPPONENT), ATTITUDES[spec.status]))
                if role in (R.USER, R.TECHNICAL_EVALUATOR) and attitude == Contact.Attitude.SUPPORTER \
                        and rng.random() < 0.3:
                    role = R.COACH   # a supporter who guides us through the buying process
                if role == R.COACH:
                    attitude = Contact.Attitude.SUPPORTER
                mobile = superior is None and rng.random() < 0.5
                contact = Contact(
                    account=account, first_name=first, last_name=last,
                    function=position.function(language, female), department=position.departments[language],
                    email=f"{_ascii(first)}.{_ascii(last)}@{spec.domain}",
                    phone=_phone(rng, city, phone_block, extensions[slot], mobile),
                    language=language, buying_role=role, influence=influence, attitude=attitude,
                    reports_to=people[superior] if superior is not None else None)
                offset = rng.randint(0, max(1, min(120, (self.today - account.created_at.date()).days - 1)))
                self._stamp(contact, account.created_at + timedelta(days=offset, hours=rng.randint(0, 6)))
                people.append(contact)
                depth.append(0 if superior is None else depth[superior] + 1)
                levels.setdefault(depth[-1], []).append(contact)
            self.contacts_of[account.pk] = people
        # Someone who has left: kept in the trash, as a deleted contact would be.
        for account_index in (3, 16):
            account = self.accounts[account_index]
            spec = self.spec_of[account.pk]
            city = CITIES[spec.city]
            first, last, female = self._name(city.pools[0], {p.last_name for p in self.contacts_of[account.pk]})
            language = POOL_LANGUAGE[city.pools[0]]
            position = POSITIONS["project_manager"]
            leaver = Contact(
                account=account, first_name=first, last_name=last, function=position.function(language, female),
                department=position.departments[language], email=f"{_ascii(first)}.{_ascii(last)}@{spec.domain}",
                phone="", language=language, buying_role=R.USER, influence=LOW,
                reports_to=self.contacts_of[account.pk][0])
            self._stamp(leaver, account.created_at + timedelta(days=30))
            levels.setdefault(1, []).append(leaver)
            self.leavers.append(leaver)
        for level in sorted(levels):
            self.contacts.extend(self._bulk(levels[level], Contact))

    def _name(self, pool: str, family_names_taken: set[str]) -> tuple[str, str, bool]:
        """A new name; two colleagues with the same family name would share an e-mail pattern and confuse."""
        rng = self.rng
        males, females, lasts = NAMES[pool]
        while True:
            female = rng.random() < 0.42
            first = rng.choice(females if female else males)
            last = rng.choice(lasts)
            if last not in family_names_taken and f"{first} {last}" not in self.used_names:
                self.used_names.add(f"{first} {last}")
                return first, last, female

    # opportunities -----------------------------------------------------------------------------------

    def _stage_plan(self) -> list[Stage]:
        stages = list(Stage.objects.filter(is_active=True).order_by("order", "id"))
        open_stages = [s for s in stages if s.type == Stage.Type.OPEN]
        if not open_stages:
            raise DemoRefused("The pipeline has no active open stage; add one before loading the demo.")
        plan: list[Stage] = []
        for stage_type, number in CLOSED_MIX.items():
            of_type = [s for s in stages if s.type == stage_type]
            plan.extend(of_type[i % len(of_type)] for i in range(number) if of_type)
        remaining = TARGET_OPPORTUNITIES - len(plan)
        weights = [OPEN_MIX[min(i, len(OPEN_MIX) - 1)] for i in range(len(open_stages))]
        shares = [remaining * w // sum(weights) for w in weights]
        for i in range(remaining - sum(shares)):
            shares[i % len(shares)] += 1
        for stage, share in zip(open_stages, shares):
            plan.extend([stage] * share)
        return plan

    def _opportunities(self):
        rng = self.rng
        plan = self._stage_plan()
        reasons = {t: list(ClosingReason.objects.filter(applies_to=t, is_active=True).order_by("order", "id"))
                   for t in (Stage.Type.WON, Stage.Type.LOST, Stage.Type.NO_OFFER)}
        if not reasons[Stage.Type.LOST]:
            raise DemoRefused("There is no active closing reason for lost opportunities; add one first.")
        open_index = {s.pk: i for i, s in enumerate(s for s in dict.fromkeys(plan) if s.type == Stage.Type.OPEN)}
        open_count = max(1, len(open_index))
        taken: dict[int, int] = {}
        used_services: dict[int, set[int]] = {}
        objs, details = [], []
        for stage in plan:
            account = self._pick_account(stage, taken)
            taken[account.pk] = taken.get(account.pk, 0) + 1
            spec = self.spec_of[account.pk]
            language = {"fr": "fr", "it": "it"}.get(CITIES[spec.city].pools[0], "de")
            service_index = self._pick_service(spec, used_services.setdefault(account.pk, set()))
            service = SERVICES_CATALOGUE[service_index]
            segment = account.segment
            volume = self._volume(segment)
            follow_up = None if rng.random() < 0.35 else _round_money(float(volume) * rng.uniform(0.2, 1.5))
            progress = open_index.get(stage.pk, open_count) / open_count   # 0 = first open stage, 1 = closed
            # A price exists once an offer is being written; "no offer" never got one.
            priced = stage.type != Stage.Type.NO_OFFER and (
                progress >= 0.6 or (progress >= 0.4 and rng.random() < 0.5))
            price = _round_money(float(volume) * rng.uniform(0.9, 1.08)) if priced else None
            target = segment.margin_target_pct if segment and segment.margin_target_pct is not None else Decimal(35)
            margin = None if (progress < 0.2 and rng.random() < 0.6) else (
                target + Decimal(rng.randint(-24, 16)) / 2)
            created, decision, closed = self._dates(stage, spec, account, progress)
            reason = None
            if stage.type == Stage.Type.LOST or stage.type == Stage.Type.NO_OFFER or (
                    stage.type == Stage.Type.WON and rng.random() < 0.8):
                choices = reasons.get(stage.type) or []
                reason = rng.choice(choices) if choices else None
            owner = account.owner
            managers_on_team = [u for u in self.team_of[account.pk] if u.role == Role.ACCOUNT_MANAGER]
            if managers_on_team and rng.random() < 0.2:
                owner = rng.choice(managers_on_team)
            years = {"next": created.year + 1, "end": created.year + 4}
            opportunity = Opportunity(
                account=account, title=service.titles[language].format(**years),
                need=service.needs[language].format(**years), stage=stage,
                expected_volume=volume, expected_follow_up_volume=follow_up, offer_price=price,
                estimated_margin_pct=margin, expected_decision_date=decision, owner=owner,
                closing_reason=reason, closed_on=closed)
            self._stamp(opportunity, created)
            objs.append(opportunity)
            details.append((self._pick_competitors(stage, spec, progress), self._pick_people(account, progress)))
        self.opportunities = self._bulk(objs, Opportunity)
        involvements = []
        for opportunity, (competitors, people) in zip(self.opportunities, details):
            if competitors:
                opportunity._history_user = self.admin
                opportunity._history_date = opportunity.created_at + timedelta(days=1)
                opportunity.competitors.set(competitors)
            for contact, role in people:
                involvements.append(self._stamp_plain(
                    OpportunityContact(opportunity=opportunity, contact=contact, role=role),
                    opportunity.created_at + timedelta(days=1)))
        self.involvements = self._bulk(involvements, OpportunityContact)

    def _stamp_plain(self, obj, when: datetime):
        obj._history_user = self.admin
        obj._history_date = when
        return obj

    def _pick_account(self, stage: Stage, taken: dict[int, int]) -> Account:
        allowed = {
            Stage.Type.OPEN: {CUSTOMER, PROSPECT},
            Stage.Type.WON: {CUSTOMER, FORMER},
            Stage.Type.LOST: {CUSTOMER, PROSPECT, FORMER},
            Stage.Type.NO_OFFER: {CUSTOMER, PROSPECT, FORMER},
        }[stage.type]
        candidates, weights = [], []
        for account in self.accounts:
            spec = self.spec_of[account.pk]
            if spec.status in allowed and taken.get(account.pk, 0) < OPPORTUNITY_CAP[spec.segment]:
                candidates.append(account)
                weights.append(OPPORTUNITY_WEIGHT[spec.segment])
        return self.rng.choices(candidates, weights)[0]

    def _pick_service(self, spec: AccountSpec, used: set[int]) -> int:
        fitting = [i for i, s in enumerate(SERVICES_CATALOGUE)
                   if (s.small_ok if spec.segment == SMALL else spec.kind in s.kinds) and i not in used]
        if not fitting:
            fitting = [i for i in range(len(SERVICES_CATALOGUE)) if i not in used]
        choice = self.rng.choice(fitting)
        used.add(choice)
        return choice

    def _volume(self, segment: Segment | None) -> Decimal:
        low = float(segment.volume_min) if segment and segment.volume_min else 20_000
        high = float(segment.volume_max) if segment and segment.volume_max else 500_000
        # Most deals sit inside the group's range; a few fall outside, as real ones do.
        return _round_money(_log_uniform(self.rng, low * 0.8, high * 0.7))

    def _dates(self, stage: Stage, spec: AccountSpec, account: Account, progress: float):
        rng = self.rng
        earliest = account.created_at + timedelta(days=7)
        if stage.type == Stage.Type.OPEN:
            age = rng.randint(5, 40) + int(progress * rng.randint(30, 160))
            created = max(_moment(self.today - timedelta(days=age), rng.randint(8, 17), rng.randint(0, 59)),
                          earliest)
            # Early deals decide months ahead; late ones soon, and a few are already overdue.
            ahead = (60, 240) if progress < 0.2 else (14, 150) if progress < 0.6 else (-20, 60)
            decision = self.today + timedelta(days=rng.randint(*ahead))
            return created, decision, None
        back = rng.randint(150, 720) if spec.status == FORMER else rng.randint(5, 420)
        closed = self.today - timedelta(days=back)
        created = max(_moment(closed - timedelta(days=rng.randint(30, 180)), rng.randint(8, 17), rng.randint(0, 59)),
                      earliest)
        closed = min(max(closed, created.date() + timedelta(days=21)), self.today - timedelta(days=1))
        decision = closed + timedelta(days=rng.randint(-14, 7))
        return created, decision, closed

    def _pick_competitors(self, stage: Stage, spec: AccountSpec, progress: float) -> list[Competitor]:
        rng = self.rng
        if stage.type == Stage.Type.LOST:
            number = rng.randint(1, 3)
        elif stage.type == Stage.Type.OPEN and progress < 0.4:
            number = 0 if rng.random() < 0.6 else 1
        else:
            number = rng.randint(0, 3)
        language = CITIES[spec.city].pools[0][:2]
        weights = [4 if self.competitor_languages[c.name] == language else
                   (2 if not self.competitor_languages[c.name] else 0.3) for c in self.competitors]
        chosen: list[Competitor] = []
        while len(chosen) < number:
            pick = rng.choices(self.competitors, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        return chosen

    def _pick_people(self, account: Account, progress: float) -> list[tuple[Contact, str]]:
        rng = self.rng
        people = self.contacts_of[account.pk]
        top, others = people[0], people[1:]
        chosen = []
        if rng.random() < 0.4 + 0.5 * progress:
            chosen.append(top)
        # Some deals hang on a single person: the risk the network view is there to show.
        number = min(len(others), rng.choice((0, 1, 1, 2, 2, 3)))
        chosen.extend(rng.sample(others, number))
        if not chosen:
            chosen.append(rng.choice(people))
        result = []
        for contact in chosen:
            role = contact.buying_role or R.USER
            if contact is not top and rng.random() < 0.2:
                role = rng.choice((R.INFLUENCER, R.USER, R.COACH, R.TECHNICAL_EVALUATOR))
            result.append((contact, role))
        return result

    # trash and checks --------------------------------------------------------------------------------

    def _trash(self) -> int:
        for leaver in self.leavers:
            leaver._history_user = self.admin
            leaver._history_date = leaver.created_at + timedelta(days=200)
            leaver.soft_delete(self.admin, when=leaver._history_date)
        return len(self.leavers)

    def _validate(self):
        """Every record passes the same validation a form would apply; a failure rolls the load back.

        Foreign keys are left to the database's constraints: checking each one here costs a query per
        field and record and could only fail if the rows just inserted had vanished.
        """
        for obj in (*self.competitors, *self.accounts, *self.contacts, *self.opportunities, *self.involvements):
            foreign_keys = [f.name for f in obj._meta.concrete_fields if f.is_relation]
            obj.full_clean(exclude=foreign_keys)

    def _forget_history_marks(self):
        """Later saves of these instances (by extensions) must get their own date and author."""
        for obj in (*self.competitors, *self.accounts, *self.contacts, *self.opportunities, *self.involvements):
            obj.__dict__.pop("_history_date", None)
            obj.__dict__.pop("_history_user", None)


# --- helpers -----------------------------------------------------------------------------------------

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": "", " ": ""})


def _ascii(text: str) -> str:
    """A name as it appears in an e-mail address: lower case, umlauts spelt out, other accents dropped."""
    text = text.lower().translate(_TRANSLITERATION)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _round_money(value) -> Decimal:
    """Round as people quote amounts: to the thousand, five thousand or 25 thousand."""
    value = float(value)
    step = 1_000 if value < 100_000 else 5_000 if value < 1_000_000 else 25_000
    return Decimal(max(step, int(round(value / step)) * step))


def _weighted(rng: random.Random, pairs):
    pairs = list(pairs)
    return rng.choices([value for value, _w in pairs], [weight for _v, weight in pairs])[0]


def _shift_influence(rng: random.Random, influence: str) -> str:
    order = [LOW, MEDIUM, HIGH]
    if rng.random() < 0.2:
        index = order.index(influence) + rng.choice((-1, 1))
        return order[min(max(index, 0), 2)]
    return influence


def _phone(rng: random.Random, city: City, block: tuple[int, int], extension: int, mobile: bool) -> str:
    """A direct line on the company's exchange, or a mobile number, in the country's usual grouping."""
    if city.country == "CH":
        if mobile:
            return f"+41 {rng.choice((76, 77, 78, 79))} {rng.randint(200, 999)} " \
                   f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
        return f"+41 {city.area_code} {block[0]} {block[1]} {extension:02d}"
    prefix = "+49" if city.country == "DE" else "+43"
    if mobile:
        network = rng.choice((151, 160, 171)) if city.country == "DE" else rng.choice((664, 676, 699))
        return f"{prefix} {network} {rng.randint(1000000, 9999999)}"
    return f"{prefix} {city.area_code} {block[0]}{block[1]}-{extension}"
