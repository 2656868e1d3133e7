"""Hand-built SVG charts for the management view: score bands per account manager, a histogram of scores.

Plain markup strings, no library and no script: they print, scale with the page, carry a <title>
per bar for tooltips and screen readers, and use the same band colours as the badges.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_number
from kundennetz.domain.consistency import AMBER, BANDS, GREEN, RED

COLOURS = {GREEN: "#2f8f4e", AMBER: "#c98a0b", RED: "#b3261e"}


def band_label(band: str) -> str:
    return {GREEN: _("green"), AMBER: _("amber"), RED: _("red")}.get(band, band)


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" class="chart">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def bands_by_manager(rows: list[tuple[str, dict]], *, width: int = 640) -> str:
    """One horizontal bar per manager, split into green, amber and red accounts (share of the bar)."""
    label = _("Accounts per score band and account manager")
    if not rows:
        return _svg(width, 40, label, [f'<text x="8" y="24" class="muted">{escape(_("No accounts scored yet."))}</text>'])
    bar, gap, left, right = 22, 10, 170, 60
    height = len(rows) * (bar + gap) + 34
    inner = width - left - right
    body = []
    for i, (name, bands) in enumerate(rows):
        y = 8 + i * (bar + gap)
        total = sum(bands.get(b, 0) for b in BANDS)
        body.append(f'<text x="{left - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end" font-size="12">'
                    f"{escape(name[:26])}</text>")
        x = float(left)
        for band in BANDS:
            count = bands.get(band, 0)
            if not total or not count:
                continue
            w = inner * count / total
            tip = f"{name}: {format_number(count)} {band_label(band)}"
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{COLOURS[band]}">'
                        f"<title>{escape(tip)}</title></rect>")
            if w > 24:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + bar * 0.7:.1f}" text-anchor="middle" '
                            f'font-size="11" fill="#fff">{format_number(count)}</text>')
            x += w
        body.append(f'<text x="{left + inner + 6}" y="{y + bar * 0.7:.1f}" font-size="11" fill="#616e7c">'
                    f"{format_number(total)}</text>")
    legend_y = height - 10
    for j, band in enumerate(BANDS):
        lx = left + j * 90
        body.append(f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" fill="{COLOURS[band]}"/>'
                    f'<text x="{lx + 14}" y="{legend_y}" font-size="11">{escape(band_label(band))}</text>')
    return _svg(width, height, label, body)


def histogram(counts: list[int], green_from: float, amber_from: float, *, width: int = 640, height: int = 200) -> str:
    """Accounts per score bin of 10 points (0–9, …, 90–100), each bar in the colour of its band."""
    label = _("Histogram of consistency scores")
    bins = len(counts)
    left, bottom, top = 40, 28, 10
    inner_w, inner_h = width - left - 10, height - bottom - top
    peak = max(counts) if counts and max(counts) > 0 else 1
    step = inner_w / max(bins, 1)
    body = [f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" stroke="#9aa5b1"/>']
    for tick in (0, peak):
        y = top + inner_h - inner_h * tick / peak
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#616e7c">'
                    f"{format_number(tick)}</text>")
    for i, count in enumerate(counts):
        lo = i * 100 // bins
        hi = 100 if i == bins - 1 else (i + 1) * 100 // bins - 1
        middle = (lo + hi) / 2
        band = GREEN if middle >= green_from else AMBER if middle >= amber_from else RED
        h = inner_h * count / peak
        x = left + i * step
        tip = _("Score %(lo)s–%(hi)s: %(count)s accounts") % {"lo": lo, "hi": hi, "count": format_number(count)}
        body.append(f'<rect x="{x + 2:.1f}" y="{top + inner_h - h:.1f}" width="{step - 4:.1f}" height="{h:.1f}" '
                    f'fill="{COLOURS[band]}"><title>{escape(tip)}</title></rect>')
        body.append(f'<text x="{x + step / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
                    f'fill="#616e7c">{lo}</text>')
    return _svg(width, height, label, body)
