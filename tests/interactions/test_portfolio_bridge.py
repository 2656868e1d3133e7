"""With the portfolio in place: the strategy's care intensity plans the contacts, an override wins, the
rank orders my week, the portfolio's value propositions are offered per role, and the portfolio counts
the interactions of the last year."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kundennetz.domain import consistency as dc
from kundennetz.interactions import portfolio_bridge, services
from kundennetz.interactions.models import ConsistencySnapshot

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)


@pytest.fixture
def portfolio(network, cast):
    from kundennetz.portfolio import services as portfolio_services

    return portfolio_services.recompute(period="2026-Q2", as_of=TODAY, user=cast.admin)


def test_strategy_today_with_its_care_intensity(portfolio, network, cast):
    from kundennetz.portfolio import services as portfolio_services

    facts = portfolio_bridge.portfolio_facts([network.account.pk])
    strategy = facts.strategies[network.account.pk]
    assert strategy.intensity is not None and strategy.name
    # Cadence is measured against the one planned figure; the strategy's quarterly minimum stays.
    figure = services.planned_figure(network.account.pk)
    assert figure.source == "strategy" and figure.basis == strategy.name
    assert services.intensity_for_accounts([network.account.pk])[network.account.pk] == dc.Intensity(
        figure.contacts, None, strategy.intensity.min_per_quarter)
    assert facts.ranks[network.account.pk] >= 1
    portfolio_services.set_override(network.account, cast.sales_head, "hold_and_expand", "Schlüsselkunde")
    strategy = portfolio_bridge.portfolio_facts([network.account.pk]).strategies[network.account.pk]
    assert strategy.key == "hold_and_expand"
    assert strategy.intensity == dc.Intensity(12, 24, 2)
    assert portfolio_bridge.strategy_names()["hold_and_expand"]


def test_the_strategy_plans_the_contacts(portfolio, network, cast, owner_history):
    from kundennetz.portfolio import services as portfolio_services

    owner_history(network.account, [(date(2023, 1, 1), cast.owner)])
    period = dc.Period(date(2026, 1, 1), TODAY)
    default_plan = services.account_consistency(network.account, period, TODAY).current.cadence.planned
    portfolio_services.set_override(network.account, cast.sales_head, "hold_and_expand", "Schlüsselkunde")
    planned = services.account_consistency(network.account, period, TODAY).current.cadence.planned
    figure = services.planned_figure(network.account.pk)
    assert figure.source == "strategy" and figure.contacts >= 12
    assert planned == pytest.approx(figure.contacts * period.days / 365) and planned > default_plan
    services.refresh_snapshots(TODAY)
    assert ConsistencySnapshot.objects.get(account=network.account).strategy == "hold_and_expand"


def test_ranked_accounts_come_first(portfolio, network):
    facts = portfolio_bridge.portfolio_facts()
    priorities = services.account_priorities([(network.account.pk, 0), (network.other_account.pk, 10**9)], facts)
    # The test account is placed and ranked; the other one lacks the figures to be placed.
    assert network.account.pk in facts.ranks and network.other_account.pk not in facts.ranks
    assert priorities[network.account.pk] > priorities[network.other_account.pk] == 10**9


def test_value_propositions_per_role_in_my_week(portfolio, network, cast, client_for, owner_history, log):
    from kundennetz.portfolio.models import ValueProposition

    owner_history(network.account, [(date(2024, 1, 1), cast.owner)])
    log(network.account, timezone.localdate() - timedelta(days=200), contacts=[network.contact])
    ValueProposition.objects.create(title_de="Tiefere Kosten", title_en="Lower cost", text_de="15 % weniger",
                                    text_en="15 % less", roles=["decision_maker"])
    ValueProposition.objects.create(title_de="Bedienbarkeit", title_en="Usability", text_de="einfach",
                                    text_en="simple", roles=["user"])
    cast.owner.language = "en"
    cast.owner.save()
    html = client_for(cast.owner).get(reverse("interactions:my_week")).content.decode()
    assert "Lower cost: 15 % less" in html and "Usability" not in html


def test_the_portfolio_counts_the_interactions_of_the_last_year(network, log):
    from kundennetz.portfolio.services import figure_sources

    source = next(s for s in figure_sources() if s.figure == "interactions")
    log(network.account, TODAY - timedelta(days=10))
    log(network.account, TODAY - timedelta(days=400))
    log(network.account, TODAY - timedelta(days=5), type="email")
    assert dict(source.rows(network.account.pk, network.account.pk, TODAY)) == {network.account.pk: 2}


def test_without_snapshot_nothing_is_known(network):
    facts = portfolio_bridge.portfolio_facts([network.account.pk])
    # A scoring model ships with the portfolio, but no account is placed before the first recompute.
    assert facts.ranks == {}
