"""Every main page fits the window at 1280, 1440 and 390 px (wide tables scroll inside their own box) and
has no serious or critical accessibility violation by axe-core, in German and in English."""

from datetime import date

import pytest
from browser_layout import WIDTHS, axe_violations, log_in, main_paths, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(db):
    from kundennetz.sample.demo import load_demo

    return load_demo(today=date.today())


@pytest.mark.parametrize("language", ["de-ch", "en"])
def test_main_pages_fit_and_pass_axe(live_server, page, demo, language):
    from kundennetz.core.models import User

    User.objects.filter(username="sales").update(language=language)
    log_in(page, live_server.url, "sales", "demo-sales-2026")
    too_wide, violations = [], []
    for path in main_paths(demo):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(live_server.url + path)
            assert response.status == 200, (path, response.status)
            found = overflow(page)
            if found["scroll"] > found["width"]:
                too_wide.append(f"{path} at {width}px: {found['scroll']} > {found['width']} {found['out']}")
            if width == 1280:
                assert page.evaluate("() => document.documentElement.lang").startswith(language[:2])
                violations += [f"{path}: {v}" for v in axe_violations(page)]
    assert too_wide + violations == [], "\n".join(too_wide + violations)
