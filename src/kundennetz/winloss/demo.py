"""Demo history: closed deals of the last three years with their checklists (as an import of historic
deals would bring them), declined deals with what became of them, and a fitted win model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from kundennetz.accounts.models import ClosingReason, Opportunity, Stage
from kundennetz.domain import winloss as rules
from kundennetz.qualification.models import Answer, Catalogue, Checklist, PursuitDecision

from . import services
from .models import DeclinedOutcome

# How much each answer moves the odds of winning in the demo's "true" history (favourable, unfavourable).
TRUE_EFFECTS = {"aspiration": (0.4, -0.5), "solution": (0.9, -1.4), "competition": (0.3, -1.3),
                "only_me": (0.7, -0.3), "time_scale": (0.2, -0.4), "money": (0.6, -1.0),
                "authority": (0.5, -0.9), "need": (0.3, -0.6)}
TRUE_INTERCEPT = -0.4
HISTORY = 180
DECLINED = 24
TOPICS = ["ERP-Migration", "Cloud-Plattform", "Prozessberatung", "Datenplattform", "Netzwerkerneuerung",
          "Security-Audit", "Projektleitung ad interim", "Digitalisierung Kundendienst", "Leitsystem",
          "Machbarkeitsstudie", "Schulungsprogramm", "Betriebsübernahme"]


@dataclass(frozen=True)
class HistoricDeal:
    """One closed deal to create: where, what, how it ended and how its headline questions were answered."""

    account: object
    title: str
    outcome: str                 # "won", "lost" or "no_offer"
    answers: dict[str, str]      # headline key → yes/no/open
    closed_on: date
    volume: Decimal | None = None
    margin_pct: Decimal | None = None


def answers_for(states: dict[str, str], catalogue) -> dict[str, str]:
    """yes/no/open answers that give the answer states (favourable, unfavourable, open) in `catalogue`."""
    result = {}
    for category in catalogue.rules.categories:
        state = states.get(category.key, rules.OPEN)
        good = category.headline.favourable
        result[category.key] = ("open" if state == rules.OPEN else good if state == rules.FAVOURABLE
                                else ("no" if good == "yes" else "yes"))
    return result


def create_history(deals: list[HistoricDeal], user) -> list[Opportunity]:
    """Create closed deals with their checklists in bulk, marked historic (as their import would); lost ones without a reason get
    "not recorded". Scores are refreshed; the model is not fitted here."""
    stages = {stage.type: stage for stage in Stage.objects.filter(is_active=True).order_by("-order")}
    not_recorded = ClosingReason.not_recorded()
    declined_reason = ClosingReason.objects.filter(applies_to=Stage.Type.NO_OFFER, is_active=True).first()
    catalogue = Catalogue.current()
    opportunities = []
    for deal in deals:
        opportunity = Opportunity(
            account=deal.account, title=deal.title, stage=stages[deal.outcome], owner=deal.account.owner,
            expected_volume=deal.volume, estimated_margin_pct=deal.margin_pct, closed_on=deal.closed_on,
            expected_decision_date=deal.closed_on,
            historic=True,
            closing_reason=not_recorded if deal.outcome == "lost" else declined_reason if deal.outcome == "no_offer"
            else None)
        opportunity.stamp(user)
        # History comes in with its account's records (the same moment on every load), after it closed.
        opportunity.created_at = deal.account.created_at + timedelta(minutes=1 + len(opportunities))
        opportunities.append(opportunity)
    bulk_create_with_history(opportunities, Opportunity, default_user=user, batch_size=500)
    if any(o.pk is None for o in opportunities):
        raise RuntimeError("the database returned no keys for the new opportunities")
    checklists = []
    for opportunity in opportunities:
        checklist = Checklist(opportunity=opportunity, catalogue=catalogue)
        checklist.stamp(user)
        checklists.append(checklist)
    Checklist.objects.bulk_create(checklists, batch_size=500)
    answers = [Answer(checklist=checklist, question_id=key, value=value, updated_by=user)
               for checklist, deal in zip(checklists, deals) for key, value in deal.answers.items()]
    bulk_create_with_history(answers, Answer, default_user=user, batch_size=1000)
    from kundennetz.qualification.services import refresh_summaries

    refresh_summaries([c.pk for c in checklists])
    services.refresh_scores([o.pk for o in opportunities])
    return opportunities


def generated_history(accounts, count: int, rng, today: date, catalogue, *, declined: int = 0) -> list[HistoricDeal]:
    """`count` closed deals drawn from the demo's true effects (and `declined` deals we did not bid for)."""
    deals = []
    for i in range(count + declined):
        account = rng.choice(accounts)
        states = {}
        z = TRUE_INTERCEPT
        for key, (good, bad) in TRUE_EFFECTS.items():
            r = rng.random()
            state = rules.OPEN if r < 0.12 else rules.FAVOURABLE if r < 0.70 else rules.UNFAVOURABLE
            states[key] = state
            z += good if state == rules.FAVOURABLE else bad if state == rules.UNFAVOURABLE else 0.0
        if i >= count:
            outcome = "no_offer"
            for key in rng.sample(sorted(TRUE_EFFECTS), 4):  # declined: most of them looked poor
                states[key] = rules.UNFAVOURABLE
        else:
            outcome = "won" if rng.random() < 1 / (1 + math.exp(-z)) else "lost"
        segment = account.segment
        low = float(segment.volume_min or 20000) if segment else 20000.0
        high = float(segment.volume_max or 500000) if segment else 500000.0
        volume = Decimal(round(rng.uniform(low * 0.6, min(high, low * 12)) / 1000) * 1000)
        margin = Decimal(str(rng.choice([22, 28, 31, 35, 38, 42])))
        closed = today - timedelta(days=rng.randint(20, 3 * 365))
        deals.append(HistoricDeal(account=account, title=f"{rng.choice(TOPICS)} {closed:%Y}-{i + 1:03d}",
                                  outcome=outcome, answers=answers_for(states, catalogue), closed_on=closed,
                                  volume=volume, margin_pct=margin))
    return deals


