"""Hand-built SVG charts of the planning pages: load against capacity per account manager, today's plan
against the recommendation, shadow prices, and the response curve the model assumes.

Plain markup, no library and no script: the charts print, scale with the page, and carry a <title>
per bar for tooltips and screen readers. Colours are those of the stylesheet (green slack, red overload).
"""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_money, format_number

GREEN, RED, AMBER, ACCENT, GREY, INK, MUTED = "#2f8f4e", "#b3261e", "#c98a0b", "#1d5c8f", "#c4cdd5", "#1f2933", "#616e7c"


def _svg(width: int, height: int, label: str, body: list[str], css: str = "chart") -> str:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" class="{css}">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _text(x, y, text, *, anchor="start", size=12, fill=INK, weight="normal") -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{bold}>'
            f"{escape(text)}</text>")


def _rect(x, y, w, h, fill, tip="", extra="") -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}"{extra}>{title}</rect>'


def _label_room(names, width: int, size: int = 12, least: int = 120) -> int:
    """Room left of the bars for the longest name at `size` px (about 0.6 em a character), so that no
    name is cut at the chart's edge; at most 45 % of the chart."""
    longest = max((len(str(n)) for n in names), default=0)
    return int(min(width * 0.45, max(least, longest * size * 0.6 + 16)))


def _fit(name: str, room: int, size: int = 12) -> str:
    """The name, shortened with an ellipsis only when even the widest room cannot hold it."""
    if len(name) * size * 0.6 + 16 <= room + 1:
        return name
    fits = max(4, int((room - 16) / (size * 0.6)))
    return name[:fits - 1] + "…"


def _label(x: float, y: float, name: str, room: int, size: int = 12) -> str:
    """A name right-aligned before its bars; a name too long for the room is wrapped onto a second line
    (cut with an ellipsis only beyond two lines), and the whole name is the tooltip."""
    if len(name) * size * 0.6 + 16 <= room + 1:
        return _text(x, y, name, anchor="end", size=size)
    fits = max(4, int((room - 16) / (size * 0.6)))
    words, lines, line = name.split(" "), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= fits or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], _fit(" ".join(lines[1:]), room, size)]
    lines = [_fit(text, room, size) for text in lines]
    first = y - size * 0.55
    spans = "".join(f'<tspan x="{x:.1f}" y="{first + k * size * 1.1:.1f}">{escape(text)}</tspan>'
                    for k, text in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{first:.1f}" text-anchor="end" font-size="{size}" fill="{INK}">'
            f"<title>{escape(name)}</title>{spans}</text>")


def _hours(value: float) -> str:
    return f"{format_number(value)} h"


def capacity_chart(rows, *, width: int = 720) -> str:
    """Per account manager the hours the strategies ask for against the hours available: the bar is green
    up to the capacity and red beyond it; the track behind it is the capacity, the tick the minimum."""
    label = _("Hours the strategies ask for against the hours available, per account manager")
    if not rows:
        return _svg(width, 40, label, [_text(8, 24, _("No account managers with accounts or capacity yet."),
                                             fill=MUTED)])
    bar, gap, right = 18, 14, 150
    left = _label_room([r.name for r in rows], width)
    inner = width - left - right
    top = max(max(r.available, r.required) for r in rows) or 1.0
    scale = inner / top
    height = len(rows) * (bar + gap) + 30
    body = []
    for i, r in enumerate(rows):
        y = 6 + i * (bar + gap)
        body.append(_label(left - 8, y + bar * 0.75, r.name, left))
        body.append(_rect(left, y, r.available * scale, bar, "#eef2f6",
                          _("%(name)s: %(hours)s available") % {"name": r.name, "hours": _hours(r.available)},
                          f' stroke="{GREY}"'))
        inside = min(r.required, r.available)
        body.append(_rect(left, y + 4, inside * scale, bar - 8, GREEN,
                          _("%(name)s: the strategies ask for %(hours)s") % {"name": r.name,
                                                                             "hours": _hours(r.required)}))
        if r.required > r.available:
            body.append(_rect(left + r.available * scale, y + 4, (r.required - r.available) * scale, bar - 8, RED,
                              _("%(name)s: %(hours)s overload") % {"name": r.name,
                                                                   "hours": _hours(r.required - r.available)}))
        x_min = left + r.minimum * scale
        body.append(f'<line x1="{x_min:.1f}" y1="{y}" x2="{x_min:.1f}" y2="{y + bar}" stroke="{INK}" '
                    f'stroke-width="2"><title>{escape(_("minimum: %(hours)s") % {"hours": _hours(r.minimum)})}'
                    f"</title></line>")
        balance = r.available - r.required
        text = (_("%(hours)s overload") if r.overloaded else _("%(hours)s slack")) % {"hours": _hours(abs(balance))}
        body.append(_text(left + inner + 8, y + bar * 0.75, text, size=11, fill=RED if r.overloaded else GREEN,
                          weight="bold"))
    legend_y = height - 8
    items = [(GREEN, _("asked for, within capacity")), (RED, _("overload")), ("#eef2f6", _("available"))]
    x = left
    for colour, text in items:
        body.append(_rect(x, legend_y - 9, 10, 10, colour, extra=f' stroke="{GREY}"'))
        body.append(_text(x + 14, legend_y, text, size=11))
        x += 20 + 6.5 * len(text)
    body.append(f'<line x1="{x:.1f}" y1="{legend_y - 10}" x2="{x:.1f}" y2="{legend_y + 1}" stroke="{INK}" '
                f'stroke-width="2"/>')
    body.append(_text(x + 6, legend_y, _("minimum of the strategies"), size=11))
    return _svg(width, height, label, body)


