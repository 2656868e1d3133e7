"""What the qualification API answers: a checklist with its evaluation, answers, decisions, catalogues.

Texts come in the caller's language with our company's name filled in; values are returned as stored:
yes/no answers as "yes", "no" or "open", people, users and competitors as ids, amounts as decimal strings.
"""

from datetime import datetime
from typing import Any, Optional

from django.conf import settings
from django.utils.translation import get_language
from ninja import Field, Schema

from kundennetz.core.api_types import choice
from kundennetz.domain import pursuit
from kundennetz.domain import qualification as rules

from ..models import Catalogue, PursuitDecision, Recommendation
from ..wording import contradiction_text

VALUE_DESCRIPTION = (
    "As the question's type asks: yes_no \"yes\", \"no\" or \"open\" (also \"ja\", \"nein\", \"offen\"); contacts "
    "and competitors a list of ids; user one id; amount a number or decimal string (returned as a decimal "
    "string); text a text. null leaves the question unanswered.")


def language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def localise(texts) -> str:
    return rules.localise(texts, language(), settings.KUNDENNETZ_COMPANY_NAME)


# --- evaluation -------------------------------------------------------------------------------------


class ClarifyOut(Schema):
    question_id: str
    category: str
    text: str = Field(description="The question to ask the customer, in your language.")


class WarningOut(Schema):
    category: str
    code: str = Field(description="favourable_headline_unfavourable_details or "
                                  "unfavourable_headline_favourable_details")
    questions: list[str]
    text: str


class EvaluationOut(Schema):
    recommendation: choice(Recommendation)
    recommendation_text: str = Field(description="In your language.")
    threshold: int = Field(description="More unfavourable headline answers than this mean no offer.")
    favourable: list[str] = Field(description="Keys of the categories whose headline answer is favourable.")
    unfavourable: list[str]
    open: list[str]
    knockouts: list[str] = Field(description="Knock-out questions answered unfavourably.")
    counts: dict[str, int] = Field(description="favourable, unfavourable and open headline answers.")
    lights: dict[str, str] = Field(description="Category key → green, amber or red, in catalogue order.")
    clarify: list[ClarifyOut] = Field(description="Every open question, worded as a question to the customer.")
    warnings: list[WarningOut] = Field(description="Detail answers at odds with their headline answer.")


def evaluation_out(evaluation: rules.Evaluation, catalogue: rules.Catalogue) -> dict:
    return {
        "recommendation": evaluation.recommendation,
        "recommendation_text": str(Recommendation(evaluation.recommendation).label),
        "threshold": evaluation.threshold,
        "favourable": list(evaluation.favourable),
        "unfavourable": list(evaluation.unfavourable),
        "open": list(evaluation.open),
        "knockouts": list(evaluation.knockouts),
        "counts": evaluation.counts,
        "lights": dict(evaluation.lights),
        "clarify": [{"question_id": p.question_id, "category": p.category, "text": p.text}
                    for p in evaluation.clarify],
        "warnings": [{"category": w.category, "code": w.code, "questions": list(w.question_ids),
                      "text": contradiction_text(catalogue, w, language(), settings.KUNDENNETZ_COMPANY_NAME)}
                     for w in evaluation.warnings],
    }


# --- answers ----------------------------------------------------------------------------------------


class AnswerOut(Schema):
    question_id: str
    version: int = Field(description="Raised by each change of this answer; send it as `If-Match: \"<version>\"` "
                                     "when answering again to refuse overwriting someone else's newer answer (412).")
    value: Any = Field(description=VALUE_DESCRIPTION)
    note: str
    updated_by: Optional[int] = Field(description="User id of who gave this answer last.")
    updated_at: datetime

    @staticmethod
    def resolve_updated_by(obj) -> Optional[int]:
        return obj.updated_by_id


class AnswerResultOut(Schema):
    answer: AnswerOut
    evaluation: EvaluationOut


class AnswersResultOut(Schema):
    answers: list[AnswerOut] = Field(description="The answers sent, as stored now.")
    evaluation: EvaluationOut


class SuggestionOut(Schema):
    question_id: str
    derive: str = Field(description="within_budget, volume_in_range or margin_target")
    value: str = Field(description="The suggested answer, yes or no as the question is worded.")
    reason: str = Field(description="In your language.")


class ChangeOut(Schema):
    id: int = Field(description="Id of this change; higher ids are later changes.")
    at: datetime
    by: Optional[int] = Field(description="User id of who changed the answer.")
    by_name: str
    question_id: str
    question: str = Field(description="The question's text in your language.")
    change: str = Field(description="created, changed or deleted")
    old: Any = Field(description="The value before (null for a first answer).")
    new: Any = Field(description="The value after (null when deleted).")
    old_note: Optional[str]
    new_note: Optional[str]


