"""Use cases of qualification: open a checklist, answer, evaluate, suggest, decide. Views and API call these."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundennetz.accounts.models import Competitor, Contact, Opportunity
from kundennetz.core.models import User
from kundennetz.core.permissions import can
from kundennetz.domain import pursuit
from kundennetz.domain import qualification as rules

from . import extensions
from .models import Answer, Catalogue, Checklist, PursuitDecision, answer_values
from .permissions import decider_refusal
from .wording import Suggested, worded


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def peek_checklist(opportunity: Opportunity) -> Checklist:
    """The opportunity's checklist for reading. None stored yet: an unsaved, empty one against the current
    catalogue, so that looking at a checklist never writes (it is stored with its first answer)."""
    checklist = Checklist.objects.select_related("catalogue").filter(opportunity=opportunity).first()
    if checklist is not None:
        checklist.opportunity = opportunity  # already loaded, with its account: no second query for them
        return checklist
    catalogue = Catalogue.current()
    if catalogue is None:
        raise ValidationError(_("No published question catalogue exists. Ask an administrator."))
    checklist = Checklist(opportunity=opportunity, catalogue=catalogue)
    checklist.updated_at = checklist.created_at
    _summarise(checklist, evaluate(checklist))
    return checklist


def get_checklist(opportunity: Opportunity, user=None) -> Checklist:
    """The opportunity's checklist for writing, opened against the current catalogue on first use.

    Two first answers at the same moment open it once: the loser of the race (the one-to-one key)
    takes the checklist the winner stored."""
    checklist = peek_checklist(opportunity)
    if checklist.pk is not None:
        return checklist
    checklist.stamp(user)
    try:
        with transaction.atomic():
            checklist.save()
    except IntegrityError:
        return Checklist.objects.select_related("catalogue").get(opportunity=opportunity)
    refresh_summary(checklist)
    return checklist


def _forget_values(checklist: Checklist) -> None:
    checklist.__dict__.pop("_answer_values", None)


def evaluate(checklist: Checklist) -> rules.Evaluation:
    return rules.evaluate(checklist.catalogue.rules, _domain_answers(checklist, answer_values(checklist)),
                          checklist.catalogue.threshold, language=_language(),
                          company=settings.KUNDENNETZ_COMPANY_NAME)


def _domain_answers(checklist: Checklist, values: dict[str, object]) -> dict[str, object]:
    # Amounts are stored as strings to keep their exact decimal value in JSON.
    catalogue = checklist.catalogue.rules
    result = {}
    for question_id, value in values.items():
        try:
            question = catalogue.question(question_id)
        except KeyError:
            continue
        result[question_id] = Decimal(value) if question.type == rules.AMOUNT and value is not None else value
    return result


def _summarise(checklist: Checklist, evaluation: rules.Evaluation) -> None:
    checklist.recommendation = evaluation.recommendation
    checklist.unfavourable_count = len(evaluation.unfavourable)
    checklist.open_points = len(evaluation.clarify)


def refresh_summary(checklist: Checklist) -> rules.Evaluation:
    """Evaluate the checklist again and store its recommendation and counts (on the opportunity too)."""
    _forget_values(checklist)
    evaluation = evaluate(checklist)
    Checklist.objects.filter(pk=checklist.pk).update(
        recommendation=evaluation.recommendation, unfavourable_count=len(evaluation.unfavourable),
        open_points=len(evaluation.clarify))
    _summarise(checklist, evaluation)
    # The pipeline filters and sorts by these; they live on the opportunity's row too.
    Opportunity.all_objects.filter(pk=checklist.opportunity_id).update(
        recommendation=checklist.recommendation, open_points=checklist.open_points)
    return evaluation


def refresh_summaries(checklist_ids) -> None:
    """Evaluate many checklists afresh (after a bulk change such as an import): two queries to read,
    one bulk update to write, whatever the number."""
    checklists = list(Checklist.objects.filter(pk__in=list(checklist_ids)).select_related("catalogue"))
    values: dict[int, dict] = {checklist.pk: {} for checklist in checklists}
    for checklist_id, question_id, value in Answer.objects.filter(checklist_id__in=values).values_list(
            "checklist_id", "question_id", "value"):
        values[checklist_id][question_id] = value
    for checklist in checklists:
        evaluation = rules.evaluate(checklist.catalogue.rules, _domain_answers(checklist, values[checklist.pk]),
                                    checklist.catalogue.threshold)
        checklist.recommendation = evaluation.recommendation
        checklist.unfavourable_count = len(evaluation.unfavourable)
        checklist.open_points = len(evaluation.clarify)
    Checklist.objects.bulk_update(checklists, ["recommendation", "unfavourable_count", "open_points"],
                                  batch_size=500)
    # The pipeline filters and sorts by these; they live on the opportunity's row too.
    Opportunity.all_objects.bulk_update(
        [Opportunity(pk=c.opportunity_id, recommendation=c.recommendation, open_points=c.open_points)
         for c in checklists], ["recommendation", "open_points"], batch_size=500)


def _stored_value(checklist: Checklist, question: rules.Question, raw):
    """Validate one answer against its question and the opportunity's own records; the JSON to store."""
    try:
        value = rules.normalise_answer(question, raw)
    except ValueError:
        raise ValidationError({"value": _("This answer does not fit the question.")}) from None
    opportunity = checklist.opportunity
    if question.type == rules.CONTACTS:
        ids = _ids(value)
        found = set(Contact.objects.filter(account_id=opportunity.account_id, pk__in=ids).values_list("pk", flat=True))
        if len(found) != len(set(ids)):
            raise ValidationError({"value": _("Pick people of this account.")})
        return sorted(set(ids))
    if question.type == rules.COMPETITORS:
        ids = _ids(value)
        if Competitor.objects.filter(pk__in=ids).count() != len(set(ids)):
            raise ValidationError({"value": _("Pick competitors from the list.")})
        return sorted(set(ids))
    if question.type == rules.USER:
        if value is None:
            return None
        (user_id,) = _ids([value])
        if not User.objects.filter(pk=user_id, is_active=True).exists():
            raise ValidationError({"value": _("Pick one of our active users.")})
        return user_id
    if question.type == rules.AMOUNT:
        if value is None:
            return None
        if value >= Decimal("1e12"):
            raise ValidationError({"value": _("This amount is too large.")})
        return str(value.quantize(Decimal("0.01")))
    if question.type == rules.TEXT and len(value) > 5000:
        raise ValidationError({"value": _("This text is too long (at most 5000 characters).")})
    return value