def extend_demo(context) -> None:
    rng = context.random("winloss")
    catalogue = Catalogue.current()
    if catalogue is None or not context.accounts:
        return
    deals = generated_history(context.accounts, HISTORY, rng, context.today, catalogue, declined=DECLINED)
    created = create_history(deals, context.admin)
    outcomes = [DeclinedOutcome.Outcome.COMPETITOR, DeclinedOutcome.Outcome.CANCELLED,
                DeclinedOutcome.Outcome.CAME_BACK, None]
    notes = {DeclinedOutcome.Outcome.COMPETITOR: "Ging an einen Mitbewerber zum Tiefstpreis.",
             DeclinedOutcome.Outcome.CANCELLED: "Projekt vom Kunden gestoppt.",
             DeclinedOutcome.Outcome.CAME_BACK: "Kunde kam ein Jahr später mit klarerem Auftrag zurück."}
    declined = [DeclinedOutcome(opportunity=o, outcome=outcome, note=notes[outcome], updated_by=context.admin)
                for o in created if o.stage.type == Stage.Type.NO_OFFER
                for outcome in [rng.choice(outcomes)] if outcome is not None]
    DeclinedOutcome.objects.bulk_create(declined)
    head = context.users.get("sales", context.admin)
    recommendations = dict(Checklist.objects.filter(opportunity__in=created).values_list(
        "opportunity_id", "recommendation"))
    PursuitDecision.objects.bulk_create([
        PursuitDecision(opportunity=o, decision=PursuitDecision.Decision.DO_NOT_PURSUE,
                        reason="" if recommendations.get(o.pk) == "no_offer" else "Kein strategischer Fit.",
                        recommendation=recommendations.get(o.pk, "no_offer"), decided_by=head,
                        decided_at=context.at(o.closed_on, 16))
        for o in created if o.stage.type == Stage.Type.NO_OFFER])
    context.count("historic deals", len(created))
    try:
        record = services.fit_and_store_win_model(context.admin)
    except services.Refused:
        return
    context.count("win model versions", 1)
    del record
