"""The portfolio in the JSON API: scores, ranks, cells and strategies per account, snapshots, the
scoring model, strategy overrides, manual ratings and value propositions.

Same rules as the web pages: whoever may see an account sees its scores; sales head and admin take
snapshots and override strategies; an account's owner and team (and sales head, admin) rate it;
marketing and admin keep the value propositions. A record you may not see answers 404, one you see but
may not change 403, and bad input 422 with the field's name in ``loc``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Optional

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kundennetz.accounts.models import Account, Contact, Segment
from kundennetz.core import freshness
from kundennetz.core.api_errors import COMMON_ERRORS, RECORD_ERRORS, WRITE_ERRORS, FieldErrors
from kundennetz.core.api_types import MAX_ID, CountedPage, Date, InputSchema, PageIn, QueryId, Text, choice, page_of
from kundennetz.core.job_api import JobOut
from kundennetz.core.permissions import CHANGE, DELETE, VIEW, get_for, restrict

from . import queries, services, tasks
from .models import ManualRating, PortfolioSnapshot, ScoringModel, StrategyOverride, ValueProposition
from .permissions import can_edit_value_propositions, can_manage_portfolio, can_override, can_rate

router = Router(tags=["portfolio"])

Order = Literal["rank", "-rank", "name", "-name", "attractiveness", "-attractiveness", "position", "-position"]


class PositionOut(Schema):
    account: int
    name: str
    period: str = Field(description="The snapshot the scores come from.")
    attractiveness: Optional[float] = Field(description="0–100; null when missing (never 0 for missing).")
    position: Optional[float] = Field(description="Our position 0–100; null when missing.")
    attractiveness_coverage: float = Field(description="Share 0–1 of the axis' weight whose criteria had values.")
    position_coverage: float
    rank: Optional[int] = Field(description="Competition rank (equal scores share it); null when not placed.")
    cell: Optional[str] = Field(description="Cell key; null when a score is missing.")
    cell_name: Optional[str]
    strategy: Optional[str] = Field(description="Strategy key in force today (an override, else the cell's).")
    strategy_name: Optional[str]
    overridden: bool
    abc_revenue: Literal["A", "B", "C"]
    abc_margin: Literal["A", "B", "C"]
    as_of: datetime = Field(description="When the snapshot was taken (these are stored figures, not live ones).")
    out_of_date: bool = Field(description="True when the inputs of the snapshot changed since it was taken.")


class PositionPage(CountedPage):
    items: list[PositionOut]


class CriterionOut(Schema):
    key: str
    axis: Literal["attractiveness", "position"]
    name: str
    weight: float
    points: Optional[float] = Field(description="1–5, null when the criterion has no value (missing).")
    missing: bool
    rating: Optional[int] = Field(description="The manual rating 1–5, if one was given.")
    note: str = ""


class LiveOut(Schema):
    attractiveness: Optional[float]
    position: Optional[float]
    attractiveness_coverage: float
    position_coverage: float
    cell: Optional[str]
    strategy: Optional[str] = Field(description="The strategy the scores give today, without an override.")
    criteria: list[CriterionOut]
    live: bool = Field(True, description="Always true: computed for this response from today's figures.")
    as_of: datetime = Field(description="When these live figures were computed (now).")


class OverrideOut(Schema):
    strategy: str
    reason: str
    updated_at: datetime
    updated_by: Optional[int]


class AccountPortfolioOut(Schema):
    account: int
    name: str
    snapshot: Optional[PositionOut] = Field(description="The account in the current snapshot, if it is in it.")
    override: Optional[OverrideOut]
    today: Optional[LiveOut] = Field(description="Scored now with the current model, with every criterion.")


class SnapshotOut(Schema):
    id: int
    period: str
    period_start: date
    period_end: date
    as_of: date
    scoring_model_version: int
    grid: str
    account_count: int
    placed_count: int
    seconds: float
    created_at: datetime
    created_by: Optional[int]
    current: bool
    out_of_date: bool = Field(description="True when the inputs changed since it was taken (only the current "
                                          "snapshot can be; older ones are the record of their period).")


class SnapshotPage(CountedPage):
    items: list[SnapshotOut]


class SnapshotIn(InputSchema):
    period: Optional[Text] = Field(None, description="\"2026-Q4\" or \"2026\"; default: the quarter of as_of.")
    as_of: Optional[Date] = Field(None, description="Day the figures are taken as of; default today.")


class ModelOut(Schema):
    version: int
    comment: str
    created_at: datetime
    definition: dict


class OverrideIn(InputSchema):
    strategy: Text
    reason: Text


class RatingIn(InputSchema):
    value: Optional[int] = Field(description="1–5; null removes the rating (the criterion is missing again).")
    note: Text = ""


class RatingOut(Schema):
    criterion: str
    value: int
    note: str
    updated_at: datetime


Role = choice(Contact.BuyingRole)
Reference = Annotated[int | str, Field(description="Customer group by id or code.")]


class ValuePropositionIn(InputSchema):
    title_de: Text
    title_en: Text
    text_de: Text
    text_en: Text
    roles: list[Role] = Field(description="Buying-centre roles it is meant for (at least one).")
    segments: list[Reference] = Field(default_factory=list, description="Customer groups; none = every group.")
    strategies: list[Text] = Field(default_factory=list, description="Strategy keys; none = every strategy.")
    is_active: bool = True
    order: int = Field(0, ge=0, le=32767)


class ValuePropositionOut(Schema):
    id: int
    title: str = Field(description="In your language.")
    text: str = Field(description="In your language.")
    title_de: str
    title_en: str
    text_de: str
    text_en: str
    roles: list[str]
    segments: list[str] = Field(description="Codes of the customer groups; empty = every group.")
    strategies: list[str]
    is_active: bool
    order: int

    @staticmethod
    def resolve_segments(obj) -> list[str]:
        return sorted(s.code for s in obj.segments.all())


class ValuePropositionPage(CountedPage):
    items: list[ValuePropositionOut]


# --- scores ----------------------------------------------------------------------------------------


def _current_snapshot() -> PortfolioSnapshot:
    snapshot = PortfolioSnapshot.current()
    if snapshot is None:
        raise Http404(_("There is no portfolio snapshot yet."))
    return snapshot


def _position_out(row, snapshot, names: queries.Names, status) -> dict:
    key, overridden = row.strategy_key, row.overridden
    return {
        "as_of": status.when, "out_of_date": status.out_of_date,
        "account": row.account_id, "name": row.account.name, "period": snapshot.period,
        "attractiveness": row.attractiveness, "position": row.position,
        "attractiveness_coverage": row.attractiveness_coverage, "position_coverage": row.position_coverage,
        "rank": row.rank, "cell": row.cell or None, "cell_name": names.cell(row.cell) if row.cell else None,
        "strategy": key or None, "strategy_name": names.strategy(key) if key else None, "overridden": overridden,
        "abc_revenue": row.abc_revenue, "abc_margin": row.abc_margin,
    }


@router.get("accounts", response={200: PositionPage, **RECORD_ERRORS}, summary="Scores of the accounts")
def list_portfolio_positions(
    request, page: Query[PageIn],
    q: Optional[Text] = None, segment: Optional[Text] = None, owner: Optional[QueryId] = None,
    abc: Optional[Literal["A", "B", "C"]] = None, cell: Optional[Text] = None, strategy: Optional[Text] = None,
    mine: bool = False, order_by: Order = "rank",
):
    """Every account you may see with its scores, rank, cell, strategy and ABC classes from the current
    snapshot, filtered: `segment` (code or id), `owner` (user id), `abc` (by revenue), `cell`, `strategy`,
    `mine` (accounts you own or are on the team of), `q` (name)."""
    snapshot = _current_snapshot()
    model = snapshot.model
    errors = FieldErrors(prefix=("query",))
    if cell and cell not in model.grid.cell_keys:
        errors.add("cell", _("Select a valid choice. That choice is not one of the available choices.")
                   + f" ({', '.join(model.grid.cell_keys)})")
    if strategy and strategy not in model.strategies:
        errors.add("strategy", _("Select a valid choice. That choice is not one of the available choices.")
                   + f" ({', '.join(model.strategies)})")
    errors.raise_if_any()
    filters = {"q": q, "segment": segment, "owner": owner, "abc": abc, "cell": cell, "strategy": strategy,
               "mine": mine}
    queryset = queries.apply_filters(queries.positions(request.auth, snapshot), filters, user=request.auth,
                                     model=model)
    found = page_of(queries.with_accounts(queryset).order_by(*queries.ORDERINGS[order_by]), page.offset, page.limit)
    rows = queries.decorate(found["items"], model)
    names = queries.Names(model)
    status = snapshot.freshness(current=True)
    return {**found, "items": [_position_out(row, snapshot, names, status) for row in rows]}


def _visible_account(user, account_id: int) -> Account:
    return get_for(Account.objects.all(), user, account_id)


@router.get("accounts/{int:account_id}", response={200: AccountPortfolioOut, **RECORD_ERRORS},
            summary="The portfolio of one account")
def read_portfolio_position(request, account_id: int):
    """The account in the current snapshot, its override, and its scores today with every criterion's
    points (missing criteria are listed as missing, not as 0)."""
    account = _visible_account(request.auth, account_id)
    snapshot = PortfolioSnapshot.current()
    record = ScoringModel.current()
    out = {"account": account.pk, "name": account.name, "snapshot": None, "override": None, "today": None}
    if snapshot is not None:
        row = queries.with_accounts(queries.positions(request.auth, snapshot).filter(account=account)).first()
        if row is not None:
            model = snapshot.model
            out["snapshot"] = _position_out(queries.decorate([row], model)[0], snapshot, queries.Names(model),
                                            snapshot.freshness(current=True))
    override = StrategyOverride.objects.filter(account=account).first()
    if override is not None:
        out["override"] = {"strategy": override.strategy, "reason": override.reason,
                           "updated_at": override.updated_at, "updated_by": override.updated_by_id}
    if record is not None:
        model = record.rules
        result = services.score_one(account, model)
        ratings = {r.criterion: r for r in ManualRating.objects.filter(account=account)}
        names = queries.Names(model)
        criteria = []
        for axis_key, axis, axis_score in (("attractiveness", model.attractiveness, result.attractiveness),
                                           ("position", model.position, result.position)):
            for c in axis.active:
                rating = ratings.get(c.key)
                criteria.append({
                    "key": c.key, "axis": axis_key, "name": c.name_de if names.lang == "de" else c.name_en,
                    "weight": c.weight, "points": axis_score.points.get(c.key), "missing": c.key in axis_score.missing,
                    "rating": rating.value if rating else None, "note": rating.note if rating else "",
                })
        out["today"] = {
            "attractiveness": result.attractiveness.score, "position": result.position.score,
            "attractiveness_coverage": result.attractiveness.coverage,
            "position_coverage": result.position.coverage,
            "cell": result.cell, "strategy": result.computed_strategy, "criteria": criteria,
            "live": True, "as_of": timezone.now(),
        }
    return out


@router.put("accounts/{int:account_id}/override", response={200: OverrideOut, **WRITE_ERRORS},
            summary="Override an account's strategy")
def set_portfolio_override(request, account_id: int, payload: OverrideIn):
    """Sales head and admin only; the reason is required and the change is kept in the history."""
    account = _visible_account(request.auth, account_id)
    if not can_override(request.auth, account):
        raise PermissionDenied(_("Only a sales head or an admin may override an account's strategy."))
    errors = FieldErrors()
    record = ScoringModel.current()
    if record is not None and payload.strategy not in record.rules.strategies:
        errors.add("strategy", _("Select a valid choice. That choice is not one of the available choices.")
                   + f" ({', '.join(record.rules.strategies)})")
    if not payload.reason:
        errors.add("reason", _("Say why this account gets another strategy."))
    errors.raise_if_any()
    override = services.set_override(account, request.auth, payload.strategy, payload.reason)
    return {"strategy": override.strategy, "reason": override.reason, "updated_at": override.updated_at,
            "updated_by": override.updated_by_id}


@router.delete("accounts/{int:account_id}/override", response={204: None, **RECORD_ERRORS},
               summary="Remove an account's strategy override")
def delete_portfolio_override(request, account_id: int):
    account = _visible_account(request.auth, account_id)
    if not can_override(request.auth, account):
        raise PermissionDenied(_("Only a sales head or an admin may override an account's strategy."))
    if not services.clear_override(account, request.auth):
        raise Http404(_("This account's strategy is not overridden."))
    return Status(204, None)


@router.put("accounts/{int:account_id}/ratings/{criterion}", response={200: RatingOut, 204: None, **WRITE_ERRORS},
            summary="Rate an account on one criterion")
def set_portfolio_rating(request, account_id: int, criterion: str, payload: RatingIn):
    """For the account's owner and team, sales head and admin. `null` removes the rating."""
    account = _visible_account(request.auth, account_id)
    if not can_rate(request.auth, account):
        raise PermissionDenied(_("You may not change this record."))
    record = ScoringModel.current()
    keys = [c.key for c in record.rules.criteria if c.takes_manual] if record else []
    if criterion not in keys:
        raise Http404(_("This criterion takes no manual rating. Criteria that do: %(keys)s") % {
            "keys": ", ".join(keys)})
    errors = FieldErrors()
    if payload.value is not None and not 1 <= payload.value <= 5:
        errors.add("value", _("Enter a rating from 1 to 5, or null to remove it."))
    errors.raise_if_any()
    rating = services.set_rating(account, request.auth, criterion, payload.value, payload.note)
    if rating is None:
        return Status(204, None)
    return {"criterion": rating.criterion, "value": rating.value, "note": rating.note,
            "updated_at": rating.updated_at}


