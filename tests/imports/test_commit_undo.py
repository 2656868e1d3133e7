"""All or nothing, updates with history, and undo: creations to the trash, updates restored."""

from decimal import Decimal

from importing_helpers import commit_now, outcomes


def undo_with_summary(batch, user, attached="keep"):
    """The undo as the worker runs it, returning what it did."""
    from kundennetz.imports import services, tasks

    tasks.request_undo(batch, user, attached, queue=False)
    return services.undo(batch, user, attached)

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
    commit_now(batch, cast.admin)
    assert Account.objects.count() == 0 and Account.all_objects.count() == 0 and Account.history.count() == 0
    assert batch.records.count() == 0
    assert batch.status == "failed" and batch.error_count == 2501  # the outcomes as they are now
    assert batch.failure == "2501 rows cannot be imported now; nothing was imported."


def test_last_row_error_in_a_fresh_file(cast, run_import):
    from kundennetz.accounts.models import Account

    good = "".join(f"Firma {i} AG;Bern;1;owner;EXT-{i}\r\n" for i in range(1500))
    batch, result = run_import(cast.admin, "accounts", (HEADER + good + "Kaputt AG;Bern;viel;owner;X\r\n").encode(),
                               commit=True)
    assert not result.ok and batch.status == "dry_run" and batch.error_count == 1 and batch.can_commit  # only by leaving that row out
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
    attached = services.attached_since(batch)
    assert [(item.label, item.count, item.examples) for item in attached] == [("accounts.contact", 1, [str(person)])]
    summary = undo_with_summary(batch, cast.sales_head, attached="trash")
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
    summary = undo_with_summary(batch, cast.admin)
    assert (summary.restored_fields, summary.kept_fields) == (1, 1)
    account = Account.objects.get(pk=network.account.pk)
    assert account.annual_revenue == Decimal(1) and account.external_id == ""


def test_undo_once_and_only_committed(cast, run_import):
    import pytest

    from kundennetz.imports import services, tasks

    batch, _ = run_import(cast.admin, "accounts", (HEADER + "A AG;Bern;1;owner;A\r\n").encode())
    with pytest.raises(services.ImportRefused):
        tasks.request_undo(batch, cast.admin)
    with pytest.raises(services.ImportRefused):
        services.undo(batch, cast.admin)  # a worker with a stale task: the batch is not being undone
    assert commit_now(batch, cast.admin).status == "committed"
    tasks.request_undo(batch, cast.admin)
    batch.refresh_from_db()
    assert batch.status == "undone"
    with pytest.raises(services.ImportRefused):
        tasks.request_undo(batch, cast.admin)
    with pytest.raises(services.ImportRefused):
        tasks.request_commit(batch, cast.admin)


def test_reimport_after_undo_creates_again(cast, run_import):
    """Contacts keep their external IDs apart; after an undo the same file imports afresh."""
    from kundennetz.accounts.models import Account, Contact
    from kundennetz.imports import tasks

    Account.objects.create(name="Basis AG", city="Bern", owner=cast.owner, external_id="B-1")
    content = b"Externe ID;Kunde Externe ID;Vorname;Nachname;E-Mail\r\nC-1;B-1;Eva;Roth;EVA@basis.ch\r\n"
    batch, _ = run_import(cast.admin, "contacts", content, commit=True)
    assert batch.status == "committed" and Contact.objects.get().email == "eva@basis.ch"
    tasks.request_undo(batch, cast.admin)
    assert Contact.objects.count() == 0
    again, _ = run_import(cast.admin, "contacts", content, commit=True)
    assert again.created_count == 1 and Contact.objects.count() == 1
    third, _ = run_import(cast.admin, "contacts", content, commit=True)
    assert third.unchanged_count == 1


def test_undo_keeps_what_others_attached_unless_asked_and_marks_their_import(cast, run_import):
    """An accounts import undone: the opportunities another import attached to its accounts stay by
    default; trashed on request, and that other import then says it is undone too."""
    from kundennetz.accounts.models import Account, Opportunity
    from kundennetz.imports import services

    accounts, _ = run_import(cast.admin, "accounts", (HEADER + "Neu AG;Thun;5;owner;N-1\r\n").encode(), commit=True)
    deals = b"Titel;Kunde Externe ID;Betrag\r\nGrosser Deal;N-1;1000\r\n"
    pipeline, _ = run_import(cast.admin, "opportunities", deals, commit=True)
    assert pipeline.status == "committed" and Opportunity.objects.count() == 1
    attached = services.attached_since(accounts)
    assert [(a.label, a.count, a.batches) for a in attached] == [("accounts.opportunity", 1, [pipeline.pk])]

    kept = undo_with_summary(accounts, cast.admin, attached="keep")
    assert (kept.trashed, kept.dependants) == (1, 0)
    assert Opportunity.objects.count() == 1 and Account.objects.count() == 0
    pipeline.refresh_from_db()
    assert pipeline.status == "committed"


def test_undo_with_attached_trashed_keeps_every_status_true(cast, run_import):
    from kundennetz.accounts.models import Opportunity

    accounts, _ = run_import(cast.admin, "accounts", (HEADER + "Neu AG;Thun;5;owner;N-1\r\n").encode(), commit=True)
    pipeline, _ = run_import(cast.admin, "opportunities", b"Titel;Kunde Externe ID\r\nDeal;N-1\r\n", commit=True)
    summary = undo_with_summary(accounts, cast.admin, attached="trash")
    assert summary.dependants == 1 and Opportunity.objects.count() == 0
    pipeline.refresh_from_db()
    assert pipeline.status == "undone" and f"#{accounts.pk}" in pipeline.note


def test_a_commit_interrupted_by_a_dead_worker_is_redone_without_doubles(cast, run_import):
    """A worker killed mid-commit leaves committed chunks and the status "committing"; the task run again
    (re-queued by the heartbeat) takes those chunks back first, so each record exists once."""
    from kundennetz.accounts.models import Account
    from kundennetz.imports import services
    from kundennetz.imports.models import ImportBatch
    from kundennetz.imports.tasks import commit_batch

    good = "".join(f"Firma {i} AG;Bern;1;owner;EXT-{i}\r\n" for i in range(2500))
    batch, _ = run_import(cast.admin, "accounts", (HEADER + good).encode())
    ImportBatch.objects.filter(pk=batch.pk).update(status="committing")
    batch.refresh_from_db()

    class Killed(BaseException):
        pass

    calls = {"n": 0}

    def die_after_two_chunks(done):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed

    original = services._progress
    services._progress = lambda b, total: die_after_two_chunks
    try:
        try:
            services.commit(batch, cast.admin)
        except Killed:
            pass
    finally:
        services._progress = original
    assert Account.objects.count() == 2000  # two chunks committed, then the worker "died"
    batch.refresh_from_db()
    assert batch.status == "committing"
    commit_batch.call(batch.pk, cast.admin.pk)  # what the next worker runs
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.created_count == 2500
    assert Account.objects.count() == 2500 and batch.records.count() == 2500
