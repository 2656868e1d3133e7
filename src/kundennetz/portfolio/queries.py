"""Reading the portfolio for a person: the positions they may see, filtered, and what the picture needs.

The strategy shown is always today's, as the one rule decides it (``domain.strategy_today``): a sales
head's valid override as it stands now, otherwise the strategy of the account's cell in the snapshot. The snapshot keeps the strategy that was in force when it was
taken, for history.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, FloatField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Floor, Greatest, Least
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kundennetz.accounts.models import Account
from kundennetz.core.formatting import format_number
from kundennetz.core.permissions import worked_on_by
from kundennetz.domain import portfolio as rules
from kundennetz.domain.portfolio import move_reasons
from kundennetz.domain.portfolio_svg import DENSITY_BINS, DensityGrid, PortfolioDot, SvgLabels, render_portfolio_svg

# Above this many placed accounts the picture is a density grid counted by the database.
LARGEST_NAMED = 12
UNPLACED_LISTED = 20

from . import strategy as today_rule
from .models import AccountPosition, PortfolioSnapshot, current_language
from .permissions import visible

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
        queryset = queryset.filter(account__name__icontains=filters["q"])
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


def cell_counts(queryset, model: rules.ScoringModel, counts: dict | None = None) -> list[dict]:
    """Accounts per cell (and not placed), in the grid's order (`counts` when already known)."""
    if counts is None:
        counts = dict(queryset.order_by().values_list("cell").annotate(n=Count("account_id")))
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


def _bin(field: str):
    square = Cast(Floor(F(field) * Value(DENSITY_BINS / 100.0, output_field=FloatField())), IntegerField())
    return Least(Greatest(square, Value(0)), Value(DENSITY_BINS - 1), output_field=IntegerField())


def _dot(model, account_id, name, att, pos, revenue, cell, abc, override) -> PortfolioDot:
    strategy = override or (model.strategy_for_cell(cell).key if cell else None)
    return PortfolioDot(id=account_id, name=name, attractiveness=att, position=pos,
                        revenue=float(revenue) if revenue is not None else None, strategy=strategy,
                        cell=cell or None, url=reverse("accounts:account_detail", args=[account_id]), abc=abc)


DOT_FIELDS = ("account_id", "account__name", "attractiveness", "position", "account__annual_revenue", "cell",
              "abc_revenue", "account__portfolio_override__strategy")


def density(queryset, model: rules.ScoringModel) -> tuple[DensityGrid, dict[str, int]]:
    """The positions counted per square of the density grid and per cell, by the database (one grouped
    query over the positions, whatever their number, plus the largest and the first unplaced accounts)."""
    placed = queryset.exclude(cell="").filter(attractiveness__isnull=False, position__isnull=False)
    groups = (placed.order_by().annotate(bx=_bin("position"), by=_bin("attractiveness"))
              .values_list("bx", "by", "cell", "account__portfolio_override__strategy").annotate(n=Count("account_id")))
    per_square: dict[tuple[int, int], dict[str | None, int]] = {}
    cells: dict[str, int] = {}
    for bx, by, cell, override, n in groups:
        strategy = override or (model.strategy_for_cell(cell).key if cell else None)
        square = per_square.setdefault((int(bx), int(by)), {})
        square[strategy] = square.get(strategy, 0) + n
        cells[cell] = cells.get(cell, 0) + n
    squares = tuple(sorted((i, j, sum(counts.values()), max(sorted(counts, key=str), key=counts.get))
                           for (i, j), counts in per_square.items()))
    largest = placed.order_by(F("account__annual_revenue").desc(nulls_last=True), "account_id")
    unplaced = queryset.filter(cell="").order_by("account__name_sort", "account_id")
    unplaced_count = unplaced[:10_001].count()
    cells[""] = unplaced_count
    grid = DensityGrid(
        bins=DENSITY_BINS, cells=squares, placed=sum(n for _i, _j, n, _s in squares),
        largest=tuple(_dot(model, *row) for row in largest.values_list(*DOT_FIELDS)[:LARGEST_NAMED]),
        unplaced=tuple(_dot(model, *row) for row in unplaced.values_list(*DOT_FIELDS)[:UNPLACED_LISTED]),
        unplaced_count=unplaced_count)
    return grid, cells


def picture(queryset, snapshot: PortfolioSnapshot, *, previous: PortfolioSnapshot | None,
            max_dots: int, id_prefix: str = "pf", xml_declaration: bool = False) -> tuple[str, int, bool]:
    """The SVG of the positions in `queryset`: (svg, number of dots, aggregated)."""
    svg, count, aggregated, _cells = picture_with_cells(queryset, snapshot, previous=previous, max_dots=max_dots,
                                                        id_prefix=id_prefix, xml_declaration=xml_declaration)
    return svg, count, aggregated


