"""The pipeline sorts and filters by the win score held on the opportunity (accounts.sortkeys, HELD):
whatever writes the scores (create, bulk create and update, queryset update, delete, SQL by hand, a score
moved to another opportunity), the held values are the score's, and the list's order by win chance and
expected value is the order of the join: empty last either way, ties by id."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory

from kundennetz.accounts import sortkeys
from kundennetz.accounts.filters import OpportunityFilter
from kundennetz.accounts.models import Opportunity
from kundennetz.winloss.models import DealScore

pytestmark = pytest.mark.django_db


def _off() -> list:
    """Every opportunity whose held values differ from its score's (or are not empty without a score)."""
    scores = {s.opportunity_id: (s.probability, s.expected_value) for s in DealScore.objects.all()}
    return [(o.pk, (o.win_probability, o.win_expected_value), scores.get(o.pk, (None, None)))
            for o in Opportunity.all_objects.all()
            if (o.win_probability, o.win_expected_value) != scores.get(o.pk, (None, None))]


def _listed(user, params) -> list[int]:
    request = RequestFactory().get("/", params)
    request.user = user
    rows = OpportunityFilter(params, queryset=Opportunity.objects.restrict(user), request=request).qs
    return list(rows.values_list("pk", flat=True))


def _expected(user, column: str, descending: bool) -> list[int]:
    rows = [(getattr(getattr(o, "win_score", None), column, None), o.pk)
            for o in Opportunity.objects.restrict(user).select_related("win_score")]
    present = sorted((r for r in rows if r[0] is not None), reverse=descending)
    empty = sorted((r for r in rows if r[0] is None), reverse=descending)
    return [pk for _value, pk in present + empty]


@pytest.fixture
def pipeline(network, cast):
    stage = network.opportunity.stage
    opportunities = [network.opportunity] + [
        Opportunity.objects.create(account=network.account if i % 2 else network.other_account,
                                   title=f"Chance {i}", owner=cast.owner if i % 2 else cast.outsider, stage=stage)
        for i in range(9)]
    DealScore.objects.create(opportunity=opportunities[0], signature="a", probability=0.5,
                             expected_value=Decimal("1000.00"))
    DealScore.objects.bulk_create([
        DealScore(opportunity=o, signature="b", probability=p, expected_value=v)
        for o, p, v in zip(opportunities[1:6], (0.9, 0.5, None, 0.1, 0.5),
                           (Decimal("50.00"), None, None, Decimal("7000.00"), Decimal("50.00")), strict=True)])
    return opportunities


def test_every_write_of_the_scores_is_held_on_the_opportunity(pipeline):
    assert _off() == []
    score = DealScore.objects.get(opportunity=pipeline[1])
    score.probability, score.expected_value = 0.2, Decimal("-10.00")
    score.save()
    scores = list(DealScore.objects.filter(opportunity__in=pipeline[2:4]))
    for s in scores:
        s.probability = 0.77
    DealScore.objects.bulk_update(scores, ["probability"])
    DealScore.objects.filter(opportunity=pipeline[4]).update(probability=None, expected_value=None)
    DealScore.objects.filter(opportunity=pipeline[5]).delete()
    DealScore.objects.filter(opportunity=pipeline[0]).update(opportunity=pipeline[8])  # moved: the old one empties
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO winloss_dealscore (opportunity_id, signature, unfavourable, probability, "
                       "contributions, expected_value, updated_at) VALUES (%s, 'x', 0, 0.33, '{}', 12.5, %s)",
                       [pipeline[9].pk, "2026-12-05 08:00:00"])
    assert _off() == []
    assert Opportunity.objects.get(pk=pipeline[0].pk).win_probability is None
    assert Opportunity.objects.get(pk=pipeline[9].pk).win_probability == 0.33
    pipeline[9].delete()  # to the trash: the score and its held value stay
    assert _off() == []


@pytest.mark.parametrize("sort, column", [("win", "probability"), ("-win", "probability"),
                                          ("value", "expected_value"), ("-value", "expected_value")])
def test_the_list_sorted_by_win_chance_or_value_is_the_joins_order(pipeline, cast, sort, column):
    for user in (cast.sales_head, cast.owner, cast.outsider):
        assert _listed(user, {"sort": sort}) == _expected(user, column, sort.startswith("-")), (sort, user)


def test_the_win_filter_reads_the_held_probability(pipeline, cast):
    listed = set(_listed(cast.sales_head, {"min_win": "50"}))
    assert listed == {s.opportunity_id for s in DealScore.objects.filter(probability__gte=0.5)}
    assert len(listed) == 4


def test_values_written_while_the_triggers_were_away_are_filled(pipeline):
    sortkeys.drop(connection)
    DealScore.objects.filter(opportunity=pipeline[1]).update(probability=0.01)
    DealScore.objects.filter(opportunity=pipeline[2]).delete()
    Opportunity.objects.filter(pk=pipeline[7].pk).update(win_probability=0.99)
    assert len(_off()) == 3
    assert sortkeys.ensure(connection) is True
    assert _off() == []
    DealScore.objects.filter(opportunity=pipeline[3]).update(probability=0.4)  # the triggers work again
    assert _off() == []
