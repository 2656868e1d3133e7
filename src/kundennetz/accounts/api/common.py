"""What the endpoints for accounts, contacts and opportunities share: finding a record the caller may
act on, resolving the records a request refers to, and saving in one transaction.

Refusals follow one rule: a record the caller may not see does not exist for them (404); a record they
see but may not change or delete is forbidden (403); a record named inside a request body that does
not exist or that they may not use is an invalid value of that field (422).
"""

from datetime import datetime
from typing import Optional

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from ninja import Field, Schema

from kundennetz.core.api_errors import FieldErrors
from kundennetz.core.permissions import ADD, can_create, restrict

from ..forms import account_managers
from ..models import Account
from ..permissions import may_choose_owner
from ..services import save_with


class TrackedOut(Schema):
    """Who created and last changed a record, and when."""

    id: int
    version: int = Field(description="Raised by each change; the ETag of the record. Send it back as "
                                     "`If-Match: \"<version>\"` to refuse overwriting a newer change (412).")
    created_at: datetime
    updated_at: datetime
    created_by: Optional[int]
    updated_by: Optional[int]

    @staticmethod
    def resolve_created_by(obj) -> Optional[int]:
        return obj.created_by_id

    @staticmethod
    def resolve_updated_by(obj) -> Optional[int]:
        return obj.updated_by_id


def require_create(user) -> None:
    if not can_create(user):
        raise PermissionDenied(_("Your role may not create records."))


def invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


def resolve(errors: FieldErrors, loc, queryset, value, *, by_code: bool = False):
    """The record `value` names within `queryset` (by id, or by code for catalogues), or an error at `loc`."""
    if value is None:
        return None
    if isinstance(value, str) and by_code:
        obj = queryset.filter(code=value).first()
    elif isinstance(value, int) and not isinstance(value, bool):
        obj = queryset.filter(pk=value).first()
    else:
        obj = None
    if obj is None:
        errors.add(loc, invalid_choice(), "invalid_reference")
    return obj


def resolve_many(errors: FieldErrors, field: str, queryset, ids: list[int]) -> list:
    """The records named by `ids`, in order; each unknown one is an error at its position."""
    found = queryset.in_bulk(set(ids))
    result = []
    for index, pk in enumerate(ids):
        if pk in found:
            result.append(found[pk])
        else:
            errors.add((field, index), _("Select a valid choice. %(value)s is not one of the available choices.")
                       % {"value": pk}, "invalid_reference")
    return result


def resolve_owner(errors: FieldErrors, user, record, value, *, default=None):
    """The owner, by the rule the web forms apply: sales head and admin choose any active account
    manager; an account manager cannot choose (a new record is theirs, an existing one keeps its owner)."""
    current = record.owner if record.owner_id else None
    if not may_choose_owner(user):
        keep = current or user
        if value is not None and value != keep.pk:
            errors.add("owner", _("Set by the sales head or an administrator."), "permission_denied")
        return keep
    if value is None:
        if current is None and default is None:
            errors.add("owner", _("This field is required."), "missing")
        return current or default
    return resolve(errors, "owner", account_managers(current), value)


def resolve_account(errors: FieldErrors, user, record, value):
    """The account a contact or opportunity belongs to: one the caller may change, fixed once set."""
    if record.account_id is not None:
        # As in the web forms: moving a record would orphan its ties (reports-to, people involved).
        if value != record.account_id:
            errors.add("account", _("A record cannot be moved to another account."), "invalid")
        return record.account
    if value is None:
        errors.add("account", _("This field is required."), "missing")
        return None
    # Any other account does not exist for this purpose, whether the caller may see it or not.
    return resolve(errors, "account", restrict(Account.objects.all(), user, ADD), value)


def set_fields(obj, data: dict, names) -> None:
    """Copy the plain fields present in `data` onto `obj`."""
    for name in names:
        if name not in data:
            continue
        value = data[name]
        field = obj._meta.get_field(name)
        # JSON clients often send null for "empty"; these columns store empty text instead.
        if value is None and not field.null and isinstance(field, (models.CharField, models.TextField)):
            value = ""
        setattr(obj, name, value)


def save(obj, user, errors: FieldErrors, *, m2m: dict | None = None, after=None):
    """Save `obj` as `user` with its many-to-many values and `after(obj)`, all or nothing.

    When the request already has errors, the model is still validated (without the broken fields) so
    that the caller learns about every problem at once; nothing is saved then.
    """
    if errors:
        more = FieldErrors()
        try:
            obj.full_clean(exclude=sorted(errors.fields))
        except DjangoValidationError as exc:
            more.add_django(exc)
        # A field already refused keeps that one reason; the model would only judge a value nobody meant.
        for item in more.items:
            field = item["loc"][1] if len(item["loc"]) > 1 else None
            if field not in errors.fields:
                errors.items.append(item)
        errors.raise_if_any()
    try:
        save_with(obj, user, m2m=m2m, after=after)
    except DjangoValidationError as exc:
        errors.add_django(exc)
        errors.raise_if_any()
        raise
    return obj


def ordering(model, value: str) -> tuple:
    """The requested order plus the id, so that pages never overlap or skip a record.

    Empty values come last either way: SQLite and PostgreSQL would otherwise disagree on where they go.
    """
    descending, name = value.startswith("-"), value.lstrip("-")
    if model._meta.get_field(name).null:
        expression = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        return (expression, "-id" if descending else "id")
    return (value, "-id" if descending else "id")
