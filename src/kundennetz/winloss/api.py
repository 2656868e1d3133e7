"""Win/loss learning in the API: fit, the current model, predict a checklist, an opportunity's win
probability, threshold advice and the no-bid review. The same answers as `kundennetz winloss`."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema, Status
from ninja.errors import HttpError

from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, InvalidInput, MessageOut
from kundennetz.core.job_api import JobOut
from kundennetz.qualification.api.checklists import find_opportunity
from kundennetz.qualification.cli import InputError, default_catalogue, translate

from . import services, tasks
from .files import headline_answers
from .permissions import may_fit, may_review

router = Router(tags=["win/loss"])
REFUSED = {409: MessageOut}


class FitOut(Schema):
    deals: int
    won: int
    auc: float
    brier: float
    base_rate_brier: float
    model_version: int


class ReliabilityOut(Schema):
    lower: float
    upper: float
    count: int
    predicted: Optional[float]
    observed: Optional[float]


class ModelOut(FitOut):
    fitted_at: datetime
    unfavourable_count_auc: float
    reliability: list[ReliabilityOut]
    coefficients: dict[str, float]
    intercept: float
    uses_figures: bool


class PredictionOut(Schema):
    win_probability: float
    contributions: dict[str, float]
    model_version: int


class SimilarOut(Schema):
    opportunity: int
    title: str
    account_name: str
    closed_on: Optional[date]
    differences: int


class WinOut(Schema):
    opportunity: int
    win_probability: Optional[float]
    contributions: dict[str, float]
    expected_value: Optional[Decimal]
    model_version: Optional[int]
    similar_won: list[SimilarOut]
    similar_lost: list[SimilarOut]


class ThresholdRowOut(Schema):
    threshold: int
    offers: int
    wins_kept: int
    wins_forgone: int
    losses_avoided: int
    expected_contribution: float


class ThresholdsOut(Schema):
    deals: int
    won: int
    threshold_in_force: int
    best_threshold: Optional[int]
    gain: float
    assumed_contribution: float
    thresholds: list[ThresholdRowOut]


class NoBidOut(Schema):
    opportunity: int
    title: str
    account_name: str
    closed_on: Optional[date]
    unfavourable: Optional[int]
    win_probability: Optional[float]
    outcome: str
    note: str


def _review(user) -> None:
    if not may_review(user):
        raise PermissionDenied(_("The win model covers every deal of the firm: only the sales head, an "
                                 "administrator, marketing and read-only users see it."))


def _model_out(record) -> dict:
    parameters = record.parameters
    return {**services.fit_summary(record), "fitted_at": record.fitted_at,
            "unfavourable_count_auc": record.unfavourable_count_auc, "reliability": record.reliability,
            "coefficients": parameters["coefficients"], "intercept": parameters["intercept"],
            "uses_figures": bool(parameters.get("use_figures"))}


@router.post("/winloss/fit", response={202: JobOut, 403: MessageOut, **COMMON_ERRORS, **REFUSED},
             summary="Fit the win model (background)")
def fit(request):
    """Fits on every closed deal (won or lost, with an answered checklist) and stores a new version; the
    scores come from stratified 5-fold cross-validation. Sales head and admin only; 409 below 30 deals.
    Answers 202 with the job; once `done`, its `result` is `/api/winloss/model`."""
    if not may_fit(request.auth):
        raise PermissionDenied(_("Only the sales head or an administrator can fit the win model."))
    try:
        job = tasks.start_fit(request.auth)
    except services.Refused as refusal:
        raise HttpError(409, str(refusal)) from None
    return Status(202, job)


@router.get("/winloss/model", response={200: ModelOut, 403: MessageOut, 404: MessageOut, **COMMON_ERRORS},
            summary="The current win model")
def current_model(request):
    """Its version, cross-validated scores, reliability table and coefficients (404 when none is fitted)."""
    _review(request.auth)
    record = services.WinModel.latest()
    if record is None:
        raise Http404(_("No win model has been fitted yet."))
    return _model_out(record)


@router.post("/winloss/predict", response={200: PredictionOut, **COMMON_ERRORS, **REFUSED},
             summary="Win probability of a checklist")
def predict(request, payload: Any = Body(..., description='A checklist in the format of `kundennetz qualify`: '
                                                           '{"answers": {key: "yes"|"no"|"open"}, …}')):
    """The same as `kundennetz winloss predict --json` for one file: probability (0–1) and each headline
    answer's contribution to it (in probability, against an average answer). 409 without a fitted model."""
    try:
        record = services.latest_model_or_refuse()
    except services.Refused as refusal:
        raise HttpError(409, str(refusal)) from None
    language = "de" if (request.LANGUAGE_CODE or "").startswith("de") else "en"
    try:
        answers = headline_answers(payload, default_catalogue())
    except InputError as error:
        message = translate(error.message, language, **error.params)
        raise InvalidInput([{"loc": ["body"], "msg": message, "type": "invalid"}]) from None
    return services.predict_answers(record, answers)


