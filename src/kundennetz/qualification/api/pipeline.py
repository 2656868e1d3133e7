"""The qualification pipeline: the opportunities you may see with their checklist's recommendation and
number of open points, to filter and sort by them.

An opportunity whose checklist nobody has opened yet counts as it would once opened: "clarify", with
every question of the current catalogue open (`opened` tells the two apart).
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Optional

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from ninja import Field, FilterLookup, Query, Router
from ninja.pagination import paginate

from kundennetz.accounts.api.opportunities import OpportunityFilter, OpportunityReferences
from kundennetz.accounts.models import Opportunity, Stage
from kundennetz.core.api_errors import COMMON_ERRORS
from kundennetz.core.api_types import Pagination, choice
from kundennetz.core.permissions import VIEW, restrict
from kundennetz.domain import qualification as rules

from ..models import Catalogue, Checklist, PursuitDecision, Recommendation

router = Router(tags=["qualification"])

ChecklistOrder = Literal[
    "recommendation", "-recommendation", "open_points", "-open_points", "unfavourable", "-unfavourable",
    "title", "-title", "expected_decision_date", "-expected_decision_date", "created_at", "-created_at",
    "win_probability", "-win_probability", "expected_value", "-expected_value",
]

# Sorting by recommendation follows the rule, not the alphabet: ascending is worst first.
_RANK = Case(*(When(q_recommendation=value, then=Value(rank)) for value, rank in rules.RECOMMENDATION_RANK.items()),
             default=Value(0), output_field=IntegerField())
_ORDER_FIELDS = {"recommendation": "q_rank", "open_points": "q_open_points", "unfavourable": "q_unfavourable",
                 "win_probability": "q_win", "expected_value": "q_value"}
_NULLS_LAST = {"expected_decision_date", "win_probability", "expected_value"}


class ChecklistFilter(OpportunityFilter):
    recommendation: Annotated[Optional[choice(Recommendation)], FilterLookup("q_recommendation")] = None
    min_open_points: Annotated[Optional[int], FilterLookup("q_open_points__gte")] = Field(
        None, ge=0, le=10**6, description="At least this many open points.")
    max_open_points: Annotated[Optional[int], FilterLookup("q_open_points__lte")] = Field(
        None, ge=0, le=10**6, description="At most this many open points.")
    opened: Annotated[Optional[bool], FilterLookup("q_opened")] = Field(
        None, description="Whether someone has opened the checklist.")
    min_win_probability: Annotated[Optional[float], FilterLookup("q_win__gte")] = Field(
        None, ge=0, le=1, description="Win probability (0–1) at least this; opportunities without one are left out.")
    decision: Optional[Literal["pursue", "do_not_pursue", "none"]] = Field(
        None, description="The latest pursuit decision; none: no decision yet.")

    def filter_decision(self, value) -> Q:
        if value is None:
            return Q()
        return Q(q_decision__isnull=True) if value == "none" else Q(q_decision=value)


class ChecklistSummaryOut(OpportunityReferences):
    opportunity: int
    title: str
    account: int
    account_name: str
    stage: str = Field(description="Code of the stage.")
    stage_type: choice(Stage.Type)
    owner: int
    expected_decision_date: Optional[date]
    recommendation: choice(Recommendation)
    unfavourable: int = Field(description="Headline questions answered unfavourably.")
    open_points: int = Field(description="Questions still open, to clarify with the customer.")
    opened: bool = Field(description="false: nobody has opened the checklist yet, so everything is open.")
    decision: Optional[choice(PursuitDecision.Decision)] = Field(description="The latest pursuit decision.")
    win_probability: Optional[float] = Field(description="Learned from won and lost deals (0–1); null without a "
                                                         "fitted model or answers.")
    expected_value: Optional[Decimal] = Field(description="Win probability × volume × margin − the cost of a bid.")

    # The values come from the annotations of `_summaries`.
    @staticmethod
    def resolve_opportunity(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_account_name(obj) -> str:
        return obj.account.name

    @staticmethod
    def resolve_recommendation(obj) -> str:
        return obj.q_recommendation

    @staticmethod
    def resolve_unfavourable(obj) -> int:
        return obj.q_unfavourable

    @staticmethod
    def resolve_open_points(obj) -> int:
        return obj.q_open_points

    @staticmethod
    def resolve_opened(obj) -> bool:
        return obj.q_opened

    @staticmethod
    def resolve_decision(obj) -> Optional[str]:
        return obj.q_decision

    @staticmethod
    def resolve_win_probability(obj) -> Optional[float]:
        return obj.q_win

    @staticmethod
    def resolve_expected_value(obj) -> Optional[Decimal]:
        return obj.q_value


def _question_count() -> int:
    catalogue = Catalogue.current()
    return sum(1 for _question in catalogue.rules.questions()) if catalogue else 0


def _summaries(user):
    latest = PursuitDecision.objects.filter(opportunity=OuterRef("pk")).order_by("-decided_at", "-id")
    return (restrict(Opportunity.objects.select_related("stage", "account"), user, VIEW)
            .annotate(q_recommendation=Coalesce(F("checklist__recommendation"), Value(rules.CLARIFY)),
                      q_open_points=Coalesce(F("checklist__open_points"), Value(_question_count())),
                      q_unfavourable=Coalesce(F("checklist__unfavourable_count"), Value(0)),
                      q_opened=Exists(Checklist.objects.filter(opportunity=OuterRef("pk"))),
                      q_decision=Subquery(latest.values("decision")[:1]),
                      q_win=F("win_probability"), q_value=F("win_expected_value"))
            .annotate(q_rank=_RANK))


@router.get("/checklists", response={200: list[ChecklistSummaryOut], **COMMON_ERRORS},
            summary="List opportunities by qualification")
@paginate(Pagination)
def list_checklists(request, filters: Query[ChecklistFilter], order_by: ChecklistOrder = "-created_at"):
    """Takes the filters of `GET /api/opportunities` plus `recommendation`, `min_open_points`,
    `max_open_points`, `opened` and `decision`; `order_by=recommendation` puts "no offer" first,
    `-recommendation` "offer" first."""
    descending, name = order_by.startswith("-"), order_by.lstrip("-")
    column = _ORDER_FIELDS.get(name, name)
    if name in _NULLS_LAST:
        first = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    else:
        first = F(column).desc() if descending else F(column).asc()
    queryset = filters.filter(_summaries(request.auth)).order_by(first, "-id" if descending else "id")
    return queryset
