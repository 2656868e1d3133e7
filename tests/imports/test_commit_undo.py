"""All or nothing, updates with history, and undo: creations to the trash, updates restored."""

from decimal import Decimal

from importing_helpers import outcomes

HEADER = "Name;Ort;Umsatz;Kundenberater;Externe ID\r\n"
# The existing account has no external ID yet: it is found by name and city, and gets one.
BY_NAME = {"key": "name_city"}


def test_an_error_in_the_last_row_saves_nothing(cast, run_import):
    """2,500 good rows (three chunks, the first two already written) and a bad last one: nothing stays."""
    from kundennetz.accounts.models import Account
    from kundennetz.imports import services

    good = "".join(f"Firma {i} AG;Bern;{i}.50;owner;EXT-{i}\r\n" for i in range(2500))
    content = (HEADER + good).encode()
    batch, _ = run_import(cast.admin, "accounts", content + b"Letzte AG;Bern;1;owner;EXT-LAST\r\n")
    assert batch.can_commit
    # Between the check and the commit the last row's owner leaves: the commit now fails in that row.
    cast.owner.is_active = False
    cast.owner.save()
    cast.outsider.username = "owner"  # nobody else answers to it either
    result = services.commit(batch, cast.admin)
    assert not result.ok
    assert Account.objects.count() == 0 and Account.history.count() == 0
    batch.refresh_from_db()
    assert batch.status == "dry_run" and batch.error_count == 2501  # the outcomes as they are now


def test_last_row_error_in_a_fresh_file(cast, run_import):
    from kundennetz.accounts.models import Account

    good = "".join(f"Firma {i} AG;Bern;1;owner;EXT-{i}\r\n" for i in range(1500))
    batch, result = run_import(cast.admin, "accounts", (HEADER + good + "Kaputt AG;Bern;viel;owner;X\r\n").encode(),
                               commit=True)
    assert not result.ok and batch.status == "dry_run" and batch.error_count == 1
    assert outcomes(batch)[1502] == ("error", ["bad_number"])
    assert Account.objects.count() == 0


def test_commit_writes_history_attributed_to_the_importer(cast, network, run_import):
    from kundennetz.accounts.models import Account

    content = (HEADER + "Muster Engineering AG;Bern;999'000;;M-1\r\nNeu AG;Thun;5;owner;N-1\r\n").encode()
    batch, _result = run_import(cast.sales_head, "accounts", content, commit=True, mapping=BY_NAME)
    assert batch.status == "committed" and (batch.created_count, batch.updated_count) == (1, 1)
    account = Account.objects.get(pk=network.account.pk)
    assert account.annual_revenue == Decimal(999000) and account.external_id == "M-1"
    assert account.owner == cast.owner  # an empty cell leaves the owner as it is
    assert account.updated_by == cast.sales_head
    latest = account.history.latest()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~", cast.sales_head, f"import #{batch.pk}")
    created = Account.objects.get(name="Neu AG")
    assert created.created_by == cast.sales_head and created.history.get().history_user == cast.sales_head
    records = {(r.action, r.object_id) for r in batch.records.all()}
    assert records == {("created", created.pk), ("updated", account.pk)}
    update = batch.records.get(action="updated")
    assert update.previous == {"annual_revenue": "420000.00", "external_id": ""}


def test_undo_trashes_creations_and_restores_updates(cast, network, run_import):
    from kundennetz.accounts.models import Account, Contact
    from kundennetz.imports import services

    content = (HEADER + "Muster Engineering AG;Bern;999'000;;M-1\r\nNeu AG;Thun;5;owner;N-1\r\n").encode()
    batch, _ = run_import(cast.admin, "accounts", content, commit=True, mapping=BY_NAME)
    created = Account.objects.get(name="Neu AG")
    person = Contact.objects.create(account=created, last_name="Später")  # added after the import
    summary = services.undo(batch, cast.sales_head)
    batch.refresh_from_db()
    assert batch.status == "undone" and batch.undone_by == cast.sales_head
    assert (summary.trashed, summary.dependants, summary.restored_fields, summary.kept_fields) == (1, 1, 2, 0)
    assert not Account.objects.filter(pk=created.pk).exists()
    trashed = Account.all_objects.get(pk=created.pk)
    assert trashed.deleted_by == cast.sales_head
    person.refresh_from_db()
    assert person.deleted_at == trashed.deleted_at  # restored together from the trash
    trashed.restore(cast.admin)
    assert Contact.objects.filter(pk=person.pk).exists()
    account = Account.objects.get(pk=network.account.pk)
    assert account.annual_revenue == Decimal(420000) and account.external_id == ""
    assert account.history.latest().history_change_reason == f"undo import #{batch.pk}"


def test_undo_keeps_values_changed_after_the_import(cast, network, run_import):
    from kundennetz.accounts.models import Account
    from kundennetz.imports import services

    content = (HEADER + "Muster Engineering AG;Bern;999'000;;M-1\r\n").encode()
    batch, _ = run_import(cast.admin, "accounts", content, commit=True, mapping=BY_NAME)
    Account.objects.filter(pk=network.account.pk).update(annual_revenue=Decimal(1))
    summary = services.undo(batch, cast.admin)
    assert (summary.restored_fields, summary.kept_fields) == (1, 1)
    account = Account.objects.get(pk=network.account.pk)
    assert account.annual_revenue == Decimal(1) and account.external_id == ""


def test_undo_once_and_only_committed(cast, run_import):
    import pytest

    from kundennetz.imports import services

    batch, _ = run_import(cast.admin, "accounts", (HEADER + "A AG;Bern;1;owner;A\r\n").encode())
    with pytest.raises(services.ImportRefused):
        services.undo(batch, cast.admin)
    services.commit(batch, cast.admin)
    services.undo(batch, cast.admin)
    with pytest.raises(services.ImportRefused):
        services.undo(batch, cast.admin)
    with pytest.raises(services.ImportRefused):
        services.commit(batch, cast.admin)


def test_reimport_after_undo_creates_again(cast, run_import):
    """Contacts keep their external IDs apart; after an undo the same file imports afresh."""
    from kundennetz.accounts.models import Account, Contact
    from kundennetz.imports import services

    Account.objects.create(name="Basis AG", city="Bern", owner=cast.owner, external_id="B-1")
    content = b"Externe ID;Kunde Externe ID;Vorname;Nachname;E-Mail\r\nC-1;B-1;Eva;Roth;EVA@basis.ch\r\n"
    batch, _ = run_import(cast.admin, "contacts", content, commit=True)
    assert batch.status == "committed" and Contact.objects.get().email == "eva@basis.ch"
    services.undo(batch, cast.admin)
    assert Contact.objects.count() == 0
    again, _ = run_import(cast.admin, "contacts", content, commit=True)
    assert again.created_count == 1 and Contact.objects.count() == 1
    third, _ = run_import(cast.admin, "contacts", content, commit=True)
    assert third.unchanged_count == 1
