"""Reading the portfolio for a person: the positions they may see, filtered, and what the picture needs.

The strategy shown is always today's, as the one rule decides it (``domain.strategy_today``): a sales
head's valid override as it stands now, otherwise the strategy of the account's cell in the snapshot. The snapshot keeps the strategy that was in force when it was
taken, for history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kundennetz.accounts.filters import search_q
from kundennetz.accounts.models import Account
from kundennetz.core.formatting import format_number
from kundennetz.core.permissions import sees_every_account, worked_on_by
from kundennetz.domain import portfolio as rules
from kundennetz.domain.portfolio import move_reasons
from kundennetz.domain.portfolio_svg import DENSITY_BINS, DensityGrid, PortfolioDot, SvgLabels, render_portfolio_svg

from . import strategy as today_rule
from . import summary
from .models import AccountPosition, PortfolioSnapshot, PositionMove, current_language
from .permissions import visible

# Above the view's limit of dots the picture is a density grid; it names the largest accounts and lists
# the first ones not placed.
LARGEST_NAMED = 12
UNPLACED_LISTED = 20

# Accounts without a rank or score come last either way: SQLite and PostgreSQL disagree where NULL sorts.
ORDERINGS = {
    # A snapshot's order is unique among placed accounts, so the account id only orders the unplaced ones
    # (last): the index (snapshot, order, account) serves the page without sorting a million rows.
    "rank": (F("order").asc(nulls_last=True), "account_id"),
    "-rank": (F("order").desc(nulls_last=True), "account_id"),
    "name": ("account__name", "account_id"),
    "-name": ("-account__name", "account_id"),
    "attractiveness": (F("attractiveness").asc(nulls_last=True), "account_id"),
    "-attractiveness": (F("attractiveness").desc(nulls_last=True), "account_id"),
    "position": (F("position").asc(nulls_last=True), "account_id"),
    "-position": (F("position").desc(nulls_last=True), "account_id"),
}


def positions(user, snapshot: PortfolioSnapshot) -> QuerySet[AccountPosition]:
    """The snapshot's positions of the accounts `user` may see (not those in the trash)."""
    return visible(AccountPosition.objects.filter(snapshot=snapshot), user)


def with_accounts(queryset: QuerySet[AccountPosition]) -> QuerySet[AccountPosition]:
    return queryset.select_related("account", "account__owner", "account__segment", "account__portfolio_override")


def cells_with_strategy(model: rules.ScoringModel, strategy: str) -> list[str]:
    return [c.key for c in model.grid.cells if c.strategy == strategy]


def strategy_q(model: rules.ScoringModel, strategy: str) -> Q:
    """Positions whose strategy today is `strategy` (the one rule, as a filter): overridden to it, or in
    a cell that gives it without a valid override."""
    known = sorted(today_rule.rules_for(model).known)
    valid_override = Q(account__portfolio_override__strategy__in=known)
    return ((Q(account__portfolio_override__strategy=strategy) & valid_override)
            | ((Q(account__portfolio_override__isnull=True) | ~valid_override)
               & Q(cell__in=cells_with_strategy(model, strategy))))


def apply_filters(queryset, filters: dict, *, user, model: rules.ScoringModel):
    """Filters by name: q, segment (a Segment, its code or id), owner (a user or id), abc, cell, strategy, mine."""
    if filters.get("q"):
        # The account list's search (every word in name, city or industry), through its index.
        queryset = queryset.filter(account_id__in=Account.all_objects.filter(
            search_q(Account, filters["q"], queryset.db)).values("pk"))
    segment = filters.get("segment")
    if segment:
        if hasattr(segment, "pk"):
            queryset = queryset.filter(account__segment=segment)
        elif str(segment).isdigit():
            queryset = queryset.filter(account__segment_id=int(segment))
        else:
            queryset = queryset.filter(account__segment__code=segment)
    owner = filters.get("owner")
    if owner:
        queryset = queryset.filter(account__owner_id=getattr(owner, "pk", owner))
    if filters.get("abc"):
        queryset = queryset.filter(abc_revenue=filters["abc"])
    if filters.get("cell"):
        queryset = queryset.filter(cell=filters["cell"])
    if filters.get("strategy"):
        queryset = queryset.filter(strategy_q(model, filters["strategy"]))
    if filters.get("mine"):
        queryset = queryset.filter(account_id__in=worked_on_by(user))
    return queryset


