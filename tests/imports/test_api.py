"""/api/imports and /api/exports: upload with dry run, rows, commit (all or nothing), undo, exports."""

import json

import pytest

HEADER = "Name;Ort;Umsatz;Kundenberater\r\n"


def _upload(client, headers, content, kind="accounts", name="kunden.csv", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}
    return client.post("/api/imports", data, **headers)


def test_upload_check_commit_undo(cast, client, token_for):
    from kundennetz.accounts.models import Account

    admin = token_for(cast.admin)
    content = (HEADER + "A AG;Bern;1'000;owner\r\nB AG;Thun;2;outsider\r\n").encode()
    response = _upload(client, admin, content)
    assert response.status_code == 202, response.content
    batch = client.get(f"/api/imports/{response.json()['id']}", **admin).json()
    assert batch["status"] == "dry_run" and batch["counts"]["create"] == 2 and batch["delimiter"] == ";"
    assert batch["progress"] == {"done": 2, "total": 2}
    assert batch["mapping"]["columns"]["Umsatz"] == "annual_revenue"
    rows = client.get(f"/api/imports/{batch['id']}/rows", **admin).json()
    assert rows["count"] == 2 and rows["items"][0]["action"] == "create"
    assert Account.objects.count() == 0
    committed = client.post(f"/api/imports/{batch['id']}/commit", **admin)
    assert committed.status_code == 202 and committed.json()["status"] == "committed"  # tasks run at once here
    assert Account.objects.count() == 2
    assert client.post(f"/api/imports/{batch['id']}/commit", **admin).status_code == 409
    owner = token_for(cast.owner)
    assert client.post(f"/api/imports/{batch['id']}/undo", **owner).status_code == 404  # not theirs to see
    undone = client.post(f"/api/imports/{batch['id']}/undo", **token_for(cast.sales_head))
    assert undone.status_code == 202 and undone.json()["status"] == "undone" and Account.objects.count() == 0
    assert client.post(f"/api/imports/{batch['id']}/undo", **admin).status_code == 409
    listed = client.get("/api/imports", **admin).json()
    assert [item["id"] for item in listed["items"]] == [batch["id"]]


def test_row_problems_in_the_error_shape_and_language(cast, client, token_for):
    cast.admin.language = "en"
    cast.admin.save()
    admin = token_for(cast.admin)
    response = _upload(client, admin, (HEADER + "A AG;Bern;viel;owner\r\n").encode())
    batch = client.get(f"/api/imports/{response.json()['id']}", **admin).json()
    assert batch["counts"]["error"] == 1
    rows = client.get(f"/api/imports/{batch['id']}/rows?action=error", **admin).json()
    assert rows["items"][0]["problems"] == [{"loc": [2, "Umsatz"], "msg": "“viel” is not a number.",
                                             "type": "bad_number"}]
    refused = client.post(f"/api/imports/{batch['id']}/commit", **admin)
    assert refused.status_code == 409


def test_commit_that_fails_now_ends_failed_and_saves_nothing(cast, client, token_for):
    from kundennetz.accounts.models import Account

    admin = token_for(cast.admin)
    batch = _upload(client, admin, (HEADER + "A AG;Bern;1;owner\r\nB AG;Bern;1;outsider\r\n").encode()).json()
    cast.outsider.is_active = False
    cast.outsider.save()
    response = client.post(f"/api/imports/{batch['id']}/commit", **admin)
    assert response.status_code == 202
    after = client.get(f"/api/imports/{batch['id']}", **admin).json()
    assert after["status"] == "failed" and after["failure"] == "1 row cannot be imported now; nothing was imported."
    rows = client.get(f"/api/imports/{batch['id']}/rows?action=error", **admin).json()
    assert rows["items"][0]["problems"] == [{"loc": [3, "Kundenberater"],
                                             "msg": "No active account manager “outsider”.", "type": "unknown_owner"}]
    assert Account.objects.count() == 0


def test_file_problems_and_mapping(cast, client, token_for):
    admin = token_for(cast.admin)
    response = _upload(client, admin, b"\x00\x01\x02" * 100)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]
    assert response.json()["detail"][0]["type"] == "binary_file"
    response = _upload(client, admin, b"Ort;Umsatz\r\nBern;1\r\n")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "mapping", "name"]
    mapping = json.dumps({"columns": {"Firma": "name"}, "defaults": {"owner": "owner"}})
    response = _upload(client, admin, b"Firma;Ort\r\nX AG;Bern\r\n", mapping=mapping)
    assert response.status_code == 202 and response.json()["counts"]["create"] == 1
    response = _upload(client, admin, b"Name\r\nX\r\n", mapping="{nope")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "mapping"]
    response = _upload(client, admin, b"Name\r\nX\r\n", kind="planets")
    assert response.status_code == 422


