"""Use cases of win/loss learning: fit and store a model, score opportunities, find similar deals,
advise on the threshold, review declined deals. Pages, API, command line and the weekly task call these;
the rules live in `kundennetz.domain.winloss`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import get_language

from kundennetz.accounts.models import Opportunity, Stage
from kundennetz.core.permissions import VIEW, restrict
from kundennetz.domain import winloss as rules
from kundennetz.qualification.models import Answer, Catalogue, Checklist

from .models import BidCost, DealScore, DeclinedOutcome, WinModel
from .permissions import may_fit

CLOSED = (Stage.Type.WON, Stage.Type.LOST)
CHUNK = 2000
SIMILAR = 3


class Refused(Exception):
    """A request that cannot be met (too little history, no model yet); the message is translated."""


# --- reading the history ------------------------------------------------------------------------------


def _language() -> str:
    return "de" if (get_language() or "").startswith("de") else "en"


def headline_keys() -> tuple[str, ...]:
    """The headline keys of the current catalogue (the shipped one when none is published)."""
    catalogue = Catalogue.current()
    if catalogue is not None:
        return catalogue.rules.keys
    from kundennetz.qualification.cli import default_catalogue

    return default_catalogue().keys


def _favourable_by_catalogue() -> dict[int, dict[str, str]]:
    """Catalogue id → headline key → its favourable answer."""
    return {catalogue.pk: {c.key: c.headline.favourable for c in catalogue.rules.categories}
            for catalogue in Catalogue.objects.all()}


def _states(opportunity_ids) -> dict[int, tuple[dict[str, str], int]]:
    """Opportunity → (headline key → answer state, how many headline answers are given), in one query."""
    favourable = _favourable_by_catalogue()
    keys = set(headline_keys())
    result: dict[int, tuple[dict[str, str], int]] = {}
    rows = (Answer.objects.filter(checklist__opportunity_id__in=opportunity_ids, question_id__in=keys)
            .values_list("checklist__opportunity_id", "checklist__catalogue_id", "question_id", "value"))
    for opportunity_id, catalogue_id, key, value in rows:
        states, answered = result.get(opportunity_id, ({}, 0))
        state = rules.state_of(value, favourable.get(catalogue_id, {}).get(key))
        states[key] = state
        result[opportunity_id] = (states, answered + (state != rules.OPEN))
    return result


_FIGURE_FIELDS = ("pk", "stage__type", "expected_volume", "estimated_margin_pct", "account__segment_id",
                  "account__segment__volume_min", "account__segment__volume_max",
                  "account__segment__margin_target_pct")


def _figures(row: dict) -> dict[str, int]:
    return {
        "volume_in_range": rules.figure_code(rules.volume_in_range(
            row["expected_volume"], row["account__segment__volume_min"], row["account__segment__volume_max"])),
        "margin_target": rules.figure_code(rules.margin_meets_target(
            row["estimated_margin_pct"], row["account__segment__margin_target_pct"])),
    }


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def closed_deals() -> list[rules.Deal]:
    """Won and lost deals (not in the trash) with at least one headline answer given: what a model learns
    from. Deals declined without an offer are no part of it."""
    ids = list(Opportunity.objects.filter(stage__type__in=CLOSED, checklist__isnull=False)
               .values_list("pk", flat=True).order_by("pk"))
    deals = []
    for chunk in _chunks(ids):
        states = _states(chunk)
        for row in Opportunity.objects.filter(pk__in=chunk).values(*_FIGURE_FIELDS).order_by("pk"):
            given = states.get(row["pk"])
            if given is None or given[1] == 0:
                continue
            deals.append(rules.Deal(id=row["pk"], won=row["stage__type"] == Stage.Type.WON, states=given[0],
                                    figures=_figures(row)))
    return deals


# --- fitting ------------------------------------------------------------------------------------------


def refusal_message(error: rules.NotEnoughDeals) -> str:
    if error.code == "too_few_deals":
        return _("A win model needs at least %(minimum)s closed deals (won or lost, with an answered "
                 "checklist); there are %(deals)s.") % error.params
    return _("A win model needs at least %(minimum)s won and %(minimum)s lost deals; there are %(won)s won "
             "and %(lost)s lost.") % error.params


def _answered_closed():
    answered = Answer.objects.filter(Q(value="yes") | Q(value="no"), checklist__opportunity=OuterRef("pk"),
                                     question_id__in=headline_keys())
    return Opportunity.objects.filter(stage__type__in=CLOSED, checklist__isnull=False).filter(Exists(answered))


def check_history() -> None:
    """Raise `Refused` when there is too little history to fit (two counting queries, no fitting)."""
    closed = _answered_closed()
    deals = closed.count()
    won = closed.filter(stage__type=Stage.Type.WON).count()
    try:
        rules.check_counts(deals, won)
    except rules.NotEnoughDeals as error:
        raise Refused(refusal_message(error)) from None


def fit_and_store_win_model(user=None) -> WinModel:
    """Fit the win model on every closed deal, store it as a new version and re-score every opportunity.

    The weekly re-fit calls this with no user; raises `Refused` (with a translated message) when the
    history is too thin, storing nothing."""
    if user is not None and not may_fit(user):
        raise PermissionDenied(_("Only the sales head or an administrator can fit the win model."))
    deals = closed_deals()
    try:
        model, scores = rules.fit(deals, headline_keys())
    except rules.NotEnoughDeals as error:
        raise Refused(refusal_message(error)) from None
    with transaction.atomic():
        last = WinModel.objects.select_for_update().only("version").order_by("-version").first()
        record = WinModel.objects.create(
            version=(last.version + 1) if last else 1, fitted_by=user, deals=scores.deals, won=scores.won,
            auc=scores.auc, brier=scores.brier, base_rate_brier=scores.base_rate_brier,
            unfavourable_count_auc=scores.unfavourable_count_auc,
            reliability=[b.to_dict() for b in scores.reliability], parameters=model.to_dict(),
            deal_ids=[d.id for d in deals])
    refresh_scores(model=record)
    return record


def fit_summary(record: WinModel) -> dict:
    """The command line's and the API's one-line answer to a fit."""
    return {"deals": record.deals, "won": record.won, "auc": record.auc, "brier": record.brier,
            "base_rate_brier": record.base_rate_brier, "model_version": record.version}


# --- scoring ------------------------------------------------------------------------------------------


def bid_costs() -> tuple[dict[int, Decimal], Decimal]:
    """Customer group id → cost of a bid, and the cost for accounts without a group of their own."""
    by_segment, default = {}, Decimal("0")
    for segment_id, amount in BidCost.objects.values_list("segment_id", "amount"):
        if segment_id is None:
            default = amount
        else:
            by_segment[segment_id] = amount
    return by_segment, default


def bid_cost_of(segment_id, costs=None) -> Decimal:
    by_segment, default = costs or bid_costs()
    return by_segment.get(segment_id, default)


def _margin(row: dict):
    margin = row.get("estimated_margin_pct")
    if margin is None:
        margin = row.get("account__contribution_margin_pct")
    if margin is None:
        margin = row.get("account__segment__margin_target_pct")
    return margin


def refresh_scores(opportunity_ids=None, model: WinModel | None = None) -> int:
    """Store the answers' code, win probability, contributions and expected value of the opportunities
    (all with a checklist when `opportunity_ids` is None), in bulk. Without a fitted model only the
    answers' code is kept. Returns how many were scored."""
    model = model if model is not None else WinModel.latest()
    fitted = model.rules if model is not None else None
    keys = fitted.keys if fitted is not None else headline_keys()
    if opportunity_ids is None:
        opportunity_ids = Checklist.objects.values_list("opportunity_id", flat=True).order_by("opportunity_id")
    costs = bid_costs()
    done = 0
    for chunk in _chunks(opportunity_ids):
        states = _states(chunk)
        rows = list(Opportunity.all_objects.filter(pk__in=chunk, checklist__isnull=False)
                    .values(*_FIGURE_FIELDS, "account__contribution_margin_pct"))
        predictions = fitted.predict_many([(states.get(r["pk"], ({}, 0))[0], _figures(r)) for r in rows]) \
            if fitted is not None else [None] * len(rows)
        existing = {score.opportunity_id: score for score in DealScore.objects.filter(opportunity_id__in=chunk)}
        creates, updates = [], []
        for row, prediction in zip(rows, predictions):
            answer_states = states.get(row["pk"], ({}, 0))[0]
            score = existing.get(row["pk"]) or DealScore(opportunity_id=row["pk"])
            score.signature = rules.signature(answer_states, keys)
            score.unfavourable = sum(1 for key in keys if answer_states.get(key) == rules.UNFAVOURABLE)
            score.model = model
            if prediction is None:
                score.probability, score.contributions, score.expected_value = None, {}, None
            else:
                score.probability = round(prediction.probability, 6)
                score.contributions = {key: round(value, 4) for key, value in prediction.contributions.items()}
                value = rules.expected_value(prediction.probability, row["expected_volume"], _margin(row),
                                             bid_cost_of(row["account__segment_id"], costs))
                score.expected_value = None if value is None else Decimal(str(round(value, 2)))
            (updates if score.pk else creates).append(score)
        DealScore.objects.bulk_create(creates, batch_size=500)
        DealScore.objects.bulk_update(updates, ["signature", "unfavourable", "probability", "contributions",
                                                "expected_value", "model", "updated_at"], batch_size=500)
        done += len(rows)
    return done