# --- snapshots and model ---------------------------------------------------------------------------


def _snapshot_out(snapshot, current_id, inputs_now: str = "") -> dict:
    current = snapshot.pk == current_id
    return {
        "out_of_date": current and snapshot.inputs != inputs_now,
        "id": snapshot.pk, "period": snapshot.period, "period_start": snapshot.period_start,
        "period_end": snapshot.period_end, "as_of": snapshot.as_of,
        "scoring_model_version": snapshot.scoring_model.version, "grid": snapshot.grid,
        "account_count": snapshot.account_count, "placed_count": snapshot.placed_count,
        "seconds": snapshot.seconds, "created_at": snapshot.created_at, "created_by": snapshot.created_by_id,
        "current": snapshot.pk == current_id,
    }


@router.get("snapshots", response={200: SnapshotPage, **COMMON_ERRORS}, summary="Snapshots")
def list_portfolio_snapshots(request, page: Query[PageIn]):
    """Newest first; the first is the current one."""
    records = restrict(PortfolioSnapshot.objects.select_related("scoring_model"), request.auth).in_order()
    current = records.values_list("pk", flat=True).first()
    found = page_of(records, page.offset, page.limit)
    inputs_now = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    return {**found, "items": [_snapshot_out(s, current, inputs_now) for s in found["items"]]}


