"""An import writes accounts with bulk inserts and updates: the owner's sort key the lists sort by follows
(accounts.sortkeys), and so does the undo that hands an account back to its former owner."""

from join_sorts import misordered, off_copies

HEADER = "Name;Ort;Umsatz;Kundenberater;Externe ID\r\n"
BY_NAME = {"key": "name_city"}


def test_imported_and_restored_owners_are_sorted_by(cast, network, run_import):
    from kundennetz.accounts.models import Account
    from kundennetz.imports import services, tasks

    cast.outsider.last_name = "Ämmer"  # before the owner in German order ("Test"), after it by bytes
    cast.outsider.save()
    content = (HEADER + "Muster Engineering AG;Bern;1;outsider;M-1\r\nNeu AG;Thun;5;team_member;N-1\r\n").encode()
    batch, _ = run_import(cast.admin, "accounts", content, commit=True, mapping=BY_NAME)
    assert batch.status == "committed" and (batch.created_count, batch.updated_count) == (1, 1)
    assert Account.objects.get(pk=network.account.pk).owner_sort == cast.outsider.name_sort
    assert Account.objects.get(name="Neu AG").owner_sort == cast.team_member.name_sort
    assert off_copies() == [] and misordered(cast.sales_head) == []

    tasks.request_undo(batch, cast.admin, "keep", queue=False)
    services.undo(batch, cast.admin, "keep")
    assert Account.objects.get(pk=network.account.pk).owner_sort == cast.owner.name_sort
    assert off_copies() == [] and misordered(cast.sales_head) == []
