"""An import and its undo are input changes: stored figures computed before either show "out of date"."""

from importing_helpers import undo_now

HEADER = "Name;Ort;Umsatz;Kundenberater;Externe ID\r\n"


def test_commit_and_undo_each_move_the_fingerprint(cast, network, run_import):
    from kundennetz.accounts.models import Account
    from kundennetz.core import freshness

    before = freshness.fingerprint("portfolio")
    content = (HEADER + "Neu AG;Thun;5;owner;N-1\r\nZweit AG;Bern;7;owner;N-2\r\n").encode()
    batch, _ = run_import(cast.sales_head, "accounts", content, commit=True)
    assert batch.status == "committed"
    imported = freshness.fingerprint("portfolio")
    assert imported != before
    undo_now(batch, cast.sales_head)
    assert batch.status == "undone" and not Account.objects.filter(name__in=["Neu AG", "Zweit AG"]).exists()
    assert freshness.fingerprint("portfolio") not in (before, imported)
