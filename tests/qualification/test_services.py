"""Checklist use cases against the database: answers with history, evaluation summary, decisions, stage gate."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kundennetz.accounts.models import Competitor, Stage
from kundennetz.core.services import save_record
from kundennetz.qualification import services
from kundennetz.qualification.models import Answer, Checklist

pytestmark = pytest.mark.django_db
HEADLINES_OFFER = {"aspiration": "yes", "solution": "yes", "competition": "no", "only_me": "yes",
                   "time_scale": "yes", "money": "yes", "authority": "yes", "need": "yes"}


def answer_all(checklist, user, answers):
    for key, value in answers.items():
        services.set_answer(checklist, key, value, user)


def test_new_checklist_is_open_against_the_current_catalogue(cast, network):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    assert checklist.catalogue.key == "ascotsman" and checklist.catalogue.version == 1
    assert checklist.recommendation == "clarify"
    assert checklist.open_points > 8


def test_answers_drive_the_stored_recommendation(cast, network):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    answer_all(checklist, cast.owner, HEADLINES_OFFER)
    assert Checklist.objects.get(pk=checklist.pk).recommendation == "offer"
    for key in ("aspiration", "solution", "only_me", "need"):
        services.set_answer(checklist, key, "no", cast.team_member)
    stored = Checklist.objects.get(pk=checklist.pk)
    assert stored.recommendation == "no_offer" and stored.unfavourable_count == 4


def test_every_answer_change_is_kept_with_author(cast, network):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    services.set_answer(checklist, "money", "yes", cast.owner)
    services.set_answer(checklist, "money", "no", cast.team_member)
    history = list(Answer.objects.get(checklist=checklist, question_id="money").history.order_by("history_date"))
    assert [h.value for h in history] == ["yes", "no"]
    assert [h.history_user for h in history] == [cast.owner, cast.team_member]


@pytest.mark.parametrize("who", ["outsider", "marketing", "read_only"])
def test_only_those_who_may_change_the_opportunity_answer(cast, network, who):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    with pytest.raises(PermissionDenied):
        services.set_answer(checklist, "money", "yes", getattr(cast, who))
    assert not Answer.objects.filter(checklist=checklist).exists()


@pytest.mark.parametrize("question,value", [
    ("money", "maybe"), ("money.budget", -5), ("money.budget", "a lot"), ("money.budget", 10**13),
    ("authority.decision_makers", [999999]), ("authority.our_decider", 999999),
    ("competition.competitors", [999999]), ("nonsense", "yes"),
])
def test_bad_answers_are_refused_and_nothing_is_saved(cast, network, question, value):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    with pytest.raises(ValidationError):
        services.set_answer(checklist, question, value, cast.owner)
    assert not Answer.objects.filter(checklist=checklist).exists()


def test_contacts_of_another_account_are_refused(cast, network):
    from kundennetz.accounts.models import Contact

    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    checklist = services.get_checklist(network.opportunity, cast.owner)
    with pytest.raises(ValidationError):
        services.set_answer(checklist, "authority.decision_makers", [stranger.pk], cast.owner)
    services.set_answer(checklist, "authority.decision_makers", [network.contact.pk], cast.owner)
    competitor = Competitor.objects.create(name="Konkurrenz AG")
    services.set_answer(checklist, "competition.competitors", [competitor.pk], cast.owner)
    services.set_answer(checklist, "money.budget", Decimal("250000.50"), cast.owner)
    assert services.answer_values(checklist)["money.budget"] == "250000.50"


def test_suggestions_come_from_figures_and_are_not_applied(cast, network):
    opportunity = network.opportunity
    opportunity.offer_price = Decimal("300000")
    opportunity.estimated_margin_pct = Decimal("30")
    opportunity.save()
    checklist = services.get_checklist(opportunity, cast.owner)
    services.set_answer(checklist, "money.budget", 280000, cast.owner)
    by_id = {s.question_id: s.value for s in services.suggestions(checklist)}
    # mid-market: volume 50'000–750'000, margin target 38 %
    # The Authority headline's suggestion comes from the relationship map: its decision maker is uncovered.
    assert by_id == {"money.within_budget": "no", "time_scale.volume_in_range": "yes", "time_scale.margin_target": "no",
                     "authority": "no"}
    assert "money.within_budget" not in services.answer_values(checklist)


def test_decision_needs_the_named_decider_or_a_sales_head(cast, network):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    answer_all(checklist, cast.owner, HEADLINES_OFFER)
    with pytest.raises(PermissionDenied):
        services.record_decision(network.opportunity, cast.owner, "pursue")
    services.set_answer(checklist, "authority.our_decider", cast.team_member.pk, cast.owner)
    assert services.record_decision(network.opportunity, cast.team_member, "pursue").decision == "pursue"
    assert services.record_decision(network.opportunity, cast.sales_head, "pursue").recommendation == "offer"
    with pytest.raises(PermissionDenied):
        services.record_decision(network.opportunity, cast.outsider, "pursue")


def test_going_against_the_recommendation_needs_a_reason(cast, network):
    checklist = services.get_checklist(network.opportunity, cast.owner)
    with pytest.raises(ValidationError) as excinfo:
        services.record_decision(network.opportunity, cast.sales_head, "pursue", "  ")
    assert "reason" in excinfo.value.message_dict
    decision = services.record_decision(network.opportunity, cast.sales_head, "pursue", "Strategic customer")
    assert decision.recommendation == checklist.recommendation == "clarify"
    assert services.record_decision(network.opportunity, cast.sales_head, "do_not_pursue").reason == ""


def test_offer_submitted_needs_a_decision_to_pursue(cast, network):
    opportunity = network.opportunity
    opportunity.stage = Stage.objects.get(code="offer_submitted")
    with pytest.raises(ValidationError) as excinfo:
        save_record(opportunity, cast.owner)
    assert "stage" in excinfo.value.message_dict
    services.record_decision(opportunity, cast.sales_head, "do_not_pursue", "too small")
    with pytest.raises(ValidationError):
        save_record(opportunity, cast.owner)
    services.record_decision(opportunity, cast.sales_head, "pursue", "worth it after all")
    save_record(opportunity, cast.owner)
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "offer_submitted"
