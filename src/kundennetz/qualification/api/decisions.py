"""Pursuit decisions: whether we go for an opportunity, decided by our internal decision maker named in
its checklist, or by a sales head or admin. The latest decision counts; earlier ones stay readable.

A decision against the checklist's recommendation needs a reason. Stages such as "offer submitted" open
only after a decision to pursue (the opportunity itself refuses them otherwise).
"""

from typing import Optional

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Status
from ninja.pagination import paginate

from kundennetz.core.api_errors import RECORD_ERRORS, WRITE_ERRORS, FieldErrors
from kundennetz.core.api_types import InputSchema, Pagination, Text, choice

from .. import services
from ..models import PursuitDecision
from ..permissions import may_decide
from .checklists import UNAVAILABLE, find_opportunity, open_checklist
from .schemas import DecisionOut

router = Router(tags=["qualification"])


class DecisionIn(InputSchema):
    decision: choice(PursuitDecision.Decision) = Field(description="pursue or do_not_pursue")
    reason: Optional[Text] = Field("", description="Required when the decision goes against the checklist's "
                                                   "recommendation; up to 5000 characters.")


@router.get("/opportunities/{int:opportunity_id}/decisions",
            response={200: list[DecisionOut], **RECORD_ERRORS}, summary="List an opportunity's pursuit decisions")
@paginate(Pagination)
def list_decisions(request, opportunity_id: int):
    """Newest first; the first one counts."""
    opportunity = find_opportunity(request, opportunity_id)
    return PursuitDecision.objects.filter(opportunity=opportunity).order_by("-decided_at", "-id")


@router.post("/opportunities/{int:opportunity_id}/decisions",
             response={201: DecisionOut, **WRITE_ERRORS, **UNAVAILABLE}, summary="Record a pursuit decision")
def record_decision(request, opportunity_id: int, payload: DecisionIn):
    """Only our internal decision maker named in the checklist (`authority.our_decider`), a sales head or an
    admin may decide (otherwise 403). The checklist's recommendation at this moment is kept with it."""
    user = request.auth
    opportunity = find_opportunity(request, opportunity_id)
    checklist = open_checklist(opportunity, user)
    if not may_decide(user, checklist):
        raise PermissionDenied(_("Only our internal decision maker named in the checklist, a sales head or an "
                                 "administrator may decide whether to pursue this opportunity."))
    try:
        decision = services.record_decision(opportunity, user, payload.decision, payload.reason or "")
    except DjangoValidationError as exc:
        errors = FieldErrors()
        errors.add_django(exc)
        for item in errors.items:
            item["type"] = "invalid"
        errors.raise_if_any()
        raise
    return Status(201, decision)
