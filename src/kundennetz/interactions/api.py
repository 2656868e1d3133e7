"""The JSON API of interactions, core messages, an account's consistency and my week.

Same rules as the web pages: an interaction is seen and changed by whoever may see and change its
account (`core.permissions.restrict`); core messages are read by everyone and written by marketing
and admin; an account's consistency by whoever sees the account; my week is the caller's own unless
their role sees everything. A record named inside a body that does not exist, or that does not fit
(a person of another account, an opportunity of another account), is a 422 at that field.
"""

import datetime as dt
from typing import Literal, Optional

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Router, Schema, Status
from ninja.pagination import paginate

from kundennetz.accounts.api.common import TrackedOut, require_create, resolve, resolve_many
from kundennetz.accounts.models import Account, Contact, Opportunity
from kundennetz.core.concurrency import record
from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, WRITE_ERRORS, FieldErrors, InvalidInput
from kundennetz.core.api_types import Date, Id, InputSchema, Pagination, QueryId, Text, choice
from kundennetz.core.job_api import JobOut
from kundennetz.core.models import User
from kundennetz.core.paging import by_account
from kundennetz.core.permissions import ADD, CHANGE, DELETE, VIEW, get_for, restrict
from kundennetz.core.roles import Role
from kundennetz.core.services import save_record

from . import services, tasks
from .filters import search_interactions
from .my_week import due_items
from .models import CoreMessage, Interaction
from .permissions import may_edit_core_messages, may_see_all_weeks, may_see_management

router = Router(tags=["interactions"])

# --- interactions -------------------------------------------------------------------------------


class InteractionIn(InputSchema):
    account: Id = Field(description="Id of an account you may change; fixed once the interaction exists.")
    type: choice(Interaction.Type) = "meeting"
    date: Date = Field(description="The day of the interaction (ISO), at most a year ahead.")
    duration_minutes: Optional[int] = Field(None, description="Minutes, 0 to 10080.")
    our_people: list[Id] = Field(default_factory=list, description="User ids; empty on create: you.")
    contacts: list[Id] = Field(default_factory=list, description="Ids of people at the same account.")
    opportunity: Optional[Id] = Field(None, description="Id of an opportunity of the same account.")
    topics: Text = ""
    core_messages: list[Id] = Field(default_factory=list, description="Ids of the core messages carried.")
    note: Text = ""
    follow_up_date: Optional[Date] = None


class InteractionOut(TrackedOut):
    account: int
    type: choice(Interaction.Type)
    date: dt.date
    duration_minutes: Optional[int]
    our_people: list[int]
    contacts: list[int]
    opportunity: Optional[int]
    topics: str
    core_messages: list[int]
    note: str
    follow_up_date: Optional[dt.date]

    @staticmethod
    def resolve_account(obj) -> int:
        return obj.account_id

    @staticmethod
    def resolve_opportunity(obj) -> Optional[int]:
        return obj.opportunity_id

    @staticmethod
    def resolve_our_people(obj) -> list[int]:
        return sorted(u.pk for u in obj.our_people.all())

    @staticmethod
    def resolve_contacts(obj) -> list[int]:
        return sorted(c.pk for c in obj.contacts.all())

    @staticmethod
    def resolve_core_messages(obj) -> list[int]:
        return sorted(m.pk for m in obj.core_messages.all())


class InteractionFilter(Schema):
    account: Optional[QueryId] = None
    type: Optional[choice(Interaction.Type)] = None
    date_from: Optional[Date] = None
    date_to: Optional[Date] = None
    person: Optional[QueryId] = Field(None, description="User id of one of our people.")
    contact: Optional[QueryId] = Field(None, description="Id of one of their people.")
    opportunity: Optional[QueryId] = None
    q: Optional[Text] = Field(None, description="Search in topics and note: every word must appear, "
                                                "without regard to accents or case.")


InteractionOrder = Literal["date", "-date", "created_at", "-created_at", "updated_at", "-updated_at"]


def _interactions():
    return (Interaction.objects.all()
            .prefetch_related("our_people", "contacts", "core_messages"))


