"""Opportunities: possible orders moving through the pipeline, with the people involved and competitors."""

from datetime import date
from typing import Annotated, Literal, Optional

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, FilterSchema, PatchDict, Query, Router, Schema, Status
from ninja.pagination import paginate

from kundennetz.core.concurrency import record
from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, WRITE_ERRORS, FieldErrors
from kundennetz.core.api_types import (
    Date, Id, InputSchema, Money, Pagination, Percent, QueryId, Reference, Text, choice, lookup_reference,
)
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict
from kundennetz.core.services import save_record

from ..filters import search_q
from ..models import ClosingReason, Competitor, Contact, Opportunity, OpportunityContact, Stage
from ..services import remove_involvement
from .common import (
    TrackedOut, ordering, require_create, resolve, resolve_account, resolve_many, resolve_owner, save, set_fields,
)

router = Router(tags=["opportunities"])

PLAIN_FIELDS = ("title", "need", "expected_volume", "expected_follow_up_volume", "offer_price",
                "estimated_margin_pct", "expected_decision_date", "closed_on")


class InvolvementIn(InputSchema):
    contact: Id = Field(description="Id of a contact at the opportunity's account.")
    role: choice(Contact.BuyingRole) = Field(description="The person's role in this deal.")


class InvolvementOut(Schema):
    contact: int
    role: choice(Contact.BuyingRole)

    @staticmethod
    def resolve_contact(obj) -> int:
        return obj.contact_id


class OpportunityIn(InputSchema):
    account: Id = Field(description="Id of an account you may change; fixed once the opportunity exists.")
    title: Text
    need: Text = Field("", description="The customer's need in their words.")
    stage: Optional[Reference] = Field(
        None, description="Stage by code (e.g. \"qualifying\") or id. Omitted or null: the first open stage on "
                          "create, unchanged on update.")
    expected_volume: Money = None
    expected_follow_up_volume: Money = None
    offer_price: Money = None
    estimated_margin_pct: Percent = None
    expected_decision_date: Optional[Date] = Field(None, description="ISO date, e.g. 2026-06-30.")
    owner: Optional[Id] = Field(
        None, description="User id of an active account manager. Sales head and admin choose it (omitted on "
                          "create: the account's owner); an account manager cannot: a new opportunity is theirs, "
                          "an existing one keeps its owner. Omitted or null on update: unchanged.")
    competitors: list[Id] = Field(default_factory=list, description="Competitor ids.")
    contacts: list[InvolvementIn] = Field(default_factory=list, description="The people involved.")
    closing_reason: Optional[Id] = Field(
        None, description="Closing reason id; required when the stage is of type lost, allowed only when closed.")
    closed_on: Optional[Date] = Field(
        None, description="ISO date; follows the stage: today when it closes and none is given, empty while open.")


class OpportunityReferences(Schema):
    """How the API names an opportunity's account, stage and owner: by id, the stage by its code and type.
    Schemas that show opportunities take these resolvers and declare the fields themselves, each in its
    own order."""

    @staticmethod
    def resolve_account(obj) -> int:
        return obj.account_id

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj.stage.code

    @staticmethod
    def resolve_stage_type(obj) -> str:
        return obj.stage.type

    @staticmethod
    def resolve_owner(obj) -> int:
        return obj.owner_id


class OpportunityOut(TrackedOut, OpportunityReferences):
    account: int
    title: str
    need: str
    stage: str = Field(description="Code of the stage.")
    stage_type: choice(Stage.Type)
    expected_volume: Money
    expected_follow_up_volume: Money
    offer_price: Money
    estimated_margin_pct: Percent
    expected_decision_date: Optional[date]
    owner: int
    competitors: list[int]
    contacts: list[InvolvementOut]
    closing_reason: Optional[int]
    closed_on: Optional[date]

    @staticmethod
    def resolve_competitors(obj) -> list[int]:
        return sorted(competitor.pk for competitor in obj.competitors.all())

    @staticmethod
    def resolve_contacts(obj) -> list:
        return sorted(obj.involvements.all(), key=lambda involvement: involvement.contact_id)

    @staticmethod
    def resolve_closing_reason(obj) -> Optional[int]:
        return obj.closing_reason_id


