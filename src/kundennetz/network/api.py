"""Relations of the network and the analysis of an account or opportunity, as JSON.

Relations follow the permissions of their account: seen by whoever sees the account, written by whoever
may change it. The analysis is the stored one (kept in step with every change), never computed per request.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal, Optional

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, PatchDict, Query, Router, Schema, Status
from ninja.pagination import paginate

from kundennetz.accounts.api.common import TrackedOut, require_create, resolve, save, set_fields
from kundennetz.accounts.models import Account, Opportunity
from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, WRITE_ERRORS, FieldErrors, InvalidInput
from kundennetz.core.api_types import Id, InputSchema, Pagination, QueryId, Text, choice
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict

from . import services
from .models import AccountNetwork, OpportunityNetwork, Relation
from .permissions import contacts_for_relations, others_for_relations

router = Router(tags=["network"])


class RelationIn(InputSchema):
    kind: choice(Relation.Kind)
    contact: Id = Field(description="The contact who reports or influences; for `knows`, the contact known. "
                                    "Its account must be one you may change; fixed once the relation exists.")
    other: Optional[Id] = Field(None, description="`reports_to`/`influences`: the superior or the person "
                                                  "influenced, at the same account.")
    user: Optional[Id] = Field(None, description="`knows`: the user (one of our people) who knows the contact.")
    strength: Optional[Decimal] = Field(None, ge=0, le=1, description="`knows`: 0–1, when set by hand.")
    source: choice(Relation.Source) = Field(
        "manual", description="`knows`: `manual` (the strength sent) or `interactions` (derived from the "
                              "interactions of the user and the contact; the strength sent is ignored).")
    note: Text = ""


class RelationOut(TrackedOut):
    account: int
    kind: choice(Relation.Kind)
    contact: int
    other: Optional[int]
    user: Optional[int]
    strength: Optional[Decimal] = Field(description="The strength set by hand (null when derived).")
    source: choice(Relation.Source)
    note: str

    @staticmethod
    def resolve_account(obj) -> int:
        return obj.account_id

    @staticmethod
    def resolve_contact(obj) -> int:
        return obj.contact_id

    @staticmethod
    def resolve_other(obj) -> Optional[int]:
        return obj.other_id

    @staticmethod
    def resolve_user(obj) -> Optional[int]:
        return obj.user_id


class RelationFilter(FilterSchema):
    account: Optional[QueryId] = None
    kind: Optional[choice(Relation.Kind)] = None
    contact: Optional[QueryId] = None
    user: Optional[QueryId] = None


class Tie(Schema):
    user: int
    contact: int
    strength: float
    source: choice(Relation.Source)


class Introduction(Schema):
    decision_maker: int
    user: int = Field(description="Our person at the start of the shortest route.")
    via: list[int] = Field(description="The contacts between our person and the decision maker.")


class AccountNetworkOut(Schema):
    account: int
    computed_at: Optional[datetime]
    weighting_version: int
    min_strength: float
    decision_makers: list[int]
    covered: list[int]
    uncovered: list[int]
    bus_factor: Optional[int] = Field(description="Fewest of our people whose absence uncovers a decision maker; "
                                                  "null without decision makers.")
    routes: dict[str, int] = Field(description="Decision maker id → independent routes from us.")
    weak_contacts: list[int]
    weak_users: list[int]
    introductions: list[Introduction]
    ties: list[Tie]
    opportunities: dict[str, int] = Field(description="Opportunity id → threads.")


class OpportunityNetworkOut(Schema):
    opportunity: int
    threads: int
    single_threaded: bool
    contacts: list[int] = Field(description="The opportunity's people known well enough by one of ours.")


def _queryset():
    return Relation.objects.filter(contact__deleted_at__isnull=True).select_related("contact")


def _prepare(request, relation: Relation, data: dict, errors: FieldErrors) -> Relation:
    """Copy the request's values onto `relation`, resolving the records it names (errors collected)."""
    user = request.auth
    set_fields(relation, data, ("kind", "source", "note"))
    if "strength" in data:
        relation.strength = data["strength"]
    if "contact" in data:
        if relation.contact_id is not None and data["contact"] != relation.contact_id:
            errors.add("contact", _("A relation cannot be moved to another contact."), "invalid")
        else:
            relation.contact = resolve(errors, "contact", contacts_for_relations(user), data["contact"])
    if "other" in data:
        relation.other = resolve(errors, "other", others_for_relations(user), data["other"])
    if "user" in data:
        relation.user = resolve(errors, "user", get_user_model().objects.filter(is_active=True), data["user"])
    if relation.contact_id is not None:
        relation.account_id = relation.contact.account_id
    return relation


def _write(request, relation: Relation, data: dict) -> Relation:
    errors = FieldErrors()
    return save(_prepare(request, relation, data, errors), request.auth, errors)


class RelationsIn(InputSchema):
    relations: list[RelationIn] = Field(max_length=5000, description="Up to 5,000 relations, saved all or none.")