def score_of(opportunity: Opportunity) -> DealScore | None:
    return (DealScore.objects.filter(opportunity=opportunity).select_related("model")
            .defer("model__deal_ids").first())


# --- predicting from answers alone (command line, API) ----------------------------------------------------


def favourable_answers() -> dict[str, str]:
    """Headline key → favourable answer in the current catalogue (the shipped one when none is published)."""
    catalogue = Catalogue.current()
    if catalogue is not None:
        rules_catalogue = catalogue.rules
    else:
        from kundennetz.qualification.cli import default_catalogue

        rules_catalogue = default_catalogue()
    return {c.key: c.headline.favourable for c in rules_catalogue.categories}


def latest_model_or_refuse() -> WinModel:
    record = WinModel.latest()
    if record is None:
        raise Refused(_("No win model has been fitted yet: run “kundennetz winloss fit” (at least 30 closed "
                        "deals are needed)."))
    return record


def predict_answers(record: WinModel, answers: dict[str, str]) -> dict:
    """`{"win_probability", "contributions", "model_version"}` for headline answers (key → yes/no/open)."""
    favourable = favourable_answers()
    states = {key: rules.state_of(value, favourable.get(key)) for key, value in answers.items()}
    prediction = record.rules.predict(states)
    return {"win_probability": round(prediction.probability, 4),
            "contributions": {key: round(value, 4) for key, value in prediction.contributions.items()},
            "model_version": record.version}


