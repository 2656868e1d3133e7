"""The customer portfolio as a standalone SVG picture: a pure function of the model and the dots.

One circle per placed account (area grows with revenue, colour = strategy, hover shows name and
scores, a link opens the account), arrows for movement since the last snapshot, a legend, and the
accounts that cannot be placed listed beside the picture instead of being drawn at 0. Above
``max_dots`` the picture shows a density grid instead, because a browser chokes on 100k elements
and a cloud of overlapping dots says nothing anyway. All text comes in from the caller (localised);
every piece of it is XML-escaped here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from kundennetz.domain.portfolio import AccountId, AccountResult, Movement, ScoringModel

NAMED_DOTS = 8  # the largest accounts (by revenue) carry their name on the picture
DEFAULT_MAX_DOTS = 10_000
FALLBACK_COLOR = "#777777"
DENSITY_BINS = 20

# Characters XML 1.0 forbids outright; imported names do contain them now and then, and one of them
# would make the whole picture unparseable.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SAFE_SCHEMES = ("", "http", "https")


@dataclass(frozen=True, slots=True)
class PortfolioDot:
    """One account as the picture needs it; a None score means the account cannot be placed."""

    id: AccountId
    name: str
    attractiveness: float | None
    position: float | None
    revenue: float | None = None
    strategy: str | None = None
    cell: str | None = None
    url: str | None = None
    abc: str | None = None


def _default_number(value: float) -> str:
    return f"{value:.0f}"


@dataclass(frozen=True, slots=True)
class SvgLabels:
    """Every word of the picture. ``{count}`` and ``{max_dots}`` are filled in where they appear."""

    title: str
    x_axis: str
    y_axis: str
    attractiveness: str
    position: str
    legend: str
    size_note: str
    movement: str
    unplaced: str
    more: str
    aggregated: str
    density_cell: str
    no_strategy: str
    number: Callable[[float], str] = _default_number


def dots_from_results(
    results: Iterable[AccountResult],
    url_for: Callable[[AccountResult], str | None] | None = None,
) -> list[PortfolioDot]:
    return [
        PortfolioDot(
            id=r.id,
            name=r.name,
            attractiveness=r.attractiveness.score,
            position=r.position.score,
            revenue=r.revenue,
            strategy=r.strategy,
            cell=r.cell,
            url=url_for(r) if url_for else None,
            abc=r.abc_revenue,
        )
        for r in results
    ]


def _text(value: object) -> str:
    text = _INVALID_XML.sub("", str(value))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _safe_url(url: str | None) -> str | None:
    """Only links that navigate: a ``javascript:`` link in a customer's record must not run."""
    if not url:
        return None
    url = _INVALID_XML.sub("", url).strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in _SAFE_SCHEMES else None


def _wrap(text: str, width: float, char_width: float, max_lines: int = 2) -> list[str]:
    """Break at spaces to fit a cell; SVG 1.1 text does not wrap by itself. Widths are estimates."""
    limit = max(int(width / char_width), 4)
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: limit - 1].rstrip() + "…"
    return [line if len(line) <= limit else line[: limit - 1] + "…" for line in lines]


def _f(value: float) -> str:
    return f"{value:.1f}"


def _placed(dot: PortfolioDot) -> bool:
    return all(
        v is not None and not math.isnan(v) for v in (dot.attractiveness, dot.position)
    )


class _Frame:
    """Maps scores 0..100 to picture coordinates: position to the right, attractiveness upwards."""

    def __init__(self, left: float, top: float, width: float, height: float) -> None:
        self.left, self.top, self.width, self.height = left, top, width, height

    def x(self, position: float) -> float:
        return self.left + min(max(position, 0.0), 100.0) / 100.0 * self.width

    def y(self, attractiveness: float) -> float:
        return self.top + (1.0 - min(max(attractiveness, 0.0), 100.0) / 100.0) * self.height


def _named_labels(placed, radius, frame: _Frame) -> dict[int, str]:
    """Which of the largest dots carry their name, and on which side ("right" or "left"): a name goes
    where it stays inside the plot and overlaps no name placed before it; otherwise it shows only on
    hover and focus."""
    boxes: list[tuple[float, float, float, float]] = []
    chosen: dict[int, str] = {}
    for d in sorted((d for d in placed if d.revenue), key=radius, reverse=True):
        if len(chosen) == NAMED_DOTS:
            break
        cx, cy, r = frame.x(d.position), frame.y(d.attractiveness), radius(d)
        width = len(d.name) * 6.4 + 4
        for side, x0 in (("right", cx + r + 3), ("left", cx - r - 3 - width)):
            box = (x0, cy - 7, x0 + width, cy + 6)
            inside = frame.left <= box[0] and box[2] <= frame.left + frame.width
            clear = all(box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1] for b in boxes)
            if inside and clear:
                boxes.append(box)
                chosen[id(d)] = side
                break
    return chosen