def strategy_today(position: AccountPosition, model: rules.ScoringModel,
                   rules_: today_rule.Rules | None = None) -> tuple[str, bool]:
    """(strategy key, overridden) as the one rule decides it; needs ``account__portfolio_override`` loaded."""
    rules_ = rules_ or today_rule.rules_for(model)
    override = getattr(position.account, "portfolio_override", None) if position.account_id else None
    decided = rules_.today(override.strategy if override is not None else None, position.cell)
    return decided.key or "", decided.overridden


class Names:
    """Cell and strategy names of one model in the current language, without a query per row."""

    def __init__(self, model: rules.ScoringModel):
        self.lang = current_language()
        self.model = model
        self.cells = {c.key: c.name(self.lang) for c in model.grid.cells}
        self.strategies = {k: s.name(self.lang) for k, s in model.strategies.items()}

    def cell(self, key: str) -> str:
        return self.cells.get(key, key)

    def strategy(self, key: str) -> str:
        return self.strategies.get(key, key)

    def color(self, key: str) -> str:
        strategy = self.model.strategies.get(key)
        return strategy.color if strategy else "#777777"


def decorate(rows: Iterable[AccountPosition], model: rules.ScoringModel) -> list[AccountPosition]:
    """Attach what templates show (today's strategy and the names) to each position."""
    names = Names(model)
    rules_ = today_rule.rules_for(model)
    result = []
    for row in rows:
        key, overridden = strategy_today(row, model, rules_)
        row.strategy_key, row.overridden = key, overridden
        row.strategy_name = names.strategy(key) if key else ""
        row.strategy_color = names.color(key)
        row.cell_name = names.cell(row.cell) if row.cell else ""
        result.append(row)
    return result


def cell_counts(model: rules.ScoringModel, counts: dict) -> list[dict]:
    """Accounts per cell (and not placed, key ""), in the grid's order."""
    names = Names(model)
    rows = [{"key": c.key, "name": names.cell(c.key), "strategy": names.strategy(c.strategy),
             "color": names.color(c.strategy), "count": counts.get(c.key, 0)} for c in model.grid.cells]
    rows.append({"key": "", "name": None, "strategy": "", "color": "#ffffff", "count": counts.get("", 0)})
    return rows


def svg_labels():
    """The words of the portfolio picture in the reader's language, and that language (for the names
    of cells and strategies, which the scoring model holds in both)."""
    labels = SvgLabels(
        title=_("Customer portfolio"),
        x_axis=_("Our position"),
        y_axis=_("Customer attractiveness"),
        attractiveness=pgettext("short axis label", "Attractiveness"),
        position=_("Position"),
        legend=_("Strategies"),
        size_note=_("Circle area ~ revenue"),
        movement=_("Cell change since last snapshot"),
        unplaced=_("Not placed, scores missing ({count})"),
        more=_("… and {count} more"),
        aggregated=_("{count} accounts shown as density (more than {max_dots} dots)"),
        density_cell=_("{count} accounts"),
        no_strategy=_("no strategy"),
        number=lambda value: format_number(value, 0),
    )
    return labels, current_language()


@dataclass(frozen=True)
class Selection:
    """What one person looks at on the portfolio page: the snapshot's positions they see, filtered."""

    user: object
    snapshot: PortfolioSnapshot
    previous: PortfolioSnapshot | None
    filters: dict
    positions: QuerySet
    rules: today_rule.Rules

    @property
    def model(self) -> rules.ScoringModel:
        return self.snapshot.model

    @property
    def filtered(self) -> bool:
        return any(self.filters.get(name) for name in self.filters)

    @property
    def whole(self) -> bool:
        """Every account not in the trash, filtered at most by what the snapshot stored or today's strategy:
        the snapshot's stored counts answer it (``summary.live_counts``)."""
        return sees_every_account(self.user) and not any(
            self.filters.get(name) for name in self.filters if name not in summary.STORED_FILTERS)

    @cached_property
    def summary(self) -> summary.SnapshotSummary | None:
        """The snapshot's stored counts, when they were measured against its previous snapshot."""
        return summary.stored_for(self.snapshot, self.previous)

    @property
    def moved(self):
        """Whether a position's account moved since the previous snapshot (an expression over positions):
        from the stored moves, or by comparing the two snapshots where none are stored."""
        return summary.moved_in(self.snapshot, self.previous, stored=self.summary is not None)

    @property
    def one_book(self) -> bool:
        """The accounts of one person (theirs as an account manager, "mine", or one owner's): a few thousand
        at most, read once with what the page needs of each."""
        return one_book(self.user, self.filters)


