"""Every page says which methods it answers: a page that only shows something answers a POST with 405
(never as if it were a GET), a form page handles its POST itself.

Read from the URL patterns: each view either declares its methods (``require_safe``, ``require_POST``,
``require_http_methods``), handles ``request.method``/``POST`` in its own body, or is a class-based view
(Django answers a method the class lacks with 405).
"""

import inspect
import re

import pytest
from django.urls import URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SKIP = re.compile(r"^(api/|admin/|static/|i18n/|media/)")


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def declared_methods(view) -> set[str] | None:
    """The methods a ``require_http_methods`` decorator (any depth) lets through, None without one."""
    func = view
    while func is not None:
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            return set(func.__closure__[code.co_freevars.index("request_method_list")].cell_contents)
        func = getattr(func, "__wrapped__", None)
    return None


def _handles_post(view) -> bool:
    func = inspect.unwrap(view)
    source = inspect.getsource(func)
    return "POST" in source or "request.method" in source


def pages():
    return [(route, view) for route, view in _walk(get_resolver()) if not SKIP.match(route)]


def test_every_page_declares_its_methods_or_handles_them():
    undeclared = [route for route, view in pages()
                  if not hasattr(view, "view_class") and declared_methods(view) is None and not _handles_post(view)]
    assert undeclared == [], "decorate with require_safe (shows only) or require_http_methods (a form)"


def test_the_finder_sees_the_decorators():
    from django.views.decorators.http import require_POST, require_safe

    assert declared_methods(require_safe(lambda request: None)) == {"GET", "HEAD"}
    assert declared_methods(require_POST(lambda request: None)) == {"POST"}
    assert declared_methods(lambda request: None) is None


def test_a_post_to_a_page_that_only_shows_answers_405(cast, client):
    client.force_login(cast.admin)
    shown_only = [route for route, view in pages() if declared_methods(view) == {"GET", "HEAD"}]
    assert len(shown_only) > 30
    for route in shown_only:
        url = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)
        assert client.post(url, {}).status_code == 405, url
