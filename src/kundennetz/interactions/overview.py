"""The whole network's consistency figures, aggregated from the stored rows, and the stored overview.

`aggregate` turns the `ConsistencySnapshot` rows of the accounts not in the trash into plain figures
(per account manager: counts, sums and means of the current and the previous period; the network's
medians, the histogram of scores, bands per strategy) in a few aggregate queries. The management view
builds its page from them (`management_view`). A small network is aggregated per request; a large one
reads the figures `store` wrote after the last full recompute (`services.refresh_snapshots`), so no
request aggregates a million rows, and `out_of_date` says when rows were written or inputs changed since.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime

from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.utils import timezone

from kundennetz.core.permissions import of_live_accounts
from kundennetz.domain import consistency as dc

from .models import ConsistencyOverview, ConsistencySnapshot

HISTOGRAM_BINS = 10
MEAN_DIGITS = 9  # the stored means are rounded to this many decimals (see ``aggregate``)


def snapshots():
    """The stored rows of accounts not in the trash."""
    return of_live_accounts(ConsistencySnapshot.objects.all())


def rows_state(inputs: str = "") -> dict:
    """The rows' extent in one aggregate; ``other_inputs`` counts rows computed from other inputs than now."""
    return snapshots().aggregate(rows=Count("pk"), oldest=Min("as_of"), as_of=Max("as_of"),
                                 computed_at=Max("computed_at"), period_start=Max("period_start"),
                                 period_end=Max("period_end"), other_inputs=Count("pk", filter=~Q(inputs=inputs)))


def rows_are_stale(state: dict, accounts: int, today: date) -> bool:
    """Rows missing, computed on an earlier day, or from inputs that changed since (``core.freshness``)."""
    return (state["rows"] < accounts or (state["oldest"] is not None and state["oldest"] < today)
            or bool(state["other_inputs"]))


def _figures(suffix: str = "") -> dict:
    """Aggregates of the current period's columns, or with suffix "_previous" of the period before."""
    score, band = f"score{suffix}", f"band{suffix}"
    figures = {
        "accounts": Count("pk"), "scored": Count(score), "mean": Avg(score),
        **{b: Count("pk", filter=Q(**{band: b})) for b in dc.BANDS},
        "changes": Sum(f"manager_changes{suffix}"), "not_met": Sum(f"key_people_not_met{suffix}"),
    }
    if not suffix:
        figures.update(overdue=Sum("overdue_contacts"), due=Sum("due_contacts"), dms=Sum("decision_makers"),
                       dms_covered=Sum("decision_makers_covered"))
    return {f"{name}{suffix}": value for name, value in figures.items()}


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def aggregate(state: dict) -> dict:
    """The figures of every row, as plain JSON values (dates as ISO text): ``managers`` (one dict of
    aggregates per account manager, ``manager_id`` None for accounts nobody is responsible for),
    ``median`` and ``median_previous``, ``histogram`` (HISTOGRAM_BINS counts of scores), ``strategies``
    (strategy → band or "none" → count) and the rows' extent (``as_of``, ``computed_at``, the period)."""
    figures = {**_figures(), **_figures("_previous")}
    managers = list(snapshots().values("manager_id").order_by().annotate(**figures))
    for row in managers:
        # A float mean depends on the order the database added the scores in (its plan, its workers) in
        # the last digits: rounded, the same rows always give the same stored figure.
        for name in ("mean", "mean_previous"):
            if row[name] is not None:
                row[name] = round(row[name], MEAN_DIGITS)
    # One pass over the scores gives both medians and the histogram (10 000 floats: a few milliseconds).
    scores, previous_scores = [], []
    bins = [0] * HISTOGRAM_BINS
    for score, before in snapshots().values_list("score", "score_previous").iterator(chunk_size=10_000):
        if score is not None:
            scores.append(score)
            bins[min(HISTOGRAM_BINS - 1, max(0, int(score // (100 / HISTOGRAM_BINS))))] += 1
        if before is not None:
            previous_scores.append(before)
    strategies: dict[str, dict] = {}
    for strategy, band, n in (snapshots().values("strategy", "band").order_by().annotate(n=Count("pk"))
                              .values_list("strategy", "band", "n")):
        strategies.setdefault(strategy, {})[band or "none"] = n
    return {
        "managers": managers,
        "median": statistics.median(scores) if scores else None,
        "median_previous": statistics.median(previous_scores) if previous_scores else None,
        "histogram": bins,
        "strategies": strategies,
        **{name: _iso(state.get(name)) for name in ("as_of", "computed_at", "period_start", "period_end")},
    }


def store(inputs: str, accounts: int, today: date | None = None) -> ConsistencyOverview:
    """Aggregate the rows now and keep the result as the one stored overview (after a full recompute,
    and by the nightly freshness run when rows changed since)."""
    today = today or timezone.localdate()
    state = rows_state(inputs)
    figures = aggregate(state)
    overview, _created = ConsistencyOverview.objects.update_or_create(pk=1, defaults={
        "computed_at": timezone.now(), "as_of": today, "inputs": inputs, "rows_until": state["computed_at"],
        "rows_stale": rows_are_stale(state, accounts, today), "figures": figures,
    })
    return overview


def stored() -> ConsistencyOverview | None:
    return ConsistencyOverview.objects.filter(pk=1).first()


def newest_row() -> datetime | None:
    """When the newest row was written (an index step; rows of trashed accounts count too — they are
    dropped by the next full run, which writes a new overview anyway)."""
    return ConsistencySnapshot.objects.aggregate(newest=Max("computed_at"))["newest"]


def out_of_date(overview: ConsistencyOverview | None, inputs: str, today: date) -> bool:
    """Missing; taken on an earlier day; from rows that were already out of date; inputs changed since;
    or a row written after it."""
    if overview is None:
        return True
    newest = newest_row()
    return (overview.rows_stale or overview.as_of < today or overview.inputs != inputs
            or (newest is not None and (overview.rows_until is None or newest > overview.rows_until)))
