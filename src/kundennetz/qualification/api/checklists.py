"""An opportunity's checklist: read it with its evaluation, answer one question or several at once, and
read the history of its answers.

Whoever sees the opportunity reads its checklist (opening it against the current catalogue on first
use); whoever may change the opportunity answers. Answers go through the same use cases as the web page,
so the stored recommendation, the history and the checks on referenced records are the same.
"""

import re
from decimal import Decimal
from typing import Any, Optional

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Body, Field, Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from kundennetz.accounts.models import Opportunity
from kundennetz.core.api_errors import RECORD_ERRORS, WRITE_ERRORS, FieldErrors, MessageOut
from kundennetz.core.concurrency import if_match_holds, precondition_failed
from kundennetz.core.api_types import MAX_ID, InputSchema, Pagination, Text
from kundennetz.core.permissions import CHANGE, can, get_for
from kundennetz.domain import qualification as rules

from .. import services
from ..models import Answer
from ..permissions import may_decide
from .schemas import (
    VALUE_DESCRIPTION, AnswerResultOut, AnswersResultOut, ChangeOut, ChecklistOut, evaluation_out, localise,
    question_definition,
)

router = Router(tags=["qualification"])

REFERENCE_TYPES = (rules.CONTACTS, rules.COMPETITORS, rules.USER)
# No published catalogue yet: a checklist cannot be opened until an administrator publishes one.
UNAVAILABLE = {503: MessageOut}
CENT, LARGEST_AMOUNT = Decimal("0.01"), Decimal("1e12")
DECIMAL_TEXT = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?\Z")


class AnswerIn(InputSchema):
    value: Any = Field(description=VALUE_DESCRIPTION)
    note: Optional[Text] = Field("", description="Up to 5000 characters; omitted or null: no note.")


def find_opportunity(request, opportunity_id: int, action: Optional[str] = None) -> Opportunity:
    queryset = Opportunity.objects.select_related("account", "account__segment", "stage")
    if action is None:
        return get_for(queryset, request.auth, opportunity_id)
    return get_for(queryset, request.auth, opportunity_id, action)


def open_checklist(opportunity: Opportunity, user, *, write: bool = False):
    """The opportunity's checklist; without any published catalogue there is none to open yet.

    Reading stores nothing: a checklist nobody has answered yet is shown empty and stored with its first answer."""
    try:
        return services.get_checklist(opportunity, user) if write else services.peek_checklist(opportunity)
    except DjangoValidationError as exc:
        raise HttpError(503, " ".join(exc.messages)) from None


def checklist_out(opportunity: Opportunity, user) -> dict:
    open_checklist(opportunity, user)  # 503 without a published catalogue
    view = services.checklist_view(opportunity, user)
    checklist, evaluation = view.checklist, view.evaluation
    catalogue = checklist.catalogue.rules

    def question(q: rules.Question, headline: bool) -> dict:
        return {**question_definition(q, headline), "state": evaluation.states[q.id],
                "answer": view.answers.get(q.id)}

    return {
        "opportunity": opportunity.pk,
        "catalogue": {"key": checklist.catalogue.key, "version": checklist.catalogue.version,
                      "name": localise(catalogue.name)},
        "evaluation": evaluation_out(evaluation, catalogue),
        "categories": [{"key": c.key, "letter": c.letter, "name": localise(c.name), "light": evaluation.lights[c.key],
                        "questions": [question(q, q is c.headline) for q in c.questions]}
                       for c in catalogue.categories],
        "suggestions": view.suggestions,
        "decision": view.decision,
        "may_change": can(user, CHANGE, opportunity),
        "may_decide": may_decide(user, checklist),
        "created_at": checklist.created_at,
        "updated_at": checklist.updated_at,
    }


def _refuse(message) -> DjangoValidationError:
    return DjangoValidationError({"value": message})