class RelationsOut(Schema):
    created: int
    ids: list[int]


@router.get("relations", response={200: list[RelationOut], **COMMON_ERRORS}, summary="List relations")
@paginate(Pagination)
def list_relations(request, filters: Query[RelationFilter],
                   order_by: Literal["created_at", "-created_at", "kind"] = "created_at"):
    """The relations of the accounts you may see."""
    return filters.filter(restrict(_queryset(), request.auth, VIEW)).order_by(order_by, "id")


@router.get("relations/{int:relation_id}", response={200: RelationOut, **RECORD_ERRORS}, summary="Read a relation")
def read_relation(request, relation_id: int):
    return get_for(_queryset(), request.auth, relation_id)


@router.post("relations", response={201: RelationOut, **WRITE_ERRORS}, summary="Create a relation")
def create_relation(request, payload: RelationIn):
    require_create(request.auth)
    relation = _write(request, Relation(), payload.dict())
    return Status(201, _queryset().get(pk=relation.pk))


@router.post("relations/bulk", response={201: RelationsOut, **WRITE_ERRORS}, summary="Import relations")
def import_relations(request, payload: RelationsIn):
    """Creates many relations at once, all or none: every problem is reported at
    `["body", "relations", index, field]`, and then nothing is saved. Each account is analysed once."""
    require_create(request.auth)
    items, problems = [], []
    for index, item in enumerate(payload.relations):
        errors = FieldErrors(prefix=("body", "relations", index))
        relation = _prepare(request, Relation(), item.dict(), errors)
        try:
            relation.full_clean(exclude=sorted(errors.fields))
        except DjangoValidationError as exc:
            errors.add_django(exc)
        problems.extend(errors.items)
        items.append(relation)
    seen = {}
    for index, relation in enumerate(items):
        key = (relation.kind, relation.contact_id, relation.other_id, relation.user_id, relation.source)
        if key in seen:
            problems.append({"loc": ["body", "relations", index], "msg": _("This relation exists already."),
                             "type": "duplicate"})
        seen[key] = index
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic(), services.batch():
        for relation in items:
            relation.stamp(request.auth)
            relation._history_user = request.auth
            relation.save()
    return Status(201, {"created": len(items), "ids": [r.pk for r in items]})


@router.patch("relations/{int:relation_id}", response={200: RelationOut, **WRITE_ERRORS},
              summary="Change a relation")
def update_relation(request, relation_id: int, payload: PatchDict[RelationIn]):
    relation = get_for(_queryset(), request.auth, relation_id, CHANGE)
    _write(request, relation, payload)
    return _queryset().get(pk=relation_id)


@router.delete("relations/{int:relation_id}", response={204: None, **RECORD_ERRORS}, summary="Delete a relation")
def delete_relation(request, relation_id: int):
    """Moves the relation to the trash (an admin or sales head can restore it)."""
    relation = get_for(_queryset(), request.auth, relation_id, DELETE)
    relation.soft_delete(request.auth)
    return Status(204, None)


@router.get("accounts/{int:account_id}/network", response={200: AccountNetworkOut, **RECORD_ERRORS},
            summary="Network analysis of an account")
def account_network(request, account_id: int):
    """Decision makers covered and uncovered, bus factor, routes, weak points and ties (stored analysis)."""
    account = get_for(Account.objects.all(), request.auth, account_id)
    found = AccountNetwork.objects.filter(account=account).first()
    data = found.data if found else {}
    return {
        "account": account.pk, "computed_at": found.computed_at if found else None,
        "weighting_version": found.weighting_version if found else 0,
        "min_strength": data.get("min_strength", 0.5),
        **{key: data.get(key, []) for key in ("decision_makers", "covered", "uncovered", "weak_contacts",
                                              "weak_users", "introductions")},
        "bus_factor": data.get("bus_factor"), "routes": data.get("routes", {}),
        "ties": [{"user": u, "contact": c, "strength": s, "source": src} for u, c, s, src in data.get("ties", [])],
        "opportunities": data.get("threads", {}),
    }


@router.get("opportunities/{int:opportunity_id}/network", response={200: OpportunityNetworkOut, **RECORD_ERRORS},
            summary="Threads of an opportunity")
def opportunity_network(request, opportunity_id: int):
    opportunity = get_for(Opportunity.objects.all(), request.auth, opportunity_id)
    found = OpportunityNetwork.objects.filter(opportunity=opportunity).first()
    stored = AccountNetwork.objects.filter(account_id=opportunity.account_id).values_list("data", flat=True).first()
    known = {c for _u, c, s, _src in (stored or {}).get("ties", [])
             if s >= (stored or {}).get("min_strength", 0.5)}
    people = opportunity.involvements.filter(contact__deleted_at__isnull=True).values_list("contact_id", flat=True)
    return {"opportunity": opportunity.pk, "threads": found.threads if found else 0,
            "single_threaded": found.single_threaded if found else True,
            "contacts": sorted(c for c in people if c in known)}
