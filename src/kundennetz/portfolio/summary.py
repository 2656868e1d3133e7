"""The portfolio page's counts of a snapshot: stored once when the snapshot is taken, brought to today per
request with the few changes since.

A snapshot's positions never change, so how many accounts lie in each density square, cell and ABC class,
and which accounts moved since the snapshot before, are kept with it (``SnapshotSummary``, ``PositionMove``)
by ``store``, which whatever writes a snapshot calls (``services.recompute``, ``kundennetz generate``); a
snapshot without them (taken before they existed, or the snapshot before it changed since) gets them after
the next migration (``store_missing``); until then the page counts its positions and compares them with the
snapshot before (``stored_for`` answers None): reading the page never writes.

What changes after a snapshot is taken: accounts go to the trash and come back, strategies are overridden,
owners and teams change, new accounts appear (they are in no snapshot, so nowhere on the page). For someone
who sees every account, ``live_counts`` corrects the stored counts by the accounts in the trash and the
overridden ones, read through indexes: as many rows as the trash and the overrides hold, whatever the size
of the network. Who sees only some accounts (an account manager: owner and team as they are today), or
filters by the accounts' own fields, gets ``counted``: the positions they see, counted by the database.
Both give the figures counting every visible position of the snapshot now would give (tests).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, FloatField, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Floor, Greatest, Least
from django.utils import timezone

from kundennetz.accounts.models import Account
from kundennetz.domain.portfolio import move_reasons
from kundennetz.domain.portfolio_svg import DENSITY_BINS

from . import strategy as today_rule
from .models import AccountPosition, PortfolioSnapshot, PositionMove, SnapshotSummary, StrategyOverride

# Filters that select by what the snapshot stored (cell, ABC class) or by today's strategy: the stored
# counts answer them too. Filters by the accounts' own fields (name, customer group, owner, mine) do not.
STORED_FILTERS = ("cell", "abc", "strategy")


def square(field_name: str):
    """The density square (0 … DENSITY_BINS-1) of a score column, NULL when the score is missing (on both
    databases: PostgreSQL's GREATEST would turn NULL into 0)."""
    column = F(field_name)
    index = Cast(Floor(column * Value(DENSITY_BINS / 100.0, output_field=FloatField())), IntegerField())
    clamped = Least(Greatest(index, Value(0)), Value(DENSITY_BINS - 1), output_field=IntegerField())
    return Case(When(**{f"{field_name}__isnull": False}, then=clamped), default=None, output_field=IntegerField())


def moved_in(snapshot: PortfolioSnapshot, previous: PortfolioSnapshot | None = None, *,
             stored: bool = True):
    """Whether a position's account moved into ``snapshot`` (an expression over positions): from the moves
    stored with the snapshot, or, where they are not (`stored` false), by comparing with its position in
    `previous` the fields the domain compares."""
    if stored:
        return Exists(PositionMove.objects.filter(snapshot_id=snapshot.pk, account_id=OuterRef("account_id")))
    if previous is None:
        return Value(False)
    differs = Q()
    for name in move_reasons.COMPARED:
        differs |= ~Q(**{name: OuterRef(name)})
    return Exists(AccountPosition.objects.filter(differs, snapshot_id=previous.pk, account_id=OuterRef("account_id")))


# --------------------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """Accounts per density square and today's strategy (placed ones), per cell ("" for those not placed),
    and how many of them moved since the previous snapshot."""

    squares: dict[tuple[int, int], Counter] = field(default_factory=dict)
    cells: Counter = field(default_factory=Counter)
    moved: int = 0

    def add(self, column, row, cell: str, strategy: str | None, n: int, moved: int) -> None:
        """`n` accounts (negative: taken away) of one cell, strategy and square, `moved` of them moved."""
        self.moved += moved
        if not cell:
            self.cells[""] += n
        elif column is not None and row is not None:
            self.squares.setdefault((int(column), int(row)), Counter())[strategy] += n
            self.cells[cell] += n
        # A cell without both scores cannot be drawn; no snapshot writes one, and none is counted.

    @property
    def placed(self) -> int:
        return sum(n for counts in self.squares.values() for n in counts.values())

    @property
    def unplaced(self) -> int:
        return self.cells[""]

    def grid(self) -> tuple[tuple[int, int, int, str | None], ...]:
        """(column, row, accounts, most frequent strategy) per square with accounts, as the picture draws them."""
        result = []
        for (i, j), counts in sorted(self.squares.items()):
            present = {key: n for key, n in counts.items() if n}
            if present:
                result.append((i, j, sum(present.values()), max(sorted(present, key=str), key=present.get)))
        return tuple(result)


Keep = Callable[[str, str, "str | None"], bool]


def keeps(filters: dict) -> Keep:
    """Whether a position of (cell, ABC class, today's strategy) passes the stored filters (see
    ``queries.apply_filters``, which asks the database the same)."""
    cell, abc, strategy = (filters.get(name) or None for name in STORED_FILTERS)
    return lambda c, a, s: (cell is None or c == cell) and (abc is None or a == abc) and (
        strategy is None or s == strategy)


def counted(positions, snapshot: PortfolioSnapshot, rules_: today_rule.Rules, moved=None) -> Counts:
    """The positions of `positions` (what a person sees, filtered) counted by the database: one grouped
    query, whatever their number. `moved`: the expression saying whether one moved (``moved_in``)."""
    moved = moved_in(snapshot) if moved is None else moved
    rows = (positions.order_by()
            .annotate(column=square("position"), row=square("attractiveness"))
            .values_list("column", "row", "cell", "account__portfolio_override__strategy")
            .annotate(n=Count("account_id"), m=Count("account_id", filter=Q(moved))))
    counts = Counts()
    for column, row, cell, override, n, moved in rows:
        counts.add(column, row, cell, rules_.today(override, cell).key, n, moved)
    return counts


def live_counts(summary: SnapshotSummary, snapshot: PortfolioSnapshot, rules_: today_rule.Rules,
                keep: Keep | None = None) -> Counts:
    """Every account of the snapshot not in the trash today, with today's strategy, from the stored counts:
    what ``counted`` gives for someone who sees every account, filtered by `keep` (stored filters only)."""
    keep = keep or (lambda cell, abc, strategy: True)
    counts = Counts()
    cell_strategy = {}
    for column, row, cell, abc, n, moved in summary.groups:
        if cell not in cell_strategy:
            cell_strategy[cell] = rules_.today(None, cell).key
        if keep(cell, abc, cell_strategy[cell]):
            counts.add(column, row, cell, cell_strategy[cell], n, moved)
    # The stored counts hold every position with its cell's strategy; take back the accounts in the trash,
    # and move the overridden ones to their strategy of today.
    for column, row, cell, abc, override, trashed, moved in changed_since(snapshot):
        stored = rules_.today(None, cell).key
        if keep(cell, abc, stored):
            counts.add(column, row, cell, stored, -1, -int(moved))
        if not trashed:
            today = rules_.today(override, cell).key
            if keep(cell, abc, today):
                counts.add(column, row, cell, today, 1, int(moved))
    return counts


def changed_since(snapshot: PortfolioSnapshot):
    """(column, row, cell, ABC class, override, in the trash, moved) of the snapshot's accounts that are in
    the trash or overridden today: one query led by the trash's index and the overrides."""
    changed = (Account.all_objects.filter(deleted_at__isnull=False).order_by().values("pk")
               .union(StrategyOverride.objects.order_by().values("account_id"), all=True))
    return (AccountPosition.objects.filter(snapshot=snapshot, account_id__in=changed).order_by()
            .annotate(column=square("position"), row=square("attractiveness"),
                      trashed=Case(When(account__deleted_at__isnull=False, then=Value(True)), default=Value(False)),
                      moved=moved_in(snapshot))
            .values_list("column", "row", "cell", "abc_revenue", "account__portfolio_override__strategy",
                         "trashed", "moved"))


# --------------------------------------------------------------------------------------------------
# Storing
# --------------------------------------------------------------------------------------------------


def _store_moves(snapshot: PortfolioSnapshot, previous: PortfolioSnapshot | None) -> None:
    """The snapshot's moved accounts, found by the database comparing exactly the fields the domain compares."""
    table = connection.ops.quote_name(PositionMove._meta.db_table)
    positions = connection.ops.quote_name(AccountPosition._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE snapshot_id = %s", [snapshot.pk])
        if previous is None:
            return
        quote = connection.ops.quote_name
        differs = " OR ".join(f"cur.{quote(name)} <> prev.{quote(name)}" for name in move_reasons.COMPARED)
        cursor.execute(
            f"INSERT INTO {table} (snapshot_id, account_id) "
            f"SELECT cur.snapshot_id, cur.account_id FROM {positions} cur "
            f"JOIN {positions} prev ON prev.snapshot_id = %s AND prev.account_id = cur.account_id "
            f"WHERE cur.snapshot_id = %s AND ({differs})", [previous.pk, snapshot.pk])


def _groups(snapshot: PortfolioSnapshot) -> list[list]:
    rows = (AccountPosition.objects.filter(snapshot=snapshot).order_by()
            .annotate(column=square("position"), row=square("attractiveness"))
            .values_list("column", "row", "cell", "abc_revenue")
            .annotate(n=Count("account_id"), m=Count("account_id", filter=moved_in(snapshot))))
    return sorted(([column, row, cell, abc, n, moved] for column, row, cell, abc, n, moved in rows),
                  key=lambda r: (r[0] is None, r[0] or 0, r[1] is None, r[1] or 0, r[2], r[3]))


def store(snapshot: PortfolioSnapshot, previous: PortfolioSnapshot | None = ...) -> SnapshotSummary:
    """Count the snapshot's positions and find its moves since `previous` (default: the snapshot before it),
    replacing what was stored; in the caller's transaction."""
    previous = snapshot.previous() if previous is ... else previous
    with transaction.atomic():
        _store_moves(snapshot, previous)
        groups = _groups(snapshot)
        summary, _created = SnapshotSummary.objects.update_or_create(snapshot=snapshot, defaults={
            "previous_snapshot": previous.pk if previous is not None else None, "groups": groups,
            "moved": sum(row[5] for row in groups), "created_at": timezone.now()})
    return summary


def store_following(snapshot: PortfolioSnapshot) -> None:
    """The snapshot after `snapshot`, if any, counts its moves against it from now on (it was just written,
    possibly in place of another one of its period)."""
    later = (PortfolioSnapshot.objects.exclude(pk=snapshot.pk)
             .filter(Q(period_end__gt=snapshot.period_end)
                     | Q(period_end=snapshot.period_end, created_at__gt=snapshot.created_at))
             .order_by("period_end", "created_at", "id").first())
    if later is not None:
        previous = later.previous()
        if previous is not None and previous.pk == snapshot.pk:
            store(later, snapshot)


def stored_for(snapshot: PortfolioSnapshot, previous: PortfolioSnapshot | None) -> SnapshotSummary | None:
    """The stored counts of the snapshot if they were measured against `previous` (its previous snapshot
    now), else None: the caller counts instead. Only reads."""
    wanted = previous.pk if previous is not None else None
    found = SnapshotSummary.objects.filter(snapshot=snapshot).first()
    return found if found is not None and found.previous_snapshot == wanted else None


def store_missing() -> int:
    """Store the counts of every snapshot that has none, or has them measured against a snapshot that is no
    longer the one before it; returns how many were stored. Run after each migration (the snapshots taken
    before the counts existed) and by ``kundennetz portfolio`` commands that delete snapshots."""
    stored = 0
    for snapshot in PortfolioSnapshot.objects.order_by("period_end", "created_at", "id"):
        previous = snapshot.previous()
        if stored_for(snapshot, previous) is None:
            with transaction.atomic():
                store(snapshot, previous)
            stored += 1
    return stored


def drop_for_account(account_id: int) -> bool:
    """An account deleted for good (not to the trash) leaves the snapshots it was in, and so their stored
    counts: those are dropped (the page counts meanwhile until ``store_missing`` stores them again). Whether
    any were. (Rare: people only ever trash accounts.)"""
    holding = list(AccountPosition.objects.filter(account_id=account_id).values_list("snapshot_id", flat=True))
    if not holding:
        return False
    SnapshotSummary.objects.filter(snapshot_id__in=holding).delete()
    return True
