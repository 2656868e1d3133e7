"""Every class of problem a file can have: a clear reason at its row and column, never a crash."""

import io

import pytest
from importing_helpers import Upload, outcomes

HEADER = "Name;Ort;Umsatz;Kundenberater\r\n"


def _codes(batch):
    return {row: codes for row, (action, codes) in outcomes(batch).items() if action == "error"}


def test_bad_encoding_binary_file(cast, run_import):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4
    batch, _result = run_import(cast.admin, "accounts", png, name="kunden.csv")
    assert batch.file_problem["code"] == "binary_file" and not batch.can_commit


def test_bad_encoding_inside_a_long_utf8_file(cast, run_import):
    """The first 64 KB are valid UTF-8; a Latin-1 byte far below makes that row an error, not a crash."""
    rows = "".join(f"Firma {i} AG;Bern;1000;owner\r\n" for i in range(3000)).encode()
    content = HEADER.encode() + rows + "Müller AG;Zürich;5;owner\r\n".encode("latin-1")
    batch, _result = run_import(cast.admin, "accounts", content, commit=True)
    assert batch.encoding == "utf-8" and batch.status == "dry_run"
    assert _codes(batch) == {3002: ["bad_encoding"]}
    assert batch.created_count == 3000


def test_windows_1252_and_latin_1_are_detected(cast, run_import):
    from kundennetz.accounts.models import Account

    content = (HEADER + "Müller Bürotechnik AG;Zürich;1'250;owner\r\n").encode("cp1252") + \
        "Café Crème – Genève SA;Genève;€ 3.500,00;owner\r\n".encode("cp1252")
    batch, _ = run_import(cast.admin, "accounts", content, commit=True)
    assert batch.encoding == "cp1252" and batch.status == "committed"
    assert Account.objects.get(city="Genève").name == "Café Crème – Genève SA"
    latin = (HEADER + "Société Générale SA;Genève;5;owner\r\n").encode("latin-1") + b"X\x81Y AG;Bern;1;owner\r\n"
    batch, _ = run_import(cast.admin, "accounts", latin)
    assert batch.encoding == "latin-1"


def test_utf8_with_bom_and_utf16(cast, run_import):
    content = ("\ufeff" + HEADER + "Zürich Versicherung AG;Zürich;1;owner\r\n").encode("utf-8")
    batch, _ = run_import(cast.admin, "accounts", content)
    assert batch.encoding == "utf-8-sig" and batch.headers[0] == "Name" and batch.created_count == 1
    batch, _ = run_import(cast.admin, "accounts", (HEADER.replace(";", "\t") + "Zug AG\tZug\t1\towner\r\n")
                          .encode("utf-16"), name="unicode.txt")
    assert batch.encoding == "utf-16" and batch.delimiter == "\t" and batch.created_count == 1


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_every_delimiter_is_detected(cast, run_import, delimiter):
    content = f"Name{delimiter}Ort{delimiter}Kundenberater\r\nA AG{delimiter}Bern{delimiter}owner\r\n"
    batch, _ = run_import(cast.admin, "accounts", content.encode())
    assert batch.delimiter == delimiter and batch.created_count == 1


def test_wrong_delimiter(cast, run_import):
    content = (HEADER + "Muster AG;Bern;1;owner\r\n").encode()
    batch, _ = run_import(cast.admin, "accounts", content, mapping={"delimiter": ","})
    assert batch.file_problem["code"] == "wrong_delimiter"
    assert batch.file_problem["params"] == {"delimiter": ",", "found": ";"}


def test_missing_required_column(cast, run_import):
    batch, _ = run_import(cast.admin, "accounts", b"Ort;Umsatz\r\nBern;5\r\n")
    assert batch.file_problem["code"] == "missing_column"
    batch, _ = run_import(cast.admin, "contacts", b"Vorname;Nachname\r\nAnna;Meier\r\n")
    assert batch.file_problem["code"] == "missing_column"  # no account column
    batch, _ = run_import(cast.admin, "accounts", b"Name;Ort\r\nA;B\r\n", mapping={"key": "external_id"})
    assert batch.file_problem["code"] == "missing_column"  # the chosen key's column