@router.get("snapshots/{int:snapshot_id}", response={200: SnapshotOut, **RECORD_ERRORS}, summary="Read a snapshot")
def read_portfolio_snapshot(request, snapshot_id: int):
    snapshot = get_for(PortfolioSnapshot.objects.select_related("scoring_model"), request.auth, snapshot_id)
    current = PortfolioSnapshot.objects.in_order().values_list("pk", flat=True).first()
    return _snapshot_out(snapshot, current, freshness.fingerprint(services.SNAPSHOT_INPUTS))


@router.post("snapshots", response={202: JobOut, **WRITE_ERRORS}, summary="Recompute the portfolio (background)")
def create_portfolio_snapshot(request, payload: SnapshotIn):
    """Scores every account with the current model and keeps the result as the snapshot of `period`
    (replacing one of the same period). Sales head and admin only. Answers 202 with the job at once;
    poll `GET /api/jobs/{id}` until `status` is `done` (then `result` is the snapshot's address) or
    `failed` (then `reason` says why)."""
    if not can_manage_portfolio(request.auth):
        raise PermissionDenied(_("Only a sales head or an admin may take portfolio snapshots."))
    try:
        job = tasks.start_snapshot(request.auth, period=payload.period or None, as_of=payload.as_of)
    except DjangoValidationError as exc:
        errors = FieldErrors()
        errors.add_django(exc)
        errors.raise_if_any()
        raise
    return Status(202, job)


