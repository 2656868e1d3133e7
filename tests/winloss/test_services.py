"""Fitting and storing the win model, scoring opportunities, similar deals, threshold advice."""

import pytest


def _answer(network, cast, key, value):
    from kundennetz.qualification import services

    checklist = services.get_checklist(network.opportunity, cast.owner)
    services.set_answer(checklist, key, value, cast.owner)


def test_refuses_below_thirty_closed_deals_and_stores_nothing(make_history):
    from kundennetz.winloss import services
    from kundennetz.winloss.models import WinModel

    make_history(29)
    with pytest.raises(services.Refused, match="at least 30 closed deals .* there are 29"):
        services.fit_and_store_win_model()
    assert not WinModel.objects.exists()


def test_the_refusal_is_translated(make_history):
    from django.utils import translation

    from kundennetz.winloss import services

    make_history(12)
    with translation.override("de-ch"), pytest.raises(services.Refused) as refusal:
        services.fit_and_store_win_model()
    assert str(refusal.value) == ("Ein Gewinnmodell braucht mindestens 30 abgeschlossene Geschäfte (gewonnen oder "
                                  "verloren, mit beantworteter Checkliste); es gibt 12.")


def test_fit_stores_a_version_with_its_deals_and_scores(history, network, cast):
    from kundennetz.accounts.models import Opportunity
    from kundennetz.winloss import services
    from kundennetz.winloss.models import DealScore, WinModel

    first = services.fit_and_store_win_model()
    closed = set(Opportunity.objects.filter(stage__type__in=["won", "lost"]).values_list("pk", flat=True))
    assert first.version == 1 and first.deals == 60 and set(first.deal_ids) == closed
    assert first.won == Opportunity.objects.filter(stage__type="won").count()
    assert 0 <= first.auc <= 1 and 0 < first.brier < 0.5 and first.base_rate_brier > 0
    assert sum(row["count"] for row in first.reliability) == 60 and len(first.reliability) == 10
    assert first.fitted_by is None
    second = services.fit_and_store_win_model(cast.sales_head)
    assert second.version == 2 and second.fitted_by == cast.sales_head
    assert WinModel.latest() == second
    # Every deal with a checklist is scored by the newest model; declined deals too.
    scores = DealScore.objects.filter(model=second)
    assert scores.count() == 64
    assert all(0 < s.probability < 1 and set(s.contributions) >= {"competition", "need"} for s in scores)


def test_the_weekly_refit_is_a_plain_function(history):
    from kundennetz.winloss.services import fit_and_store_win_model

    assert fit_and_store_win_model().version == 1


def test_only_sales_head_and_admin_fit(history, cast):
    from django.core.exceptions import PermissionDenied

    from kundennetz.winloss import services

    for user in (cast.owner, cast.marketing, cast.read_only):
        with pytest.raises(PermissionDenied):
            services.fit_and_store_win_model(user)
    assert services.fit_and_store_win_model(cast.admin).version == 1


def test_answering_a_headline_rescores_the_opportunity(history, network, cast):
    from kundennetz.winloss import services

    services.fit_and_store_win_model()
    _answer(network, cast, "solution", "yes")
    good = services.score_of(network.opportunity)
    assert good.signature == "ofoooooo" and good.probability is not None
    _answer(network, cast, "solution", "no")
    bad = services.score_of(network.opportunity)
    assert bad.signature == "ouoooooo" and bad.probability < good.probability
    assert bad.contributions["solution"] < 0 < good.contributions["solution"]
    # Expected value: probability × volume × margin (the group's target when the deal has none) − bid cost.
    segment = network.account.segment
    expected = bad.probability * 350000 * float(segment.margin_target_pct) / 100 - 5000
    assert float(bad.expected_value) == pytest.approx(expected, abs=1)
    items = services.explained(bad)
    assert items[0].key == "solution" and items[0].label == "Solution: unfavourable" and items[0].points < 0


def test_without_a_model_only_the_answers_code_is_kept(network, cast):
    from kundennetz.winloss import services

    _answer(network, cast, "competition", "yes")
    score = services.score_of(network.opportunity)
    assert score.signature == "oouooooo" and score.probability is None and score.contributions == {}


