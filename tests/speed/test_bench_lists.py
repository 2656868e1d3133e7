"""The list benchmark (bench/lists.py) records the peak RSS of the worker serving each page: every page is
measured in a process forked for it, and its figures carry that process's peak resident size.

The benchmark is a script beside the package, loaded here from the repository by its path; its per-page
measurement runs on the test database (the small test network), one request per page.
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench_lists():
    spec = importlib.util.spec_from_file_location("bench_lists", ROOT / "bench" / "lists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Transactional: the measurement closes the connections before it forks, and the forked process reads
# through a connection of its own what this test wrote.
@pytest.mark.django_db(transaction=True)
def test_each_page_measured_carries_the_peak_rss_of_its_worker(bench_lists, cast, network, client):
    from kundennetz.core.models import ApiToken

    token = ApiToken.issue(cast.owner, "bench")[1]
    client.force_login(cast.owner)
    for url in ("/accounts/", "/api/accounts?limit=50"):
        # Served once here first: the forked worker starts with the code and templates loaded, and its first
        # request, traced by tracemalloc, takes a moment rather than many seconds.
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
        figures = bench_lists.measure_page(cast.owner, token, url, 1)
        assert "error" not in figures, (url, figures)
        assert figures["status"] == 200 and figures["queries"] > 0 and figures["bytes"] > 0, (url, figures)
        # A worker that has loaded Django and served the page holds tens of megabytes at least.
        assert isinstance(figures["peak_rss_mb"], float) and figures["peak_rss_mb"] > 10, (url, figures)