def _write(request, interaction: Interaction, data: dict) -> Interaction:
    user = request.auth
    errors = FieldErrors()
    creating = interaction.pk is None
    if creating:
        interaction.account = resolve(errors, "account", restrict(Account.objects.all(), user, ADD), data.get("account"))
    elif "account" in data and data["account"] != interaction.account_id:
        errors.add("account", _("An interaction cannot be moved to another account."), "invalid")
    for name in ("type", "date", "duration_minutes", "topics", "note", "follow_up_date"):
        if name in data:
            value = data[name]
            if value is None and name in ("topics", "note"):
                value = ""
            setattr(interaction, name, value)
    account_id = interaction.account_id
    if "opportunity" in data:
        interaction.opportunity = resolve(errors, "opportunity", Opportunity.objects.filter(account_id=account_id),
                                          data["opportunity"]) if account_id else None
    relations = {}
    if "contacts" in data and account_id:
        kept = interaction.contacts.values("pk") if interaction.pk else []
        # People of another account "do not exist" here, whether the caller may see them or not.
        relations["contacts"] = resolve_many(errors, "contacts", Contact.all_objects.filter(
            Q(account_id=account_id, deleted_at__isnull=True) | Q(pk__in=kept)), data["contacts"] or [])
    if "our_people" in data:
        kept = interaction.our_people.values("pk") if interaction.pk else []
        relations["our_people"] = resolve_many(errors, "our_people", User.objects.filter(
            Q(is_active=True) | Q(pk__in=kept)), data["our_people"] or [])
    if "core_messages" in data:
        relations["core_messages"] = resolve_many(errors, "core_messages", CoreMessage.objects.all(),
                                                  data["core_messages"] or [])
    if errors:
        try:
            interaction.full_clean(exclude=sorted(errors.fields | {"account"} if not account_id else errors.fields))
        except DjangoValidationError as exc:
            more = FieldErrors()
            more.add_django(exc)
            errors.items.extend(i for i in more.items if len(i["loc"]) < 2 or i["loc"][1] not in errors.fields)
        errors.raise_if_any()
    try:
        services.save_interaction(interaction, user, **relations)
    except DjangoValidationError as exc:
        errors.add_django(exc)
        errors.raise_if_any()
    return interaction


# Filter of the list → the lookup it applies (an empty filter applies none).
_FILTER_LOOKUPS = (
    ("account", "account_id"),
    ("type", "type"),
    ("date_from", "date__gte"),
    ("date_to", "date__lte"),
    ("person", "our_people"),
    ("contact", "contacts"),
    ("opportunity", "opportunity_id"),
)


@router.get("", response={200: list[InteractionOut], **COMMON_ERRORS}, summary="List interactions")
@paginate(Pagination)
def list_interactions(request, filters: Query[InteractionFilter], order_by: InteractionOrder = "-date"):
    """The interactions you may see (those of the accounts you may see), newest first unless asked otherwise."""
    queryset = _interactions()
    for name, lookup in _FILTER_LOOKUPS:
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{lookup: value})
    queryset = search_interactions(queryset, filters.q)
    # Restricted to what the caller may see; an account manager's read account by account.
    return by_account(queryset.order_by(order_by, "-id" if order_by.startswith("-") else "id"), request.auth)


@router.get("/{int:interaction_id}", response={200: InteractionOut, **RECORD_ERRORS}, summary="Read an interaction")
def read_interaction(request, interaction_id: int):
    return record(get_for(_interactions(), request.auth, interaction_id))


@router.post("", response={201: InteractionOut, **WRITE_ERRORS}, summary="Log an interaction")
def create_interaction(request, payload: InteractionIn):
    require_create(request.auth)
    interaction = _write(request, Interaction(), payload.dict())
    return Status(201, _interactions().get(pk=interaction.pk))


@router.put("/{int:interaction_id}", response={200: InteractionOut, **WRITE_ERRORS}, summary="Replace an interaction")
def replace_interaction(request, interaction_id: int, payload: InteractionIn):
    """Every field not sent takes its default, as on create."""
    interaction = record(get_for(Interaction.objects.all(), request.auth,
                          interaction_id, CHANGE))
    _write(request, interaction, payload.dict())
    return _interactions().get(pk=interaction_id)


@router.patch("/{int:interaction_id}", response={200: InteractionOut, **WRITE_ERRORS}, summary="Change an interaction")
def update_interaction(request, interaction_id: int, payload: PatchDict[InteractionIn]):
    """Only the fields sent change."""
    interaction = record(get_for(Interaction.objects.all(), request.auth,
                          interaction_id, CHANGE))
    _write(request, interaction, payload)
    return _interactions().get(pk=interaction_id)


