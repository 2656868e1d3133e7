"""The checklist's findings in words: the domain (``domain.qualification``) gives contradictions and
suggested answers as codes with the question ids and the numbers; this module words them through the
translation catalogue in the active language, numbers through ``core.formatting``. The questions and
categories themselves are the catalogue's own texts, localised by the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy, pgettext

from kundennetz.core import refusals
from kundennetz.core.formatting import format_number
from kundennetz.domain import qualification as rules

_CONTRADICTIONS = {
    "favourable_headline_unfavourable_details": gettext_lazy(
        "%(category)s: the headline question is answered favourably, but not these details: %(questions)s"),
    "unfavourable_headline_favourable_details": gettext_lazy(
        "%(category)s: the headline question is answered unfavourably, but all yes/no details favourably: "
        "%(questions)s"),
}

_REASONS = {
    ("within_budget", rules.YES): gettext_lazy("Offer price %(price)s is within the budget of %(budget)s."),
    ("within_budget", rules.NO): gettext_lazy("Offer price %(price)s exceeds the budget of %(budget)s."),
    ("volume_in_range", rules.YES): gettext_lazy(
        "Expected volume %(volume)s lies within the customer group's range (%(range)s)."),
    ("volume_in_range", rules.NO): gettext_lazy(
        "Expected volume %(volume)s lies outside the customer group's range (%(range)s)."),
    ("margin_target", rules.YES): gettext_lazy(
        "Estimated contribution margin %(margin)s reaches the group's target of %(target)s."),
    ("margin_target", rules.NO): gettext_lazy(
        "Estimated contribution margin %(margin)s falls short of the group's target of %(target)s."),
}


def contradiction_text(catalogue: rules.Catalogue, contradiction: rules.Contradiction, language: str,
                       company: str = rules.DEFAULT_COMPANY) -> str:
    """'Money: the headline question is answered favourably, but not these details: …', the category and
    questions in the catalogue's ``language``."""
    questions = "; ".join(catalogue.question(i).localised(language, company) for i in contradiction.question_ids)
    category = catalogue.category(contradiction.category).localised_name(language, company)
    return str(_CONTRADICTIONS[contradiction.code]) % {"category": category, "questions": questions}


def contradictions(catalogue: rules.Catalogue, evaluation: rules.Evaluation, language: str,
                   company: str = rules.DEFAULT_COMPANY) -> list[str]:
    return [contradiction_text(catalogue, w, language, company) for w in evaluation.warnings]


@dataclass(frozen=True)
class Suggested:
    """A suggested answer as the pages and the API show it: which question, the answer, and why in words.
    Never applied on its own; the user confirms or overrides it."""

    question_id: str
    derive: str
    value: str  # YES or NO, as the question is worded
    reason: str


def _amount(value: Decimal) -> str:
    """As many decimals as the figure has (120'000, 90'000.50), in the language's format."""
    return format_number(value, 0 if value == value.to_integral_value() else max(0, -value.as_tuple().exponent))


def _percent(value: Decimal) -> str:
    return pgettext("a percentage in a sentence", "%(number)s%%") % {"number": _amount(value)}


def _range(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"{_amount(low)}–{_amount(high)}"
    return f"≥ {_amount(low)}" if low is not None else f"≤ {_amount(high)}"


def suggestion_reason(suggestion: rules.Suggestion) -> str:
    p = suggestion.params
    if suggestion.derive == "within_budget":
        words = {"price": _amount(p["price"]), "budget": _amount(p["budget"])}
    elif suggestion.derive == "volume_in_range":
        words = {"volume": _amount(p["volume"]), "range": _range(p["low"], p["high"])}
    else:
        words = {"margin": _percent(p["margin"]), "target": _percent(p["target"])}
    return str(_REASONS[suggestion.derive, suggestion.value]) % words


def worded(suggestion: rules.Suggestion) -> Suggested:
    return Suggested(question_id=suggestion.question_id, derive=suggestion.derive, value=suggestion.value,
                     reason=suggestion_reason(suggestion))


# What the domain finds wrong with a catalogue definition (codes of its own; the shared ones are
# core.refusals'), as an admin reads it where the catalogue is edited.
CATALOGUE = {
    "bad_language": gettext_lazy("%(value)s must be a two-letter language code"),
    "unknown_placeholders": gettext_lazy("holds the unknown placeholder(s) %(placeholders)s (allowed: %(allowed)s)"),
    "headline_id": gettext_lazy("must be the category's key %(key)s"),
    "headline_polarity": gettext_lazy("must be a yes/no question with a favourable answer"),
    "detail_id": gettext_lazy("must be %(key)s, a dot and a name in lower-case letters"),
    "favourable_missing": gettext_lazy("a yes/no question needs favourable (yes, no or null)"),
    "favourable_not_yes_no": gettext_lazy("only yes/no questions have a favourable answer"),
    "knockout_polarity": gettext_lazy("only a yes/no question with a favourable answer can be a knock-out"),
    "derive_not_yes_no": gettext_lazy("only yes/no questions can be derived"),
}


def catalogue_refusal(error: rules.CatalogueError) -> str:
    """Why the catalogue definition cannot be used, in the active language ("<place>: <what is wrong>")."""
    return refusals.describe(error, CATALOGUE)
