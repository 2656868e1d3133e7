"""The whole network at a glance, read from the stored snapshots.

Scoring 10 000 accounts live takes seconds, so the page reads `ConsistencySnapshot` rows (written
nightly by `kundennetz consistency` and per account whenever an interaction changes). The rows are
the domain's results; this module only aggregates them, in the database, into the domain's own
`Summary` (accounts, scored, mean, median, share red, bands, overdue and due contacts, manager
changes, key people not met — with the same definitions as `consistency.summarize`) and compares
periods with `consistency.trend`. A few aggregate queries instead of 10 000 rows in Python keep the
page fast (bench/README.md). Per account manager the median is left out (the page shows the mean).

A small network (the laptop, the demo, the tests) is refreshed on the spot when its snapshots are
missing or from an earlier day; a large one shows when it was computed.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, F, Max, Min, Q, Sum
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kundennetz.core.permissions import of_live_accounts
from kundennetz.accounts.models import Account
from kundennetz.core import freshness
from kundennetz.core.models import User
from kundennetz.domain import consistency as dc

from . import portfolio_bridge, services
from .models import ConsistencySnapshot
from .paging import id_param

# Up to this many accounts a stale or missing snapshot is recomputed while the page loads (about a
# second); above it the nightly command keeps them (bench/README.md has the figures).
LIVE_REFRESH_LIMIT = 2000
HISTOGRAM_BINS = 10
CACHE_SECONDS = 600


@dataclass
class ManagerRow:
    manager: User | None
    summary: dc.Summary
    previous: dc.Summary
    trend: dc.Trend
    decision_makers: int = 0
    decision_makers_covered: int = 0

    @property
    def coverage(self) -> float | None:
        return self.decision_makers_covered / self.decision_makers if self.decision_makers else None

    @property
    def name(self) -> str:
        return str(self.manager) if self.manager is not None else _("Nobody responsible")


@dataclass
class Overview:
    as_of: date | None
    computed_at: object
    period: dc.Period | None
    previous_period: dc.Period | None
    network: dc.Summary
    previous: dc.Summary
    trend: dc.Trend
    managers: list[ManagerRow]
    histogram: list[int]
    strategies: list[tuple[str, dict]]
    decision_makers: int
    decision_makers_covered: int
    stale: bool
    refreshed: bool = False
    strategy_names: dict = field(default_factory=dict)

    @property
    def coverage(self) -> float | None:
        return self.decision_makers_covered / self.decision_makers if self.decision_makers else None

    @property
    def status(self) -> freshness.AsOf:
        """As of the newest row, out of date when rows are missing, old or from other inputs."""
        return freshness.AsOf(when=self.computed_at, out_of_date=self.stale)


def snapshots():
    """The stored rows of accounts not in the trash."""
    return of_live_accounts(ConsistencySnapshot.objects.all())


def _state(inputs: str = ""):
    """The rows' extent in one aggregate; ``other_inputs`` counts rows computed from other inputs than now."""
    return snapshots().aggregate(rows=Count("pk"), oldest=Min("as_of"), as_of=Max("as_of"),
                                 computed_at=Max("computed_at"), period_start=Max("period_start"),
                                 period_end=Max("period_end"), other_inputs=Count("pk", filter=~Q(inputs=inputs)))


def is_stale(state: dict, accounts: int, today: date) -> bool:
    """Rows missing, computed on an earlier day, or from inputs that changed since (``core.freshness``)."""
    return (state["rows"] < accounts or (state["oldest"] is not None and state["oldest"] < today)
            or bool(state["other_inputs"]))


def ensure_fresh(today: date | None = None) -> tuple[bool, bool, dict]:
    """(stale, refreshed, state): recompute a small network whose rows are missing, from an earlier day or
    from inputs that changed since; a large one only says so (the nightly run or the button recomputes)."""
    today = today or timezone.localdate()
    inputs = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    state = _state(inputs)
    accounts = Account.objects.count()
    stale = is_stale(state, accounts, today)
    if stale and accounts <= LIVE_REFRESH_LIMIT:
        services.refresh_snapshots(today)
        return False, True, _state(freshness.fingerprint(services.SNAPSHOT_INPUTS))
    return stale, False, state


def refresh_if_stale(today: date | None = None) -> bool:
    """Recompute every account's row when any is missing, from an earlier day or from other inputs."""
    today = today or timezone.localdate()
    state = _state(freshness.fingerprint(services.SNAPSHOT_INPUTS))
    if not is_stale(state, Account.objects.count(), today):
        return False
    services.refresh_snapshots(today)
    return True


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


def _summary(row: dict, suffix: str = "", median: float | None = None) -> dc.Summary:
    get = lambda name: row.get(f"{name}{suffix}") or 0  # noqa: E731 - SUM of no rows is NULL
    scored = get("scored")
    bands = {b: get(b) for b in dc.BANDS}
    return dc.Summary(
        accounts=get("accounts"), scored=scored, mean=row.get(f"mean{suffix}") if scored else None,
        median=median, share_red=bands[dc.RED] / scored if scored else None, bands=bands,
        overdue_contacts=0 if suffix else get("overdue"), due_contacts=0 if suffix else get("due"),
        manager_changes=get("changes"), key_people_not_met=get("not_met"),
    )


