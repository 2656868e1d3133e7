"""Exports: the list's filters, the user's language, formula neutralisation, and the round trip
export → import reproducing the same records."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook


def _csv(response, delimiter=None):
    """The rows of an exported CSV; ";" for German readers, "," for English ones."""
    from kundennetz.domain.importing import detect_delimiter

    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter or detect_delimiter(text)))


@pytest.fixture
def tricky(cast, network):
    """Records whose text a spreadsheet would run as a formula, and values that must survive a trip."""
    from kundennetz.accounts.models import (
        Account,
        ClosingReason,
        Contact,
        Opportunity,
        Segment,
        Stage,
    )

    formula = Account.objects.create(name="=HYPERLINK(\"http://evil\",\"x\")", city="+Zug", owner=cast.owner,
                                     industry="@SUM(A1)", street="-Bahnhof 1", legal_form="gmbh", country="DE",
                                     segment=Segment.objects.get(code="key_accounts"), status="customer",
                                     website="https://evil.example", annual_revenue=Decimal("1250000.50"),
                                     contribution_margin_pct=Decimal("-5.25"), external_id="'=quoted")
    Contact.objects.create(account=formula, first_name="-Maria", last_name="Wagner", email="w@evil.example",
                           phone="+41441234567", language="fr", buying_role="coach", influence="high",
                           attitude="supporter")
    Opportunity.objects.create(account=formula, title="Verloren", owner=cast.owner, need="Zeile 1\nZeile 2",
                               stage=Stage.objects.get(code="lost"), expected_volume=Decimal(90000),
                               closing_reason=ClosingReason.objects.get(name_en="Price too high"),
                               closed_on=date(2025, 11, 30), expected_decision_date=date(2025, 10, 1),
                               estimated_margin_pct=Decimal("12.50"))
    return formula


def test_csv_neutralises_formulas(cast, tricky, client_for):
    cast.admin.language = "de-ch"
    cast.admin.save()
    rows = _csv(client_for(cast.admin).get("/exports/accounts.csv"), delimiter=";")
    row = next(r for r in rows if r[0] == str(tricky.pk))
    header = rows[0]
    cell = dict(zip(header, row))
    assert cell["Name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert cell["Ort"] == "'+Zug" and cell["Branche"] == "'@SUM(A1)" and cell["Strasse"] == "'-Bahnhof 1"
    assert cell["Externe ID"] == "''=quoted"
    assert cell["Deckungsbeitrag %"] == "-5.25"  # a number of ours is not text
    contacts = _csv(client_for(cast.admin).get("/exports/contacts.csv"))
    wagner = dict(zip(contacts[0], next(r for r in contacts if "Wagner" in r)))
    assert wagner["Vorname"] == "'-Maria" and wagner["Telefon"] == "'+41441234567"


def test_every_formula_character_is_neutralised():
    from kundennetz.imports.exports import csv_cell

    for text in ("=1+1", "+41", "-2", "@cmd", "\tx", "\rx", "'quoted"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Muster AG") == "Muster AG" and csv_cell(Decimal(-5)) == "-5"


def test_excel_keeps_formulas_as_text(cast, tricky, client_for):
    response = client_for(cast.admin).get("/exports/accounts.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows())
    cells = {c.value: c for c in rows[0]}
    assert "Name" in cells
    row = next(r for r in rows[1:] if r[0].value == tricky.pk)
    name = row[2]
    assert name.value == "=HYPERLINK(\"http://evil\",\"x\")" and name.data_type == "s" and name.quotePrefix
    assert row[12].value == Decimal("1250000.50") or row[12].value == 1250000.5
    assert sheet.freeze_panes == "A2"


def test_headers_in_the_users_language_and_delimiter(cast, network, client_for):
    cast.admin.language = "en"
    cast.admin.save()
    rows = _csv(client_for(cast.admin).get("/exports/accounts.csv"), delimiter=",")
    assert rows[0][:4] == ["Kundennetz ID", "External ID", "Name", "Legal form"]
    cast.admin.language = "de-ch"
    cast.admin.save()
    rows = _csv(client_for(cast.admin).get("/exports/accounts.csv"))
    assert rows[0][:4] == ["Kundennetz-ID", "Externe ID", "Name", "Rechtsform"]


def test_exports_follow_the_lists_filters(cast, network, client_for):
    from kundennetz.accounts.models import Account

    Account.objects.create(name="Zweite AG", city="Bern", owner=cast.outsider, status="customer")
    client = client_for(cast.admin)
    names = {r[2] for r in _csv(client.get("/exports/accounts.csv?q=zweite"))[1:]}
    assert names == {"Zweite AG"}
    names = {r[2] for r in _csv(client.get(f"/exports/accounts.csv?owner={cast.owner.pk}"))[1:]}
    assert names == {"Muster Engineering AG"}
    ordered = [r[2] for r in _csv(client.get("/exports/accounts.csv?sort=-name&page=7"))[1:]]
    assert ordered == ["Zweite AG", "Muster Engineering AG", "Fremd Consulting GmbH"]
    titles = [r[5] for r in _csv(client.get("/exports/opportunities.csv?stage_type=won"))[1:]]
    assert titles == []
    assert client.get("/exports/secrets.csv").status_code == 404


def test_full_export_is_a_zip_of_csvs(cast, tricky, client_for):
    from importing_helpers import full_export_bytes

    archive = zipfile.ZipFile(io.BytesIO(full_export_bytes(client_for(cast.admin))))
    names = set(archive.namelist())
    assert {"accounts.csv", "contacts.csv", "opportunities.csv"} <= names
    accounts = archive.read("accounts.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in accounts


def _snapshot():
    from kundennetz.accounts.models import Account, Contact, Opportunity

    accounts = sorted(Account.objects.values_list(
        "external_id", "name", "legal_form", "industry", "segment__code", "street", "postal_code", "city", "country",
        "website", "currency", "annual_revenue", "potential", "contribution_margin_pct", "status",
        "owner__username"))
    contacts = sorted(Contact.objects.values_list(
        "account__name", "first_name", "last_name", "function", "department", "email", "phone", "language",
        "buying_role", "influence", "attitude"))
    opportunities = sorted(Opportunity.objects.values_list(
        "account__name", "title", "need", "stage__code", "expected_volume", "expected_follow_up_volume",
        "offer_price", "estimated_margin_pct", "expected_decision_date", "owner__username",
        "closing_reason__name_en", "closed_on"))
    return accounts, contacts, opportunities


@pytest.mark.parametrize("fmt,language", [("csv", "de-ch"), ("csv", "en"), ("xlsx", "de-ch")])
def test_round_trip_reproduces_the_same_records(cast, tricky, client_for, run_import, fmt, language):
    from kundennetz.accounts.models import Account, Contact, Opportunity

    cast.admin.language = language
    cast.admin.save()
    client = client_for(cast.admin)
    before = _snapshot()
    files = {kind: b"".join(client.get(f"/exports/{kind}.{fmt}").streaming_content)
             for kind in ("accounts", "contacts", "opportunities")}
    # Into the same database: every row finds its record, nothing changes.
    for kind, content in files.items():
        batch, _ = run_import(cast.admin, kind, content, name=f"{kind}.{fmt}", commit=True)
        assert batch.status == "committed" and batch.unchanged_count == batch.rows_total, (kind, list(batch.rows.exclude(action="unchanged").values("row", "action", "changes", "issues")))
    # Into an empty one: the same records again.
    Opportunity.all_objects.all().delete()
    Contact.all_objects.all().delete()
    Account.all_objects.all().delete()
    for kind, content in files.items():
        batch, _ = run_import(cast.admin, kind, content, name=f"{kind}.{fmt}", commit=True)
        assert batch.status == "committed" and batch.created_count == batch.rows_total, kind
    assert _snapshot() == before
    if fmt == "csv":
        again = b"".join(client.get("/exports/accounts.csv").streaming_content).decode("utf-8-sig")
        strip_ids = lambda text: [line.split(";" if language == "de-ch" else ",", 1)[1]
                                  for line in text.splitlines()[1:]]
        assert sorted(strip_ids(again)) == sorted(strip_ids(files["accounts"].decode("utf-8-sig")))


def test_export_owned_by_the_sales_head_reimports_unchanged(cast, network, run_import):
    """Owners by user name whatever their role: the sales head's account re-imports (it was refused,
    and all or nothing then blocked every other row)."""
    from kundennetz.accounts.models import Account
    from kundennetz.imports import exports

    Account.objects.create(name="Chefsache AG", city="Bern", owner=cast.sales_head)
    content = "".join(exports.csv_lines("accounts", exports.queryset("accounts", cast.admin))).encode("utf-8")
    batch, _result = run_import(cast.admin, "accounts", content, name="accounts.csv")
    assert batch.error_count == 0 and batch.created_count == 0
    assert batch.unchanged_count == Account.objects.count()
