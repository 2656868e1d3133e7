"""The lists other records refer to: stages, closing reasons, customer groups, competitors, and our users.

Every signed-in user may read them; only those who may create records add competitors. Stages, closing
reasons and customer groups are edited by an admin in the admin site.
"""

from decimal import Decimal
from typing import Annotated, Optional

from django.contrib.auth import get_user_model
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, WRITE_ERRORS, FieldErrors
from kundennetz.core.api_types import InputSchema, Pagination, Text, choice
from kundennetz.core.roles import Role

from ..models import ClosingReason, Competitor, Segment, Stage
from kundennetz.core.permissions import get_for, restrict

from .common import require_create, save, set_fields

router = Router()


class StageOut(Schema):
    id: int
    code: str
    name: str = Field(description="In your language.")
    name_de: str
    name_en: str
    order: int
    type: choice(Stage.Type)
    probability_pct: int
    requires_pursuit_decision: bool
    is_active: bool


class ClosingReasonOut(Schema):
    id: int
    name: str = Field(description="In your language.")
    name_de: str
    name_en: str
    applies_to: choice(Stage.Type) = Field(description="The stage type this reason closes.")
    order: int
    is_active: bool


class SegmentOut(Schema):
    id: int
    code: str
    name: str = Field(description="In your language.")
    name_de: str
    name_en: str
    volume_min: Optional[Decimal]
    volume_max: Optional[Decimal]
    margin_target_pct: Optional[Decimal]


class CompetitorIn(InputSchema):
    name: Text
    website: Text = ""
    notes: Text = ""


class CompetitorOut(Schema):
    id: int
    name: str
    website: str
    notes: str


class CompetitorFilter(FilterSchema):
    q: Annotated[Optional[Text], FilterLookup("name__icontains")] = None


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    role: choice(Role)
    language: str


class UserFilter(FilterSchema):
    q: Annotated[Optional[Text], FilterLookup(["username__icontains", "first_name__icontains",
                                                "last_name__icontains"])] = None
    role: Optional[choice(Role)] = None


@router.get("/stages", response={200: list[StageOut], **COMMON_ERRORS}, tags=["catalogues"],
            summary="List the pipeline's stages")
def list_stages(request, include_inactive: bool = False):
    """In pipeline order. Code looks at a stage's `type`, never at its name."""
    stages = restrict(Stage.objects.all(), request.auth).order_by("order", "id")
    return stages if include_inactive else stages.filter(is_active=True)


@router.get("/closing-reasons", response={200: list[ClosingReasonOut], **COMMON_ERRORS}, tags=["catalogues"],
            summary="List closing reasons")
def list_closing_reasons(request, applies_to: Optional[choice(Stage.Type)] = None, include_inactive: bool = False):
    reasons = restrict(ClosingReason.objects.all(), request.auth).order_by("applies_to", "order", "id")
    if applies_to:
        reasons = reasons.filter(applies_to=applies_to)
    return reasons if include_inactive else reasons.filter(is_active=True)


@router.get("/segments", response={200: list[SegmentOut], **COMMON_ERRORS}, tags=["catalogues"],
            summary="List customer groups")
def list_segments(request):
    return restrict(Segment.objects.all(), request.auth).order_by("name_de", "id")


@router.get("/competitors", response={200: list[CompetitorOut], **COMMON_ERRORS}, tags=["catalogues"],
            summary="List competitors")
@paginate(Pagination)
def list_competitors(request, filters: Query[CompetitorFilter]):
    return filters.filter(restrict(Competitor.objects.all(), request.auth)).order_by("name", "id")


@router.get("/competitors/{int:competitor_id}", response={200: CompetitorOut, **RECORD_ERRORS},
            tags=["catalogues"], summary="Read a competitor")
def read_competitor(request, competitor_id: int):
    return get_for(Competitor.objects.all(), request.auth, competitor_id)


@router.post("/competitors", response={201: CompetitorOut, **WRITE_ERRORS}, tags=["catalogues"],
             summary="Add a competitor")
def create_competitor(request, payload: CompetitorIn):
    """For everyone who may create records; the name must be new."""
    require_create(request.auth)
    competitor = Competitor()
    set_fields(competitor, payload.dict(), ("name", "website", "notes"))
    return Status(201, save(competitor, request.auth, FieldErrors()))


@router.get("/users", response={200: list[UserOut], **COMMON_ERRORS}, tags=["users"],
            summary="List active users")
@paginate(Pagination)
def list_users(request, filters: Query[UserFilter]):
    """Our people, for the `owner` and `team` fields."""
    people = restrict(get_user_model().objects.filter(is_active=True), request.auth)
    return filters.filter(people).order_by("last_name", "first_name", "id")


@router.get("/users/me", response={200: UserOut, **COMMON_ERRORS}, tags=["users"], summary="Who am I")
def me(request):
    return request.auth
