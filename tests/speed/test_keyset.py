"""Deep pages by keyset: walking the "next" links visits every row once, in the list's order, for every sort."""

import re
from html import unescape

import pytest


@pytest.fixture
def head(db):
    from kundennetz.sample.generate import generate_network
    from kundennetz.core.models import User

    generate_network(160, managers=2, contacts_per_account=1, interactions_per_account=0, seed=5, consistency=False)
    user = User.objects.get(username__startswith="gen-", role="sales_head")
    user.language = "en"
    user.save()
    return user


def _walk(client, url):
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [r.pk for r in response.context["records"]]
        match = re.search(r'id="page-next" rel="next" href="([^"]+)"', response.content.decode())
        url = (response.request["PATH_INFO"] + unescape(match.group(1))) if match else None
        pages += 1
        assert pages < 100
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "sort"), [
    ("/accounts/", ""), ("/accounts/", "-revenue"), ("/accounts/", "revenue"), ("/accounts/", "city"),
    ("/accounts/", "-potential"), ("/accounts/", "owner"), ("/contacts/", "-name"), ("/contacts/", "account"),
    ("/opportunities/", ""), ("/opportunities/", "decision"), ("/opportunities/", "-decision"),
    ("/opportunities/", "recommendation"), ("/opportunities/", "-open_points"),
])
def test_walking_next_links_visits_every_row_once_in_order(head, client, monkeypatch, path, sort):
    from kundennetz.accounts.views import common

    monkeypatch.setattr(common, "SEEK_FROM_PAGE", 1)  # every "next" seeks
    client.force_login(head)
    url = path + (f"?sort={sort}" if sort else "")
    everything = client.get(url)  # page 1, then the expected order from the same queryset
    expected = list(everything.context["filter"].qs.values_list("pk", flat=True))
    walked = _walk(client, url)
    assert walked == expected
    assert "after=" in everything.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["garbage", "W10", "WzEsMiwzXQ", "eyJhIjoxfQ", "WyJ4IiwieCJd", "%00"])
def test_a_bad_token_shows_the_first_page(head, client, token):
    client.force_login(head)
    response = client.get(f"/accounts/?after={token}")
    assert response.status_code == 200 and response.context["page"].number == 1