def _total(rows: list[dict]) -> dict:
    """The network's figures from the per-manager groups: counts and sums add, means weigh by scored."""
    total: dict = {}
    for row in rows:
        for key, value in row.items():
            if key == "manager_id" or key.startswith("mean"):
                continue
            total[key] = total.get(key, 0) + (value or 0)
    for suffix in ("", "_previous"):
        scored = total.get(f"scored{suffix}", 0)
        weighted = sum((row[f"mean{suffix}"] or 0) * (row[f"scored{suffix}"] or 0) for row in rows)
        total[f"mean{suffix}"] = weighted / scored if scored else None
    return total


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def overview(today: date | None = None, *, refresh: bool = True) -> Overview:
    if refresh:
        stale, refreshed, state = ensure_fresh(today)
    else:
        stale, refreshed, state = False, False, _state(freshness.fingerprint(services.SNAPSHOT_INPUTS))
    # The figures change only when snapshot rows do (every refresh stamps computed_at), so each
    # process keeps the last result for that state; the rows themselves stay the truth.
    fingerprint = "|".join(str(state[name]) for name in ("rows", "computed_at", "as_of", "period_start"))
    key = "interactions-overview-" + hashlib.sha1(f"{fingerprint}|{get_language()}".encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = _overview(state)
        cache.set(key, result, CACHE_SECONDS)
    result.stale, result.refreshed = stale, refreshed
    return result


def _overview(state: dict) -> Overview:
    figures = {**_figures(), **_figures("_previous")}
    rows = list(snapshots().values("manager_id").order_by().annotate(**figures))
    total = _total(rows)
    # One pass over the scores gives both medians and the histogram (10 000 floats: a few milliseconds).
    scores, previous_scores = [], []
    bins = [0] * HISTOGRAM_BINS
    for score, before in snapshots().values_list("score", "score_previous"):
        if score is not None:
            scores.append(score)
            bins[min(HISTOGRAM_BINS - 1, max(0, int(score // (100 / HISTOGRAM_BINS))))] += 1
        if before is not None:
            previous_scores.append(before)
    network = _summary(total, median=_median(scores))
    network_previous = _summary(total, "_previous", median=_median(previous_scores))
    users = User.objects.in_bulk([row["manager_id"] for row in rows if row["manager_id"] is not None])
    managers = []
    for row in rows:
        summary, before = _summary(row), _summary(row, "_previous")
        managers.append(ManagerRow(users.get(row["manager_id"]), summary, before, dc.trend(summary, before),
                                   row["dms"] or 0, row["dms_covered"] or 0))
    managers.sort(key=lambda row: (row.manager is None, str(row.manager or "")))
    by_strategy: dict[str, dict] = {}
    for strategy, band, n in (snapshots().values("strategy", "band").order_by().annotate(n=Count("pk"))
                              .values_list("strategy", "band", "n")):
        by_strategy.setdefault(strategy, {})[band or "none"] = n
    names = portfolio_bridge.strategy_names()
    strategies = sorted(by_strategy.items(), key=lambda item: (item[0] == "", names.get(item[0], item[0])))
    period = dc.Period(state["period_start"], state["period_end"]) if state["period_start"] else None
    return Overview(
        as_of=state["as_of"], computed_at=state["computed_at"], period=period,
        previous_period=dc.previous_period(period) if period else None,
        network=network, previous=network_previous, trend=dc.trend(network, network_previous),
        managers=managers, histogram=bins, strategies=strategies,
        decision_makers=total.get("dms", 0), decision_makers_covered=total.get("dms_covered", 0),
        stale=False, refreshed=False, strategy_names=names,
    )


SORTS = {
    "score": ("score", "account__name"),
    "-score": ("-score", "account__name"),
    "delta": ("delta", "account__name"),
    "-delta": ("-delta", "account__name"),
    "name": ("account__name", "account_id"),
    "overdue": ("-overdue_contacts", "score"),
    "changes": ("-manager_changes", "score"),
}


def account_rows(*, band: str = "", manager: str = "", strategy: str | None = None, sort: str = "score"):
    """Snapshot rows for the accounts table and the export, worst first unless asked otherwise."""
    rows = snapshots().select_related("account", "manager").annotate(delta=F("score") - F("score_previous"))
    if band in dc.BANDS:
        rows = rows.filter(band=band)
    elif band == "none":
        rows = rows.filter(band="")
    if manager == "none":
        rows = rows.filter(manager__isnull=True)
    elif id_param(manager):
        rows = rows.filter(manager_id=id_param(manager))
    if strategy is not None:
        rows = rows.filter(strategy=strategy)
    order = SORTS.get(sort, SORTS["score"])
    # Unscored accounts (no period yet) go last whichever way the scores are sorted.
    first, *rest = order
    if first.lstrip("-") in ("score", "delta"):
        expression = F(first.lstrip("-"))
        first = expression.desc(nulls_last=True) if first.startswith("-") else expression.asc(nulls_last=True)
    return rows.order_by(first, *rest, "account_id")


def recent_changes(limit: int = 15):
    """Accounts whose responsible account manager changed in the period, latest change first."""
    return (snapshots().filter(manager_changes__gt=0).select_related("account", "manager")
            .order_by(F("manager_since").desc(nulls_last=True), "account_id")[:limit])