class OpportunityFilter(FilterSchema):
    q: Optional[Text] = Field(
        None, description="Every word in the title or the account's name, accents and case aside (as the "
                          "opportunity list searches).")
    account: Optional[QueryId] = None
    stage: Optional[Text] = Field(None, description="Stage by code or id.")
    stage_type: Annotated[Optional[choice(Stage.Type)], FilterLookup("stage__type")] = None
    owner: Optional[QueryId] = None
    closing_reason: Optional[QueryId] = None
    competitor: Optional[QueryId] = Field(None, description="Competitor id.")
    contact: Optional[QueryId] = Field(None, description="Id of a person involved.")
    buying_role: Optional[choice(Contact.BuyingRole)] = Field(
        None, description="Someone is involved in this role.")
    decision_from: Annotated[Optional[Date], FilterLookup("expected_decision_date__gte")] = Field(
        None, description="Expected decision on or after this date.")
    decision_to: Annotated[Optional[Date], FilterLookup("expected_decision_date__lte")] = Field(
        None, description="Expected decision on or before this date.")
    single_threaded: Annotated[Optional[bool], FilterLookup("network__single_threaded")] = Field(
        None, description="true: at most one of its people is known well enough by one of ours (from the "
                          "stored network analysis); false: two or more.")

    def filter_q(self, value) -> Q:
        return search_q(Opportunity, value)

    def filter_stage(self, value) -> Q:
        if value is None:
            return Q()
        return Q(**{f"stage__{key}": arg for key, arg in lookup_reference(value).items()})

    # Subqueries, so that an opportunity with two matching people is still listed once.
    def filter_competitor(self, value) -> Q:
        return Q() if value is None else Q(pk__in=Opportunity.competitors.through.objects.filter(
            competitor=value).values("opportunity"))

    def filter_contact(self, value) -> Q:
        return Q() if value is None else Q(pk__in=OpportunityContact.objects.filter(
            contact=value).values("opportunity"))

    def filter_buying_role(self, value) -> Q:
        return Q() if value is None else Q(pk__in=OpportunityContact.objects.filter(
            role=value).values("opportunity"))


OpportunityOrder = Literal["created_at", "-created_at", "updated_at", "-updated_at", "title", "-title",
                           "expected_decision_date", "-expected_decision_date", "expected_volume",
                           "-expected_volume"]


def _involvements(opportunity=None):
    """People involved; those of a trashed contact stay stored (and come back with it) but are not shown."""
    queryset = OpportunityContact.objects.filter(contact__deleted_at__isnull=True)
    return queryset if opportunity is None else queryset.filter(opportunity=opportunity)


def _queryset():
    return Opportunity.objects.select_related("stage").prefetch_related(
        "competitors", Prefetch("involvements", queryset=_involvements()))


def _first_open_stage():
    return Stage.objects.filter(is_active=True, type=Stage.Type.OPEN).order_by("order", "id").first()


def _resolve_catalogue(errors, field, model, value, current_id, *, by_code=False):
    """A catalogue entry; one that was retired may stay where it is, but cannot be newly chosen."""
    entry = resolve(errors, field, model.objects.all(), value, by_code=by_code)
    if entry is not None and not entry.is_active and entry.pk != current_id:
        errors.add(field, _("This entry is no longer in use."), "inactive")
    return entry


def _resolve_involvements(errors, user, items) -> list[tuple[int, Contact, str]]:
    visible = restrict(Contact.objects.all(), user, VIEW)
    found = visible.in_bulk({item["contact"] for item in items})
    seen, result = set(), []
    for index, item in enumerate(items):
        contact = found.get(item["contact"])
        if contact is None:
            errors.add(("contacts", index, "contact"), _("Select a valid choice. %(value)s is not one of the "
                                                         "available choices.") % {"value": item["contact"]},
                       "invalid_reference")
        elif contact.pk in seen:
            errors.add(("contacts", index, "contact"), _("This person is listed more than once."), "duplicate")
        else:
            seen.add(contact.pk)
            result.append((index, contact, item["role"]))
    return result