def _prepare(question: rules.Question, raw):
    """The value as the use case takes it, refusing here what the database could not even look up or store.

    Amounts may come as decimal strings, as money does everywhere in this API; ids beyond what a
    database key holds and NUL characters (which PostgreSQL refuses) would otherwise fail in the driver.
    """
    items = raw if isinstance(raw, list) else [raw]
    if any(isinstance(item, str) and "\x00" in item for item in items):
        raise _refuse(_("Null characters are not allowed."))
    if question.type == rules.AMOUNT:
        if isinstance(raw, str):
            # Only plain decimal strings: Decimal() alone would also take "1_000", "NaN" or "Infinity".
            raw = Decimal(raw.strip()) if DECIMAL_TEXT.match(raw.strip()) else raw
        # Cents at most, as for all money in this API, instead of rounding what the caller sent.
        # (Amounts too large for the comparison are refused by the use case anyway.)
        if isinstance(raw, Decimal) and raw.is_finite() and abs(raw) < LARGEST_AMOUNT and raw != raw.quantize(CENT):
            raise _refuse(ngettext("Ensure that there are no more than %(max)s decimal place.",
                                   "Ensure that there are no more than %(max)s decimal places.", 2) % {"max": 2})
        return raw
    if question.type in REFERENCE_TYPES:
        for item in items:
            if isinstance(item, str) and item.strip().isdigit():
                item = int(item.strip())
            if isinstance(item, int) and not isinstance(item, bool) and not 1 <= item <= MAX_ID:
                raise _refuse(_("Pick entries from the list."))
    return raw


def _answer(checklist, question_id: str, raw, user, note, errors: FieldErrors, *, question_loc: tuple,
            value_loc: tuple, note_loc: tuple):
    """One answer through the use case; a refusal becomes an error at the request's own names."""
    try:
        question = checklist.catalogue.rules.question(question_id)
    except KeyError:
        errors.add(question_loc, _("This question is not part of the checklist."), "invalid_reference")
        return None
    try:
        return services.set_answer(checklist, question_id, _prepare(question, raw), user, note=note)
    except DjangoValidationError as exc:
        where = {"question_id": (question_loc, "invalid_reference"), "value": (value_loc, "invalid"),
                 "note": (note_loc, "invalid")}
        for field, messages in exc.message_dict.items():
            loc, kind = where.get(field, (value_loc, "invalid"))
            for message in messages:
                errors.add(loc, message, kind)
        return None


def _stored(checklist, question_ids) -> list[Answer]:
    found = {a.question_id: a for a in checklist.answers.filter(question_id__in=question_ids)}
    return [found[question_id] for question_id in question_ids if question_id in found]


@router.get("/opportunities/{int:opportunity_id}/checklist",
            response={200: ChecklistOut, **RECORD_ERRORS, **UNAVAILABLE}, summary="Read an opportunity's checklist")
def read_checklist(request, opportunity_id: int):
    """All categories with their questions and answers, the evaluation (recommendation, unfavourable and open
    categories, traffic lights, points to clarify, warnings), suggested answers and the latest decision."""
    return checklist_out(find_opportunity(request, opportunity_id), request.auth)


@router.put("/opportunities/{int:opportunity_id}/checklist/answers/{question_id}",
            response={200: AnswerResultOut, **WRITE_ERRORS, **UNAVAILABLE}, summary="Answer one question")
def put_answer(request, opportunity_id: int, question_id: str, payload: AnswerIn):
    """Replaces the answer and its note (a note not sent is cleared); answers the new evaluation. The
    question id is one of the catalogue's (`money`, `money.budget`, …); an unknown one is a 422 at it."""
    user = request.auth
    opportunity = find_opportunity(request, opportunity_id, CHANGE)
    checklist = open_checklist(opportunity, user, write=True)
    _check_if_match(request, checklist, question_id)
    errors = FieldErrors(prefix=())
    evaluation = _answer(checklist, question_id, payload.value, user, payload.note or "", errors,
                         question_loc=("path", "question_id"), value_loc=("body", "value"),
                         note_loc=("body", "note"))
    errors.raise_if_any()
    return {"answer": _stored(checklist, [question_id])[0], "evaluation": evaluation_out(evaluation, checklist.catalogue.rules)}


