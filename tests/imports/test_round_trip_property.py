"""Round trip as a property: whatever the records hold (umlauts, quotes, commas, semicolons, line
breaks, leading zeros, amounts, dates, empty optional fields; owners of any role), every export —
each kind as CSV (German ";" and English ",") and as Excel, and the zip of everything — imports
into an empty database as the same records, field by field."""

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kundennetz.domain.importing.values import clean_long_text, clean_text, normalize_phone

pytestmark = pytest.mark.django_db

OWNER_ROLES = ("admin", "sales_head", "owner", "team_member", "outsider", "marketing", "read_only")
# Letters a Swiss CRM holds, and the characters that break naive CSV and Excel handling.
ALPHABET = "abcXYZäöüÄÖÜéèàçß ÆøÅ0123456789\"',;.&/()-+=@#%*:!?" + "\u00a0"
# Each example is a full export and import (seconds): no shrinking, which would take minutes; the
# failing example is printed as generated.
SETTINGS = settings(max_examples=8, deadline=None, database=None, derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


def _line(min_size=0, max_size=30):
    """One line of text as an import keeps it (tidied the way the importer tidies what it reads)."""
    return st.text(ALPHABET, min_size=min_size, max_size=max_size).map(clean_text).filter(
        lambda text: len(text) >= min_size)


def _lines():
    return st.lists(st.text(ALPHABET, max_size=20), max_size=3).map(lambda ls: clean_long_text("\n".join(ls)))


def _amount(places=2, most=10**9, least=0):
    return st.one_of(st.none(), st.decimals(min_value=least, max_value=most, places=places,
                                            allow_nan=False, allow_infinity=False))


def _day():
    return st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))


