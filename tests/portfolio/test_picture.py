"""Snapshots, movement between them, and the picture: a valid SVG with one dot per visible account."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from kundennetz.portfolio import services, views
from kundennetz.portfolio.models import AccountPosition, PortfolioSnapshot

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(response) -> ET.Element:
    """The inline picture of a portfolio page (or the downloaded file), parsed as XML."""
    text = response.content.decode()
    if "<html" in text:
        start, end = text.index("<svg"), text.index("</svg>") + len("</svg>")
        text = text[start:end]
    return ET.fromstring(text)


def dots(root) -> dict[int, ET.Element]:
    return {int(c.get("data-account-id")): c for c in root.iter(f"{SVG}circle") if c.get("class") == "dot"}


@pytest.fixture
def portfolio(manual_model, rate, make_account, cast, network):
    """Five placed accounts: three of the owner (one in a team), two of the outsider; one unplaced."""
    manual_model()
    accounts = {
        "a": make_account("Alpha AG", annual_revenue=Decimal("900000")),
        "b": make_account("Beta AG", annual_revenue=Decimal("50000"), segment="key_accounts"),
        "c": network.account,
        "d": make_account("Delta AG", owner=cast.outsider, annual_revenue=Decimal("10000")),
        "e": network.other_account,
    }
    ratings = {"a": (4, 4), "b": (2, 4), "c": (4, 2), "d": (2, 2), "e": (5, 5)}
    for key, (att, pos) in ratings.items():
        rate(accounts[key], att, pos)
    accounts["u"] = make_account("Ohne Werte AG")
    services.recompute(period="2026-Q4", as_of=date(2026, 11, 30))
    return accounts


def test_one_dot_per_visible_account(portfolio, cast, client_for):
    for role, expected in (("sales_head", "abcde"), ("read_only", "abcde"), ("owner", "abc"),
                           ("team_member", "c"), ("outsider", "de")):
        response = client_for(getattr(cast, role)).get("/portfolio/")
        assert response.status_code == 200
        root = svg_of(response)
        assert set(dots(root)) == {portfolio[k].pk for k in expected}, role


def test_dots_open_their_account_and_say_who_they_are(portfolio, cast, client_for):
    root = svg_of(client_for(cast.sales_head).get("/portfolio/"))
    links = {a.find(f"{SVG}circle").get("data-account-id"): a.get("href") for a in root.iter(f"{SVG}a")
             if a.find(f"{SVG}circle") is not None}
    assert links[str(portfolio["a"].pk)] == f"/accounts/{portfolio['a'].pk}/"
    circle = dots(root)[portfolio["a"].pk]
    assert circle.get("data-strategy") == "hold_and_expand" and circle.get("data-cell") == "star"
    assert circle.find(f"{SVG}title").text.startswith("Alpha AG")
    # The account without scores is listed beside the matrix, not drawn at 0.
    unplaced = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "unplaced-account"]
    assert unplaced == ["Ohne Werte AG"]


def test_filters(portfolio, cast, client_for):
    client = client_for(cast.sales_head)

    def shown(query):
        return set(dots(svg_of(client.get(f"/portfolio/?{query}"))))

    assert shown("segment=key_accounts") == {portfolio["b"].pk}
    assert shown(f"owner={cast.outsider.pk}") == {portfolio["d"].pk, portfolio["e"].pk}
    # 900k and 420k of 1.38M: the second starts at 65 % of the total, still below the 80 % line.
    assert shown("abc=A") == {portfolio["a"].pk, portfolio["c"].pk}
    assert shown("abc=C") == {portfolio["b"].pk, portfolio["d"].pk, portfolio["e"].pk}
    assert shown("cell=take_along") == {portfolio["d"].pk}
    assert shown("strategy=hold_and_expand") == {portfolio["a"].pk, portfolio["e"].pk}
    # "My accounts" of an account manager on a team: the team account only.
    mine = set(dots(svg_of(client_for(cast.team_member).get("/portfolio/?mine=on"))))
    assert mine == {portfolio["c"].pk}
    # A stale or invalid filter value is ignored rather than failing the page.
    assert client.get("/portfolio/?segment=nope&abc=Z").status_code == 200


def test_svg_download_is_a_standalone_file(portfolio, cast, client_for):
    response = client_for(cast.owner).get("/portfolio/portfolio.svg?segment=key_accounts")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"] == 'attachment; filename="portfolio-2026-Q4.svg"'
    assert response.content.startswith(b"<?xml")
    assert set(dots(svg_of(response))) == {portfolio["b"].pk}


def test_above_the_limit_the_picture_shows_density(portfolio, cast, client_for, monkeypatch):
    monkeypatch.setattr(views, "MAX_DOTS", 2)
    response = client_for(cast.sales_head).get("/portfolio/")
    root = svg_of(response)
    assert not dots(root)
    assert sum(int(r.get("data-count")) for r in root.iter(f"{SVG}rect") if r.get("class") == "density-cell") == 5
    assert response.context["aggregated"]
    assert "more than the picture can show one by one" in response.content.decode()


def test_movement_since_the_previous_snapshot(portfolio, rate, cast, client_for):
    rate(portfolio["d"], 4, 4)  # take-along becomes a star
    services.recompute(period="2027-Q1", as_of=date(2027, 1, 15))
    current = PortfolioSnapshot.current()
    assert current.period == "2027-Q1" and current.previous().period == "2026-Q4"
    root = svg_of(client_for(cast.sales_head).get("/portfolio/"))
    moves = [(int(m.get("data-account-id")), m.get("data-from"), m.get("data-to"))
             for m in root.iter(f"{SVG}line") if m.get("class") == "move"]
    assert moves == [(portfolio["d"].pk, "take_along", "star")]
    # The owner does not see the outsider's account, nor its arrow.
    root = svg_of(client_for(cast.owner).get("/portfolio/"))
    assert not [m for m in root.iter(f"{SVG}line") if m.get("class") == "move"]


def test_a_period_is_replaced_not_duplicated(portfolio, rate):
    rate(portfolio["a"], 1, 1)
    services.recompute(period="2026-Q4", as_of=date(2026, 12, 1))
    assert PortfolioSnapshot.objects.count() == 1
    snapshot = PortfolioSnapshot.objects.get()
    assert AccountPosition.objects.filter(snapshot=snapshot).count() == 6
    assert AccountPosition.objects.get(snapshot=snapshot, account=portfolio["a"]).cell == "take_along"


def test_a_year_snapshot(portfolio):
    snapshot = services.recompute(period="2026", as_of=date(2026, 12, 31))
    assert (snapshot.period_start, snapshot.period_end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_table_ranks_with_names_and_overrides(portfolio, cast, client_for):
    services.set_override(portfolio["d"], cast.sales_head, "hold_and_expand", "Pilot customer")
    response = client_for(cast.sales_head).get("/portfolio/accounts/")
    rows = response.context["rows"]
    assert [r.account.name for r in rows][:2] == ["Fremd Consulting GmbH", "Alpha AG"]
    delta = next(r for r in rows if r.account_id == portfolio["d"].pk)
    assert delta.overridden and delta.strategy_key == "hold_and_expand"
    unplaced = next(r for r in rows if r.account_id == portfolio["u"].pk)
    assert unplaced.rank is None and unplaced.cell == ""
    html = response.content.decode()
    assert "not placed" in html and "override" in html


def test_no_snapshot_yet(cast, client_for):
    response = client_for(cast.sales_head).get("/portfolio/")
    assert response.status_code == 200 and b"Take snapshot now" in response.content
    assert b"Take snapshot now" not in client_for(cast.owner).get("/portfolio/").content
    assert client_for(cast.owner).get("/portfolio/portfolio.svg").status_code == 404


def test_the_pictures_words_come_from_the_catalogue_in_the_readers_language():
    from django.utils import translation

    from kundennetz.portfolio.queries import svg_labels

    with translation.override("de-ch"):
        german, language = svg_labels()
    assert language == "de"
    assert (german.title, german.y_axis, german.attractiveness) == (
        "Kundenportfolio", "Kundenattraktivität", "Attraktivität")
    assert german.aggregated.format(count=3, max_dots=2) == "3 Kunden als Dichte dargestellt (mehr als 2 Punkte)"
    with translation.override("en"):
        english, language = svg_labels()
    assert (language, english.title, english.x_axis) == ("en", "Customer portfolio", "Our position")
