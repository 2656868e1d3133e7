"""Aggregates per account manager and for the network, trend and score deltas."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .due import DueContact
from .model import AccountHistory, BANDS, Id, RED
from .results import AccountConsistency


# ---------------------------------------------------------------------------------------------
# Aggregates and trend
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Accounts without a score (period not started) are counted but left out of mean, median and shares."""

    accounts: int
    scored: int
    mean: float | None
    median: float | None
    share_red: float | None
    bands: Mapping[str, int]
    overdue_contacts: int
    due_contacts: int
    manager_changes: int
    key_people_not_met: int


@dataclass(frozen=True)
class Trend:
    """Current minus previous; None where either side has no figure."""

    mean: float | None
    median: float | None
    share_red: float | None
    overdue_contacts: int
    manager_changes: int


def summarize(assessments: Iterable[AccountConsistency], due: Iterable[DueContact] = ()) -> Summary:
    assessments = list(assessments)
    due = list(due)
    scores = [a.score.value for a in assessments if a.score.value is not None]
    bands = {band: 0 for band in BANDS}
    for a in assessments:
        if a.score.band is not None:
            bands[a.score.band] += 1
    return Summary(
        accounts=len(assessments),
        scored=len(scores),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        share_red=bands[RED] / len(scores) if scores else None,
        bands=bands,
        overdue_contacts=sum(1 for d in due if d.overdue),
        due_contacts=len(due),
        manager_changes=sum(a.continuity.changes_in_period for a in assessments),
        key_people_not_met=sum(len(a.cadence.key_people_not_met) for a in assessments),
    )


def summarize_by_manager(
    assessments: Iterable[AccountConsistency], due: Iterable[DueContact] = ()
) -> dict[Id | None, Summary]:
    """One summary per responsible account manager (None: accounts nobody is responsible for)."""
    accounts: dict[Id | None, list[AccountConsistency]] = {}
    for a in assessments:
        accounts.setdefault(a.manager_id, []).append(a)
    dues: dict[Id | None, list[DueContact]] = {}
    for d in due:
        dues.setdefault(d.manager_id, []).append(d)
    return {m: summarize(accounts.get(m, ()), dues.get(m, ())) for m in accounts.keys() | dues.keys()}


def trend(current: Summary, previous: Summary) -> Trend:
    def delta(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    return Trend(
        mean=delta(current.mean, previous.mean),
        median=delta(current.median, previous.median),
        share_red=delta(current.share_red, previous.share_red),
        overdue_contacts=current.overdue_contacts - previous.overdue_contacts,
        manager_changes=current.manager_changes - previous.manager_changes,
    )


def earlier_score(history: AccountHistory, previous: AccountConsistency) -> float | None:
    """The previous period's score as something to compare with, or None when nothing at all had been
    recorded for the account by the end of that period: a first score is new, not a rise from zero."""
    end = previous.period.end
    if any(it.date <= end for it in history.interactions):
        return previous.score.value
    return None


def score_deltas(
    current: Iterable[AccountConsistency], previous: Iterable[AccountConsistency]
) -> dict[Id, float | None]:
    """Per account in ``current``: score now minus score before (None if either is missing)."""
    before = {a.account_id: a.score.value for a in previous}
    out: dict[Id, float | None] = {}
    for a in current:
        old = before.get(a.account_id)
        out[a.account_id] = None if old is None or a.score.value is None else a.score.value - old
    return out
