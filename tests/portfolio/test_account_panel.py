"""The portfolio panel of an account's page: scores with what is missing, the strategy, and for each
person the value propositions that fit their role and the account's segment and strategy."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from kundennetz.accounts.models import Contact, Segment
from kundennetz.portfolio import services
from kundennetz.portfolio.models import ValueProposition

pytestmark = pytest.mark.django_db


def panel(account, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("portfolio/_account_panel.html", {"account": account, "user": user, "request": request})


def proposition(title, roles, segments=(), strategies=(), active=True):
    item = ValueProposition.objects.create(title_de=title, title_en=title, text_de=f"{title} (de)",
                                           text_en=f"{title} text", roles=list(roles), strategies=list(strategies),
                                           is_active=active)
    item.segments.set(Segment.objects.filter(code__in=segments))
    return item


@pytest.fixture
def people(network):
    """The network's account (a question mark, mid-market) with a decision maker, a user and a coach."""
    account = network.account
    user = Contact.objects.create(account=account, last_name="Keller", buying_role="user")
    Contact.objects.create(account=account, last_name="Frei", buying_role="coach")
    services.recompute(period="2026-Q4")
    return {"decision_maker": network.contact, "user": user}


def benefits_of(html: str, contact) -> str:
    start = html.index(f'data-contact-id="{contact.pk}"')
    end = html.find("benefit-person", start + 1)
    return html[start:end if end > 0 else None]


def test_benefits_follow_role_segment_and_strategy(people, cast):
    proposition("Fixed price", ["decision_maker"])
    proposition("Mid-market budget", ["decision_maker"], segments=["mid_market"])
    proposition("Key-account programme", ["decision_maker"], segments=["key_accounts"])
    proposition("Pilot in 90 days", ["decision_maker"], strategies=["big_step_or_out"])
    proposition("Loyalty bonus", ["decision_maker"], strategies=["hold_and_expand"])
    proposition("Easy to use", ["user"])
    proposition("Retired", ["decision_maker"], active=False)
    html = panel(people["decision_maker"].account, cast.owner)
    boss = benefits_of(html, people["decision_maker"])
    for shown in ("Fixed price", "Mid-market budget", "Pilot in 90 days"):
        assert shown in boss
    for hidden in ("Key-account programme", "Loyalty bonus", "Easy to use", "Retired"):
        assert hidden not in boss
    assert "Easy to use" in benefits_of(html, people["user"])


def test_an_override_changes_which_benefits_apply(people, cast):
    proposition("Loyalty bonus", ["decision_maker"], strategies=["hold_and_expand"])
    account = people["decision_maker"].account
    assert "Loyalty bonus" not in panel(account, cast.owner)
    services.set_override(account, cast.sales_head, "hold_and_expand", "Board decision")
    html = panel(account, cast.owner)
    assert "Loyalty bonus" in benefits_of(html, people["decision_maker"])
    assert "Board decision" in html


def test_panel_shows_scores_and_missing_criteria(people, cast):
    html = panel(people["decision_maker"].account, cast.owner)
    assert "Fragezeichenkunden" in html or "Question-mark customers" in html
    assert html.count('class="missing"') >= 5   # criteria without a value are named as missing
    assert "1 of 1" in html                     # rank of the only placed account
    assert 'href="/portfolio/accounts/%d/ratings/"' % people["decision_maker"].account_id in html
    assert "/override/" not in html             # the owner may rate, not override
    assert "/override/" in panel(people["decision_maker"].account, cast.sales_head)
    assert "/ratings/" not in panel(people["decision_maker"].account, cast.read_only)


def test_panel_is_empty_for_someone_who_may_not_see_the_account(people, cast):
    assert panel(people["decision_maker"].account, cast.outsider).strip() == ""


def test_roles_the_strategy_wants_met_but_nobody_holds(network, cast, make_account):
    account = make_account("Einsam AG", potential=Decimal("2000000"), annual_revenue=Decimal("1500000"))
    services.set_override(account, cast.sales_head, "hold_and_expand", "Key account")
    html = panel(account, cast.owner)
    assert "roles nobody here holds yet" in html and "Decision maker" in html