def _save_involvements(opportunity, wanted, user) -> None:
    """Make the people involved exactly `wanted`; each one checked by the model (same account)."""
    existing = {involvement.contact_id: involvement for involvement in _involvements(opportunity)}
    keep = {contact.pk for _index, contact, _role in wanted}
    for contact_id, involvement in existing.items():
        if contact_id not in keep:
            remove_involvement(involvement, user)
    errors = FieldErrors()
    for index, contact, role in wanted:
        involvement = existing.get(contact.pk) or OpportunityContact(opportunity=opportunity, contact=contact)
        involvement.role = role
        try:
            save_record(involvement, user)
        except DjangoValidationError as exc:
            errors.add_django(exc, loc=("contacts", index))
    errors.raise_if_any()


def _write(request, opportunity: Opportunity, data: dict) -> Opportunity:
    user, creating = request.auth, opportunity.pk is None
    errors = FieldErrors()
    set_fields(opportunity, data, PLAIN_FIELDS)
    if "account" in data:
        opportunity.account = resolve_account(errors, user, opportunity, data["account"])

    if data.get("stage") is not None:
        opportunity.stage = _resolve_catalogue(errors, "stage", Stage, data["stage"], opportunity.stage_id,
                                               by_code=True)
    elif creating:
        opportunity.stage = _first_open_stage()
    if "closing_reason" in data:
        opportunity.closing_reason = _resolve_catalogue(errors, "closing_reason", ClosingReason,
                                                        data["closing_reason"], opportunity.closing_reason_id)

    if opportunity.account_id is None and data.get("owner") is None:
        errors.skip("owner")
    else:
        # Sales head and admin may leave the owner out: the account's owner then answers for the deal.
        default_owner = opportunity.account.owner if opportunity.account_id else None
        opportunity.owner = resolve_owner(errors, user, opportunity, data.get("owner"), default=default_owner)

    m2m = {}
    if "competitors" in data:
        m2m["competitors"] = resolve_many(errors, "competitors", Competitor.objects.all(), data["competitors"] or [])
    wanted = _resolve_involvements(errors, user, data["contacts"] or []) if "contacts" in data else None

    def after(saved):
        if wanted is not None:
            _save_involvements(saved, wanted, user)

    return save(opportunity, user, errors, m2m=m2m, after=after)


@router.get("", response={200: list[OpportunityOut], **COMMON_ERRORS}, summary="List opportunities")
@paginate(Pagination)
def list_opportunities(request, filters: Query[OpportunityFilter], order_by: OpportunityOrder = "-created_at"):
    """The opportunities you may see, filtered, in a stable order (newest first unless asked otherwise)."""
    return filters.filter(restrict(_queryset(), request.auth, VIEW)).order_by(*ordering(Opportunity, order_by))


@router.get("/{int:opportunity_id}", response={200: OpportunityOut, **RECORD_ERRORS},
            summary="Read an opportunity")
def read_opportunity(request, opportunity_id: int):
    return record(get_for(_queryset(), request.auth, opportunity_id))


@router.post("", response={201: OpportunityOut, **WRITE_ERRORS}, summary="Create an opportunity")
def create_opportunity(request, payload: OpportunityIn):
    require_create(request.auth)
    opportunity = _write(request, Opportunity(), payload.dict())
    return Status(201, _queryset().get(pk=opportunity.pk))


@router.put("/{int:opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS},
            summary="Replace an opportunity")
def replace_opportunity(request, opportunity_id: int, payload: OpportunityIn):
    """Every field not sent takes its default (as on create), except `stage` and `owner`, which stay."""
    opportunity = record(get_for(Opportunity.objects.all(), request.auth, opportunity_id, CHANGE))
    _write(request, opportunity, payload.dict())
    return _queryset().get(pk=opportunity_id)


@router.patch("/{int:opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS},
              summary="Change an opportunity")
def update_opportunity(request, opportunity_id: int, payload: PatchDict[OpportunityIn]):
    """Only the fields sent change; `contacts` and `competitors`, when sent, replace the whole list."""
    opportunity = record(get_for(Opportunity.objects.all(), request.auth, opportunity_id, CHANGE))
    _write(request, opportunity, payload)
    return _queryset().get(pk=opportunity_id)


@router.delete("/{int:opportunity_id}", response={204: None, **RECORD_ERRORS}, summary="Delete an opportunity")
def delete_opportunity(request, opportunity_id: int):
    """Moves the opportunity to the trash (an admin or sales head can restore it)."""
    opportunity = record(get_for(Opportunity.objects.all(), request.auth, opportunity_id, DELETE))
    opportunity.soft_delete(request.auth)
    return Status(204, None)
