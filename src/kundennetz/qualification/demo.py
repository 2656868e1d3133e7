"""Demo checklists in every state (offer, clarify, no offer) and the pursuit decisions that go with them."""

from datetime import timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from kundennetz.accounts.models import Contact, Opportunity, OpportunityContact, Stage
from kundennetz.domain import qualification as rules

from . import services
from .models import Answer, Catalogue, Checklist, PursuitDecision

HEADLINES = ("aspiration", "solution", "competition", "only_me", "time_scale", "money", "authority", "need")
BEHAVIOUR = [
    "Wird über den Preis angreifen.",
    "Setzt auf die bestehende Beziehung zur Geschäftsleitung.",
    "Will attack on price and offer a fixed-price contract.",
    "Bietet eine Standardlösung mit kurzer Einführungszeit an.",
]


def _plan(stage: Stage, rng) -> tuple[int, int] | None:
    """How many headline answers are unfavourable and how many stay open, by where the deal stands."""
    if stage.type == Stage.Type.NO_OFFER:
        return rng.choice([(4, 0), (5, 1), (4, 2)])
    if stage.type in (Stage.Type.WON, Stage.Type.LOST) or stage.requires_pursuit_decision:
        return rng.choice([(0, 0), (1, 0), (2, 0), (3, 0)])
    if stage.code == "lead":
        return None if rng.random() < 0.6 else (0, rng.randint(4, 7))
    if stage.code == "qualifying":
        return rng.choice([(1, 3), (0, 2), (2, 1), (4, 1), (0, 5)])
    return rng.choice([(0, 0), (1, 0), (1, 1), (0, 1)])


def extend_demo(context) -> None:
    rng = context.random("qualification")
    catalogue = Catalogue.current()
    admin, head = context.admin, context.users.get("sales", context.admin)
    involvement = {}
    for link in OpportunityContact.objects.filter(opportunity__in=context.opportunities).select_related("contact"):
        involvement.setdefault(link.opportunity_id, []).append((link.role, link.contact_id))
    contacts_by_account = {}
    for contact_id, account_id, role in Contact.objects.values_list("id", "account_id", "buying_role"):
        contacts_by_account.setdefault(account_id, []).append((role, contact_id))
    competitors = {}
    # One query for all opportunities' competitors instead of one per opportunity.
    for opportunity_id, competitor_id in Opportunity.competitors.through.objects.filter(
            opportunity__in=context.opportunities).values_list("opportunity_id", "competitor_id"):
        competitors.setdefault(opportunity_id, []).append(competitor_id)

    checklists, answers, plans = [], [], {}
    for opportunity in context.opportunities:
        plan = _plan(opportunity.stage, rng)
        if plan is None:
            continue
        checklist = Checklist(opportunity=opportunity, catalogue=catalogue, created_by=admin, updated_by=admin)
        checklists.append(checklist)
        plans[opportunity.pk] = plan
    Checklist.objects.bulk_create(checklists)

    for checklist in checklists:
        opportunity = checklist.opportunity
        unfavourable, open_ = plans[opportunity.pk]
        order = list(HEADLINES)
        rng.shuffle(order)
        bad, unknown = set(order[:unfavourable]), set(order[unfavourable:unfavourable + open_])
        people = involvement.get(opportunity.pk) or contacts_by_account.get(opportunity.account_id, [])
        values = {}
        for key in HEADLINES:
            if key in unknown:
                continue
            question = catalogue.rules.question(key)
            good = question.favourable
            values[key] = (rules.NO if good == rules.YES else rules.YES) if key in bad else good
        for category in catalogue.rules.categories:
            if category.key in unknown:
                continue
            for question in category.details:
                value = _detail(question, opportunity, people, competitors.get(opportunity.pk, []), head,
                                category.key in bad, rng)
                if value is not None:
                    values[question.id] = value
        answers += [Answer(checklist=checklist, question_id=qid, value=value, updated_by=opportunity.owner)
                    for qid, value in values.items()]
    bulk_create_with_history(answers, Answer, default_user=admin)

    decisions = []
    for checklist in checklists:
        evaluation = services.refresh_summary(checklist)
        stage = checklist.opportunity.stage
        decided = context.at(context.today - timedelta(days=rng.randint(5, 60)), 16)
        if stage.type == Stage.Type.NO_OFFER:
            decisions.append(PursuitDecision(
                opportunity=checklist.opportunity, decision=PursuitDecision.Decision.DO_NOT_PURSUE,
                reason="" if evaluation.recommendation == rules.NO_OFFER else "Kein strategischer Fit.",
                recommendation=evaluation.recommendation, decided_by=head, decided_at=decided))
        elif stage.type in (Stage.Type.WON, Stage.Type.LOST) or stage.requires_pursuit_decision:
            against = evaluation.recommendation != rules.OFFER
            decisions.append(PursuitDecision(
                opportunity=checklist.opportunity, decision=PursuitDecision.Decision.PURSUE,
                reason="Strategischer Kunde, Risiko bewusst eingegangen." if against else "Gute Chancen, passt zu uns.",
                recommendation=evaluation.recommendation, decided_by=head, decided_at=decided))
    PursuitDecision.objects.bulk_create(decisions)
    context.count("checklists", len(checklists))
    context.count("checklist answers", len(answers))
    context.count("pursuit decisions", len(decisions))


def _detail(question, opportunity, people, competitor_ids, head, category_bad, rng):
    """A plausible detail answer, mostly in line with its headline; a few left open to clarify."""
    if rng.random() < 0.15:
        return None
    if question.type == rules.YES_NO:
        if question.favourable is None:
            return rng.choice([rules.YES, rules.NO])
        good = question.favourable
        against = category_bad and rng.random() < 0.6 or rng.random() < 0.08
        return (rules.NO if good == rules.YES else rules.YES) if against else good
    if question.type == rules.CONTACTS:
        wanted = "decision_maker" if "decision" in question.id else "influencer"
        found = sorted({cid for role, cid in people if role == wanted})
        return found or None
    if question.type == rules.USER:
        return head.pk
    if question.type == rules.COMPETITORS:
        return sorted(competitor_ids) or None
    if question.type == rules.AMOUNT:
        base = opportunity.expected_volume or Decimal("100000")
        factor = Decimal(str(rng.choice([0.3, 0.5, 0.8]))) if "follow" in question.id else Decimal(str(rng.choice([0.9, 1.1, 1.25])))
        return str((base * factor).quantize(Decimal("1000")))
    if question.type == rules.TEXT:
        return rng.choice(BEHAVIOUR)
    return None
