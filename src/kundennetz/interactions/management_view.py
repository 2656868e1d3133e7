"""The whole network at a glance, read from the stored snapshots.

Scoring 10 000 accounts live takes seconds, so the page reads `ConsistencySnapshot` rows (written
nightly by `kundennetz consistency` and per account whenever an interaction changes). The rows are
the domain's results; `interactions.overview` aggregates them in the database, and this module turns
the figures into the domain's own `Summary` (accounts, scored, mean, median, share red, bands, overdue
and due contacts, manager changes, key people not met — with the same definitions as
`consistency.summarize`) and compares periods with `consistency.trend`. Per account manager the median
is left out (the page shows the mean).

A small network (the laptop, the demo, the tests) is refreshed on the spot when its snapshots are
missing or from an earlier day; up to STORED_OVERVIEW_FROM accounts the rows are aggregated per request;
a larger network shows the overview stored by the last full recompute, as of when, and out of date when
rows or inputs changed since (bench/README.md has the figures).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kundennetz.accounts.models import Account
from kundennetz.core import freshness
from kundennetz.core.models import User
from kundennetz.domain import consistency as dc

from . import overview as overview_store
from . import portfolio_bridge, services
from .paging import id_param

# Up to this many accounts a stale or missing snapshot is recomputed while the page loads (about a
# second); above it the nightly command keeps them (bench/README.md has the figures).
LIVE_REFRESH_LIMIT = 2000
# Up to this many accounts the rows are aggregated per request (under 0.1 s); above, the page reads the
# overview the last full recompute stored (aggregating a million rows takes seconds).
STORED_OVERVIEW_FROM = 20_000
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
    return overview_store.snapshots()


def _accounts_beyond(limit: int) -> bool:
    """More than `limit` accounts, counted no further than limit + 1."""
    return Account.objects.order_by().values("pk")[: limit + 1].count() > limit


def ensure_fresh(today: date | None = None) -> tuple[bool, bool, dict]:
    """(stale, refreshed, state): recompute a small network whose rows are missing, from an earlier day or
    from inputs that changed since; a larger one only says so (the nightly run or the button recomputes)."""
    today = today or timezone.localdate()
    inputs = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    state = overview_store.rows_state(inputs)
    accounts = Account.objects.count()
    stale = overview_store.rows_are_stale(state, accounts, today)
    if stale and accounts <= LIVE_REFRESH_LIMIT:
        services.refresh_snapshots(today)
        return False, True, overview_store.rows_state(freshness.fingerprint(services.SNAPSHOT_INPUTS))
    return stale, False, state


def refresh_if_stale(today: date | None = None) -> bool:
    """Recompute every account's row when any is missing, from an earlier day or from other inputs; when
    the rows hold but the stored overview does not (rows refreshed one by one since), aggregate it anew.
    True when the rows were recomputed."""
    today = today or timezone.localdate()
    inputs = freshness.fingerprint(services.SNAPSHOT_INPUTS)
    accounts = Account.objects.count()
    if overview_store.rows_are_stale(overview_store.rows_state(inputs), accounts, today):
        services.refresh_snapshots(today)  # stores the overview too
        return True
    if overview_store.out_of_date(overview_store.stored(), inputs, today):
        overview_store.store(inputs, accounts, today)
    return False


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


def _day(value) -> date | None:
    return date.fromisoformat(value) if value else None


def overview(today: date | None = None, *, refresh: bool = True) -> Overview:
    """The page's figures: aggregated from the rows on the spot up to STORED_OVERVIEW_FROM accounts (a
    small network's stale rows recomputed first), read from the stored overview above."""
    today = today or timezone.localdate()
    if _accounts_beyond(STORED_OVERVIEW_FROM):
        return _stored_overview(today)
    if refresh:
        stale, refreshed, state = ensure_fresh(today)
    else:
        stale, refreshed, state = False, False, overview_store.rows_state(
            freshness.fingerprint(services.SNAPSHOT_INPUTS))
    # The figures change only when snapshot rows do (every refresh stamps computed_at), so each
    # process keeps the last result for that state; the rows themselves stay the truth.
    fingerprint = "|".join(str(state[name]) for name in ("rows", "computed_at", "as_of", "period_start"))
    key = "interactions-overview-" + hashlib.sha1(f"{fingerprint}|{get_language()}".encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = _build(overview_store.aggregate(state))
        cache.set(key, result, CACHE_SECONDS)
    result.stale, result.refreshed = stale, refreshed
    return result


def _stored_overview(today: date) -> Overview:
    stored = overview_store.stored()
    stale = overview_store.out_of_date(stored, freshness.fingerprint(services.SNAPSHOT_INPUTS), today)
    if stored is None:
        return _build({}, stale=True)
    key = "interactions-stored-overview-" + hashlib.sha1(
        f"{stored.computed_at.isoformat()}|{get_language()}".encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = _build(stored.figures, computed_at=stored.computed_at)
        cache.set(key, result, CACHE_SECONDS)
    result.stale, result.refreshed = stale, False
    return result


def _build(figures: dict, *, computed_at=None, stale: bool = False) -> Overview:
    """The page's overview from `overview_store.aggregate`'s figures (stored or just taken)."""
    rows = figures.get("managers", [])
    total = _total(rows)
    network = _summary(total, median=figures.get("median"))
    network_previous = _summary(total, "_previous", median=figures.get("median_previous"))
    users = User.objects.in_bulk([row["manager_id"] for row in rows if row["manager_id"] is not None])
    managers = []
    for row in rows:
        summary, before = _summary(row), _summary(row, "_previous")
        managers.append(ManagerRow(users.get(row["manager_id"]), summary, before, dc.trend(summary, before),
                                   row["dms"] or 0, row["dms_covered"] or 0))
    managers.sort(key=lambda row: (row.manager is None, str(row.manager or "")))
    names = portfolio_bridge.strategy_names()
    strategies = sorted(figures.get("strategies", {}).items(),
                        key=lambda item: (item[0] == "", names.get(item[0], item[0])))
    start = _day(figures.get("period_start"))
    period = dc.Period(start, _day(figures.get("period_end"))) if start else None
    rows_computed = figures.get("computed_at")
    return Overview(
        as_of=_day(figures.get("as_of")),
        computed_at=computed_at or (datetime.fromisoformat(rows_computed) if rows_computed else None),
        period=period, previous_period=dc.previous_period(period) if period else None,
        network=network, previous=network_previous, trend=dc.trend(network, network_previous),
        managers=managers, histogram=figures.get("histogram", [0] * overview_store.HISTOGRAM_BINS),
        strategies=strategies,
        decision_makers=total.get("dms", 0), decision_makers_covered=total.get("dms_covered", 0),
        stale=stale, refreshed=False, strategy_names=names,
    )


SORTS = {
    # The account id breaks ties of a score (many accounts share the lowest), so that the (score, account)
    # and (band, score, account) indexes serve the order without sorting the network or the band.
    "score": ("score",),
    "-score": ("-score",),
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
    # Unscored accounts (no period yet) go last whichever way the scores are sorted, as a tie-breaker too
    # (the export reads the same order batch by batch, see core.keyset.batches).
    keys = []
    for name in order:
        if name.lstrip("-") in ("score", "delta"):
            expression = F(name.lstrip("-"))
            name = expression.desc(nulls_last=True) if name.startswith("-") else expression.asc(nulls_last=True)
        keys.append(name)
    descending = order[0].startswith("-")
    # The tie-breaker runs the first key's way: one index read backwards serves "best first" too.
    return rows.order_by(*keys, "-account_id" if descending and len(order) == 1 else "account_id")


def recent_changes(limit: int = 15):
    """Accounts whose responsible account manager changed in the period, latest change first."""
    # A change always has its day; the order is that of the partial index `consistency_latest_change`.
    return (snapshots().filter(manager_changes__gt=0, manager_since__isnull=False)
            .select_related("account", "manager").order_by("-manager_since", "account_id")[:limit])
