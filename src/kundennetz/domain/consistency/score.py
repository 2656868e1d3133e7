"""The 0-100 consistency score and the assessment of one account or many."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .config import ConsistencyConfig, default_config
from .digest import Timeline, digest_interactions
from .measures import cadence_from_digest, continuity_from_digest, messages_from_digest
from .model import AccountHistory, CADENCE, CONTINUITY, CoreMessage, MESSAGES, MessageSet, Period
from .results import AccountConsistency, Cadence, Continuity, MessageConsistency, Part, Reason, Score


# ---------------------------------------------------------------------------------------------
# Score
# ---------------------------------------------------------------------------------------------


def consistency_score(
    continuity: Continuity,
    cadence: Cadence,
    messages: MessageConsistency,
    config: ConsistencyConfig | None = None,
    notes: Iterable[Reason] = (),
) -> Score:
    """Weighted mean of the applicable parts, 0–100. Weights are renormalised over what applies,
    so a take-along account is judged on continuity and messages alone. Every lost point goes to a
    reason: the impacts add up to 100 − score."""
    config = config or default_config()
    measures = {CONTINUITY: continuity, CADENCE: cadence, MESSAGES: messages}
    applicable: dict[str, list[tuple[Part, float]]] = {}
    for name, measure in measures.items():
        weights = config.measure_weights[name]
        parts = [(p, weights[p.name]) for p in measure.parts if p.value is not None and weights.get(p.name, 0) > 0]
        if parts and config.component_weights[name] > 0:
            applicable[name] = parts
    total_weight = sum(config.component_weights[name] for name in applicable)
    components: dict[str, float | None] = {name: None for name in measures}
    if not total_weight:
        return Score(None, None, components, (), tuple(notes))

    reasons: list[Reason] = []
    score = 0.0
    for name, parts in applicable.items():
        share = config.component_weights[name] / total_weight
        part_total = sum(w for _, w in parts)
        component_value = 0.0
        for part, weight in parts:
            value = min(1.0, max(0.0, part.value))
            component_value += weight / part_total * value
            loss = 100.0 * share * weight / part_total * (1.0 - value)
            if loss > 0 and part.reasons:
                split = part.split if part.split and sum(part.split) > 0 else (1.0,) * len(part.reasons)
                split_total = sum(split)
                for reason, portion in zip(part.reasons, split):
                    reasons.append(Reason(reason.code, reason.params, loss * portion / split_total))
        components[name] = component_value
        score += share * component_value
    value = min(100.0, max(0.0, 100.0 * score))
    reasons.sort(key=lambda r: (-r.impact, r.code, str(sorted(r.params.items()))))
    return Score(value, config.band(value), components, tuple(reasons), tuple(notes))


def assess_account(
    history: AccountHistory,
    period: Period,
    messages: Iterable[CoreMessage] | MessageSet,
    today: date,
    config: ConsistencyConfig | None = None,
) -> AccountConsistency:
    """All three measures and the score for one account, from one pass over its interactions.

    A period that has not started yet (relative to today) has no score; a past period is judged
    as of its last day, so later interactions do not count."""
    config = config or default_config()
    intensity = history.intensity or config.default_intensity
    timeline = Timeline(history.assignments)
    key_ids = frozenset(c.id for c in history.contacts if c.role in config.key_person_days)
    digest = digest_interactions(
        history.interactions, period, today, config, key_ids=key_ids, messages=MessageSet.of(messages), timeline=timeline
    )
    cont = continuity_from_digest(timeline, period, today, digest, config)
    cad = cadence_from_digest(history.contacts, intensity, period, digest, config)
    msg = messages_from_digest(digest, config)
    notes = []
    if digest.as_of is None:
        notes.append(Reason("period_not_started", {"start": period.start.isoformat()}))
    else:
        if intensity.is_zero:
            notes.append(Reason("take_along", {}))
        if msg.interactions == 0:
            notes.append(Reason("messages_not_assessed", {}))
    return AccountConsistency(
        account_id=history.account_id, manager_id=cont.manager_id, period=period, as_of=digest.as_of,
        continuity=cont, cadence=cad, messages=msg, score=consistency_score(cont, cad, msg, config, notes),
    )


def assess_accounts(
    histories: Iterable[AccountHistory],
    period: Period,
    messages: Iterable[CoreMessage] | MessageSet,
    today: date,
    config: ConsistencyConfig | None = None,
) -> list[AccountConsistency]:
    config = config or default_config()
    message_set = MessageSet.of(messages)
    return [assess_account(h, period, message_set, today, config) for h in histories]