def test_bad_number_and_date(cast, network, run_import):
    content = ("Titel;Kunde;Volumen;Entscheid\r\n"
               "Neu A;Muster Engineering AG;12'50;31.12.2026\r\n"
               "Neu B;Muster Engineering AG;1000;31.02.2026\r\n"
               "Neu C;Muster Engineering AG;1'000.555;2026-12-31\r\n"
               "Neu D;Muster Engineering AG;CHF 1'000.–;12/31/2026\r\n").encode()
    batch, _ = run_import(cast.admin, "opportunities", content)
    assert _codes(batch) == {2: ["bad_number"], 3: ["bad_date"], 4: ["too_many_decimals"], 5: ["bad_date"]}
    row = batch.rows.get(row=2)
    assert row.issues[0]["column"] == "Volumen" and row.issues[0]["params"]["value"] == "12'50"
    us, _ = run_import(cast.admin, "opportunities", content, mapping={"date_order": "mdy"})
    assert 5 not in _codes(us)


def test_unknown_owner(cast, run_import):
    """Account managers by any name; people of other roles only by their exact user name (what our own
    export writes, so that it re-imports whatever the owner's role)."""
    content = (HEADER + "A AG;Bern;1;niemand\r\nB AG;Bern;1;Marketing Test\r\nC AG;Bern;1;\r\n"
               "D AG;Bern;1;sales_head\r\n").encode()
    batch, _ = run_import(cast.admin, "accounts", content)
    assert _codes(batch) == {2: ["unknown_owner"], 3: ["unknown_owner"], 4: ["missing_owner"]}  # row 5 is fine


def test_duplicate_keys_in_file_and_database(cast, network, run_import):
    from kundennetz.accounts.models import Account

    content = (HEADER + "Neu AG;Thun;1;owner\r\n" + "neu  ag;THUN;2;owner\r\n"
               + "Muster Engineering AG;Bern;9;owner\r\n").encode()
    batch, _ = run_import(cast.admin, "accounts", content)
    assert outcomes(batch) == {2: ("create", []), 3: ("skip", ["duplicate_in_file"]), 4: ("update", [])}
    assert batch.rows.get(row=3).issues[0]["params"] == {"first_row": 2}
    Account.objects.create(name="Muster Engineering AG", city="Bern", owner=cast.owner)
    batch, _ = run_import(cast.admin, "accounts", content)
    assert outcomes(batch)[4] == ("error", ["ambiguous_key"])


def test_a_10_mb_line_is_a_row_error(cast, run_import, monkeypatch):
    from kundennetz.imports import services

    assert services.UPLOAD_MAX_BYTES >= 20 * 1024 * 1024
    content = HEADER.encode() + b"Riesen AG;Bern;" + b"9" * (10 * 1024 * 1024) + b";owner\r\nKlein AG;Bern;1;owner\r\n"
    batch, _ = run_import(cast.admin, "accounts", content, name="gross.csv")
    assert batch.status == "dry_run"
    assert outcomes(batch) == {2: ("error", ["line_too_long"]), 3: ("create", [])}


def test_a_10_mb_line_through_the_command(cast, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "gross.csv"
    path.write_bytes(HEADER.encode() + b"x" * (10 * 1024 * 1024) + b"\r\n")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(path), kind="accounts", username="admin", stdout=out)
    assert "Row 2: Row 2 is longer than 131'072 characters" in out.getvalue()