def _check_if_match(request, checklist, question_id: str) -> None:
    """`If-Match` names the version of the answer the caller saw (its `version`); stale or none stored: 412."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    answer = Answer.objects.select_for_update().filter(checklist=checklist, question_id=question_id).first()
    if answer is None or not if_match_holds(header, answer):
        raise precondition_failed()


def _entry(question_id: str, entry, errors: FieldErrors) -> tuple[bool, Any, Optional[str]]:
    """(ok, value, note) of one entry of a PATCH: the value itself, or {"value": …, "note": …}."""
    if not isinstance(entry, dict):
        return True, entry, None
    ok = True
    for key in sorted(set(entry) - {"value", "note"}):
        errors.add(("body", question_id, key), _("Unknown field: it cannot be set here."), "extra_forbidden")
        ok = False
    if "value" not in entry:
        errors.add(("body", question_id, "value"), _("This field is required."), "missing")
        ok = False
    note = entry.get("note")
    if note is not None:
        if not isinstance(note, str):
            errors.add(("body", question_id, "note"), _("Enter a valid value."), "string_type")
            ok = False
        elif "\x00" in note:
            errors.add(("body", question_id, "note"), _("Null characters are not allowed."), "null_characters")
            ok = False
        else:
            note = note.strip()
    return ok, entry.get("value"), note


@router.patch("/opportunities/{int:opportunity_id}/checklist/answers",
              response={200: AnswersResultOut, **WRITE_ERRORS, **UNAVAILABLE}, summary="Answer several questions")
def patch_answers(request, opportunity_id: int, payload: dict[str, Any] = Body(
        ..., description="Question id → value, or question id → {\"value\": …, \"note\": …}. Notes not sent stay.",
        openapi_examples={"headlines": {"value": {"aspiration": "yes", "competition": "no",
                                                  "money.budget": {"value": "250000", "note": "laut CFO"}}}})):
    """All or nothing: when one answer is refused, none is saved (and no history is written); every problem
    is reported at its question id. Answers the new evaluation."""
    user = request.auth
    opportunity = find_opportunity(request, opportunity_id, CHANGE)
    checklist = open_checklist(opportunity, user, write=True)
    errors = FieldErrors(prefix=())
    evaluation = None
    with transaction.atomic():
        for question_id, entry in payload.items():
            ok, value, note = _entry(question_id, entry, errors)
            if not ok:
                continue
            nested = isinstance(entry, dict)
            result = _answer(checklist, question_id, value, user, note, errors, question_loc=("body", question_id),
                             value_loc=("body", question_id, "value") if nested else ("body", question_id),
                             note_loc=("body", question_id, "note"))
            evaluation = result or evaluation
        # Raised inside the transaction, so that the answers already stored are taken back with it.
        errors.raise_if_any()
    if evaluation is None:
        evaluation = services.evaluate(checklist)
    return {"answers": _stored(checklist, list(payload)), "evaluation": evaluation_out(evaluation, checklist.catalogue.rules)}


def history_entries(checklist) -> list[dict]:
    """Every change of an answer, newest first, each with the value before it (one ordered pass)."""
    catalogue = checklist.catalogue.rules
    records = (Answer.history.filter(checklist_id=checklist.pk).select_related("history_user")
               .order_by("id", "history_date", "history_id"))
    entries, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        try:
            question = catalogue.question(record.question_id)
        except KeyError:
            continue
        deleted = record.history_type == "-"
        if before is not None and not deleted and before.value == record.value and before.note == record.note:
            continue
        entries.append({
            "id": record.history_id, "at": record.history_date, "by": record.history_user_id,
            "by_name": str(record.history_user) if record.history_user else "",
            "question_id": question.id, "question": localise(question.text),
            "change": "deleted" if deleted else ("created" if before is None else "changed"),
            "old": before.value if before else None, "new": None if deleted else record.value,
            "old_note": before.note if before else None, "new_note": None if deleted else record.note,
        })
    entries.sort(key=lambda entry: (entry["at"], entry["id"]), reverse=True)
    return entries


@router.get("/opportunities/{int:opportunity_id}/checklist/history",
            response={200: list[ChangeOut], **RECORD_ERRORS, **UNAVAILABLE}, summary="Read the history of the answers")
@paginate(Pagination)
def checklist_history(request, opportunity_id: int,
                      question_id: Optional[Text] = Query(None, description="Only this question's changes.")):
    """Who changed which answer when, from what to what; newest first."""
    checklist = open_checklist(find_opportunity(request, opportunity_id), request.auth)
    entries = history_entries(checklist)
    return [e for e in entries if e["question_id"] == question_id] if question_id else entries