# --- similar deals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    opportunity: Opportunity
    differences: int


def similar_deals(opportunity: Opportunity, user, limit: int = SIMILAR) -> dict[str, list[Similar]]:
    """The closed deals (won, lost) the user may see whose headline answers differ least from this one's
    (at most two answers apart): an indexed lookup of the nearby answer codes, never a scan of all deals."""
    score = DealScore.objects.filter(opportunity=opportunity).only("signature").first()
    result: dict[str, list[Similar]] = {"won": [], "lost": []}
    if score is None or not score.signature or set(score.signature) == {"o"}:
        return result
    near = rules.neighbours(score.signature, 2)
    visible = restrict(Opportunity.objects.all(), user, VIEW)
    for outcome in result:
        candidates = (DealScore.objects.filter(signature__in=near, opportunity__stage__type=outcome,
                                               opportunity__in=visible)
                      .exclude(opportunity=opportunity)
                      .select_related("opportunity__account", "opportunity__stage")
                      .order_by("-opportunity__closed_on", "-opportunity_id")[:50])
        ranked = sorted(candidates, key=lambda s: (rules.distance(s.signature, score.signature),
                                                   -(s.opportunity.closed_on.toordinal()
                                                     if s.opportunity.closed_on else 0)))
        result[outcome] = [Similar(s.opportunity, rules.distance(s.signature, score.signature))
                           for s in ranked[:limit]]
    return result


# --- explanation for people -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    key: str
    label: str
    points: int

    @property
    def text(self) -> str:
        """"Competition: unfavourable: −18 points" (a true minus sign)."""
        sign = "−" if self.points < 0 else "+" if self.points > 0 else "±"
        return _("%(label)s: %(sign)s%(points)s points") % {"label": self.label, "sign": sign,
                                                             "points": abs(self.points)}


def explained(score: DealScore) -> list[Contribution]:
    """Each answer's contribution in points ("Competition strong: −18 points"), largest first."""
    if not score or score.probability is None:
        return []
    catalogue = Catalogue.current()
    names = {}
    states = dict(zip(headline_keys(), score.signature))
    if catalogue is not None:
        for category in catalogue.rules.categories:
            names[category.key] = category.localised_name(_language())
    words = {"f": _("favourable"), "u": _("unfavourable"), "o": _("open")}
    figures = {"volume_in_range": _("Volume vs the customer group's range"),
               "margin_target": _("Margin vs the group's target")}
    items = []
    for key, value in score.contributions.items():
        if key in figures:
            label = figures[key]
        else:
            label = f"{names.get(key, key)}: {words.get(states.get(key, 'o'), '')}"
        items.append(Contribution(key=key, label=label, points=round(value * 100)))
    return sorted(items, key=lambda c: -abs(c.points))