ACCOUNT = st.fixed_dictionaries({
    "name": _line(1), "external_id": st.one_of(st.just(""), st.from_regex(r"0{1,3}[0-9]{1,5}", fullmatch=True)),
    "legal_form": st.sampled_from(["", "ag", "gmbh", "cooperative", "association"]), "industry": _line(),
    "street": _line(), "postal_code": st.one_of(st.just(""), st.from_regex(r"0[0-9]{3}", fullmatch=True)),
    "city": _line(), "country": st.sampled_from(["CH", "DE", "AT", "FR"]),
    "currency": st.sampled_from(["CHF", "EUR"]), "annual_revenue": _amount(), "turnover": _amount(),
    "potential": _amount(), "contribution_margin_pct": _amount(most=100, least=-100),
    "status": st.sampled_from(["prospect", "customer", "former"]), "owner": st.sampled_from(OWNER_ROLES),
})
CONTACT = st.fixed_dictionaries({
    "first_name": _line(), "last_name": _line(1), "function": _line(), "department": _line(),
    "email": st.one_of(st.just(""), st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@beispiel\.ch", fullmatch=True)),
    # As people type them; the import keeps every number in international form (E.164), so a number
    # typed "0041 44 …" comes back as "+4144…": the same number, compared as such below.
    "phone": st.one_of(st.just(""), st.from_regex(r"(\+41 |0041 |\+41)[1-9][0-9] [0-9]{3} [0-9]{2} [0-9]{2}",
                                                  fullmatch=True)),
    "language": st.sampled_from(["de", "fr", "it", "en"]),
    "buying_role": st.sampled_from(["", "decision_maker", "coach"]), "influence": st.sampled_from(["", "high", "low"]),
    "attitude": st.sampled_from(["supporter", "neutral", "opponent"]),
})
OPPORTUNITY = st.fixed_dictionaries({
    "title": _line(1), "need": _lines(), "expected_volume": _amount(), "expected_follow_up_volume": _amount(),
    "offer_price": _amount(), "estimated_margin_pct": _amount(most=100, least=-100),
    "expected_decision_date": _day(), "owner": st.sampled_from(OWNER_ROLES),
})
INTERACTION = st.fixed_dictionaries({
    "type": st.sampled_from(["meeting", "call", "email"]), "date": st.dates(date(2020, 1, 1), date(2026, 6, 30)),
    "duration_minutes": st.one_of(st.none(), st.integers(0, 600)), "topics": _line(), "note": _lines(),
    # A follow-up is never before the interaction (the model refuses that): days after it, or none.
    "follow_up_date": st.one_of(st.none(), st.integers(0, 400)),
    "our_people": st.lists(st.sampled_from(OWNER_ROLES), max_size=2, unique=True),
}).map(lambda item: {**item, "follow_up_date": None if item["follow_up_date"] is None
                     else item["date"] + timedelta(days=item["follow_up_date"])})
NETWORK = st.lists(st.tuples(ACCOUNT, st.lists(CONTACT, max_size=2), st.lists(OPPORTUNITY, max_size=2),
                             st.lists(INTERACTION, max_size=1)), min_size=1, max_size=3)


def _make(cast, network) -> None:
    """The generated records, each account's name (and its contacts' and deals' keys) made unique by
    a number, since the import finds records by those keys."""
    from kundennetz.accounts.models import Account, Contact, Opportunity, Stage
    from kundennetz.interactions.models import Interaction

    stage = Stage.objects.filter(type=Stage.Type.OPEN).order_by("order").first()
    for index, (account, contacts, opportunities, interactions) in enumerate(network):
        values = {**account, "owner": getattr(cast, account["owner"]),
                  "name": f"{account['name']} {index}"[:200],
                  "external_id": f"{account['external_id']}{index}" if account["external_id"] else ""}
        record = Account.objects.create(**values)
        for number, contact in enumerate(contacts):
            email = contact["email"].replace("@", f"{index}{number}@") if contact["email"] else ""
            Contact.objects.create(account=record, **{**contact, "email": email,
                                                      "last_name": f"{contact['last_name']} {number}"})
        for number, opportunity in enumerate(opportunities):
            Opportunity.objects.create(account=record, stage=stage, **{
                **opportunity, "owner": getattr(cast, opportunity["owner"]), "title": f"{opportunity['title']} {number}"})
        for interaction in interactions:
            item = Interaction.objects.create(account=record, **{k: v for k, v in interaction.items()
                                                                 if k != "our_people"})
            item.our_people.set([getattr(cast, role) for role in interaction["our_people"]])


def _snapshot() -> dict:
    """Every exported field of every record, keyed by what identifies it to a person."""
    from kundennetz.accounts.models import Account, Contact, Opportunity
    from kundennetz.interactions.models import Interaction

    accounts = sorted(Account.objects.values_list(
        "external_id", "name", "legal_form", "industry", "street", "postal_code", "city", "country", "currency",
        "annual_revenue", "turnover", "potential", "contribution_margin_pct", "status", "owner__username"))
    contacts = sorted((*row[:6], normalize_phone(row[6]) if row[6] else "", *row[7:]) for row in Contact.objects.values_list(
        "account__name", "first_name", "last_name", "function", "department", "email", "phone", "language",
        "buying_role", "influence", "attitude"))
    opportunities = sorted(Opportunity.objects.values_list(
        "account__name", "title", "need", "stage__code", "expected_volume", "expected_follow_up_volume",
        "offer_price", "estimated_margin_pct", "expected_decision_date", "owner__username"),
        key=repr)
    interactions = sorted(
        (i.account.name, i.type, i.date, i.duration_minutes, i.topics, i.note, i.follow_up_date,
         tuple(sorted(u.username for u in i.our_people.all())))
        for i in Interaction.objects.select_related("account").prefetch_related("our_people"))
    return {"accounts": accounts, "contacts": contacts, "opportunities": opportunities,
            "interactions": sorted(interactions, key=repr)}


def _empty_the_network() -> None:
    from kundennetz.accounts.models import Account, Contact, Opportunity
    from kundennetz.imports.models import ExternalReference
    from kundennetz.interactions.models import Interaction

    Interaction.all_objects.all().delete() if hasattr(Interaction, "all_objects") else Interaction.objects.all().delete()
    Opportunity.all_objects.all().delete()
    Contact.all_objects.all().delete()
    Account.all_objects.all().delete()
    ExternalReference.objects.all().delete()


def _exported_files(user, shape: str) -> dict[str, tuple[bytes, str]]:
    """kind → (file, name) as the export makes it for `user` in `shape`."""
    from django.utils import translation

    from kundennetz.imports import exports

    language, fmt = shape.split("-")
    files = {}
    with translation.override(language):
        if fmt == "zip":
            stream = io.BytesIO()
            exports.full_export(user, stream)
            archive = zipfile.ZipFile(io.BytesIO(stream.getvalue()))
            return {name.removesuffix(".csv"): (archive.read(name), name) for name in archive.namelist()}
        for kind in exports.export_kinds():
            stream = io.BytesIO()
            if fmt == "csv":
                text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
                exports.write_csv(kind, exports.queryset(kind, user), text)
                text.flush()
                text.detach()
            else:
                exports.write_xlsx(kind, exports.queryset(kind, user), stream)
            files[kind] = (stream.getvalue(), f"{kind}.{fmt}")
    return files


@pytest.mark.parametrize("shape", ["de-csv", "en-csv", "de-xlsx", "en-xlsx", "de-zip"])
def test_every_export_reimports_unchanged(shape, cast, run_import):
    from kundennetz.imports import exports

    assert set(exports.export_kinds()) == {"accounts", "contacts", "opportunities", "interactions"}

    @SETTINGS
    @given(network=NETWORK)
    def round_trip(network):
        _empty_the_network()
        _make(cast, network)
        before = _snapshot()
        files = _exported_files(cast.admin, shape)
        assert set(files) == set(exports.export_kinds())
        _empty_the_network()
        for kind in exports.export_kinds():  # accounts first: the others name them
            content, name = files[kind]
            batch, _result = run_import(cast.admin, kind, content, name=name, commit=True)
            problems = list(batch.rows.exclude(action="create").values("row", "action", "issues"))
            assert batch.status == "committed" and batch.created_count == batch.rows_total, (kind, problems,
                                                                                             batch.failure)
        after = _snapshot()
        for kind in before:
            assert after[kind] == before[kind], kind

    round_trip()
