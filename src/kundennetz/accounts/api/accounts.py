"""Accounts: the companies of the customer network, with their owner and account team."""

from typing import Annotated, Literal, Optional

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, FilterSchema, PatchDict, Query, Router, Status
from ninja.pagination import paginate

from kundennetz.core.concurrency import record
from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, WRITE_ERRORS, FieldErrors
from kundennetz.core.api_types import (
    Id, InputSchema, Money, Pagination, Percent, QueryId, Reference, Text, choice, lookup_reference,
)
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict

from ..filters import search_q
from ..forms import account_managers
from ..models import Account, Segment
from ..permissions import may_change_team
from .common import (
    TrackedOut, ordering, require_create, resolve, resolve_many, resolve_owner, save, set_fields,
)

router = Router(tags=["accounts"])

PLAIN_FIELDS = ("name", "legal_form", "industry", "street", "postal_code", "city", "country", "website",
                "currency", "annual_revenue", "potential", "contribution_margin_pct", "status", "external_id")


class AccountIn(InputSchema):
    name: Text
    legal_form: choice(Account.LegalForm, blank=True) = ""
    industry: Text = ""
    segment: Optional[Reference] = Field(None, description="Customer group by id or code, e.g. \"mid_market\".")
    street: Text = ""
    postal_code: Text = ""
    city: Text = ""
    country: Text = Field("CH", description="Two-letter ISO code, e.g. CH, DE, AT.")
    website: Text = ""
    currency: choice(Account.Currency) = "CHF"
    annual_revenue: Money = None
    potential: Money = None
    contribution_margin_pct: Percent = None
    status: choice(Account.Status) = "prospect"
    owner: Optional[Id] = Field(
        None, description="User id of the responsible account manager (an active account manager). Sales head "
                          "and admin choose it (required on create); an account manager cannot: a new account is "
                          "theirs, an existing one keeps its owner. Omitted or null on update: unchanged.")
    team: list[Id] = Field(default_factory=list, description="User ids of account managers on the account team.")
    external_id: Text = ""


class AccountOut(TrackedOut):
    name: str
    legal_form: choice(Account.LegalForm, blank=True)
    industry: str
    segment: Optional[str] = Field(description="Code of the customer group.")
    street: str
    postal_code: str
    city: str
    country: str
    website: str
    currency: choice(Account.Currency)
    annual_revenue: Money
    potential: Money
    contribution_margin_pct: Percent
    status: choice(Account.Status)
    owner: int
    team: list[int]
    external_id: str

    @staticmethod
    def resolve_segment(obj) -> Optional[str]:
        return obj.segment.code if obj.segment_id else None

    @staticmethod
    def resolve_owner(obj) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_team(obj) -> list[int]:
        return sorted(user.pk for user in obj.team.all())


class AccountFilter(FilterSchema):
    q: Optional[Text] = Field(
        None, description="Every word in the name, city or industry, accents and case aside (as the account list "
                          "searches), or the exact external ID.")
    status: Optional[choice(Account.Status)] = None
    segment: Optional[Text] = Field(None, description="Customer group by id or code.")
    owner: Optional[QueryId] = Field(None, description="User id of the responsible account manager.")
    team_member: Annotated[Optional[QueryId], FilterLookup("team")] = Field(
        None, description="User id of a member of the account team.")
    industry: Annotated[Optional[Text], FilterLookup("industry__icontains")] = None
    country: Annotated[Optional[Text], FilterLookup("country__iexact")] = None

    def filter_q(self, value) -> Q:
        if not value:
            return Q()
        return search_q(Account, value) | Q(external_id__iexact=value.strip())

    def filter_segment(self, value) -> Q:
        if value is None:
            return Q()
        return Q(**{f"segment__{key}": arg for key, arg in lookup_reference(value).items()})


AccountOrder = Literal["name", "-name", "city", "-city", "created_at", "-created_at", "updated_at", "-updated_at",
                       "annual_revenue", "-annual_revenue", "potential", "-potential"]


def _queryset():
    return Account.objects.select_related("segment").prefetch_related("team")


def _write(request, account: Account, data: dict) -> Account:
    user = request.auth
    errors = FieldErrors()
    set_fields(account, data, PLAIN_FIELDS)
    if "segment" in data:
        account.segment = resolve(errors, "segment", Segment.objects.all(), data["segment"], by_code=True)

    account.owner = resolve_owner(errors, user, account, data.get("owner"))
    m2m = {}
    if "team" in data:
        current_team = list(account.team.all()) if account.pk else []
        team = resolve_many(errors, "team", account_managers(*current_team), data["team"] or [])
        unchanged = {member.pk for member in team} - {account.owner_id} == {m.pk for m in current_team}
        if not unchanged and not may_change_team(user, account):
            errors.add("team", _("Set by the account's owner, the sales head or an administrator."),
                       "permission_denied")
        # As in the web form: the owner is responsible anyway, so listing them in the team too would only confuse.
        m2m["team"] = [member for member in team if member.pk != account.owner_id]
    return save(account, user, errors, m2m=m2m)


@router.get("", response={200: list[AccountOut], **COMMON_ERRORS}, summary="List accounts")
@paginate(Pagination)
def list_accounts(request, filters: Query[AccountFilter], order_by: AccountOrder = "name"):
    """The accounts you may see, filtered, in a stable order."""
    return filters.filter(restrict(_queryset(), request.auth, VIEW)).order_by(*ordering(Account, order_by))


@router.get("/{int:account_id}", response={200: AccountOut, **RECORD_ERRORS}, summary="Read an account")
def read_account(request, account_id: int):
    return record(get_for(_queryset(), request.auth, account_id))


@router.post("", response={201: AccountOut, **WRITE_ERRORS}, summary="Create an account")
def create_account(request, payload: AccountIn):
    require_create(request.auth)
    account = _write(request, Account(), payload.dict())
    return Status(201, _queryset().get(pk=account.pk))


@router.put("/{int:account_id}", response={200: AccountOut, **WRITE_ERRORS}, summary="Replace an account")
def replace_account(request, account_id: int, payload: AccountIn):
    """Every field not sent takes its default (as on create), except `owner`, which stays."""
    account = record(get_for(Account.objects.all(), request.auth, account_id, CHANGE))
    _write(request, account, payload.dict())
    # Read back unrestricted: whoever just left the team still gets the answer to their own change.
    return _queryset().get(pk=account_id)


@router.patch("/{int:account_id}", response={200: AccountOut, **WRITE_ERRORS}, summary="Change an account")
def update_account(request, account_id: int, payload: PatchDict[AccountIn]):
    """Only the fields sent change."""
    account = record(get_for(Account.objects.all(), request.auth, account_id, CHANGE))
    _write(request, account, payload)
    return _queryset().get(pk=account_id)


@router.delete("/{int:account_id}", response={204: None, **RECORD_ERRORS}, summary="Delete an account")
def delete_account(request, account_id: int):
    """Moves the account, its contacts and opportunities to the trash (an admin or sales head can restore them)."""
    account = record(get_for(Account.objects.all(), request.auth, account_id, DELETE))
    account.soft_delete(request.auth)
    return Status(204, None)