@router.delete("/{int:interaction_id}", response={204: None, **RECORD_ERRORS}, summary="Delete an interaction")
def delete_interaction(request, interaction_id: int):
    """Moves the interaction to the trash."""
    interaction = record(get_for(Interaction.objects.all(), request.auth,
                          interaction_id, DELETE))
    services.delete_interaction(interaction, request.auth)
    return Status(204, None)


# --- core messages ------------------------------------------------------------------------------


class CoreMessageIn(InputSchema):
    kind: choice(CoreMessage.Kind) = "message"
    text_de: Text
    text_en: Text = ""
    valid_from: Optional[Date] = None
    valid_to: Optional[Date] = Field(None, description="Retire a message by ending its validity; it is never deleted.")


class CoreMessageOut(TrackedOut):
    kind: choice(CoreMessage.Kind)
    text_de: str
    text_en: str
    valid_from: Optional[dt.date]
    valid_to: Optional[dt.date]
    is_current: bool


def _require_message_editor(user) -> None:
    if not may_edit_core_messages(user):
        raise PermissionDenied(_("Only marketing and administrators keep the core messages."))


def _write_message(request, message: CoreMessage, data: dict) -> CoreMessage:
    for name in ("kind", "text_de", "text_en", "valid_from", "valid_to"):
        if name in data:
            value = data[name]
            setattr(message, name, "" if value is None and name.startswith("text") else value)
    try:
        with transaction.atomic():
            save_record(message, request.auth)
    except DjangoValidationError as exc:
        errors = FieldErrors()
        errors.add_django(exc)
        raise InvalidInput(errors.items) from None
    return message


@router.get("/core-messages", response={200: list[CoreMessageOut], **COMMON_ERRORS}, summary="List core messages")
@paginate(Pagination)
def list_core_messages(request, state: Literal["current", "retired", "planned", "all"] = "all"):
    today = timezone.localdate()
    queryset = restrict(CoreMessage.objects.all(), request.auth).order_by("kind", "text_de", "id")
    if state == "current":
        queryset = queryset.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today),
                                   Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    elif state == "retired":
        queryset = queryset.filter(valid_to__lt=today)
    elif state == "planned":
        queryset = queryset.filter(valid_from__gt=today)
    return queryset


def _message(user, message_id: int, action: str = VIEW) -> CoreMessage:
    """The core message if `user` may `action` it: 404 when there is none, 403 when they may not change it
    (everyone reads them; marketing and an admin keep them)."""
    return get_for(CoreMessage.objects.all(), user, message_id, action)


@router.get("/core-messages/{int:message_id}", response={200: CoreMessageOut, **RECORD_ERRORS},
            summary="Read a core message")
def read_core_message(request, message_id: int):
    return _message(request.auth, message_id)


@router.post("/core-messages", response={201: CoreMessageOut, **WRITE_ERRORS}, summary="Create a core message")
def create_core_message(request, payload: CoreMessageIn):
    _require_message_editor(request.auth)
    return Status(201, _write_message(request, CoreMessage(), payload.dict()))


@router.put("/core-messages/{int:message_id}", response={200: CoreMessageOut, **WRITE_ERRORS},
            summary="Replace a core message")
def replace_core_message(request, message_id: int, payload: CoreMessageIn):
    message = _message(request.auth, message_id, CHANGE)
    return _write_message(request, message, payload.dict())


@router.patch("/core-messages/{int:message_id}", response={200: CoreMessageOut, **WRITE_ERRORS},
              summary="Change a core message")
def update_core_message(request, message_id: int, payload: PatchDict[CoreMessageIn]):
    message = _message(request.auth, message_id, CHANGE)
    return _write_message(request, message, payload)


# --- consistency and my week --------------------------------------------------------------------


class ReasonOut(Schema):
    code: str
    text: str
    impact: float
    params: dict


class DueOut(Schema):
    account: int
    account_name: str
    contact: Optional[int]
    name: Optional[str]
    role: Optional[str]
    last_contact: Optional[dt.date]
    due_date: dt.date
    days_overdue: int
    overdue: bool
    text: str


class ConsistencyOut(Schema):
    account: int
    period_start: dt.date
    period_end: dt.date
    as_of: Optional[dt.date]
    live: bool = Field(True, description="Always true: computed for this response from the interactions as "
                                         "they are (the management view's stored rows may be older).")
    score: Optional[float]
    band: Optional[str]
    score_previous: Optional[float]
    change: Optional[float]
    components: dict
    reasons: list[ReasonOut]
    notes: list[ReasonOut]
    continuity: dict
    cadence: dict
    messages: dict
    due: list[DueOut]