def test_similar_deals_come_from_what_the_user_sees(history, network, cast, django_assert_max_num_queries):
    from kundennetz.winloss import services
    from kundennetz.winloss.models import DealScore

    services.fit_and_store_win_model()
    target = DealScore.objects.filter(opportunity__stage__type="won").first()
    opportunity = target.opportunity
    with django_assert_max_num_queries(6):
        found = services.similar_deals(opportunity, cast.admin)
    assert found["won"] or found["lost"]
    for outcome, items in found.items():
        assert len(items) <= 3
        assert all(item.opportunity.stage.type == outcome and item.opportunity != opportunity for item in items)
        assert [i.differences for i in items] == sorted(i.differences for i in items)
        assert all(i.differences <= 2 for i in items)
    seen_by_owner = services.similar_deals(opportunity, cast.owner)
    for items in seen_by_owner.values():
        assert all(item.opportunity.account == network.account for item in items)


def test_threshold_advice_on_the_history(history):
    from kundennetz.winloss import services

    advice = services.threshold_advice()
    assert advice.deals == 60 and advice.in_force == 3
    assert [row.threshold for row in advice.rows] == list(range(9))
    assert advice.rows[-1].offers == 60
    assert advice.best is not None and advice.row(advice.best).expected_contribution >= advice.row(3).expected_contribution


def test_bid_costs_per_customer_group(network, cast):
    from decimal import Decimal

    from django.core.exceptions import PermissionDenied, ValidationError

    from kundennetz.winloss import services

    segment = network.account.segment
    assert services.bid_cost_of(segment.pk) == Decimal("5000")  # seeded
    services.set_bid_cost(cast.sales_head, segment, "7500")
    assert services.bid_cost_of(segment.pk) == Decimal("7500")
    assert services.bid_cost_of(None) == Decimal("5000")
    with pytest.raises(PermissionDenied):
        services.set_bid_cost(cast.owner, segment, "1")
    for bad in ("-1", "abc", "1e20", "NaN"):
        with pytest.raises(ValidationError):
            services.set_bid_cost(cast.admin, segment, bad)
    assert services.bid_cost_of(segment.pk) == Decimal("7500")


def test_declined_outcome(history, network, cast):
    from django.core.exceptions import PermissionDenied, ValidationError

    from kundennetz.accounts.models import Opportunity
    from kundennetz.winloss import services

    declined = Opportunity.objects.filter(stage__type="no_offer", account=network.account).first() \
        or Opportunity.objects.filter(stage__type="no_offer").first()
    owner = declined.account.owner
    record = services.record_declined_outcome(declined, owner, "competitor", "Zum Tiefstpreis vergeben")
    assert record.outcome == "competitor" and record.history.first().history_user == owner
    with pytest.raises(ValidationError):
        services.record_declined_outcome(declined, owner, "exploded")
    with pytest.raises(PermissionDenied):
        services.record_declined_outcome(declined, cast.read_only, "cancelled")
    with pytest.raises(ValidationError):
        services.record_declined_outcome(network.opportunity, cast.owner, "cancelled")  # still open
    assert len(list(services.no_bid_review(cast.admin))) == 4


def test_the_weekly_task_refits_or_says_why_not(make_history):
    from datetime import datetime

    from kundennetz.core import jobs
    from kundennetz.domain.schedule import due_period
    from kundennetz.winloss.models import WinModel
    from kundennetz.winloss.tasks import refit_win_model

    schedule = next(s for s in jobs.schedules() if s.name == "win_model")
    assert schedule.every == "weekly" and schedule.task == "kundennetz.winloss.tasks.refit_win_model"
    assert due_period(schedule, datetime(2026, 12, 7, 5, 30)) == "2026-W50"  # a Monday after five
    make_history(10)
    assert "30" in refit_win_model.call()["refused"] and not WinModel.objects.exists()
    make_history(40, seed=2)
    result = refit_win_model.call()
    assert result["deals"] == 50 and result["model_version"] == 1
