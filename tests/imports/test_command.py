"""`kundennetz import FILE --kind …`: dry run, commit, mappings, options, progress, errors."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from importing_helpers import SAMPLES


def _run(*args, **options):
    out = io.StringIO()
    call_command("import", *args, stdout=out, **options)
    return out.getvalue()


def test_dry_run_then_commit(cast, tmp_path):
    from kundennetz.accounts.models import Account
    from kundennetz.imports.models import ImportBatch

    out = _run(str(SAMPLES / "salesforce_accounts.csv"), kind="accounts", username="admin")
    assert "layout: Salesforce" in out and "4 rows: 4 to create" in out and "Dry run" in out
    assert Account.objects.count() == 0
    out = _run(str(SAMPLES / "salesforce_accounts.csv"), kind="accounts", username="sales_head", commit=True)
    assert "Imported as batch" in out and Account.objects.count() == 4
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.status, batch.created_by, batch.created_count) == ("command", "committed",
                                                                                 cast.sales_head, 4)
    assert batch.records.count() == 4
    out = _run(str(SAMPLES / "salesforce_accounts.csv"), kind="accounts", commit=True)  # the first admin
    assert "4 unchanged" in out


def test_errors_exit_with_a_message_and_save_nothing(cast, tmp_path):
    from kundennetz.accounts.models import Account

    path = tmp_path / "kunden.csv"
    path.write_text("Name;Ort;Kundenberater\r\nA AG;Bern;owner\r\nB AG;Bern;niemand\r\n", encoding="utf-8")
    cast.admin.language = "en"
    cast.admin.save()
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import", str(path), kind="accounts", username="admin", commit=True, stdout=out)
    assert "ERROR Row 3, Kundenberater: No active account manager “niemand”." in out.getvalue()
    assert Account.objects.count() == 0


def test_map_default_key_and_options(cast, network, tmp_path):
    from kundennetz.accounts.models import Account

    path = tmp_path / "us.csv"
    path.write_text("Company|Town|Revenue\nMuster Engineering AG|Bern|1,250\nNew Corp|Boston|1,250.5\n",
                    encoding="utf-8")
    out = _run(str(path), kind="accounts", username="admin", commit=True, map=["Company=name", "Town=city"],
               default=["owner=owner"], key="name_city", decimal=",")
    assert "1 to create, 1 to update" in out
    assert str(Account.objects.get(name="New Corp").turnover) == "1250.50"
    assert str(Account.objects.get(pk=network.account.pk).turnover) == "1.25"


def test_saved_and_file_mappings(cast, tmp_path):
    from kundennetz.imports.models import SavedMapping

    path = tmp_path / "x.csv"
    path.write_text("Firma;Wer\r\nA AG;owner\r\n", encoding="utf-8")
    SavedMapping.objects.create(owner=cast.admin, kind="accounts", name="Alt-CRM",
                                mapping={"columns": {"Firma": "name", "Wer": "owner"}})
    assert "1 to create" in _run(str(path), kind="accounts", username="admin", mapping="Alt-CRM")
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps({"columns": {"Firma": "name", "Wer": "owner"}}), encoding="utf-8")
    assert "1 to create" in _run(str(path), kind="accounts", username="admin", mapping=str(mapping_file))
    with pytest.raises(CommandError, match="No saved mapping"):
        _run(str(path), kind="accounts", username="admin", mapping="Gibt es nicht")


def test_progress_for_long_files(cast, tmp_path):
    path = tmp_path / "viele.csv"
    path.write_text("Name;Ort;Kundenberater\n" + "".join(f"Firma {i};Bern;owner\n" for i in range(20_000)),
                    encoding="utf-8")
    out = _run(str(path), kind="accounts", username="admin")
    assert "… 10'000 rows" in out and "… 20'000 rows" in out and "20000 rows: 20000 to create" in out


def test_refusals(cast, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name\r\nA\r\n", encoding="utf-8")
    with pytest.raises(CommandError, match="may not import"):  # in the language of the user named
        _run(str(path), kind="accounts", username="marketing")
    with pytest.raises(CommandError, match="No active user"):
        _run(str(path), kind="accounts", username="nobody")
    with pytest.raises(CommandError, match="No such file"):
        _run(str(tmp_path / "missing.csv"), kind="accounts", username="admin")
    binary = tmp_path / "bild.csv"
    binary.write_bytes(b"\x00\x01" * 50)
    with pytest.raises(CommandError):
        _run(str(binary), kind="accounts", username="admin")


def test_undo_from_the_command_line(cast, tmp_path):
    from kundennetz.accounts.models import Account
    from kundennetz.imports.models import ImportBatch

    _run(str(SAMPLES / "salesforce_accounts.csv"), kind="accounts", username="admin", commit=True)
    batch = ImportBatch.objects.get()
    with pytest.raises(CommandError, match="Only an administrator or the sales head"):
        _run(undo=batch.pk, username="owner")
    with pytest.raises(CommandError, match="No import #999"):
        _run(undo=999, username="admin")
    out = _run(undo=batch.pk, username="sales_head")
    assert f"Import #{batch.pk} undone: 4 records moved to the trash" in out
    batch.refresh_from_db()
    assert batch.status == "undone" and batch.undone_by == cast.sales_head and Account.objects.count() == 0
    with pytest.raises(CommandError, match="only once"):
        _run(undo=batch.pk, username="admin")
    with pytest.raises(CommandError, match="FILE and its --kind"):
        _run(username="admin")