def one_book(user, filters: dict) -> bool:
    """Whether `user` with `filters` looks at the accounts of one person (see ``Selection.one_book``)."""
    return not sees_every_account(user) or bool(filters.get("mine") or filters.get("owner"))


def select(user, snapshot: PortfolioSnapshot, filters: dict, previous: PortfolioSnapshot | None = ...) -> Selection:
    """The positions of `snapshot` that `user` sees, filtered by `filters` (see ``apply_filters``)."""
    previous = snapshot.previous() if previous is ... else previous
    model = snapshot.model
    return Selection(user, snapshot, previous, filters,
                     apply_filters(positions(user, snapshot), filters, user=user, model=model),
                     today_rule.rules_for(model))


def _dot(rules_: today_rule.Rules, account_id, name, att, pos, revenue, cell, abc, override) -> PortfolioDot:
    return PortfolioDot(id=account_id, name=name, attractiveness=att, position=pos,
                        revenue=float(revenue) if revenue is not None else None,
                        strategy=rules_.today(override, cell).key, cell=cell or None,
                        url=reverse("accounts:account_detail", args=[account_id]), abc=abc)


DOT_FIELDS = ("account_id", "account__name", "attractiveness", "position", "account__annual_revenue", "cell",
              "abc_revenue", "account__portfolio_override__strategy")


@dataclass
class Found:
    """What the page shows of a selection besides names: its counts, and for one person's book the rows
    themselves (``DOT_FIELDS``, then square column and row and whether moved; in the order of the names),
    from which the lists are taken instead of asking the database again."""

    counts: summary.Counts
    rows: list[tuple] | None = None

    @property
    def placed(self) -> int:
        return self.counts.placed


def counts(selection: Selection) -> Found:
    """Accounts per density square, cell and today's strategy, and how many moved, of what the person sees:
    from the snapshot's stored counts and today's few changes when they see every account; from their rows
    when they look at one person's book; else counted over their positions by the database. No request
    reads a row per account of the network."""
    if selection.whole and selection.summary is not None:
        return Found(summary.live_counts(selection.summary, selection.snapshot, selection.rules,
                                         summary.keeps(selection.filters)))
    if selection.one_book:
        rows = list(selection.positions.order_by("account__name_sort", "account_id")
                    .annotate(column=summary.square("position"), row=summary.square("attractiveness"),
                              moved=selection.moved)
                    .values_list(*DOT_FIELDS, "column", "row", "moved"))
        alike = Counter((r[8], r[9], r[5], r[7], bool(r[10])) for r in rows)
        found = summary.Counts()
        for (column, row, cell, override, moved), n in alike.items():
            found.add(column, row, cell, selection.rules.today(override, cell).key, n, n if moved else 0)
        return Found(found, rows)
    return Found(summary.counted(selection.positions, selection.snapshot, selection.rules, selection.moved))


def _by_revenue(row) -> tuple:
    """Largest revenue first, those without one last, then by account (``_largest`` asks the database the same)."""
    revenue = row[4]
    return (revenue is None, -revenue if revenue is not None else 0, row[0])


# Up to this many accounts not placed are read through their own index and sorted; more are found by
# walking the accounts in name order until enough of them have no place (a few hundred steps then).
FEW_UNPLACED = 2_000


def _largest(selection: Selection) -> list[int]:
    """The largest placed accounts of the selection: the accounts walked by revenue (an index), each
    checked for a position in the selection, until enough are found."""
    placed = selection.positions.exclude(cell="").filter(attractiveness__isnull=False, position__isnull=False)
    return list(Account.objects.filter(Exists(placed.filter(account_id=OuterRef("pk"))))
                .order_by(F("annual_revenue").desc(nulls_last=True), "pk").values_list("pk", flat=True)
                [:LARGEST_NAMED])


