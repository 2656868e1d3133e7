"""Who may import, into which records, who may undo, and what exports contain — with the fixed cast."""

import pytest
from importing_helpers import Upload, outcomes

HEADER = "Name;Ort;Kundenberater\r\n"


@pytest.mark.parametrize("role", ["admin", "sales_head"])
def test_managing_roles_import_into_any_owner(cast, run_import, role):
    from kundennetz.accounts.models import Account

    content = (HEADER + "A AG;Bern;owner\r\nB AG;Bern;outsider\r\n").encode()
    batch, _ = run_import(getattr(cast, role), "accounts", content, commit=True)
    assert batch.status == "committed"
    assert set(Account.objects.values_list("owner__username", flat=True)) == {"owner", "outsider"}


def test_account_manager_imports_only_into_their_own(cast, network, run_import):
    from kundennetz.accounts.models import Account

    content = (HEADER + "Eigene AG;Bern;\r\nAuch Eigene AG;Bern;owner\r\nFremde AG;Bern;outsider\r\n"
               "Fremd Consulting GmbH;Basel;\r\n").encode()
    batch, _ = run_import(cast.owner, "accounts", content, mapping={"key": "name_city"})
    # An account outside their reach does not exist for them (as in the API): a new one, not "exists".
    assert outcomes(batch) == {2: ("create", []), 3: ("create", []), 4: ("error", ["owner_not_allowed"]),
                               5: ("create", [])}
    clean = (HEADER + "Eigene AG;Bern;\r\nMuster Engineering AG;Bern;\r\n").encode()
    batch, _ = run_import(cast.owner, "accounts", clean, mapping={"key": "name_city"}, commit=True)
    assert batch.status == "committed"
    assert Account.objects.get(name="Eigene AG").owner == cast.owner


def test_team_member_updates_but_does_not_take_over(cast, network, run_import):
    content = b"Name;Ort;Kundenberater;Umsatz\r\nMuster Engineering AG;Bern;owner;5\r\n"
    batch, _ = run_import(cast.team_member, "accounts", content, mapping={"key": "name_city"}, commit=True)
    assert batch.status == "committed" and batch.updated_count == 1  # the owner named is the current one
    taking = b"Name;Ort;Kundenberater\r\nMuster Engineering AG;Bern;team_member\r\n"
    batch, _ = run_import(cast.team_member, "accounts", taking, mapping={"key": "name_city"})
    assert outcomes(batch) == {2: ("error", ["owner_not_allowed"])}


def test_account_manager_adds_contacts_only_to_reachable_accounts(cast, network, run_import):
    content = (b"Kunde;Vorname;Nachname\r\nMuster Engineering AG;Eva;Roth\r\n"
               b"Fremd Consulting GmbH;Max;Frei\r\n")
    batch, _ = run_import(cast.owner, "contacts", content)
    # An account outside their reach does not exist for them.
    assert outcomes(batch) == {2: ("create", []), 3: ("error", ["unknown_reference"])}
    batch, _ = run_import(cast.admin, "contacts", content)
    assert outcomes(batch) == {2: ("create", []), 3: ("create", [])}


def test_account_manager_opportunities_are_theirs(cast, network, run_import):
    from kundennetz.accounts.models import Opportunity

    content = (b"Titel;Kunde;Verantwortlich\r\nNeu;Muster Engineering AG;\r\n"
               b"Fremd;Muster Engineering AG;outsider\r\n")
    batch, _ = run_import(cast.team_member, "opportunities", content)
    assert outcomes(batch) == {2: ("create", []), 3: ("error", ["owner_not_allowed"])}
    ok = b"Titel;Kunde\r\nNeu;Muster Engineering AG\r\n"
    batch, _ = run_import(cast.team_member, "opportunities", ok, commit=True)
    assert Opportunity.objects.get(title="Neu").owner == cast.team_member


@pytest.mark.parametrize("role", ["marketing", "read_only"])
def test_observers_cannot_import(cast, role, client_for):
    from django.core.exceptions import PermissionDenied

    from kundennetz.imports import services

    user = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        services.start(user, Upload((HEADER + "A;B;owner\r\n").encode(), "a.csv"), "accounts")
    client = client_for(user)
    assert client.get("/imports/new/").status_code == 403
    assert client.post("/imports/new/", {"kind": "accounts"}).status_code == 403
    assert client.get("/imports/").status_code == 200  # their (empty) list of imports


def test_only_admin_and_sales_head_undo(cast, run_import, client_for):
    from django.core.exceptions import PermissionDenied

    from kundennetz.imports import services

    batch, _ = run_import(cast.owner, "accounts", (HEADER + "A AG;Bern;\r\n").encode(), commit=True)
    for role in ("owner", "team_member", "marketing"):
        with pytest.raises(PermissionDenied):
            services.undo(batch, getattr(cast, role))
    response = client_for(cast.owner).post(f"/imports/{batch.pk}/undo/")
    assert response.status_code == 403
    client_for(cast.sales_head).post(f"/imports/{batch.pk}/undo/")
    batch.refresh_from_db()
    assert batch.status == "undone"


def test_batches_are_visible_to_their_importer_and_management(cast, run_import, client_for):
    batch, _ = run_import(cast.owner, "accounts", (HEADER + "A AG;Bern;\r\n").encode())
    assert client_for(cast.owner).get(f"/imports/{batch.pk}/").status_code == 200
    assert client_for(cast.admin).get(f"/imports/{batch.pk}/").status_code == 200
    assert client_for(cast.outsider).get(f"/imports/{batch.pk}/").status_code == 404
    assert client_for(cast.marketing).get(f"/imports/{batch.pk}/").status_code == 404
    # Only the importer commits their file (with their rights).
    assert client_for(cast.admin).post(f"/imports/{batch.pk}/commit/").status_code == 403


@pytest.mark.parametrize("role,expected", [
    ("admin", {"Muster Engineering AG", "Fremd Consulting GmbH"}),
    ("marketing", {"Muster Engineering AG", "Fremd Consulting GmbH"}),
    ("owner", {"Muster Engineering AG"}), ("team_member", {"Muster Engineering AG"}),
    ("outsider", {"Fremd Consulting GmbH"}),
])
def test_exports_contain_only_what_the_user_may_see(cast, network, client_for, role, expected):
    import csv
    import io
    import zipfile

    client = client_for(getattr(cast, role))
    text = b"".join(client.get("/exports/accounts.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=","))  # the cast reads English
    assert {row[2] for row in rows[1:]} == expected
    from importing_helpers import full_export_bytes

    archive = zipfile.ZipFile(io.BytesIO(full_export_bytes(client)))
    contacts = archive.read("contacts.csv").decode("utf-8-sig")
    assert ("Meier" in contacts) == ("Muster Engineering AG" in expected)


def test_a_dry_run_tells_nothing_about_records_out_of_reach(cast, network, run_import):
    """Neither that they exist nor how many: the outsider's rows read as for any unknown name."""
    from kundennetz.accounts.models import Account

    Account.objects.create(name="Muster Engineering AG", city="Bern", owner=cast.owner)  # now two of them
    content = (HEADER + "Muster Engineering AG;Bern;\r\nGanz Neu AG;Bern;\r\n").encode()
    batch, _ = run_import(cast.outsider, "accounts", content, mapping={"key": "name_city"})
    assert outcomes(batch) == {2: ("create", []), 3: ("create", [])}
    batch, _ = run_import(cast.owner, "accounts", content, mapping={"key": "name_city"})
    assert outcomes(batch)[2] == ("error", ["ambiguous_key"])  # who sees both learns that there are two