def picture_with_cells(queryset, snapshot: PortfolioSnapshot, *, previous: PortfolioSnapshot | None,
                       max_dots: int, id_prefix: str = "pf", xml_declaration: bool = False):
    """(svg, number of accounts, aggregated, accounts per cell or None). Up to `max_dots` placed accounts
    one dot each; above, a density grid the database counts (no row per account reaches Python)."""
    model = snapshot.model
    placed_probe = queryset.exclude(cell="").order_by()[: max_dots + 1].count()
    if placed_probe > max_dots:
        grid, cells = density(queryset, model)
        labels, lang = svg_labels()
        svg = render_portfolio_svg(model, [], lang=lang, labels=labels, max_dots=max_dots, id_prefix=id_prefix,
                                   xml_declaration=xml_declaration, density=grid)
        return svg, grid.placed + grid.unplaced_count, True, cells
    rows = queryset.order_by().values_list(
        "account_id", "account__name", "attractiveness", "position", "account__annual_revenue", "cell",
        "abc_revenue", "account__portfolio_override__strategy")
    dots = []
    rules_ = today_rule.rules_for(model)
    for account_id, name, att, pos, revenue, cell, abc, override in rows.iterator(chunk_size=10_000):
        strategy = rules_.today(override, cell).key
        dots.append(PortfolioDot(
            id=account_id, name=name, attractiveness=att, position=pos,
            revenue=float(revenue) if revenue is not None else None, strategy=strategy, cell=cell or None,
            url=reverse("accounts:account_detail", args=[account_id]), abc=abc))
    placed = sum(1 for d in dots if d.cell)
    aggregated = placed > max_dots
    moves = []
    if previous is not None and not aggregated and dots:
        old = {
            account_id: rules.SnapshotPoint(att, pos, cell or None)
            for account_id, att, pos, cell in AccountPosition.objects.filter(
                snapshot=previous, account_id__in=queryset.values("account_id")).values_list(
                "account_id", "attractiveness", "position", "cell")
        }
        new = {d.id: rules.SnapshotPoint(d.attractiveness, d.position, d.cell) for d in dots}
        moves = [m for m in rules.compare_snapshots(old, new) if m.new is not None]
    labels, lang = svg_labels()
    svg = render_portfolio_svg(model, dots, lang=lang, labels=labels, movements=moves, max_dots=max_dots,
                               id_prefix=id_prefix, xml_declaration=xml_declaration)
    return svg, len(dots), aggregated, None


MOVES_LISTED = 50


def movements(queryset, snapshot: PortfolioSnapshot, previous: PortfolioSnapshot | None,
              limit: int = MOVES_LISTED) -> tuple[list[dict], int]:
    """(up to ``limit`` moves with names and reasons, how many moved in all) between ``previous`` and
    ``snapshot`` among the positions in ``queryset`` (what the person may see, filtered). Two queries."""
    if previous is None:
        return [], 0
    fields = ("account_id", "attractiveness", "position", "cell", "strategy")
    after = {row[0]: move_reasons.Stored(*row[1:]) for row in queryset.order_by().values_list(*fields)}
    before = {row[0]: move_reasons.Stored(*row[1:]) for row in AccountPosition.objects.filter(
        snapshot=previous, account_id__in=queryset.values("account_id")).order_by().values_list(*fields)}
    model_changed = previous.scoring_model_id != snapshot.scoring_model_id or previous.grid != snapshot.grid
    found = move_reasons.moves(before, after, model_changed=model_changed)
    names_now, names_then = Names(snapshot.model), Names(previous.model)
    accounts = dict(Account.objects.filter(pk__in=[m.account_id for m in found[:limit]]).values_list("pk", "name"))
    listed = [{
        "account_id": m.account_id, "name": accounts.get(m.account_id, ""), "move": m,
        "cell_before": names_then.cell(m.before.cell) if m.before.cell else "",
        "cell_after": names_now.cell(m.after.cell) if m.after.cell else "",
        "strategy_before": names_then.strategy(m.before.strategy) if m.before.strategy else "",
        "strategy_after": names_now.strategy(m.after.strategy) if m.after.strategy else "",
        "reasons": [reason_text(code, m, previous, snapshot) for code in m.reasons],
    } for m in found[:limit]]
    listed.sort(key=lambda item: (item["name"].lower(), item["account_id"]))
    return listed, len(found)


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