# --- threshold advice and the no-bid review ---------------------------------------------------------------


def threshold_advice() -> rules.ThresholdAdvice:
    """What each threshold 0–8 would have decided on the closed deals, given the costs of a bid."""
    costs = bid_costs()
    catalogue = Catalogue.current()
    in_force = catalogue.threshold if catalogue is not None else 3
    deals = []
    rows = (_answered_closed()
            .values("stage__type", "expected_volume", "estimated_margin_pct", "account__segment_id",
                    "account__contribution_margin_pct", "account__segment__margin_target_pct",
                    unfavourable=F("checklist__unfavourable_count"))
            .order_by("pk"))
    for row in rows.iterator(chunk_size=CHUNK):
        margin = _margin(row)
        worth = None
        if row["expected_volume"] is not None and margin is not None:
            worth = float(row["expected_volume"]) * float(margin) / 100.0
        deals.append(rules.HistoricDeal(won=row["stage__type"] == Stage.Type.WON, unfavourable=row["unfavourable"],
                                        contribution=worth, bid_cost=float(bid_cost_of(row["account__segment_id"],
                                                                                       costs))))
    return rules.threshold_advice(deals, in_force)


def no_bid_review(user):
    """Deals we declined (stage "no offer") that the user may see, with their answers' score and what
    became of them where known, newest first."""
    return (restrict(Opportunity.objects.filter(stage__type=Stage.Type.NO_OFFER), user, VIEW)
            .select_related("account", "checklist", "win_score", "declined_outcome", "closing_reason")
            .order_by(F("closed_on").desc(nulls_last=True), "-pk"))


def no_bid_counts() -> dict[str, int]:
    counts = defaultdict(int)
    for outcome in DeclinedOutcome.objects.filter(
            opportunity__stage__type=Stage.Type.NO_OFFER).values_list("outcome", flat=True):
        counts[outcome] += 1
    total = Opportunity.objects.filter(stage__type=Stage.Type.NO_OFFER).count()
    counts[DeclinedOutcome.Outcome.UNKNOWN] += total - sum(counts.values())
    return dict(counts)


class StaleOutcome(Exception):
    """Someone else saved what became of the deal since the page showed it, and differently."""

    def __init__(self, current: DeclinedOutcome):
        super().__init__(current.pk)
        self.current = current


@transaction.atomic
def record_declined_outcome(opportunity: Opportunity, user, outcome: str, note: str = "", *,
                            based_on: int | None = None) -> DeclinedOutcome:
    """Store what became of a declined deal. `based_on`: the version the page showed (0: none yet); when
    someone else saved another outcome or note since, `StaleOutcome` is raised and nothing changes."""
    from django.core.exceptions import ValidationError

    from kundennetz.core.permissions import can

    if not can(user, "change", opportunity):
        raise PermissionDenied
    if opportunity.stage.type != Stage.Type.NO_OFFER:
        raise ValidationError({"outcome": _("Only a declined deal (no offer) has this outcome.")})
    if outcome not in DeclinedOutcome.Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the listed outcomes.")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("This text is too long (at most 500 characters).")})
    record, _created = DeclinedOutcome.objects.get_or_create(opportunity=opportunity)
    # Locked for the rest of the transaction: the check below and the save see the same row.
    record = DeclinedOutcome.objects.select_for_update().get(pk=record.pk)
    stored = 0 if _created else record.version
    if (record.outcome, record.note) == (outcome, note) and not _created:
        return record  # nothing to change (a stale page sending what is stored now included)
    if based_on is not None and based_on != stored:
        raise StaleOutcome(record)
    record.outcome, record.note, record.updated_by = outcome, note, user
    record._history_user = user
    record.save()
    return record


@transaction.atomic
def set_bid_cost(user, segment, amount) -> BidCost:
    from django.core.exceptions import ValidationError

    if not may_fit(user):
        raise PermissionDenied(_("Only the sales head or an administrator can change the cost of a bid."))
    try:
        amount = Decimal(str(amount))
    except Exception:
        raise ValidationError({"amount": _("Enter an amount.")}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValidationError({"amount": _("Enter an amount of at least 0.")})
    record = BidCost.objects.filter(segment=segment).first() or BidCost(segment=segment)
    record.amount, record.updated_by = amount.quantize(Decimal("0.01")), user
    record._history_user = user
    record.full_clean()
    record.save()
    return record