def test_too_many_cells_and_old_excel(cast, run_import):
    batch, _ = run_import(cast.admin, "accounts", (HEADER + "A AG;Bern;1;owner;extra\r\n").encode())
    assert _codes(batch) == {2: ["too_many_cells"]}
    batch, _ = run_import(cast.admin, "accounts", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="alt.xls")
    assert batch.file_problem["code"] == "xls_not_supported"
    batch, _ = run_import(cast.admin, "accounts", b"PK\x03\x04broken", name="kaputt.xlsx")
    assert batch.file_problem["code"] == "bad_xlsx"
    batch, _ = run_import(cast.admin, "accounts", b"", name="leer.csv")
    assert batch.file_problem["code"] == "empty_file"


def test_reasons_in_the_users_language(cast, run_import):
    from kundennetz.imports.services import issue_text

    batch, _ = run_import(cast.admin, "accounts", (HEADER + "A AG;Bern;viel;owner\r\n").encode())
    issue = batch.rows.get(row=2).issues[0]
    assert issue_text(issue, "de-ch") == "«viel» ist keine Zahl."
    assert issue_text(issue, "en") == "“viel” is not a number."


def test_model_rules_apply(cast, network, run_import):
    """What a form refuses, an import refuses: here a lost opportunity without a reason."""
    content = b"Titel;Kunde;Phase\r\nVerloren;Muster Engineering AG;lost\r\n"
    batch, _ = run_import(cast.admin, "opportunities", content)
    issue = batch.rows.get(row=2).issues[0]
    assert issue["code"] == "model_validation" and issue["field"] == "closing_reason"
    assert "closing reason" in issue["params"]["message_en"]


def test_oversized_upload_is_refused_for_the_web(cast, settings):
    from kundennetz.imports import services

    settings.KUNDENNETZ_UPLOAD_MAX_BYTES = 100 * 1024 * 1024
    assert services.UPLOAD_MAX_BYTES == 100 * 1024 * 1024

    class Endless:
        """A 101 MB upload that says no size: refused while streaming, after 100 MB, nothing kept."""

        name = "big.csv"

        def __init__(self):
            self.sent = 0

        def chunks(self, size):
            while self.sent <= services.UPLOAD_MAX_BYTES:
                self.sent += size
                yield b"x" * size

    with pytest.raises(services.ImportRefused, match="up to 100 MB"):
        services.start(cast.admin, Endless(), "accounts")
    from kundennetz.imports.models import ImportBatch, ImportFilePart

    assert ImportBatch.objects.count() == 0 and ImportFilePart.objects.count() == 0
    with pytest.raises(services.ImportRefused, match="101.0 MB"):
        services.start(cast.admin, type("Announced", (), {"name": "big.csv", "size": 101 * 1024 * 1024})(),
                       "accounts")  # refused on its announced size, before anything is read


def test_ambiguous_decimals_judged_per_column_never_per_cell(cast, run_import):
    """1.5, 1.250 and 12.345 in one column: the 1.5 says a point is the decimal separator, so 1.250 is
    1.25 and 12.345 has too many decimals (said, at its row) — not 1250 and 12345 without a word."""
    from decimal import Decimal

    content = (HEADER + "A AG;Bern;1.5;owner\r\nB AG;Bern;1.250;owner\r\nC AG;Bern;12.345;owner\r\n").encode()
    batch, _ = run_import(cast.admin, "accounts", content)
    assert batch.mapping["decimals"] == {"Umsatz": "."}
    rows = {row.row: row for row in batch.rows.all()}
    assert rows[2].action == "create" and rows[3].action == "create"
    assert rows[4].action == "error"

    from kundennetz.accounts.models import Account

    batch2, _ = run_import(cast.admin, "accounts", HEADER.encode() + b"B AG;Bern;1.250;owner\r\n", commit=False)
    assert batch2.file_problem["code"] == "ambiguous_decimal" and batch2.file_problem["params"]["columns"] == "Umsatz"
    assert not batch2.can_commit
    batch3, _ = run_import(cast.admin, "accounts", HEADER.encode() + b"B AG;Bern;1.250;owner\r\n", commit=True,
                           mapping={"decimals": {"Umsatz": ","}})
    assert batch3.status == "committed" and Account.objects.get(name="B AG").annual_revenue == Decimal("1250")