def _similar(items) -> list[dict]:
    return [{"opportunity": s.opportunity.pk, "title": s.opportunity.title, "account_name": s.opportunity.account.name,
             "closed_on": s.opportunity.closed_on, "differences": s.differences} for s in items]


@router.get("/opportunities/{int:opportunity_id}/win", response={200: WinOut, **RECORD_ERRORS},
            summary="An opportunity's win probability")
def opportunity_win(request, opportunity_id: int):
    """The stored win probability with each answer's contribution, the expected value (probability × volume ×
    margin − the cost of a bid) and the closed deals most like it that you may see."""
    opportunity = find_opportunity(request, opportunity_id)
    score = services.score_of(opportunity)
    similar = services.similar_deals(opportunity, request.auth)
    return {"opportunity": opportunity.pk,
            "win_probability": None if score is None else score.probability,
            "contributions": {} if score is None else score.contributions,
            "expected_value": None if score is None else score.expected_value,
            "model_version": score.model.version if score is not None and score.model else None,
            "similar_won": _similar(similar["won"]), "similar_lost": _similar(similar["lost"])}


@router.get("/winloss/thresholds", response={200: ThresholdsOut, 403: MessageOut, **COMMON_ERRORS},
            summary="Threshold advice")
def thresholds(request):
    """For thresholds 0–8, what the rule "more than t unfavourable answers → no offer" would have decided on
    the closed deals: offers made, wins kept and forgone, losses avoided, and the contribution given the
    cost of a bid; the threshold that would have paid best beside the one in force."""
    _review(request.auth)
    return services.threshold_advice().to_dict()


@router.get("/winloss/no-bid", response={200: list[NoBidOut], 403: MessageOut, **COMMON_ERRORS},
            summary="The no-bid review")
def no_bid(request, limit: int = 100, offset: int = 0):
    """Deals we declined, newest first, with what became of them where known."""
    _review(request.auth)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    items = []
    for opportunity in services.no_bid_review(request.auth)[offset:offset + limit]:
        checklist = getattr(opportunity, "checklist", None) if _has(opportunity, "checklist") else None
        score = opportunity.win_score if _has(opportunity, "win_score") else None
        outcome = opportunity.declined_outcome if _has(opportunity, "declined_outcome") else None
        items.append({"opportunity": opportunity.pk, "title": opportunity.title,
                      "account_name": opportunity.account.name, "closed_on": opportunity.closed_on,
                      "unfavourable": checklist.unfavourable_count if checklist else None,
                      "win_probability": score.probability if score else None,
                      "outcome": outcome.outcome if outcome else "unknown", "note": outcome.note if outcome else ""})
    return items


def _has(obj, name: str) -> bool:
    try:
        return getattr(obj, name) is not None
    except Exception:  # a reverse one-to-one without a row
        return False