def test_too_large_for_the_api(cast, client, token_for, monkeypatch):
    from kundennetz.imports import services
    from kundennetz.imports.models import ImportBatch, ImportFilePart

    monkeypatch.setattr(services, "UPLOAD_MAX_BYTES", 100)
    response = _upload(client, token_for(cast.admin), (HEADER + "A AG;Bern;1;owner\r\n" * 10).encode())
    assert response.status_code == 413 and "up to 0 MB" in response.json()["detail"]
    assert ImportBatch.objects.count() == 0 and ImportFilePart.objects.count() == 0


@pytest.mark.parametrize("role", ["marketing", "read_only"])
def test_observers_get_403(cast, client, token_for, role):
    response = _upload(client, token_for(getattr(cast, role)), (HEADER + "A AG;Bern;1;owner\r\n").encode())
    assert response.status_code == 403


def test_without_credentials_401(client):
    assert client.get("/api/imports").status_code == 401


def test_api_exports(cast, network, client, token_for):
    response = client.get("/api/exports/accounts.csv?q=muster", **token_for(cast.owner))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Muster Engineering AG" in text and "Fremd" not in text
    response = client.get("/api/exports/contacts.xlsx", **token_for(cast.admin))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _work():
    """What `kundennetz worker` does: run every queued task."""
    from task_worker import run_queued_tasks

    run_queued_tasks("api-test")


def test_the_202_flow_with_a_worker(cast, client, token_for, settings):
    """Each POST answers 202 at once with the batch in its working status; the worker moves it on:
    checking → dry_run → committing → committed → undoing → undone, with the progress."""
    from kundennetz.accounts.models import Account

    settings.TASKS = DB_TASKS
    admin, head = token_for(cast.admin), token_for(cast.sales_head)
    content = (HEADER + "".join(f"Firma {i} AG;Bern;{i};owner\r\n" for i in range(1, 1501))).encode()
    response = _upload(client, admin, content)
    assert response.status_code == 202
    batch = response.json()
    assert batch["status"] == "checking" and batch["progress"] == {"done": 0, "total": 1500}
    assert client.get(f"/api/imports/{batch['id']}", **admin).json()["status"] == "checking"
    _work()
    checked = client.get(f"/api/imports/{batch['id']}", **admin).json()
    assert checked["status"] == "dry_run" and checked["progress"] == {"done": 1500, "total": 1500}

    response = client.post(f"/api/imports/{batch['id']}/commit", **admin)
    assert response.status_code == 202 and response.json()["status"] == "committing"
    assert client.post(f"/api/imports/{batch['id']}/commit", **admin).status_code == 409  # once
    assert Account.objects.count() == 0
    _work()
    committed = client.get(f"/api/imports/{batch['id']}", **admin).json()
    assert committed["status"] == "committed" and committed["progress"] == {"done": 1500, "total": 1500}
    assert Account.objects.count() == 1500

    assert client.get(f"/api/imports/{batch['id']}/attached", **head).json() == []
    response = client.post(f"/api/imports/{batch['id']}/undo?attached=keep", **head)
    assert response.status_code == 202 and response.json()["status"] == "undoing"
    assert response.json()["progress"] == {"done": 0, "total": 1500}
    _work()
    undone = client.get(f"/api/imports/{batch['id']}", **head).json()
    assert undone["status"] == "undone" and undone["progress"]["done"] == 1500
    assert Account.objects.count() == 0
    bad = client.post(f"/api/imports/{batch['id']}/undo?attached=maybe", **head)
    assert bad.status_code == 422


def test_skip_rows_with_errors_and_download_them(cast, client, token_for):
    from kundennetz.accounts.models import Account

    admin = token_for(cast.admin)
    content = (HEADER + "A AG;Bern;1;owner\r\nB AG;Bern;viel;owner\r\nC AG;Thun;-5;owner\r\n").encode()
    batch = _upload(client, admin, content).json()
    assert client.post(f"/api/imports/{batch['id']}/commit", **admin).status_code == 409  # all or nothing
    response = client.post(f"/api/imports/{batch['id']}/commit?skip_errors=true", **admin)
    assert response.status_code == 202
    after = client.get(f"/api/imports/{batch['id']}", **admin).json()
    assert after["status"] == "committed" and after["counts"]["create"] == 1 and after["counts"]["error"] == 2
    assert list(Account.objects.values_list("name", flat=True)) == ["A AG"]
    rejected = client.get(f"/api/imports/{batch['id']}/rejected.csv", **admin)
    lines = b"".join(rejected.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Name;Ort;Umsatz;Kundenberater;Error"
    assert lines[1].startswith("B AG;Bern;viel;owner;") and "not a number" in lines[1]
    assert lines[2].startswith("C AG;Thun;-5;owner;") and len(lines) == 3