def render_portfolio_svg(
    model: ScoringModel,
    dots: Sequence[PortfolioDot],
    *,
    labels: SvgLabels,
    lang: str = "de",
    movements: Iterable[Movement] = (),
    max_dots: int = DEFAULT_MAX_DOTS,
    width: int = 960,
    height: int = 640,
    max_unplaced_listed: int = 20,
    id_prefix: str = "kn",
    xml_declaration: bool = True,
    density: DensityGrid | None = None,
    unplaced_count: int | None = None,
) -> str:
    """The portfolio picture as a complete SVG document.

    Cell and strategy names come from the model in ``lang``; every other word from ``labels`` (the
    adapter's, in the reader's language: the domain has none of its own). ``id_prefix`` keeps ids unique when several pictures share a page;
    ``xml_declaration=False`` for inlining into HTML. ``unplaced_count``: how many accounts cannot be placed
    when ``dots`` holds only the first of them (default: those in ``dots``; a density grid counts its own).
    """
    if max_dots < 0:
        raise ValueError("max_dots must not be negative")
    prefix = re.sub(r"[^A-Za-z0-9_-]", "", id_prefix) or "kn"
    grid = model.grid
    legend_width = 250
    frame = _Frame(72.0, 64.0, width - 72.0 - legend_width - 24.0, height - 64.0 - 56.0)

    if density is not None:
        # Counted by the database: only the largest accounts and the first unplaced ones come as dots.
        dots = [*density.largest, *density.unplaced]
    placed = [d for d in dots if _placed(d)]
    unplaced = [d for d in dots if not _placed(d)]
    aggregated = density is not None or len(placed) > max_dots
    placed_count = density.placed if density is not None else len(placed)
    # Arrows only for accounts in the picture: a filter that hides an account hides its arrow too.
    shown_ids = {d.id for d in placed}
    arrows = [m for m in movements if m.drawable and m.account_id in shown_ids]
    draw_arrows = bool(arrows) and not aggregated and len(arrows) <= max_dots

    def color(strategy: str | None) -> str:
        s = model.strategies.get(strategy) if strategy else None
        return s.color if s else FALLBACK_COLOR

    def strategy_name(strategy: str | None) -> str:
        s = model.strategies.get(strategy) if strategy else None
        return s.name(lang) if s else labels.no_strategy

    out: list[str] = []
    if xml_declaration:
        out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="{"group" if any(_safe_url(d.url) for d in dots) else "img"}" aria-labelledby="{prefix}-title" '
        f'class="portfolio" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">'
    )
    out.append(f'<title id="{prefix}-title">{_text(labels.title)}</title>')
    out.append('<style>.dot-name{visibility:hidden;pointer-events:none}.dot-name.named,a:hover .dot-name,'
               'a:focus .dot-name,.dot-item:hover .dot-name{visibility:visible}</style>')
    out.append(
        f'<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>'
    )
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    out.append(f'<text x="{_f(frame.left)}" y="24" font-size="16" font-weight="bold">{_text(labels.title)}</text>')
    if aggregated:
        note = labels.aggregated.format(count=placed_count, max_dots=max_dots)
        out.append(f'<text class="note" x="{_f(frame.left)}" y="44" fill="#b35806">{_text(note)}</text>')

    # Cells: background tinted with the strategy's colour; their names come later, above the dots.
    a_limits = (0.0, *grid.attractiveness_thresholds, 100.0)
    p_limits = (0.0, *grid.position_thresholds, 100.0)
    boxes = []
    out.append('<g class="cells">')
    for cell in grid.cells:
        x0, x1 = frame.x(p_limits[cell.position_band]), frame.x(p_limits[cell.position_band + 1])
        y0, y1 = frame.y(a_limits[cell.attractiveness_band + 1]), frame.y(a_limits[cell.attractiveness_band])
        boxes.append((cell, x0, y0, x1 - x0))
        out.append(
            f'<rect class="cell" data-cell="{_text(cell.key)}" x="{_f(x0)}" y="{_f(y0)}" '
            f'width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" fill="{color(cell.strategy)}" '
            f'fill-opacity="0.10" stroke="#bbbbbb"/>'
        )
    out.append("</g>")

    # Axes with ticks at the ends and at every threshold, so the boundaries can be read off.
    bottom = frame.top + frame.height
    out.append('<g class="axes" stroke="#333">')
    out.append(f'<line x1="{_f(frame.left)}" y1="{_f(bottom)}" x2="{_f(frame.left + frame.width)}" y2="{_f(bottom)}"/>')
    out.append(f'<line x1="{_f(frame.left)}" y1="{_f(frame.top)}" x2="{_f(frame.left)}" y2="{_f(bottom)}"/>')
    out.append("</g>")
    out.append('<g class="ticks" font-size="10" fill="#333">')
    for value in sorted(set(p_limits)):
        out.append(f'<text x="{_f(frame.x(value))}" y="{_f(bottom + 14)}" text-anchor="middle">{_text(labels.number(value))}</text>')
    for value in sorted(set(a_limits)):
        out.append(f'<text x="{_f(frame.left - 6)}" y="{_f(frame.y(value) + 3)}" text-anchor="end">{_text(labels.number(value))}</text>')
    out.append("</g>")
    out.append(
        f'<text class="axis-label" x="{_f(frame.left + frame.width / 2)}" y="{_f(bottom + 36)}" '
        f'text-anchor="middle" font-weight="bold">{_text(labels.x_axis)} →</text>'
    )
    cy = frame.top + frame.height / 2
    out.append(
        f'<text class="axis-label" x="{_f(frame.left - 44)}" y="{_f(cy)}" text-anchor="middle" font-weight="bold" '
        f'transform="rotate(-90 {_f(frame.left - 44)} {_f(cy)})">{_text(labels.y_axis)} →</text>'
    )

    if density is not None:
        out.extend(_density_rects(model, density.cells, density.bins, frame, labels))
        out.extend(_largest_names(placed, frame))
    elif aggregated:
        out.extend(_density(model, placed, frame, labels))
    else:
        out.extend(_circles(placed, frame, labels, color, strategy_name))

    # Names on top of dots stay readable thanks to a white halo, and let clicks through to the dots.
    out.append(
        '<g class="cell-names" pointer-events="none" stroke="#ffffff" stroke-width="3" '
        'stroke-linejoin="round" paint-order="stroke">'
    )
    for cell, x0, y0, cell_width in boxes:
        y = y0 + 4
        for line in _wrap(cell.name(lang), cell_width - 12, 7.0):
            y += 14
            out.append(f'<text x="{_f(x0 + 6)}" y="{_f(y)}" font-weight="bold" fill="#444">{_text(line)}</text>')
        for line in _wrap(strategy_name(cell.strategy), cell_width - 12, 5.6):
            y += 12
            out.append(f'<text x="{_f(x0 + 6)}" y="{_f(y)}" font-size="10" fill="#555">{_text(line)}</text>')
    out.append("</g>")

    if draw_arrows:
        out.append('<g class="movements" stroke="#333" stroke-width="1.2" fill="none">')
        for m in arrows:
            out.append(
                f'<line class="move" data-account-id="{_text(m.account_id)}" '
                f'data-from="{_text(m.old.cell)}" data-to="{_text(m.new.cell)}" '
                f'x1="{_f(frame.x(m.old.position))}" y1="{_f(frame.y(m.old.attractiveness))}" '
                f'x2="{_f(frame.x(m.new.position))}" y2="{_f(frame.y(m.new.attractiveness))}" '
                f'marker-end="url(#{prefix}-arrow)"/>'
            )
        out.append("</g>")

    out.extend(
        _legend(model, dots, frame, labels, draw_arrows, unplaced, max_unplaced_listed, prefix, color, strategy_name,
                unplaced_count=density.unplaced_count if density is not None else unplaced_count)
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _circles(
    placed: list[PortfolioDot],
    frame: _Frame,
    labels: SvgLabels,
    color: Callable[[str | None], str],
    strategy_name: Callable[[str | None], str],
) -> list[str]:
    revenues = [d.revenue for d in placed if d.revenue is not None and d.revenue > 0]
    largest = max(revenues, default=0.0)

    def radius(d: PortfolioDot) -> float:
        # Area, not radius, is proportional to revenue, or big customers would look even bigger.
        if not largest or d.revenue is None or not d.revenue > 0:
            return 3.0
        return 3.0 + 15.0 * math.sqrt(float(d.revenue) / float(largest))

    out = ['<g class="dots" stroke="#ffffff" stroke-width="0.8">']
    # The largest accounts are named on the picture; every other name shows on hover and keyboard focus.
    named = _named_labels(placed, radius, frame)
    # Large circles first, so small ones stay visible (and clickable) on top of them.
    for d in sorted(placed, key=radius, reverse=True):
        hover = (
            f"{d.name}: {labels.attractiveness} {labels.number(d.attractiveness)} · "
            f"{labels.position} {labels.number(d.position)} · {strategy_name(d.strategy)}"
        )
        data = f' data-account-id="{_text(d.id)}" data-strategy="{_text(d.strategy or "")}"'
        if d.cell:
            data += f' data-cell="{_text(d.cell)}"'
        if d.abc:
            data += f' data-abc="{_text(d.abc)}"'
        circle = (
            f'<circle class="dot"{data} cx="{_f(frame.x(d.position))}" cy="{_f(frame.y(d.attractiveness))}" '
            f'r="{_f(radius(d))}" fill="{color(d.strategy)}" fill-opacity="0.8"><title>{_text(hover)}</title></circle>'
        )
        cx, cy, r = frame.x(d.position), frame.y(d.attractiveness), radius(d)
        side = named.get(id(d))
        name_class = "dot-name named" if side else "dot-name"
        lx, anchor = (cx - r - 3, "end") if side == "left" else (cx + r + 3, "start")
        circle += (f'<text class="{name_class}" x="{_f(lx)}" y="{_f(cy + 4)}" text-anchor="{anchor}" font-size="11" '
                   f'stroke="#ffffff" stroke-width="3" paint-order="stroke" fill="#1f2933">{_text(d.name)}</text>')
        url = _safe_url(d.url)
        if url:
            href = _text(url)
            circle = f'<a href="{href}" xlink:href="{href}" aria-label="{_text(hover)}">{circle}</a>'
        else:
            circle = f'<g class="dot-item">{circle}</g>'
        out.append(circle)
    out.append("</g>")
    return out


def _density(model: ScoringModel, placed: list[PortfolioDot], frame: _Frame, labels: SvgLabels) -> list[str]:
    """Counts in a grid of squares, each tinted with the colour of its most frequent strategy."""
    bins = DENSITY_BINS
    pos = np.fromiter((d.position for d in placed), dtype=np.float64, count=len(placed))
    att = np.fromiter((d.attractiveness for d in placed), dtype=np.float64, count=len(placed))
    bx = np.clip((np.clip(pos, 0, 100) / 100.0 * bins).astype(np.int64), 0, bins - 1)
    by = np.clip((np.clip(att, 0, 100) / 100.0 * bins).astype(np.int64), 0, bins - 1)
    index = bx * bins + by
    counts = np.bincount(index, minlength=bins * bins)
    keys = sorted({d.strategy or "" for d in placed})
    code = {k: i for i, k in enumerate(keys)}
    strategy_codes = np.fromiter((code[d.strategy or ""] for d in placed), dtype=np.int64, count=len(placed))
    per_strategy = np.stack([np.bincount(index[strategy_codes == i], minlength=bins * bins) for i in range(len(keys))])
    majority = per_strategy.argmax(axis=0)
    cells = [(*divmod(int(cell), bins), int(counts[cell]), keys[majority[cell]] or None)
             for cell in np.flatnonzero(counts)]
    return _density_rects(model, cells, bins, frame, labels)


@dataclass(frozen=True)
class DensityGrid:
    """The placed accounts already counted per square (by the database): `cells` holds
    (column by position, row by attractiveness, count, most frequent strategy) for `bins` x `bins`
    squares; `largest` are the biggest accounts, drawn and named on top; `unplaced` the first accounts
    that cannot be placed, of `unplaced_count`."""

    bins: int
    cells: tuple[tuple[int, int, int, str | None], ...]
    placed: int
    largest: tuple[PortfolioDot, ...] = ()
    unplaced: tuple[PortfolioDot, ...] = ()
    unplaced_count: int = 0


def density_bin(score: float, bins: int = DENSITY_BINS) -> int:
    """The square (0 … bins-1) a score of 0–100 falls into; the same rule as the database's."""
    return min(bins - 1, max(0, int(min(max(score, 0.0), 100.0) / 100.0 * bins)))


def _density_rects(model: ScoringModel, cells, bins: int, frame: _Frame, labels: SvgLabels) -> list[str]:
    peak = math.log1p(max((n for _i, _j, n, _s in cells), default=1))
    side_x, side_y = frame.width / bins, frame.height / bins
    out = ['<g class="density">']
    for i, j, n, key in cells:
        if n <= 0:
            continue
        strategy = model.strategies.get(key) if key else None
        fill = strategy.color if strategy else FALLBACK_COLOR
        opacity = 0.15 + 0.85 * math.log1p(n) / peak if peak else 1.0
        x = frame.left + i * side_x
        y = frame.top + frame.height - (j + 1) * side_y
        out.append(
            f'<rect class="density-cell" data-count="{n}" x="{_f(x)}" y="{_f(y)}" width="{_f(side_x)}" '
            f'height="{_f(side_y)}" fill="{fill}" fill-opacity="{opacity:.2f}">'
            f"<title>{_text(labels.density_cell.format(count=n))}</title></rect>"
        )
    out.append("</g>")
    return out


def _largest_names(largest: Sequence[PortfolioDot], frame: _Frame) -> list[str]:
    """The biggest accounts as small marks with their names, links to the account."""
    out = ['<g class="largest" font-size="10">']
    for d in largest:
        if not _placed(d):
            continue
        x, y = frame.x(d.position), frame.y(d.attractiveness)
        mark = (f'<circle class="largest-account" data-account-id="{_text(d.id)}" cx="{_f(x)}" cy="{_f(y)}" r="3.5" '
                f'fill="#222"><title>{_text(d.name)}</title></circle>'
                f'<text x="{_f(x + 6)}" y="{_f(y + 3)}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                f"{_text(d.name[:40])}</text>")
        url = _safe_url(d.url)
        if url:
            href = _text(url)
            mark = f'<a href="{href}" xlink:href="{href}">{mark}</a>'
        out.append(mark)
    out.append("</g>")
    return out


def _legend(
    model: ScoringModel,
    dots: Sequence[PortfolioDot],
    frame: _Frame,
    labels: SvgLabels,
    draw_arrows: bool,
    unplaced: list[PortfolioDot],
    max_listed: int,
    prefix: str,
    color: Callable[[str | None], str],
    strategy_name: Callable[[str | None], str],
    unplaced_count: int | None = None,
) -> list[str]:
    total_unplaced = len(unplaced) if unplaced_count is None else unplaced_count
    x = frame.left + frame.width + 28
    y = frame.top + 4
    out = ['<g class="legend">', f'<text x="{_f(x)}" y="{_f(y)}" font-weight="bold">{_text(labels.legend)}</text>']
    # Overrides may use a strategy outside the grid; it still needs a colour key.
    drawn = [d for d in dots if _placed(d)]
    shown = list(dict.fromkeys([c.strategy for c in model.grid.cells] + [d.strategy for d in drawn if d.strategy in model.strategies]))
    if any(d.strategy is None or d.strategy not in model.strategies for d in drawn):
        shown.append(None)
    for key in shown:
        y += 18
        out.append(
            f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" rx="6" fill="{color(key)}" '
            f'data-strategy="{_text(key or "")}"/>'
        )
        out.append(f'<text x="{_f(x + 18)}" y="{_f(y)}">{_text(strategy_name(key))}</text>')
    y += 22
    out.append(f'<text x="{_f(x)}" y="{_f(y)}" font-size="10" fill="#555">{_text(labels.size_note)}</text>')
    if draw_arrows:
        y += 18
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(y - 4)}" x2="{_f(x + 22)}" y2="{_f(y - 4)}" stroke="#333" '
            f'marker-end="url(#{prefix}-arrow)"/>'
        )
        out.append(f'<text x="{_f(x + 28)}" y="{_f(y)}" font-size="10" fill="#555">{_text(labels.movement)}</text>')
    if unplaced or total_unplaced:
        y += 28
        out.append(
            f'<text class="unplaced-heading" x="{_f(x)}" y="{_f(y)}" font-weight="bold">'
            f"{_text(labels.unplaced.format(count=total_unplaced))}</text>"
        )
        out.append('<g class="unplaced" font-size="11">')
        for d in unplaced[:max_listed]:
            y += 15
            item = f'<text class="unplaced-account" data-account-id="{_text(d.id)}" x="{_f(x + 8)}" y="{_f(y)}">{_text(d.name)}</text>'
            url = _safe_url(d.url)
            if url:
                href = _text(url)
                item = f'<a href="{href}" xlink:href="{href}">{item}</a>'
            out.append(item)
        listed = min(len(unplaced), max_listed)
        if total_unplaced > listed:
            y += 15
            rest = labels.more.format(count=total_unplaced - listed)
            out.append(f'<text x="{_f(x + 8)}" y="{_f(y)}" fill="#555">{_text(rest)}</text>')
        out.append("</g>")
    out.append("</g>")
    return out


__all__ = ["DEFAULT_MAX_DOTS", "DENSITY_BINS", "NAMED_DOTS", "DensityGrid", "PortfolioDot", "density_bin",
           "SvgLabels", "dots_from_results", "render_portfolio_svg"]