def _ids(values) -> list[int]:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValidationError({"value": _("Pick entries from the list.")}) from None


class StaleAnswer(ValidationError):
    """The answer was changed by someone else since the user saw it (their version is older)."""

    def __init__(self, answer):
        super().__init__({"value": _("Someone else changed this answer in the meantime. Look at their answer "
                                     "and save yours again to replace it.")}, code="stale")
        self.answer = answer


@transaction.atomic
def set_answer(checklist: Checklist, question_id: str, raw, user, note: str | None = None,
               expected_version: int | None = None) -> rules.Evaluation:
    """Store one answer (history keeps the old one) and re-evaluate; raises ValidationError or PermissionDenied.

    `expected_version` is the version of the answer the user saw (0: none yet); when someone else has
    saved it since, `StaleAnswer` is raised and nothing changes. Answers to one checklist are written one
    after the other (its row is locked), so two first answers to one question store one answer."""
    if not can(user, "change", checklist.opportunity):
        raise PermissionDenied
    Checklist.objects.select_for_update().filter(pk=checklist.pk).values_list("pk", flat=True).first()
    try:
        question = checklist.catalogue.rules.question(question_id)
    except KeyError:
        raise ValidationError({"question_id": _("This question is not part of the checklist.")}) from None
    value = _stored_value(checklist, question, raw)
    if note is not None and len(note) > 5000:
        raise ValidationError({"note": _("This note is too long (at most 5000 characters).")})
    answer = Answer.objects.filter(checklist=checklist, question_id=question_id).first()
    if (expected_version is not None and (answer.version if answer else 0) != expected_version
            and not (answer is not None and answer.updated_by_id == getattr(user, "pk", None))):
        # (A user's own earlier answer is no colleague's: quick successive changes of one person go through.)
        raise StaleAnswer(answer)
    if answer is None:
        answer = Answer(checklist=checklist, question_id=question_id)
    if answer.pk is None or answer.value != value or (note is not None and note != answer.note):
        answer.value = value
        if note is not None:
            answer.note = note
        answer.updated_by = user
        answer._history_user = user
        answer.save()
    evaluation = refresh_summary(checklist)
    if question_id in checklist.catalogue.rules.keys:
        # The win probability follows the headline answers.
        extensions.headline_answered.send(sender=Checklist, opportunity_ids=[checklist.opportunity_id])
    return evaluation


