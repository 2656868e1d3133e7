"""Contacts: the people at an account, with their role in the buying centre and whom they report to."""

from typing import Literal, Optional

from django.db.models import Q
from ninja import Field, FilterSchema, PatchDict, Query, Router, Status
from ninja.pagination import paginate

from kundennetz.core.concurrency import record
from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, WRITE_ERRORS, FieldErrors
from kundennetz.core.api_types import Id, InputSchema, Pagination, QueryId, Text, choice
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict

from ..filters import search_q
from ..models import Contact
from .common import (
    TrackedOut, ordering, require_create, resolve, resolve_account, save, set_fields,
)

router = Router(tags=["contacts"])

PLAIN_FIELDS = ("first_name", "last_name", "function", "department", "email", "phone", "language",
                "buying_role", "influence", "attitude")


class ContactIn(InputSchema):
    account: Id = Field(description="Id of an account you may change; fixed once the contact exists.")
    first_name: Text = ""
    last_name: Text
    function: Text = ""
    department: Text = ""
    email: Text = ""
    phone: Text = ""
    language: choice(Contact.Language) = "de"
    buying_role: choice(Contact.BuyingRole, blank=True) = ""
    influence: choice(Contact.Influence, blank=True) = ""
    attitude: choice(Contact.Attitude) = "neutral"
    reports_to: Optional[Id] = Field(None, description="Id of a contact at the same account.")


class ContactOut(TrackedOut):
    account: int
    first_name: str
    last_name: str
    function: str
    department: str
    email: str
    phone: str
    language: choice(Contact.Language)
    buying_role: choice(Contact.BuyingRole, blank=True)
    influence: choice(Contact.Influence, blank=True)
    attitude: choice(Contact.Attitude)
    reports_to: Optional[int]

    @staticmethod
    def resolve_account(obj) -> int:
        return obj.account_id

    @staticmethod
    def resolve_reports_to(obj) -> Optional[int]:
        return obj.reports_to_id


class ContactFilter(FilterSchema):
    q: Optional[Text] = Field(
        None, description="Every word in the name, function, e-mail or the account's name, accents and case aside "
                          "(as the contact list searches).")
    account: Optional[QueryId] = None
    buying_role: Optional[choice(Contact.BuyingRole)] = None
    influence: Optional[choice(Contact.Influence)] = None
    attitude: Optional[choice(Contact.Attitude)] = None
    language: Optional[choice(Contact.Language)] = None
    reports_to: Optional[QueryId] = None

    def filter_q(self, value) -> Q:
        return search_q(Contact, value)


ContactOrder = Literal["last_name", "-last_name", "created_at", "-created_at", "updated_at", "-updated_at"]


def _queryset():
    return Contact.objects.all()


def _write(request, contact: Contact, data: dict) -> Contact:
    user = request.auth
    errors = FieldErrors()
    set_fields(contact, data, PLAIN_FIELDS)
    if "account" in data:
        contact.account = resolve_account(errors, user, contact, data["account"])
    if "reports_to" in data:
        contact.reports_to = resolve(errors, "reports_to", restrict(Contact.objects.all(), user, VIEW),
                                     data["reports_to"])
    return save(contact, user, errors)


@router.get("", response={200: list[ContactOut], **COMMON_ERRORS}, summary="List contacts")
@paginate(Pagination)
def list_contacts(request, filters: Query[ContactFilter], order_by: ContactOrder = "last_name"):
    """The contacts you may see, filtered, in a stable order (by name unless asked otherwise)."""
    queryset = filters.filter(restrict(_queryset(), request.auth, VIEW))
    if order_by.lstrip("-") == "last_name":
        # Last name, then first name, in German order: the stored sort key the web list and its index use
        # (sorting the two raw columns read all three million rows at a million accounts).
        desc = "-" if order_by.startswith("-") else ""
        return queryset.order_by(f"{desc}last_name_sort", f"{desc}id")
    return queryset.order_by(*ordering(Contact, order_by))


@router.get("/{int:contact_id}", response={200: ContactOut, **RECORD_ERRORS}, summary="Read a contact")
def read_contact(request, contact_id: int):
    return record(get_for(_queryset(), request.auth, contact_id))


@router.post("", response={201: ContactOut, **WRITE_ERRORS}, summary="Create a contact")
def create_contact(request, payload: ContactIn):
    require_create(request.auth)
    contact = _write(request, Contact(), payload.dict())
    return Status(201, _queryset().get(pk=contact.pk))


@router.put("/{int:contact_id}", response={200: ContactOut, **WRITE_ERRORS}, summary="Replace a contact")
def replace_contact(request, contact_id: int, payload: ContactIn):
    """Every field not sent takes its default, as on create."""
    contact = record(get_for(_queryset(), request.auth, contact_id, CHANGE))
    _write(request, contact, payload.dict())
    return _queryset().get(pk=contact_id)


@router.patch("/{int:contact_id}", response={200: ContactOut, **WRITE_ERRORS}, summary="Change a contact")
def update_contact(request, contact_id: int, payload: PatchDict[ContactIn]):
    """Only the fields sent change."""
    contact = record(get_for(_queryset(), request.auth, contact_id, CHANGE))
    _write(request, contact, payload)
    return _queryset().get(pk=contact_id)


@router.delete("/{int:contact_id}", response={204: None, **RECORD_ERRORS}, summary="Delete a contact")
def delete_contact(request, contact_id: int):
    """Moves the contact to the trash (an admin or sales head can restore it)."""
    contact = record(get_for(_queryset(), request.auth, contact_id, DELETE))
    contact.soft_delete(request.auth)
    return Status(204, None)
