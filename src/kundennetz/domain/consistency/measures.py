"""The three measures: continuity of the account manager, contact cadence, message consistency."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date

from .arithmetic import add_months, clean_number
from .config import ConsistencyConfig, default_config
from .digest import Digest, Timeline, digest_interactions, quarter_slices
from .model import (
    Assignment,
    CADENCE,
    COMPONENT_MEASURES,
    CONTINUITY,
    Contact,
    CoreMessage,
    DECISION_MAKER,
    INFLUENCER,
    Id,
    Intensity,
    Interaction,
    MESSAGES,
    MessageSet,
    Period,
)
from .results import (
    Cadence,
    Continuity,
    KeyPersonGap,
    MessageConsistency,
    OutsideMessage,
    Part,
    QuarterShortfall,
    Reason,
)


# ---------------------------------------------------------------------------------------------
# The three measures
# ---------------------------------------------------------------------------------------------


def continuity(
    assignments: Iterable[Assignment | tuple[date, Id | None]],
    period: Period,
    today: date,
    interactions: Iterable[Interaction] = (),
    config: ConsistencyConfig | None = None,
) -> Continuity:
    """Changes of the responsible account manager, tenure of the current one, and how often they
    took part in the contacts themselves. A change dated on the period's first or last day counts
    as in the period; a change dated after today (a planned handover) does not count yet."""
    config = config or default_config()
    timeline = Timeline(assignments)
    digest = digest_interactions(interactions, period, today, config, timeline=timeline)
    return continuity_from_digest(timeline, period, today, digest, config)


def continuity_from_digest(timeline: Timeline, period: Period, today: date, digest: Digest,
                           config: ConsistencyConfig) -> Continuity:
    """Continuity from an owner timeline and a digest already taken (``continuity`` takes both)."""
    as_of = digest.as_of
    reference = as_of if as_of is not None else min(today, period.end)
    manager = timeline.manager_on(reference)
    months = config.change_window_months
    window_start = add_months(reference, -months)
    changes_window = timeline.changes_between(window_start, reference)
    changes_before = bisect_right(timeline.change_dates, reference)
    if manager is None:
        since = None
    elif changes_before:
        since = timeline.change_dates[changes_before - 1]
    else:
        since = timeline.first_named
    tenure = (reference - since).days if since is not None else None
    first_manager = changes_before == 0
    if as_of is not None:
        changes_period = timeline.changes_between(period.start, as_of)
        managers_period = timeline.managers_between(period.start, as_of)
    else:
        changes_period = managers_period = 0
    presence = digest.presence_count / digest.presence_total if digest.presence_total else None

    parts: list[Part]
    if as_of is None:
        parts = [Part(name, None) for name in COMPONENT_MEASURES[CONTINUITY]]
    elif manager is None:
        # Nobody responsible is the worst continuity there is, whatever else happened.
        parts = [Part("changes", 0.0, (Reason("no_account_manager", {}),)), Part("tenure", None), Part("presence", None)]
    else:
        changes_value = max(0.0, 1.0 - config.change_penalty * changes_window)
        changes_reasons = ()
        if changes_window:
            changes_reasons = (
                Reason("manager_changes", {"changes": changes_window, "managers": changes_window + 1, "months": months}),
            )
        # A first manager on a new account has a short tenure without any inconsistency.
        tenure_value = 1.0 if first_manager else min(1.0, tenure / config.full_tenure_days)
        tenure_reasons = (Reason("short_tenure", {"days": tenure}),) if tenure_value < 1 else ()
        if presence is None:
            presence_part = Part("presence", None)
        else:
            presence_value = min(1.0, presence / config.presence_target)
            presence_reasons = ()
            if presence_value < 1:
                presence_reasons = (
                    Reason("manager_rarely_present", {"count": digest.presence_count, "total": digest.presence_total}),
                )
            presence_part = Part("presence", presence_value, presence_reasons)
        parts = [Part("changes", changes_value, changes_reasons), Part("tenure", tenure_value, tenure_reasons), presence_part]

    return Continuity(
        manager_id=manager,
        manager_since=since,
        tenure_days=tenure,
        first_manager=first_manager,
        changes_in_period=changes_period,
        changes_in_window=changes_window,
        window_months=months,
        managers_in_period=managers_period,
        managers_in_window=timeline.managers_between(window_start, reference),
        presence=presence,
        presence_count=digest.presence_count,
        presence_total=digest.presence_total,
        parts=tuple(parts),
    )


def cadence(
    interactions: Iterable[Interaction],
    period: Period,
    today: date,
    contacts: Iterable[Contact] = (),
    intensity: Intensity | None = None,
    config: ConsistencyConfig | None = None,
) -> Cadence:
    """Contacts held against the plan, gaps, key people not met (in the period, or for longer than
    the days set for their role), quarters below the minimum.

    The plan is prorated to the observed part of the period (start to the end, or to today while
    it runs), and only whole planned contacts are expected: early in a period nothing is due yet.
    Gaps run from the period's start to the first contact, between contacts, and from the last
    contact to the end or today. Only full quarters that have passed are judged against the
    minimum per quarter. A take-along account (zero planned intensity) gets figures, no penalty."""
    config = config or default_config()
    contacts = tuple(contacts)
    key_ids = frozenset(c.id for c in contacts if c.role in config.key_person_days)
    digest = digest_interactions(interactions, period, today, config, key_ids=key_ids)
    return cadence_from_digest(contacts, intensity or config.default_intensity, period, digest, config)


def cadence_from_digest(contacts: Sequence[Contact], intensity: Intensity, period: Period, digest: Digest,
                        config: ConsistencyConfig) -> Cadence:
    """Cadence from a digest already taken (``cadence`` takes it)."""
    as_of = digest.as_of
    key_people = [c for c in contacts if c.role in config.key_person_days]
    if as_of is None:
        return Cadence(
            take_along=intensity.is_zero, observed_days=0, held=0.0, contacts=0, planned=0.0, planned_due=0,
            planned_max=None if intensity.contacts_per_year_max is None else 0.0,
            longest_gap_days=None, longest_gap_from=None, longest_gap_to=None, last_contact=None,
            days_since_last_contact=None, key_people=len(key_people), key_people_gaps=(), quarters_judged=0,
            quarters_below=(), parts=tuple(Part(name, None) for name in COMPONENT_MEASURES[CADENCE]),
        )

    observed_days = (as_of - period.start).days + 1
    planned = intensity.contacts_per_year_min * observed_days / 365
    planned_due = math.floor(planned + 1e-9)
    planned_max = None
    if intensity.contacts_per_year_max is not None:
        planned_max = intensity.contacts_per_year_max * observed_days / 365

    dates = sorted(digest.contact_dates)
    if dates:
        previous = period.start
        longest, gap_from, gap_to = -1, period.start, period.start
        for day in dates:
            gap = (day - previous).days
            if gap > longest:
                longest, gap_from, gap_to = gap, previous, day
            previous = day
        trailing = (as_of - previous).days
        # On a tie the trailing gap wins: "no contact for N days" is the one to act on.
        trailing_longest = trailing >= longest
        if trailing_longest:
            longest, gap_from, gap_to = trailing, previous, as_of
    else:
        longest, gap_from, gap_to, trailing_longest = observed_days, period.start, as_of, True
    last_contact = digest.last_contact
    days_since = (as_of - last_contact).days if last_contact is not None else None

    gaps = []
    for person in key_people:
        seen = digest.key_last.get(person.id)
        since = (as_of - seen).days if seen is not None else None
        met = person.id in digest.met
        if met and since <= config.key_person_days[person.role]:
            continue
        gaps.append(
            KeyPersonGap(
                contact_id=person.id, name=person.name, role=person.role, influence=person.influence,
                last_met=seen, days_since=since, met_in_period=met,
            )
        )
    gaps.sort(key=lambda g: (-g.influence, g.days_since is not None, -(g.days_since or 0), g.name))

    quarters = quarter_slices(period)
    judged = 0
    below = []
    for (q_start, q_end, full_length), q_held in zip(quarters, digest.quarter_held):
        if q_end > as_of or (q_end - q_start).days + 1 < full_length:
            continue
        judged += 1
        if q_held < intensity.min_per_quarter:
            below.append(QuarterShortfall(q_start, q_end, q_held, intensity.min_per_quarter))

    if intensity.is_zero:
        parts = tuple(Part(name, None) for name in COMPONENT_MEASURES[CADENCE])
    else:
        parts = (
            _plan_part(digest.held, planned_due),
            _gap_part(longest, gap_from, gap_to, trailing_longest, bool(dates), days_since, observed_days, config),
            _key_people_part(key_people, gaps),
            _quarters_part(intensity, judged, below),
        )
    return Cadence(
        take_along=intensity.is_zero, observed_days=observed_days, held=digest.held, contacts=digest.contacts,
        planned=planned, planned_due=planned_due, planned_max=planned_max, longest_gap_days=longest,
        longest_gap_from=gap_from, longest_gap_to=gap_to, last_contact=last_contact, days_since_last_contact=days_since,
        key_people=len(key_people), key_people_gaps=tuple(gaps), quarters_judged=judged,
        quarters_below=tuple(below), parts=parts,
    )


def _plan_part(held: float, planned_due: int) -> Part:
    if planned_due < 1:
        return Part("plan", None)
    value = min(1.0, held / planned_due)
    reasons = (Reason("below_plan", {"held": clean_number(held), "planned": planned_due}),) if value < 1 else ()
    return Part("plan", value, reasons)


def _gap_part(
    longest: int, gap_from: date, gap_to: date, trailing: bool, any_contact: bool,
    days_since: int | None, observed_days: int, config: ConsistencyConfig,
) -> Part:
    threshold = config.gap_days
    if longest <= threshold:
        return Part("gap", 1.0)
    # Full marks up to the red flag, nothing left at twice the red flag.
    value = max(0.0, 1.0 - (longest - threshold) / threshold)
    if not any_contact and days_since is None:
        reason = Reason("no_contact_in_period", {"days": observed_days})
    elif trailing:
        reason = Reason("no_contact_since", {"days": days_since, "threshold": threshold})
    else:
        reason = Reason(
            "longest_gap",
            {"days": longest, "threshold": threshold, "from": gap_from.isoformat(), "to": gap_to.isoformat()},
        )
    return Part("gap", value, (reason,))


def _key_people_part(key_people: Sequence[Contact], gaps: Sequence[KeyPersonGap]) -> Part:
    if not key_people:
        return Part("key_people", None)
    # Influence weighs who matters more; if nobody has any, every person counts the same.
    use_influence = sum(max(0.0, p.influence) for p in key_people) > 0
    weight = (lambda x: max(0.0, x.influence)) if use_influence else (lambda x: 1.0)
    total = sum(weight(p) for p in key_people)
    missing = sum(weight(g) for g in gaps)
    reasons = tuple(_key_person_reason(g) for g in gaps)
    return Part("key_people", 1.0 - missing / total, reasons, tuple(weight(g) for g in gaps))


def _key_person_reason(gap: KeyPersonGap) -> Reason:
    known = {DECISION_MAKER: "decision_maker", INFLUENCER: "influencer"}.get(gap.role)
    if known:
        if gap.days_since is None:
            return Reason(f"{known}_never_met", {"name": gap.name})
        return Reason(f"no_contact_{known}", {"name": gap.name, "days": gap.days_since})
    if gap.days_since is None:
        return Reason("key_person_never_met", {"name": gap.name, "role": gap.role})
    return Reason("no_contact_key_person", {"name": gap.name, "role": gap.role, "days": gap.days_since})


def _quarters_part(intensity: Intensity, judged: int, below: Sequence[QuarterShortfall]) -> Part:
    if intensity.min_per_quarter <= 0 or judged == 0:
        return Part("quarters", None)
    reasons = ()
    if below:
        reasons = (
            Reason("quarters_below_minimum", {"count": len(below), "judged": judged, "minimum": clean_number(intensity.min_per_quarter)}),
        )
    return Part("quarters", 1.0 - len(below) / judged, reasons)


def message_consistency(
    interactions: Iterable[Interaction],
    messages: Iterable[CoreMessage] | MessageSet,
    period: Period,
    today: date,
    config: ConsistencyConfig | None = None,
) -> MessageConsistency:
    """Share of interactions carrying at least one core message valid on the interaction's date,
    messages carried outside that set, and how steady the carried set is over time.

    Steadiness is the mean Jaccard similarity |A∩B| / |A∪B| of the message sets of consecutive
    quarters of the observed period (halves when it spans fewer than two quarters); quarters in
    which no message was carried are skipped, since silence is a cadence matter, not a change of
    message. Needs two such quarters or halves, else it is not applicable."""
    config = config or default_config()
    digest = digest_interactions(interactions, period, today, config, messages=MessageSet.of(messages))
    return messages_from_digest(digest, config)


def messages_from_digest(digest: Digest, config: ConsistencyConfig) -> MessageConsistency:
    """Message consistency from a digest already taken (``message_consistency`` takes it)."""
    n = digest.interactions
    outside = tuple(
        sorted(
            (OutsideMessage(mid, status, count) for mid, (status, count) in digest.outside.items()),
            key=lambda o: (-o.interactions, str(o.message_id)),
        )
    )
    non_empty = [s for s in digest.bucket_sets if s]
    compared = max(0, len(non_empty) - 1)
    steadiness = None
    if compared:
        steadiness = sum(len(a & b) / len(a | b) for a, b in zip(non_empty, non_empty[1:])) / compared
    if n == 0:
        return MessageConsistency(
            interactions=0, with_current=0, share=None, outside_interactions=0, outside=outside,
            steadiness=steadiness, bucket=digest.bucket, buckets_compared=compared,
            parts=tuple(Part(name, None) for name in COMPONENT_MEASURES[MESSAGES]),
        )
    share = digest.with_current / n
    share_value = min(1.0, share / config.message_share_target)
    share_reasons = () if share_value >= 1 else (Reason("low_message_share", {"count": digest.with_current, "total": n}),)
    outside_value = 1.0 - digest.outside_interactions / n
    outside_reasons = ()
    if digest.outside_interactions:
        by_status = {"retired": 0, "not_yet_valid": 0, "unknown": 0}
        for o in outside:
            by_status[o.status] += 1
        outside_reasons = (Reason("outside_messages", {"interactions": digest.outside_interactions, **by_status}),)
    if steadiness is None:
        steadiness_part = Part("steadiness", None)
    else:
        steadiness_value = min(1.0, steadiness / config.steadiness_target)
        steadiness_reasons = ()
        if steadiness_value < 1:
            steadiness_reasons = (Reason("unsteady_messages", {"similarity": round(steadiness, 4), "bucket": digest.bucket}),)
        steadiness_part = Part("steadiness", steadiness_value, steadiness_reasons)
    return MessageConsistency(
        interactions=n, with_current=digest.with_current, share=share, outside_interactions=digest.outside_interactions,
        outside=outside, steadiness=steadiness, bucket=digest.bucket, buckets_compared=compared,
        parts=(Part("share", share_value, share_reasons), Part("outside", outside_value, outside_reasons), steadiness_part),
    )