def _first_unplaced(selection: Selection, count: int) -> list[int]:
    """The first accounts of the selection without a place, by name, of `count` such accounts."""
    without = selection.positions.filter(cell="")
    if selection.filters.get("strategy"):
        # Implied by the strategy filter (no cell, so only an override gives a strategy), but it lets the
        # database start at the few overrides.
        without = without.filter(account__portfolio_override__strategy=selection.filters["strategy"])
    if count <= FEW_UNPLACED:
        ordered = without.order_by("account__name_sort", "account_id").values_list("account_id", flat=True)
    else:
        ordered = (Account.objects.filter(Exists(without.filter(account_id=OuterRef("pk"))))
                   .order_by("name_sort", "pk").values_list("pk", flat=True))
    return list(ordered[:UNPLACED_LISTED])


def _rows_of(selection: Selection, ids: list[int]) -> list[tuple]:
    """The ``DOT_FIELDS`` of these accounts' positions, in the order of `ids`."""
    if not ids:
        return []
    rows = {row[0]: row for row in selection.positions.filter(account_id__in=ids).values_list(*DOT_FIELDS)}
    return [rows[i] for i in ids if i in rows]


def listed(selection: Selection, found: Found, *, largest: bool) -> tuple[list[tuple], list[tuple]]:
    """(the largest placed accounts if `largest`, the first accounts without a place) as ``DOT_FIELDS``
    rows: taken from the book's rows, or found by walking an index a few steps (none when there are none)."""
    if found.rows is not None:
        big = sorted((r for r in found.rows if r[5] and r[8] is not None and r[9] is not None),
                     key=_by_revenue)[:LARGEST_NAMED] if largest else []
        return big, [r for r in found.rows if not r[5]][:UNPLACED_LISTED]
    big = _largest(selection) if largest and found.placed else []
    first = _first_unplaced(selection, found.counts.unplaced) if found.counts.unplaced else []
    rows = _rows_of(selection, big + first)
    return rows[:len(big)], rows[len(big):]


def density(selection: Selection, found: Found) -> DensityGrid:
    """The counted positions as the picture's density grid, with the largest accounts and the first of
    those without a place."""
    largest, unplaced = listed(selection, found, largest=True)
    return DensityGrid(bins=DENSITY_BINS, cells=found.counts.grid(), placed=found.counts.placed,
                       largest=tuple(_dot(selection.rules, *row[:8]) for row in largest),
                       unplaced=tuple(_dot(selection.rules, *row[:8]) for row in unplaced),
                       unplaced_count=found.counts.unplaced)


def picture(selection: Selection, found: Found, *, max_dots: int, id_prefix: str = "pf",
            xml_declaration: bool = False) -> tuple[str, int, bool]:
    """(svg, number of accounts, aggregated) of the selection. Up to `max_dots` placed accounts one dot
    each (and the first of those without a place); above, the density grid of its counts."""
    model = selection.model
    labels, lang = svg_labels()
    total = found.counts.placed + found.counts.unplaced
    if found.placed > max_dots:
        svg = render_portfolio_svg(model, [], lang=lang, labels=labels, max_dots=max_dots, id_prefix=id_prefix,
                                   xml_declaration=xml_declaration, density=density(selection, found))
        return svg, total, True
    placed_positions = selection.positions.exclude(cell="").filter(attractiveness__isnull=False,
                                                                    position__isnull=False)
    if found.rows is not None:
        placed = [r for r in found.rows if r[5] and r[8] is not None and r[9] is not None]
    else:
        placed = list(placed_positions.order_by().values_list(*DOT_FIELDS))
    _none, unplaced = listed(selection, found, largest=False)
    placed.sort(key=lambda row: row[0])
    dots = [_dot(selection.rules, *row[:8]) for row in [*placed, *unplaced]]
    moves = []
    if selection.previous is not None and placed:
        old = {
            account_id: rules.SnapshotPoint(att, pos, cell or None)
            for account_id, att, pos, cell in AccountPosition.objects.filter(
                snapshot=selection.previous, account_id__in=placed_positions.values("account_id")).values_list(
                "account_id", "attractiveness", "position", "cell")
        }
        new = {d.id: rules.SnapshotPoint(d.attractiveness, d.position, d.cell) for d in dots if d.cell}
        moves = [m for m in rules.compare_snapshots(old, new) if m.new is not None]
    svg = render_portfolio_svg(model, dots, lang=lang, labels=labels, movements=moves, max_dots=max_dots,
                               id_prefix=id_prefix, xml_declaration=xml_declaration,
                               unplaced_count=found.counts.unplaced)
    return svg, total, False


