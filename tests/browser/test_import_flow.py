"""An import as a person does it: upload (the Maven accounts, the Maven pipeline, an Excel file), watch
the progress bar while a worker checks and imports, commit, then undo after the confirmation page."""

import io
import re
import sys
from pathlib import Path

import pytest

from kundennetz.core.roles import Role
from cast import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "imports"))
from importing_helpers import shared  # noqa: E402

MAVEN = "maven_crm_sales_opportunities"


def _work():
    """One worker's round: every queued task is run (the page polls meanwhile). The live server and this
    thread share one in-memory SQLite database, whose shared cache answers a write that meets the server's
    read with "table is locked" (a file database in WAL mode, as Kundennetz runs, waits instead): the round
    is tried again, and runs what is still queued."""
    import time

    from django.db import OperationalError
    from task_worker import run_queued_tasks

    for attempt in range(5):
        try:
            run_queued_tasks("browser-test")
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.2)


def _upload(page, url, kind, path=None, name=None, content=None):
    page.goto(f"{url}/imports/new/")
    page.get_by_label("What the file contains").select_option(kind)
    if content is not None:
        page.get_by_label("File (CSV or Excel .xlsx)").set_input_files(
            files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}])
    else:
        page.get_by_label("File (CSV or Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()


def test_upload_progress_commit_and_undo(live_server, page, settings):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    accounts_csv = shared(f"{MAVEN}/accounts.csv")
    pipeline_csv = shared(f"{MAVEN}/sales_pipeline.csv")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_user("chef", Role.ADMIN, language="en", first_name="Clara", last_name="Chef")
    make_user("anna", Role.ACCOUNT_MANAGER, language="en", first_name="Anna", last_name="Muster")
    import csv

    with shared(f"{MAVEN}/sales_teams.csv").open(newline="", encoding="utf-8") as handle:
        for index, row in enumerate(csv.DictReader(handle)):  # the sales agents, by their full names
            first, last = row["sales_agent"].split(" ", 1)
            make_user(f"agent{index}", Role.ACCOUNT_MANAGER, first_name=first, last_name=last)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("chef")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/imports/new/")
    expect(page.locator("#upload-limit")).to_contain_text("up to 100 MB")

    # The Maven accounts: an unknown layout; every row owned by Anna; the country column left out.
    _upload(page, live_server.url, "accounts", accounts_csv)
    expect(page.get_by_role("heading", name="Which column goes where?")).to_be_visible()
    expect(page.locator("#layout-unknown")).to_be_visible()
    page.get_by_label("office_location").select_option("")
    page.get_by_label("Account manager (user name)").select_option("anna")
    page.get_by_role("button", name="Check every row").click()
    expect(page.locator("#import-progress")).to_be_visible()
    expect(page.locator("#progress-rows")).to_contain_text("of 85 rows")
    _work()
    expect(page.locator("#import-progress")).to_have_count(0)  # the page reloaded itself when done
    expect(page.get_by_text("Checked: no errors.")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Import 85 rows now")).click()
    expect(page.locator("#import-progress")).to_contain_text("Importing")
    _work()
    expect(page.locator(".badge.import-committed")).to_be_visible()
    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_role("link", name="accounts.csv")).to_be_visible()  # found again under Import

    # The pipeline as it is: the rows without an account left out by choice, then downloadable.
    _upload(page, live_server.url, "opportunities", pipeline_csv)
    page.get_by_label("Dates with slashes").select_option("mdy")
    page.get_by_label("Closing reason").select_option("Price too high")
    page.get_by_role("button", name="Check every row").click()
    expect(page.locator("#import-progress")).to_be_visible()
    _work()
    expect(page.locator("#rejected")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"rows without errors, leave the others out")).click()
    _work()
    expect(page.locator(".badge.import-committed")).to_be_visible()
    from kundennetz.accounts.models import Opportunity

    assert Opportunity.objects.count() > 7000

    # An Excel file: our own export of the accounts, imported again without being asked for an encoding.
    from kundennetz.core.models import User
    from kundennetz.imports import exports

    stream = io.BytesIO()
    exports.write_xlsx("accounts", exports.queryset("accounts", User.objects.get(username="chef")), stream)
    _upload(page, live_server.url, "accounts", name="accounts.xlsx", content=stream.getvalue())
    expect(page.get_by_label("Encoding")).to_have_count(0)
    page.get_by_role("button", name="Check every row").click()
    _work()
    expect(page.get_by_text("Checked: no errors.")).to_be_visible()

    # Undo the accounts import: a confirmation page lists the opportunities attached since.
    from kundennetz.imports.models import ImportBatch

    first = ImportBatch.objects.order_by("pk").first()
    page.goto(f"{live_server.url}/imports/{first.pk}/")
    page.get_by_role("link", name="Undo the whole import …").click()
    expect(page.get_by_role("heading", name=re.compile("Undo the import of accounts.csv"))).to_be_visible()
    expect(page.get_by_text("Added to these records since the import")).to_be_visible()
    page.get_by_label(re.compile("Keep them")).check()
    page.get_by_role("button", name="Yes, undo the import").click()
    expect(page.locator("#import-progress")).to_contain_text("Undoing")
    _work()
    expect(page.locator(".badge.import-undone")).to_be_visible()
    first.refresh_from_db()
    assert first.status == "undone" and Opportunity.objects.count() > 7000  # attached records kept
