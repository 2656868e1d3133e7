"""Headless Chromium against Django's live server, through Playwright's sync API.

The machine's own Chromium is used; a browser is never downloaded. Without it the browser tests skip.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path(os.environ.get("KUNDENNETZ_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (install the chromium package to run browser tests)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def page(monkeypatch):
    """A fresh browser page; closed, with its browser, after the test."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own database calls are still
    # plain synchronous code, so Django's guard against ORM calls from async code does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # Inside Playwright's context the test's queries ran on connections of their own; left open,
            # PostgreSQL refuses to drop the test database at the end of the run.
            connections.close_all()