def hours_chart(managers, *, width: int = 720) -> str:
    """Per account manager today's planned hours (grey) and the recommended hours (blue) against the hours
    available (the dashed line, including hours an additional manager takes over)."""
    label = _("Hours per account manager: today's plan, recommendation and capacity")
    if not managers:
        return _svg(width, 40, label, [_text(8, 24, _("No results."), fill=MUTED)])
    bar, gap, right = 11, 14, 120
    left = _label_room([m.label for m in managers], width)
    inner = width - left - right
    top = max(max(m.available_hours + max(m.relief_hours, 0), m.hours, m.hours_today) for m in managers) or 1.0
    scale = inner / top
    height = len(managers) * (2 * bar + gap) + 30
    body = []
    for i, m in enumerate(managers):
        y = 6 + i * (2 * bar + gap)
        body.append(_label(left - 8, y + bar * 1.4, m.label, left))
        body.append(_rect(left, y, m.hours_today * scale, bar, GREY,
                          _("%(name)s, today's plan: %(hours)s") % {"name": m.label, "hours": _hours(m.hours_today)}))
        body.append(_rect(left, y + bar, m.hours * scale, bar, ACCENT,
                          _("%(name)s, recommended: %(hours)s") % {"name": m.label, "hours": _hours(m.hours)}))
        cap = m.available_hours + max(m.relief_hours, 0)
        x = left + cap * scale
        body.append(f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + 2 * bar + 2}" stroke="{RED}" '
                    f'stroke-dasharray="3 2" stroke-width="2"><title>'
                    f'{escape(_("%(name)s: %(hours)s available") % {"name": m.label, "hours": _hours(cap)})}'
                    f"</title></line>")
        body.append(_text(left + inner + 8, y + bar * 1.4, f"{format_number(m.hours)} / {_hours(cap)}", size=11))
    legend_y = height - 8
    x = left
    for colour, text in ((GREY, _("today's plan")), (ACCENT, _("recommended"))):
        body.append(_rect(x, legend_y - 9, 10, 10, colour))
        body.append(_text(x + 14, legend_y, text, size=11))
        x += 24 + 6.5 * len(text)
    body.append(f'<line x1="{x:.1f}" y1="{legend_y - 10}" x2="{x:.1f}" y2="{legend_y + 1}" stroke="{RED}" '
                f'stroke-dasharray="3 2" stroke-width="2"/>')
    body.append(_text(x + 6, legend_y, _("available"), size=11))
    return _svg(width, height, label, body)


def price_chart(managers, *, width: int = 720) -> str:
    """The shadow price of one more hour per account manager: where time is worth most."""
    label = _("What one more hour of each account manager would add (shadow price)")
    rows = [m for m in managers if m.manager_id or m.account_count]
    if not rows:
        return _svg(width, 40, label, [_text(8, 24, _("No results."), fill=MUTED)])
    bar, gap, right = 16, 10, 110
    left = _label_room([m.label for m in rows], width)
    inner = width - left - right
    top = max(m.hour_price for m in rows) or 1.0
    height = len(rows) * (bar + gap) + 8
    body = []
    for i, m in enumerate(rows):
        y = 4 + i * (bar + gap)
        body.append(_label(left - 8, y + bar * 0.75, m.label, left))
        body.append(_rect(left, y, inner * m.hour_price / top, bar, AMBER,
                          _("%(name)s: %(price)s per hour") % {"name": m.label, "price": format_money(m.hour_price)}))
        body.append(_text(left + inner * m.hour_price / top + 6, y + bar * 0.75, format_money(m.hour_price), size=11))
    return _svg(width, height, label, body)