@router.get("model", response={200: ModelOut, **RECORD_ERRORS}, summary="The scoring model in force")
def read_scoring_model(request):
    """The definition: criteria, weights, scales, grids, strategies with their care intensities."""
    record = ScoringModel.current()
    if record is None:
        raise Http404(_("There is no scoring model yet."))
    return {"version": record.version, "comment": record.comment, "created_at": record.created_at,
            "definition": record.definition}


# --- value propositions ----------------------------------------------------------------------------


def _vp_queryset():
    return ValueProposition.objects.prefetch_related("segments")


def _value_proposition(user, item_id: int, action: str = VIEW) -> ValueProposition:
    """The value proposition if `user` may `action` it: 404 when there is none, 403 when they may not
    change it (everyone reads them; marketing and an admin keep them)."""
    return get_for(_vp_queryset(), user, item_id, action)


def _require_marketing(user) -> None:
    if not can_edit_value_propositions(user):
        raise PermissionDenied(_("Only marketing or an admin may change value propositions."))


def _write_vp(request, item: ValueProposition, data: dict) -> ValueProposition:
    errors = FieldErrors()
    for name in ("title_de", "title_en", "text_de", "text_en", "roles", "strategies", "is_active", "order"):
        if name in data:
            setattr(item, name, list(data[name]) if name in ("roles", "strategies") else data[name])
    segments = None
    if "segments" in data:
        segments = []
        for index, ref in enumerate(data["segments"] or []):
            text = str(ref).strip()
            lookup = {"pk": int(text)} if text.isdigit() and int(text) <= MAX_ID else {"code": text}
            found = Segment.objects.filter(**lookup).first()
            if found is None:
                errors.add(("segments", index), _("Select a valid choice. %(value)s is not one of the available "
                                                  "choices.") % {"value": ref}, "invalid_reference")
            else:
                segments.append(found)
    if errors:
        try:
            item.full_clean(exclude=sorted(errors.fields))
        except DjangoValidationError as exc:
            errors.add_django(exc)
        errors.raise_if_any()
    try:
        item.full_clean()
    except DjangoValidationError as exc:
        errors.add_django(exc)
        errors.raise_if_any()
    with transaction.atomic():
        item.stamp(request.auth)
        item._history_user = request.auth
        item.save()
        if segments is not None:
            item.segments.set(segments)
    return _vp_queryset().get(pk=item.pk)