MOVES_LISTED = 50


def movements(selection: Selection, found: Found, limit: int = MOVES_LISTED) -> tuple[list[dict], int]:
    """(up to ``limit`` moves with names and reasons, how many moved in all) between the previous snapshot and
    this one among the selection's positions. Which accounts moved is stored with the snapshot: the first
    ``limit`` of them (by account) the person sees are read, then explained by the domain."""
    snapshot, previous = selection.snapshot, selection.previous
    if previous is None:
        return [], 0
    if not found.counts.moved:
        return [], 0
    if found.rows is not None:
        ids = sorted(row[0] for row in found.rows if row[10])[:limit]
    else:
        if selection.summary is None:  # no moves stored: the database compares the two snapshots
            moved = selection.positions.filter(selection.moved)
        else:
            moved = visible(PositionMove.objects.filter(snapshot=snapshot), selection.user)
            if selection.filtered:
                # The moves in account order, each checked against the filters, until enough are found.
                moved = moved.filter(Exists(selection.positions.filter(account_id=OuterRef("account_id"))))
        ids = list(moved.order_by("account_id").values_list("account_id", flat=True)[:limit])
    fields = ("snapshot_id", "account_id", "attractiveness", "position", "cell", "strategy")
    after, before = {}, {}
    for snapshot_id, account_id, *stored in AccountPosition.objects.filter(
            snapshot_id__in=(snapshot.pk, previous.pk), account_id__in=ids).order_by().values_list(*fields):
        (after if snapshot_id == snapshot.pk else before)[account_id] = move_reasons.Stored(*stored)
    model_changed = previous.scoring_model_id != snapshot.scoring_model_id or previous.grid != snapshot.grid
    found_moves = move_reasons.moves(before, after, model_changed=model_changed)
    names_now, names_then = Names(snapshot.model), Names(previous.model)
    accounts = dict(Account.objects.filter(pk__in=ids).values_list("pk", "name"))
    listed = [{
        "account_id": m.account_id, "name": accounts.get(m.account_id, ""), "move": m,
        "cell_before": names_then.cell(m.before.cell) if m.before.cell else "",
        "cell_after": names_now.cell(m.after.cell) if m.after.cell else "",
        "strategy_before": names_then.strategy(m.before.strategy) if m.before.strategy else "",
        "strategy_after": names_now.strategy(m.after.strategy) if m.after.strategy else "",
        "reasons": [reason_text(code, m, previous, snapshot) for code in m.reasons],
    } for m in found_moves]
    listed.sort(key=lambda item: (item["name"].lower(), item["account_id"]))
    return listed, found.counts.moved


def reason_text(code: str, move: move_reasons.Move, previous: PortfolioSnapshot,
                snapshot: PortfolioSnapshot) -> str:
    """One reason of a move in the reader's language."""
    if code == move_reasons.ATTRACTIVENESS:
        return _("attractiveness %(before)s → %(after)s") % {
            "before": format_number(move.before.attractiveness, 0),
            "after": format_number(move.after.attractiveness, 0)}
    if code == move_reasons.POSITION:
        return _("our (supplier) position %(before)s → %(after)s") % {
            "before": format_number(move.before.position, 0), "after": format_number(move.after.position, 0)}
    if code == move_reasons.MODEL:
        return _("scoring model version %(before)s → %(after)s") % {
            "before": previous.scoring_model.version, "after": snapshot.scoring_model.version}
    if code == move_reasons.OVERRIDE:
        return _("strategy override set, changed or removed")
    return _("a score became missing or available")