def contribution_chart(items, *, width: int = 720) -> str:
    """Expected contribution of today's plan and of the recommendation, per scenario."""
    label = _("Expected contribution: today's plan and recommendation")
    items = [i for i in items if i[1] is not None and i[2] is not None]
    if not items:
        return _svg(width, 40, label, [_text(8, 24, _("No results."), fill=MUTED)])
    bar, gap, right = 14, 16, 150
    left = _label_room([name for name, _t, _r in items], width)
    inner = width - left - right
    top = max(max(t, r) for _l, t, r in items) or 1.0
    height = len(items) * (2 * bar + gap) + 30
    body = []
    for i, (name, today, recommended) in enumerate(items):
        y = 6 + i * (2 * bar + gap)
        body.append(_label(left - 8, y + bar * 1.3, name, left))
        body.append(_rect(left, y, inner * today / top, bar, GREY,
                          _("%(name)s, today's plan: %(amount)s") % {"name": name, "amount": format_money(today)}))
        body.append(_rect(left, y + bar, inner * recommended / top, bar, ACCENT,
                          _("%(name)s, recommended: %(amount)s") % {"name": name,
                                                                    "amount": format_money(recommended)}))
        body.append(_text(left + inner * max(today, recommended) / top + 6, y + bar * 1.3,
                          f"{'+' if recommended >= today else '−'}{format_money(abs(recommended - today))}", size=11,
                          fill=GREEN if recommended >= today else RED, weight="bold"))
    legend_y = height - 8
    x = left
    for colour, text in ((GREY, _("today's plan")), (ACCENT, _("recommended"))):
        body.append(_rect(x, legend_y - 9, 10, 10, colour))
        body.append(_text(x + 14, legend_y, text, size=11))
        x += 24 + 6.5 * len(text)
    return _svg(width, height, label, body)


def response_curve(m: float, typical: float, shares=(0.5, 0.675, 0.85), *, width: int = 560,
                   height: int = 260) -> str:
    """The modified exponential m·(1 − e^(−b·x)) for a weak, a middling and a strong position, with the
    strategy's typical effort marked: the picture of the response model's defaults."""
    label = _("Expected contribution as a function of hours: m·(1 − e^(−b·x))")
    left, bottom, top_pad, right = 70, 34, 12, 16
    w, h = width - left - right, height - bottom - top_pad
    x_max = 3 * typical
    colours = (GREY, ACCENT, GREEN)
    names = (_("weak position"), _("middle position"), _("strong position"))
    body = [f'<line x1="{left}" y1="{top_pad + h}" x2="{left + w}" y2="{top_pad + h}" stroke="{MUTED}"/>',
            f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + h}" stroke="{MUTED}"/>',
            f'<line x1="{left}" y1="{top_pad}" x2="{left + w}" y2="{top_pad}" stroke="{GREY}" stroke-dasharray="4 3"/>',
            _text(left - 6, top_pad + 4, "m", anchor="end", size=11, fill=MUTED),
            _text(left - 6, top_pad + h, "0", anchor="end", size=11, fill=MUTED)]
    xt = left + w * typical / x_max
    body.append(f'<line x1="{xt:.1f}" y1="{top_pad}" x2="{xt:.1f}" y2="{top_pad + h}" stroke="{AMBER}" '
                f'stroke-dasharray="4 3"/>')
    body.append(_text(xt, top_pad + h + 14, _("typical effort"), anchor="middle", size=11, fill=AMBER))
    body.append(_text(left + w, top_pad + h + 28, _("hours"), anchor="end", size=11, fill=MUTED))
    for k, (share, colour, name) in enumerate(zip(shares, colours, names, strict=True)):
        b = -math.log(1 - share) / typical
        points = []
        for step in range(61):
            x = x_max * step / 60
            y = m * (1 - math.exp(-b * x))
            points.append(f"{left + w * x / x_max:.1f},{top_pad + h - h * y / m:.1f}")
        body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2.5">'
                    f"<title>{escape(name)}</title></polyline>")
        # The legend sits inside the plot's empty lower right, where no curve passes.
        lx, ly = left + w * 0.55, top_pad + h * 0.62 + 16 * k
        body.append(f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 18:.1f}" y2="{ly - 4:.1f}" stroke="{colour}" '
                    f'stroke-width="2.5"/>')
        body.append(_text(lx + 24, ly, name, size=11))
    return _svg(width, height, label, body)