# --- decisions --------------------------------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    opportunity: int
    decision: choice(PursuitDecision.Decision)
    reason: str
    recommendation: choice(Recommendation) = Field(description="The checklist's recommendation at the time.")
    against_recommendation: bool
    decided_by: int
    decided_at: datetime

    @staticmethod
    def resolve_opportunity(obj) -> int:
        return obj.opportunity_id

    @staticmethod
    def resolve_decided_by(obj) -> int:
        return obj.decided_by_id

    @staticmethod
    def resolve_against_recommendation(obj) -> bool:
        return pursuit.goes_against(obj.recommendation, obj.decision)


# --- catalogues -------------------------------------------------------------------------------------


class QuestionDefinitionOut(Schema):
    id: str
    type: str = Field(description="yes_no, contacts, user, competitors, amount or text")
    headline: bool = Field(description="The category's headline question, which drives the recommendation.")
    text: str = Field(description="In your language.")
    favourable: Optional[str] = Field(description="yes or no for yes/no questions; null: informative, or not "
                                                  "a yes/no question.")
    knockout: bool = Field(description="Answered unfavourably, it means no offer on its own.")
    derive: Optional[str] = Field(description="The answer can be suggested from the opportunity's figures.")


class QuestionTextsOut(QuestionDefinitionOut):
    texts: dict[str, str] = Field(description="The wording in every language of the catalogue.")


class CategoryDefinitionOut(Schema):
    key: str
    letter: str
    name: str
    names: dict[str, str] = Field(description="The name in every language of the catalogue.")
    questions: list[QuestionTextsOut] = Field(description="The headline question first, then its details.")


class CatalogueOut(Schema):
    key: str
    version: int
    status: choice(Catalogue.Status)
    name: str = Field(description="In your language.")
    threshold: int
    languages: list[str]
    current: bool = Field(description="New checklists are answered against this version.")
    created_at: datetime
    published_at: Optional[datetime]


class CatalogueDetailOut(CatalogueOut):
    description: Optional[str]
    categories: list[CategoryDefinitionOut]


def question_definition(question: rules.Question, headline: bool) -> dict:
    return {"id": question.id, "type": question.type, "headline": headline, "text": localise(question.text),
            "favourable": question.favourable, "knockout": question.knockout, "derive": question.derive}


def catalogue_out(record: Catalogue, current_ids: set[int]) -> dict:
    parsed = record.rules
    return {"key": record.key, "version": record.version, "status": record.status,
            "name": localise(parsed.name), "threshold": record.threshold, "languages": list(parsed.languages),
            "current": record.pk in current_ids, "created_at": record.created_at,
            "published_at": record.published_at}


def catalogue_detail_out(record: Catalogue, current_ids: set[int]) -> dict:
    parsed = record.rules
    company = settings.KUNDENNETZ_COMPANY_NAME

    def every_language(texts) -> dict[str, str]:
        return {code: rules.localise(texts, code, company) for code in parsed.languages}

    return {
        **catalogue_out(record, current_ids),
        "description": localise(parsed.description) if parsed.description else None,
        "categories": [{"key": c.key, "letter": c.letter, "name": localise(c.name), "names": every_language(c.name),
                        "questions": [{**question_definition(q, q is c.headline), "texts": every_language(q.text)}
                                      for q in c.questions]}
                       for c in parsed.categories],
    }


# --- checklist --------------------------------------------------------------------------------------


class QuestionOut(QuestionDefinitionOut):
    state: str = Field(description="favourable, unfavourable, open, or answered (no polarity).")
    answer: Optional[AnswerOut] = Field(description="null while never answered.")


class CategoryOut(Schema):
    key: str
    letter: str
    name: str
    light: str = Field(description="green, amber or red")
    questions: list[QuestionOut] = Field(description="The headline question first, then its details.")


class CatalogueRefOut(Schema):
    key: str
    version: int
    name: str


class ChecklistOut(Schema):
    opportunity: int
    catalogue: CatalogueRefOut = Field(description="The version this checklist is answered against.")
    evaluation: EvaluationOut
    categories: list[CategoryOut]
    suggestions: list[SuggestionOut] = Field(
        description="Answers derived from the opportunity's figures, for you to confirm or override; never "
                    "applied on their own.")
    decision: Optional[DecisionOut] = Field(description="The latest pursuit decision, which counts.")
    may_change: bool = Field(description="Whether you may answer.")
    may_decide: bool = Field(description="Whether you may record the pursuit decision.")
    created_at: datetime
    updated_at: datetime
