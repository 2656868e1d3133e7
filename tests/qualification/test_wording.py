"""The checklist's findings in words (``qualification.wording``): the domain gives contradictions and
suggested answers as codes with question ids and figures; the adapter words them through the catalogue in
the active language. The texts are those the domain's own tables gave before they moved here."""

import json
from decimal import Decimal
from importlib import resources

import pytest
from django.utils import translation

from kundennetz.domain import qualification as q
from kundennetz.qualification.wording import contradictions, suggestion_reason

CATALOGUE = q.Catalogue.from_dict(json.loads(
    resources.files("kundennetz.qualification").joinpath("catalogues", "ascotsman-v1.json").read_text("utf-8")))


def all_favourable():
    """Every headline and polar detail favourable, every other detail answered: all green."""
    values = {q.CONTACTS: ["Anna Muster"], q.COMPETITORS: ["Acme"], q.USER: "beat", q.AMOUNT: 100_000, q.TEXT: "moderate"}
    return {question.id: question.favourable or "yes" if question.type == q.YES_NO else values[question.type]
            for question in CATALOGUE.questions()}


def test_a_contradiction_names_the_category_and_the_questions_in_the_language():
    answers = {**all_favourable(), "money.incentive_not_to_spend": "yes"}
    evaluation = q.evaluate(CATALOGUE, answers)
    with translation.override("de-ch"):
        (german,) = contradictions(CATALOGUE, evaluation, "de", "Muster AG")
    with translation.override("en"):
        (english,) = contradictions(CATALOGUE, evaluation, "en", "Muster AG")
    assert german == ("Money (Geld, verfügbares Budget): Die Leitfrage ist günstig beantwortet, diese Detailfragen "
                      "aber nicht: Bestehen beim Kunden Anreizsysteme, das Budget nicht auszunutzen?")
    assert english.startswith("Money: the headline question is answered favourably, but not these details: ")


def test_unfavourable_headline_with_favourable_details_is_worded():
    evaluation = q.evaluate(CATALOGUE, {**all_favourable(), "competition": "yes"})
    with translation.override("en"):
        (text,) = contradictions(CATALOGUE, evaluation, "en")
    assert ": the headline question is answered unfavourably, but all yes/no details favourably: " in text


def reasons(facts, language):
    with translation.override(language):
        return {s.derive: suggestion_reason(s) for s in q.suggest_answers(facts)}


def test_reasons_are_localised_and_name_the_numbers():
    facts = {"offer_price": 120_000, "budget": 100_000, "margin_pct": 32, "group_margin_target_pct": 30}
    de, en = reasons(facts, "de-ch"), reasons(facts, "en")
    assert de["within_budget"] == "Angebotspreis 120'000 übersteigt das Budget von 100'000."
    assert en["within_budget"] == "Offer price 120,000 exceeds the budget of 100,000."
    assert "32 %" in de["margin_target"] and "30%" in en["margin_target"]


@pytest.mark.parametrize(("facts", "language", "derive", "text"), [
    ({"offer_price": Decimal("90000.50"), "budget": 100_000}, "en", "within_budget",
     "Offer price 90,000.50 is within the budget of 100,000."),
    ({"margin_pct": Decimal("12.5"), "group_margin_target_pct": Decimal("12.25")}, "de-ch", "margin_target",
     "Geschätzter Deckungsbeitrag 12.5 % erreicht das Ziel der Kundengruppe von 12.25 %."),
    ({"expected_volume": 50, "group_volume_min": 20, "group_volume_max": 100}, "de-ch", "volume_in_range",
     "Erwartetes Volumen 50 liegt im Rahmen der Kundengruppe (20–100)."),
    ({"expected_volume": 10, "group_volume_min": 20}, "en", "volume_in_range",
     "Expected volume 10 lies outside the customer group's range (≥ 20)."),
    ({"expected_volume": 1_500_000, "group_volume_max": 1_000_000}, "de-ch", "volume_in_range",
     "Erwartetes Volumen 1'500'000 liegt ausserhalb des Rahmens der Kundengruppe (≤ 1'000'000)."),
])
def test_reason_wording(facts, language, derive, text):
    assert reasons(facts, language)[derive] == text
