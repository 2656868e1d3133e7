"""A recompute as a person sees it: the button queues a job, its page shows the progress bar while it
waits for a worker, and once a worker has done it the page reloads itself into the result."""

import re

import pytest

from kundennetz.core.roles import Role
from cast import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_consistency_recompute_shows_progress_then_the_result(live_server, page, settings):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    from task_worker import run_queued_tasks

    from kundennetz.accounts.models import Account
    from kundennetz.core.models import Job

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_user("chefin", Role.SALES_HEAD, first_name="Vera", last_name="Keller", language="en")
    anna = make_user("anna", Role.ACCOUNT_MANAGER, first_name="Anna", last_name="Muster", language="en")
    for name in ("Sternwarte AG", "Mittelland AG", "Kleinkram GmbH"):
        Account.objects.create(name=name, owner=anna, city="Bern")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("chefin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/management/consistency/")
    page.get_by_role("button", name="Recompute now").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.locator("#job-progress")).to_contain_text("Waiting for a worker")
    assert Job.objects.get().status == "queued"
    run_queued_tasks("browser-test")
    # The bar polls every second; when the job is done the page reloads into the management view.
    expect(page).to_have_url(re.compile(r"/management/consistency/"), timeout=15_000)
    expect(page.get_by_text("Consistency recomputed for 3 accounts.")).to_be_visible()