def _reason(reason, lang) -> dict:
    return {"code": reason.code, "text": services.reason_text(reason, lang), "impact": round(reason.impact, 2),
            "params": dict(reason.params)}


def _due(d, lang, names) -> dict:
    return {"account": d.account_id, "account_name": names.get(d.account_id, ""), "contact": d.contact_id,
            "name": d.name, "role": d.role, "last_contact": d.last_contact, "due_date": d.due_date,
            "days_overdue": d.days_overdue, "overdue": d.overdue, "text": services.reason_text(d.reason, lang)}


@router.get("/accounts/{int:account_id}/consistency", response={200: ConsistencyOut, **RECORD_ERRORS},
            summary="An account's consistency")
def account_consistency(request, account_id: int,
                        period: Literal["12m", "quarter", "year", "last_year"] = "12m"):
    """Score 0–100 with band, the change against the previous period, every reason in your language,
    and the figures behind it (see docs/consistency.md)."""
    account = get_for(Account.objects.all(), request.auth, account_id)
    today = timezone.localdate()
    view = services.account_consistency(account, services.period_for(period, today), today)
    result, lang = view.current, services.reason_language()
    cont, cad, msg = result.continuity, result.cadence, result.messages
    return {
        "account": account.pk, "period_start": result.period.start, "period_end": result.period.end,
        "as_of": result.as_of, "score": result.score.value, "band": result.score.band,
        "score_previous": view.earlier, "change": view.delta,
        "components": dict(result.score.components),
        "reasons": [_reason(r, lang) for r in result.score.reasons if r.impact > 0],
        "notes": [_reason(r, lang) for r in result.score.notes],
        "continuity": {
            "manager": cont.manager_id, "manager_since": cont.manager_since, "tenure_days": cont.tenure_days,
            "changes_in_period": cont.changes_in_period, "changes_in_window": cont.changes_in_window,
            "window_months": cont.window_months, "presence": cont.presence,
        },
        "cadence": {
            "held": cad.held, "planned": cad.planned, "planned_due": cad.planned_due,
            "longest_gap_days": cad.longest_gap_days, "last_contact": cad.last_contact,
            "days_since_last_contact": cad.days_since_last_contact, "key_people": cad.key_people,
            "key_people_gaps": [{"contact": g.contact_id, "name": g.name, "role": g.role, "last_met": g.last_met,
                                 "days_since": g.days_since, "met_in_period": g.met_in_period}
                                for g in cad.key_people_gaps],
            "quarters_judged": cad.quarters_judged, "quarters_below": len(cad.quarters_below),
            "take_along": cad.take_along,
        },
        "messages": {
            "interactions": msg.interactions, "with_current": msg.with_current, "share": msg.share,
            "outside_interactions": msg.outside_interactions, "steadiness": msg.steadiness,
        },
        "due": [_due(d, lang, {account.pk: account.name}) for d in view.due],
    }


@router.post("/consistency", response={202: JobOut, **COMMON_ERRORS}, summary="Recompute every account's consistency (background)")
def recompute_consistency(request):
    """Sales head and admin: the consistency of every account recomputed (the management view's
    figures). Answers 202 with the job at once; poll `GET /api/jobs/{id}` until `done` or `failed`."""
    if not may_see_management(request.auth):
        raise PermissionDenied(_("Only a sales head or an admin may recompute the consistency."))
    return Status(202, tasks.start_consistency(request.auth))


@router.get("/my-week", response={200: list[DueOut], **RECORD_ERRORS}, summary="Due contacts")
def my_week(request, within_days: int = Query(7, ge=0, le=60),
            manager: Optional[QueryId] = Query(None, description="Another account manager's week "
                                                                 "(sales head, admin, marketing, read-only).")):
    """Contacts overdue or due within `within_days` for the accounts you (or `manager`) are
    responsible for, the most important accounts first."""
    user = request.auth
    target = user
    if manager is not None and manager != user.pk:
        if not may_see_all_weeks(user):
            raise PermissionDenied(_("You may only see your own week."))
        target = User.objects.filter(pk=manager, role=Role.ACCOUNT_MANAGER).first()
        if target is None:
            from django.http import Http404

            raise Http404(_("No account manager found matching the query"))
    due = due_items(target, timezone.localdate(), within_days)
    names = dict(Account.objects.filter(pk__in={d.account_id for d in due}).values_list("pk", "name"))
    lang = services.reason_language()
    return [_due(d, lang, names) for d in due]