@router.get("value-propositions", response={200: ValuePropositionPage, **COMMON_ERRORS},
            summary="Value propositions")
def list_value_propositions(request, page: Query[PageIn], role: Optional[Role] = None, active: Optional[bool] = None):
    """Every signed-in user may read them; `role` keeps those meant for a buying-centre role."""
    items = list(restrict(_vp_queryset(), request.auth))
    if role:
        items = [i for i in items if role in i.roles]
    if active is not None:
        items = [i for i in items if i.is_active == active]
    return page_of(items, page.offset, page.limit)


@router.get("value-propositions/{int:item_id}", response={200: ValuePropositionOut, **RECORD_ERRORS},
            summary="Read a value proposition")
def read_value_proposition(request, item_id: int):
    return _value_proposition(request.auth, item_id)


@router.post("value-propositions", response={201: ValuePropositionOut, **WRITE_ERRORS},
             summary="Create a value proposition")
def create_value_proposition(request, payload: ValuePropositionIn):
    _require_marketing(request.auth)
    return Status(201, _write_vp(request, ValueProposition(), payload.dict()))


@router.put("value-propositions/{int:item_id}", response={200: ValuePropositionOut, **WRITE_ERRORS},
            summary="Replace a value proposition")
def update_value_proposition(request, item_id: int, payload: ValuePropositionIn):
    item = _value_proposition(request.auth, item_id, CHANGE)
    return _write_vp(request, item, payload.dict())


@router.delete("value-propositions/{int:item_id}", response={204: None, **RECORD_ERRORS},
               summary="Delete a value proposition")
def delete_value_proposition(request, item_id: int):
    item = _value_proposition(request.auth, item_id, DELETE)
    item._history_user = request.auth
    item.delete()
    return Status(204, None)