def suggestions(checklist: Checklist) -> list[Suggested]:
    """Answers derived from the opportunity's figures, for the user to confirm or override, worded in the
    active language."""
    opportunity = checklist.opportunity
    segment = opportunity.account.segment
    budget = answer_values(checklist).get("money.budget")
    facts = rules.Facts(
        offer_price=opportunity.offer_price, budget=Decimal(budget) if budget else None,
        expected_volume=opportunity.expected_volume,
        group_volume_min=segment.volume_min if segment else None,
        group_volume_max=segment.volume_max if segment else None,
        margin_pct=opportunity.estimated_margin_pct,
        group_margin_target_pct=segment.margin_target_pct if segment else None,
    )
    found = [worded(s) for s in rules.suggest_answers(facts, catalogue=checklist.catalogue.rules)]
    # The Authority headline gets its suggestion from the relationship map (added by the network app).
    found.extend(extensions.suggested(checklist))
    return found


DECIDER_REFUSALS = {
    pursuit.NO_CAPABILITY: gettext_lazy("Only a sales head, an admin or the decision maker named in the checklist "
                                        "may decide on pursuing this opportunity."),
    pursuit.OWN_OPPORTUNITY: gettext_lazy("Four eyes: the owner of an opportunity does not decide on pursuing it "
                                          "(an admin may allow it for small volumes in the settings)."),
    pursuit.REVISION_NEEDS_REASON: gettext_lazy("Revising a decision not to pursue needs a reason."),
}


@transaction.atomic
def record_decision(opportunity: Opportunity, user, decision: str, reason: str = "") -> PursuitDecision:
    refusal = decider_refusal(user, peek_checklist(opportunity))
    if refusal is not None:
        raise PermissionDenied(DECIDER_REFUSALS[refusal])
    checklist = get_checklist(opportunity, user)
    if decision not in PursuitDecision.Decision.values:
        raise ValidationError({"decision": _("Choose to pursue or not to pursue.")})
    reason = (reason or "").strip()
    previous = opportunity.latest_pursuit_decision()
    if pursuit.revision_refusal(previous, decision, reason):
        raise ValidationError({"reason": DECIDER_REFUSALS[pursuit.REVISION_NEEDS_REASON]})
    evaluation = refresh_summary(checklist)
    if pursuit.goes_against(evaluation.recommendation, decision) and not reason:
        raise ValidationError({"reason": _("Going against the recommendation needs a reason.")})
    if len(reason) > 5000:
        raise ValidationError({"reason": _("This text is too long (at most 5000 characters).")})
    return PursuitDecision.objects.create(opportunity=opportunity, decision=decision, reason=reason,
                                          recommendation=evaluation.recommendation, decided_by=user)


def latest_decision(opportunity: Opportunity) -> PursuitDecision | None:
    return PursuitDecision.objects.filter(opportunity=opportunity).select_related("decided_by").first()


@dataclass(frozen=True)
class ChecklistView:
    """Everything a page or the API shows of one checklist."""

    checklist: Checklist
    evaluation: rules.Evaluation
    answers: dict[str, Answer]
    suggestions: list[Suggested]
    decision: PursuitDecision | None
    decisions: list[PursuitDecision]  # newest first


def checklist_view(opportunity: Opportunity, user) -> ChecklistView:
    """What a reader sees; reading stores nothing (a checklist not yet answered is shown empty)."""
    checklist = peek_checklist(opportunity)
    answers = {a.question_id: a for a in checklist.answers.select_related("updated_by")} if checklist.pk else {}
    if checklist.pk:
        checklist.__dict__["_answer_values"] = {question_id: a.value for question_id, a in answers.items()}
    decisions = list(PursuitDecision.objects.filter(opportunity=opportunity).select_related("decided_by"))
    return ChecklistView(checklist=checklist, evaluation=evaluate(checklist), answers=answers,
                         suggestions=suggestions(checklist), decision=decisions[0] if decisions else None,
                         decisions=decisions)
