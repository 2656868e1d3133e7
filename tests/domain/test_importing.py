"""The pure rules of importing: values, files, columns, rows, formula neutralisation (no database)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kundennetz.domain.importing import (
    CellError,
    CsvTable,
    DuplicateTracker,
    FieldSpec,
    FileProblem,
    Options,
    auto_map,
    changed_fields,
    clean_row,
    detect_delimiter,
    detect_encoding,
    format_amount,
    neutralise,
    normalize_email,
    normalize_header,
    normalize_phone,
    parse_amount,
    parse_date,
    sniff_format,
    split_full_name,
    unneutralise,
)

# --- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("1'250'000.50", "1250000.50"), ("1’250’000.50", "1250000.50"), ("1 250 000,50", "1250000.50"),
    ("1\u202f250\u202f000,50", "1250000.50"), ("1.250.000,50", "1250000.50"), ("1,250,000.50", "1250000.50"),
    ("1250000.50", "1250000.50"), ("1250000,50", "1250000.50"), ("CHF 1'250.–", "1250"), ("Fr. 99.-", "99"),
    ("€ 3.500,00", "3500.00"), ("-12.5", "-12.5"), ("(1'000)", "-1000"), ("1.250", "1250"), ("1,250", "1250"),
    ("0,125", "0.125"), ("12.5", "12.5"), (".5", "0.5"), ("1234.567", "1234.567"), ("0", "0"),
])
def test_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12'50", "1.2.3", "1,25,0", "abc", "", "1..5", "1.250,000.5", "12-5", "--5"])
def test_amounts_refused_rather_than_guessed(text):
    with pytest.raises(CellError) as error:
        parse_amount(text)
    assert error.value.code == "bad_number"


def test_the_ambiguous_thousands_follow_the_mapping():
    assert parse_amount("1.250", ".") == Decimal("1.250") and parse_amount("1.250", ",") == Decimal(1250)
    assert parse_amount("1,250", ",") == Decimal("1.250") and parse_amount("1,250", ".") == Decimal(1250)
    assert parse_amount("1.5", ",") == Decimal("1.5")  # unambiguous cases ignore the hint


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2,
                   allow_nan=False, allow_infinity=False),
       st.sampled_from(["swiss", "spaced", "german", "english", "plain", "plain_comma"]),
       st.sampled_from([None, 0, 1, 2]))
def test_amount_round_trip_in_every_notation(value, style, places):
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    assert parse_amount(format_amount(value, style, places)) == value


@given(st.integers(min_value=0, max_value=10**12))
def test_whole_numbers_round_trip(number):
    for style in ("swiss", "spaced", "german", "english", "plain"):
        assert parse_amount(format_amount(Decimal(number), style)) == number


# --- phone numbers, e-mail, dates ------------------------------------------------------------------------


@pytest.mark.parametrize("text,country,expected", [
    ("044 123 45 67", "CH", "+41441234567"), ("+41 (0)44 123 45 67", "CH", "+41441234567"),
    ("0041 79 123 45 67", "CH", "+41791234567"), ("079/123.45.67", "CH", "+41791234567"),
    ("+41 044 123 45 67", "CH", "+41441234567"), ("030 1234567", "DE", "+49301234567"),
    ("+49 (0)89 1234567", "CH", "+49891234567"), ("01 234 56 78", "AT", "+4312345678"),
    ("01 23 45 67 89", "FR", "+33123456789"), ("02 1234 5678", "IT", "+390212345678"),
    ("+39 333 123 4567", "CH", "+393331234567"), ("(212) 555-1234", "US", "+12125551234"),
    ("1-212-555-1234 x12", "US", "+12125551234;ext=12"), ("+44 20 7946 0958", "CH", "+442079460958"),
    ("tel:+41441234567", "CH", "+41441234567"), ("", "CH", ""),
])
def test_phone_numbers(text, country, expected):
    assert normalize_phone(text, country) == expected


@pytest.mark.parametrize("text", ["12", "044 123 45 6", "+41 44 123 45 678", "call me", "(012) 555-1234"])
def test_phone_numbers_refused(text):
    with pytest.raises(CellError):
        normalize_phone(text, "US" if text.startswith("(") else "CH")


def test_email():
    assert normalize_email("  Anna.Meier@Muster.CH ") == "anna.meier@muster.ch"
    assert normalize_email("mailto:<x@y.ch>") == "x@y.ch"
    for bad in ("anna", "anna@", "a@b", "a b@c.ch", "a@@b.ch"):
        with pytest.raises(CellError):
            normalize_email(bad)


@pytest.mark.parametrize("text,order,expected", [
    ("30.06.2026", "dmy", date(2026, 6, 30)), ("1.7.26", "dmy", date(2026, 7, 1)),
    ("2026-06-30", "mdy", date(2026, 6, 30)), ("2023-01-31T23:30:00.000Z", "dmy", date(2023, 1, 31)),
    ("30/06/2026", "dmy", date(2026, 6, 30)), ("6/30/2026", "mdy", date(2026, 6, 30)),
    ("3/1/2017", "mdy", date(2017, 3, 1)), ("3/1/2017", "dmy", date(2017, 1, 3)),
    ("30.06.2026", "mdy", date(2026, 6, 30)),  # dots are always day first
])
def test_dates(text, order, expected):
    assert parse_date(text, order) == expected


@pytest.mark.parametrize("text,order", [("31.02.2026", "dmy"), ("6/30/2026", "dmy"), ("2026-13-01", "dmy"),
                                        ("morgen", "dmy"), ("30/06/2026", "ymd")])
def test_dates_refused(text, order):
    with pytest.raises(CellError) as error:
        parse_date(text, order)
    assert error.value.code == "bad_date"


# --- files ---------------------------------------------------------------------------------------------


def test_encodings():
    assert detect_encoding(b"\xef\xbb\xbfName") == "utf-8-sig"
    assert detect_encoding("Zürich".encode()) == "utf-8"
    assert detect_encoding("Zürich".encode()[:-1] + "ü".encode()[:1]) == "utf-8"  # cut mid-character
    assert detect_encoding("Zürich – “Café”".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"Z\x81rich") == "latin-1"
    assert detect_encoding("Zürich".encode("utf-16")) == "utf-16"
    for binary in (b"\x00\x01\x02", b"PK\x03\x04" + b"\x00" * 10):
        with pytest.raises(FileProblem):
            detect_encoding(binary)
    with pytest.raises(FileProblem):
        sniff_format(b"\xd0\xcf\x11\xe0", "x.xls")
    assert sniff_format(b"PK\x03\x04", "renamed.csv") == "xlsx"


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiters(delimiter):
    text = delimiter.join(["Name", "Ort", "Betrag"]) + "\n" + delimiter.join(['"A, B; C"', "Bern", "1,5"]) + "\n"
    assert detect_delimiter(text) == delimiter


def test_csv_table_streams_records_with_row_numbers():
    content = b'Name;Notiz\r\n"Muster AG";"zwei\r\nZeilen"\r\n\r\nB AG;x\r\n'
    table = CsvTable(io.BytesIO(content))
    assert table.headers == ["Name", "Notiz"]
    records = [(r.row, r.cells) for r in table]
    assert records == [(2, ["Muster AG", "zwei\r\nZeilen"]), (4, ["B AG", "x"])]


def test_overlong_and_undecodable_lines_are_row_problems():
    long = b"Name\n" + b"x" * 300_000 + b"\nB\n"
    rows = list(CsvTable(io.BytesIO(long)))
    assert rows[0].problem.code == "line_too_long" and rows[1].cells == ["B"]
    mixed = b"Name\n" + b"A\n" * 40_000 + b"M\xfcller\n"
    rows = list(CsvTable(io.BytesIO(mixed)))
    assert rows[-1].problem.code == "bad_encoding" and rows[-1].row == 40_002


def test_headers_are_made_unique():
    table = CsvTable(io.BytesIO(b"Name;Name;;Ort;;\r\na;b;c;d;;\r\n"))
    assert table.headers == ["Name", "Name (2)", "#3", "Ort"]


# --- columns -------------------------------------------------------------------------------------------


def test_header_normalisation():
    assert normalize_header("BillingCity") == normalize_header("Billing City") == "billing city"
    assert normalize_header("Organization - Name") == "organization name"
    assert normalize_header("Loss_Reason__c") == "loss reason"
    assert normalize_header("Straße") == normalize_header("STRASSE")


def test_auto_map_prefers_the_layout_that_knows_most_headers():
    layouts = [{"id": "a", "kinds": {"accounts": {"columns": {"Name": "name", "Town": "city"}}}},
               {"id": "b", "kinds": {"accounts": {"columns": {"AccountName": "name", "BillingCity": "city",
                                                              "OwnerId": "owner"}}}}]
    guess = auto_map(["Account Name", "Billing City", "Owner Id", "Farbe"], "accounts", layouts,
                     {"industry": ["branche"]}, ["name", "city", "owner", "industry"])
    assert guess.layout == "b" and guess.columns == {"Account Name": "name", "Billing City": "city",
                                                     "Owner Id": "owner", "Farbe": None}
    generic = auto_map(["Firma", "Branche", "Name"], "accounts", layouts, {"name": ["firma"], "industry": ["branche"]},
                       ["name", "industry"])
    assert generic.layout is None and generic.columns == {"Firma": "name", "Branche": "industry", "Name": None}


# --- rows ----------------------------------------------------------------------------------------------


def test_clean_row_reports_every_problem_at_its_column():
    specs = {"name": FieldSpec("name", required=True, max_length=10),
             "revenue": FieldSpec("revenue", "amount", max_digits=14, decimal_places=2,
                                  min_value=Decimal(0)),
             "country": FieldSpec("country", "country"),
             "status": FieldSpec("status", "choice", choices={"kunde": "customer", "customer": "customer"})}
    options = Options(countries={"schweiz": "CH"})
    values, issues = clean_row({"name": ("Firma", " Muster "), "revenue": ("Umsatz", "1'000.50"),
                                "country": ("Land", "Schweiz"), "status": ("Status", "KUNDE")}, specs, options, 2)
    assert values == {"name": "Muster", "revenue": Decimal("1000.50"), "country": "CH", "status": "customer"}
    assert issues == []
    values, issues = clean_row({"name": ("Firma", "Zu langer Name"), "revenue": ("Umsatz", "-5"),
                                "country": ("Land", "Atlantis"), "status": ("Status", "VIP")}, specs, options, 7)
    assert [(i.code, i.column, i.row) for i in issues] == [
        ("too_long", "Firma", 7), ("below_minimum", "Umsatz", 7), ("bad_country", "Land", 7), ("bad_choice", "Status", 7)]
    _values, issues = clean_row({"name": ("Firma", "")}, specs, options, 3)
    assert [i.code for i in issues] == ["required"]


def test_neutralised_cells_are_read_back():
    spec = FieldSpec("name")
    assert clean_row({"name": ("N", "'=SUM(A1)")}, {"name": spec}, Options(), 2)[0] == {"name": "=SUM(A1)"}
    assert clean_row({"name": ("N", "'=SUM(A1)")}, {"name": spec}, Options(neutralised=False), 2)[0] == {
        "name": "'=SUM(A1)"}


@given(st.text(max_size=20))
def test_neutralise_round_trip(text):
    assert unneutralise(neutralise(text)) == text
    assert not neutralise(text)[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_duplicates_and_changes():
    tracker = DuplicateTracker()
    assert tracker.first_row(("name", "a", "bern"), 2) is None
    assert tracker.first_row(("name", "a", "bern"), 9) == 2
    assert changed_fields({"a": 1, "b": Decimal("1.0"), "c": "x"}, {"a": 2, "b": Decimal(1), "c": ""}) == {"a": (1, 2)}
    assert split_full_name("Anna Maria Meier") == ("Anna Maria", "Meier")
    assert split_full_name("Meier, Anna") == ("Anna", "Meier") and split_full_name("Cher") == ("", "Cher")
