"""What an account's page shows of the portfolio: scores with their reasons, snapshot, strategy, and the
benefits to stress with each of its people."""

from __future__ import annotations

from django import template

from kundennetz.core.formatting import format_number, format_percent
from kundennetz.core.permissions import VIEW, can

from .. import queries, services
from .. import strategy as today_rule
from ..models import (
    AccountPosition,
    ManualRating,
    PortfolioSnapshot,
    ScoringModel,
    StrategyOverride,
    ValueProposition,
    current_language,
)
from ..permissions import can_override, can_rate

register = template.Library()


@register.filter
def score(value):
    """An axis score 0–100, or a dash when it is missing (never 0)."""
    return format_number(value, 0)


@register.filter
def share(value, decimals=0):
    """A fraction 0–1 as percent."""
    if value is None or value == "":
        return "–"
    return format_percent(float(value) * 100, int(decimals))


def benefits(account, contacts, strategy: str | None) -> list[dict]:
    """For each person, the value propositions that fit their role, the account's segment and strategy."""
    items = list(ValueProposition.objects.active().prefetch_related("segments"))
    segments = {item.pk: {s.pk for s in item.segments.all()} for item in items}
    return [{
        "contact": contact,
        "benefits": [item for item in items
                     if item.applies_to(contact.buying_role, account.segment_id, strategy, segments[item.pk])],
    } for contact in contacts]


@register.simple_tag(takes_context=True)
def account_portfolio(context, account):
    """Everything ``portfolio/_account_panel.html`` shows, or None when there is nothing to show."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if account is None or user is None or not can(user, VIEW, account):
        return None
    record = ScoringModel.current()
    if record is None:
        return None
    model = record.rules
    lang = current_language()
    names = queries.Names(model)
    snapshot = PortfolioSnapshot.current()
    position = None
    if snapshot is not None:
        position = AccountPosition.objects.filter(snapshot=snapshot, account=account).first()
    override = StrategyOverride.objects.filter(account=account).select_related("updated_by").first()
    result = services.score_one(account, model)
    ratings = {r.criterion: r for r in ManualRating.objects.filter(account=account)}

    axes = []
    # The criteria are scored live (today's figures); the snapshot keeps what the cell was placed by. Both
    # are shown, each labelled, so that a live 80 next to the portfolio's 72 is never a riddle.
    stored = (position.attractiveness, position.position) if position is not None else (None, None)
    for (axis, axis_score), snapshot_score in zip(((model.attractiveness, result.attractiveness),
                                                   (model.position, result.position)), stored, strict=True):
        axes.append({
            "name": axis.name_de if lang == "de" else axis.name_en,
            "score": axis_score.score, "coverage": axis_score.coverage, "snapshot_score": snapshot_score,
            "criteria": [{
                "name": c.name_de if lang == "de" else c.name_en,
                "weight": c.weight,
                "points": axis_score.points.get(c.key),
                "missing": c.key in axis_score.missing,
                "rating": ratings.get(c.key),
            } for c in axis.active],
        })

    snapshot_cell = position.cell if position else ""
    # The one rule (domain.strategy_today): valid override, else the snapshot cell's strategy, else none.
    rules_ = today_rule.load_rules(snapshot=snapshot, current=record)
    decided = rules_.today(override.strategy if override is not None else None, snapshot_cell)
    strategy = decided.key or ""
    defined = rules_.strategy(strategy)
    care = defined.care if defined is not None else None
    contacts = list(account.contacts.all())
    present_roles = {c.buying_role for c in contacts}
    return {
        "model": record,
        "snapshot": snapshot,
        "snapshot_status": snapshot.freshness(current=True) if snapshot is not None else None,
        "position": position,
        "snapshot_cell": names.cell(snapshot_cell) if snapshot_cell else "",
        "live_cell": names.cell(result.cell) if result.cell else "",
        "cell_changed": bool(position) and (result.cell or "") != snapshot_cell,
        "result": result,
        "axes": axes,
        "strategy": strategy,
        "strategy_name": (defined.name(lang) if defined is not None else "") if strategy else "",
        "strategy_color": names.color(strategy) if strategy else "#777777",
        "strategy_description": defined.description(lang) if defined is not None else "",
        "strategy_source": decided.source,
        "ignored_override": decided.ignored_override,
        "computed_strategy_name": names.strategy(result.computed_strategy) if result.computed_strategy else "",
        "care": care,
        "override": override,
        "missing_roles": [role for role in (care.roles if care else ()) if role not in present_roles],
        "people": benefits(account, contacts, strategy),
        "care_roles": set(care.roles) if care else set(),
        "can_override": can_override(user, account),
        "can_rate": can_rate(user, account),
        "lang": lang,
    }


@register.filter
def role_name(code):
    from kundennetz.accounts.models import Contact

    return dict(Contact.BuyingRole.choices).get(code, code)


@register.simple_tag
def snapshot_status(snapshot):
    """As of when the snapshot was taken, and whether its inputs changed since (``core.freshness``)."""
    return snapshot.freshness() if snapshot is not None else None
