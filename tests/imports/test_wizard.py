"""The web wizard: upload → columns (detected, editable, savable) → dry-run preview → import → undo."""

from django.core.files.uploadedfile import SimpleUploadedFile
from importing_helpers import sample


def _mapping_post(response, **changes):
    """The mapping form as the browser would send it, with `changes`."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def test_wizard_from_upload_to_undo(cast, network, client_for):
    from kundennetz.accounts.models import Account
    from kundennetz.imports.models import ImportBatch, SavedMapping

    client = client_for(cast.admin)
    assert client.get("/imports/new/").status_code == 200
    upload = SimpleUploadedFile("hubspot.csv", sample("hubspot_companies.csv"), content_type="text/csv")
    response = client.post("/imports/new/", {"kind": "accounts", "file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{batch.pk}/mapping/"

    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "HubSpot" in text and "Gotthard Logistik AG" in text  # layout and first values shown
    columns = dict(page.context["form"].column_fields)
    data = _mapping_post(page, save_as="HubSpot Firmen")
    data[columns["Annual Revenue"]] = ""  # not imported, by choice
    response = client.post(f"/imports/{batch.pk}/mapping/", data)
    assert response.status_code == 302 and response.url == f"/imports/{batch.pk}/"
    assert SavedMapping.objects.get(owner=cast.admin).name == "HubSpot Firmen"

    preview = client.get(response.url)
    assert preview.status_code == 200
    batch.refresh_from_db()
    assert batch.status == "dry_run" and batch.created_count == 3 and Account.objects.count() == 2
    assert "Gotthard Logistik AG" in preview.content.decode()
    assert 'id="commit"' in preview.content.decode()

    response = client.post(f"/imports/{batch.pk}/commit/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "committed" and Account.objects.count() == 5
    assert Account.objects.get(name="Gotthard Logistik AG").annual_revenue is None
    page = client.get(f"/imports/{batch.pk}/")
    assert 'id="undo"' in page.content.decode()
    confirm = client.get(f"/imports/{batch.pk}/undo/")  # a confirmation page first: nothing undone yet
    assert confirm.status_code == 200 and 'id="confirm-undo"' in confirm.content.decode()
    batch.refresh_from_db()
    assert batch.status == "committed"
    client.post(f"/imports/{batch.pk}/undo/", {"attached": "keep"})
    batch.refresh_from_db()
    assert batch.status == "undone" and Account.objects.count() == 2

    # The saved mapping skips the columns step next time.
    saved = SavedMapping.objects.get()
    again = SimpleUploadedFile("hubspot.csv", sample("hubspot_companies.csv"), content_type="text/csv")
    response = client.post("/imports/new/", {"kind": "accounts", "file": again, "saved_mapping": saved.pk})
    second = ImportBatch.objects.latest("pk")
    assert response.url == f"/imports/{second.pk}/" and second.status == "dry_run"
    assert second.mapping["columns"]["Annual Revenue"] is None


def test_errors_are_listed_and_block_the_import(cast, client_for):
    from kundennetz.imports.models import ImportBatch

    client = client_for(cast.owner)
    content = "Name;Ort;Umsatz\r\nA AG;Bern;1\r\nB AG;Bern;zwölf\r\n".encode()
    client.post("/imports/new/", {"kind": "accounts", "file": SimpleUploadedFile("a.csv", content)})
    batch = ImportBatch.objects.get()
    page = client.get(f"/imports/{batch.pk}/mapping/")
    client.post(f"/imports/{batch.pk}/mapping/", _mapping_post(page))
    page = client.get(f"/imports/{batch.pk}/?action=error").content.decode()
    assert "“zwölf” is not a number." in page and 'id="commit"' not in page
    assert client.post(f"/imports/{batch.pk}/commit/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == "dry_run"


def test_file_problems_are_shown(cast, client_for):
    from kundennetz.imports.models import ImportBatch

    client = client_for(cast.admin)
    response = client.post("/imports/new/", {"kind": "accounts",
                                            "file": SimpleUploadedFile("alt.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64)})
    batch = ImportBatch.objects.get()
    assert response.url == f"/imports/{batch.pk}/"
    assert ".xlsx" in client.get(response.url).content.decode()


def test_upload_limit_said_before_and_enforced(cast, client_for, monkeypatch):
    from kundennetz.imports import services

    client = client_for(cast.admin)
    assert "up to 100 MB" in client.get("/imports/new/").content.decode()
    monkeypatch.setattr(services, "UPLOAD_MAX_BYTES", 10)
    response = client.post("/imports/new/", {
        "kind": "accounts", "file": SimpleUploadedFile("big.csv", b"Name\r\n" + b"A\r\n" * 20)})
    assert response.status_code == 200 and "files up to 0 MB can be imported" in response.content.decode()


def test_export_page_and_nav(cast, client_for):
    page = client_for(cast.read_only).get("/exports/").content.decode()
    assert "/exports/all.zip" in page and "/exports/accounts.csv" in page


def test_excel_in_the_wizard_even_our_own_export(cast, network, client_for):
    """An .xlsx has no encoding or delimiter: the columns step must not ask for them (it once refused
    with nothing marked)."""
    import io

    from kundennetz.accounts.models import Account
    from kundennetz.imports import exports
    from kundennetz.imports.models import ImportBatch

    stream = io.BytesIO()
    exports.write_xlsx("accounts", exports.queryset("accounts", cast.admin), stream)
    client = client_for(cast.admin)
    response = client.post("/imports/new/", {"kind": "accounts",
                                            "file": SimpleUploadedFile("accounts.xlsx", stream.getvalue())})
    batch = ImportBatch.objects.get()
    assert response.url == f"/imports/{batch.pk}/mapping/" and batch.file_format == "xlsx"
    page = client.get(response.url)
    assert "encoding" not in page.context["form"].fields and "delimiter" not in page.context["form"].fields
    response = client.post(f"/imports/{batch.pk}/mapping/", _mapping_post(page))
    assert response.status_code == 302, response.context["form"].errors
    batch.refresh_from_db()
    assert batch.status == "dry_run" and batch.error_count == 0
    assert batch.unchanged_count == Account.objects.count() and batch.created_count == 0


def test_progress_while_a_worker_runs_and_found_again_under_import(cast, client_for, settings):
    from task_worker import run_queued_tasks

    from kundennetz.imports.models import ImportBatch

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(cast.owner)
    content = ("Name;Ort;Umsatz\r\n" + "".join(f"F{i} AG;Bern;{i}\r\n" for i in range(1200))).encode()
    client.post("/imports/new/", {"kind": "accounts", "file": SimpleUploadedFile("a.csv", content)})
    batch = ImportBatch.objects.get()
    client.post(f"/imports/{batch.pk}/mapping/", _mapping_post(client.get(f"/imports/{batch.pk}/mapping/")))
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert 'id="import-progress"' in page and f"/imports/{batch.pk}/progress/" in page and "every 1s" in page
    bar = client.get(f"/imports/{batch.pk}/progress/")
    assert bar.status_code == 200 and "0 of 1200 rows" in bar.content.decode()
    listed = client.get("/imports/").content.decode()
    assert f"/imports/{batch.pk}/" in listed and "Checking" in listed
    run_queued_tasks("w")
    done = client.get(f"/imports/{batch.pk}/progress/")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert 'id="import-progress"' not in page and 'id="commit"' in page


def test_ambiguous_decimal_column_is_asked_in_the_columns_step(cast, client_for):
    from kundennetz.imports.models import ImportBatch

    client = client_for(cast.owner)
    content = b"Name;Ort;Umsatz\r\nA AG;Bern;1.250\r\nB AG;Bern;2.500\r\n"
    client.post("/imports/new/", {"kind": "accounts", "file": SimpleUploadedFile("a.csv", content)})
    batch = ImportBatch.objects.get()
    client.post(f"/imports/{batch.pk}/mapping/", _mapping_post(client.get(f"/imports/{batch.pk}/mapping/")))
    batch.refresh_from_db()
    assert batch.file_problem["code"] == "ambiguous_decimal" and not batch.can_commit
    assert "1.250" in client.get(f"/imports/{batch.pk}/").content.decode()
    page = client.get(f"/imports/{batch.pk}/mapping/")
    names = dict(page.context["form"].decimal_fields)
    assert set(names) == {"Umsatz"}
    refused = client.post(f"/imports/{batch.pk}/mapping/", _mapping_post(page))
    assert refused.status_code == 200  # the question must be answered
    client.post(f"/imports/{batch.pk}/mapping/", _mapping_post(page, **{names["Umsatz"]: ","}))
    batch.refresh_from_db()
    assert batch.file_problem is None and batch.can_commit and batch.mapping["decimals"] == {"Umsatz": ","}
