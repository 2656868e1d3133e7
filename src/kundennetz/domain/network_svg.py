"""An account's relationship map: the layout (a pure function) and the picture as standalone SVG.

The reports-to tree is drawn top-down (several trees side by side, wrapped into rows so that 40 or 200
people stay readable), influence as dashed arrows, our people in a column on the left with a line to each
contact they know (thicker the stronger, dotted below the minimum strength), decision makers marked,
uncovered decision makers and weak points highlighted, attitude as the fill colour, and value propositions
per buying-centre role in a box beside the chart. All words come in from the caller (localised); every
piece of text is XML-escaped here. `layout()` is shared with the PNG renderer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from .network import DECISION_MAKER

BOX_W, BOX_H = 150, 46
GAP_X, GAP_Y = 24, 40
STACK_INDENT, STACK_GAP = 20, 10
LEFT = 210          # width of our people's column
TOP = 56
MAX_ROW_WIDTH = 1150
PERSON_H = 36
ATTITUDE_FILL = {"supporter": "#d8efd9", "neutral": "#eeeeee", "opponent": "#f7d6d4"}
ATTITUDE_STROKE = {"supporter": "#2e7d32", "neutral": "#666666", "opponent": "#c62828"}
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class MapContact:
    id: Hashable
    name: str
    role: str | None = None
    role_label: str = ""
    attitude: str = "neutral"
    attitude_label: str = ""
    function: str = ""
    url: str | None = None


@dataclass(frozen=True)
class MapPerson:
    id: Hashable
    name: str


@dataclass(frozen=True)
class MapLabels:
    title: str = "Relationship map"
    ours: str = "Our people"
    decision_maker: str = "Decision maker"
    uncovered: str = "uncovered"
    weak_point: str = "weak point"
    influences: str = "influences"
    reports_to: str = "reports to"
    knows: str = "knows (line width = strength; dotted: below the minimum)"
    value_propositions: str = "Value propositions"
    empty: str = "No contacts recorded yet."
    strength: str = "strength"
    supporter: str = "Supporter"
    neutral: str = "Neutral"
    opponent: str = "Opponent"


@dataclass
class Layout:
    width: int
    height: int
    boxes: dict  # contact id -> (x, y)
    people: dict  # our person id -> (x, y)
    tree_edges: list  # (child, parent) drawn as org-chart lines
    other_edges: list  # (a, b, kind): extra reports_to and influences
    ties: list  # (our person, contact, strength)
    legend_y: int
    side_x: int
    stacked: set = field(default_factory=set)  # contacts hanging in a column below their superior


@dataclass
class MapData:
    contacts: Sequence[MapContact]
    people: Sequence[MapPerson]
    reports_to: Sequence[tuple] = ()      # (subordinate, superior)
    influences: Sequence[tuple] = ()      # (influencer, influenced)
    ties: Sequence[tuple] = ()            # (our person, contact, strength) — the strongest per pair
    min_strength: float = 0.5
    uncovered: frozenset = frozenset()
    weak_points: frozenset = frozenset()  # contact or person ids
    propositions: Mapping[str, Sequence[str]] = field(default_factory=dict)  # role label -> titles


def layout(data: MapData) -> Layout:
    """Where each box goes. Deterministic: the same data always gives the same picture."""
    ids = [c.id for c in data.contacts]
    known = set(ids)
    order = {c: i for i, c in enumerate(ids)}
    parent: dict = {}
    extra = []
    for child, boss in data.reports_to:
        if child not in known or boss not in known or child == boss:
            continue
        if child in parent or _creates_cycle(parent, child, boss):
            extra.append((child, boss, "reports_to"))
        else:
            parent[child] = boss
    children = defaultdict(list)
    for child, boss in parent.items():
        children[boss].append(child)
    for kids in children.values():
        kids.sort(key=order.__getitem__)
    roles = {c.id: c.role for c in data.contacts}
    roots = sorted((c for c in ids if c not in parent),
                   key=lambda c: (-_size(children, c), roles.get(c) != DECISION_MAKER, order[c]))

    boxes: dict = {}
    stacked: set = set()
    x0 = LEFT + GAP_X
    row_x, row_y, row_height = x0, TOP, 0
    max_right = x0
    for root in roots:
        width_units = _leaves(children, root)
        width = width_units * (BOX_W + GAP_X)
        if row_x > x0 and row_x + width > x0 + MAX_ROW_WIDTH:
            row_x, row_y, row_height = x0, row_y + row_height + GAP_Y, 0
        bottom = _place(children, root, row_x, row_y, boxes, stacked)
        row_x += width
        row_height = max(row_height, bottom - row_y)
        max_right = max(max_right, row_x)
    contacts_bottom = row_y + row_height if roots else TOP

    people = {}
    for index, person in enumerate(data.people):
        people[person.id] = (16, TOP + index * (PERSON_H + 14))
    people_bottom = TOP + len(data.people) * (PERSON_H + 14)

    side_x = max(max_right, x0 + 2 * (BOX_W + GAP_X)) + 10
    legend_y = max(contacts_bottom, people_bottom) + 30
    side_lines = sum(1 + len(v) for v in data.propositions.values()) + (1 if data.propositions else 0)
    height = max(legend_y + 110, TOP + side_lines * 18 + 40)
    width = side_x + (330 if data.propositions else 0) + 10
    edges = [(c, p) for c, p in parent.items()]
    others = extra + [(a, b, "influences") for a, b in data.influences if a in known and b in known and a != b]
    ties = [(p, c, s) for p, c, s in data.ties if p in people and c in known]
    return Layout(width, height, boxes, people, edges, others, ties, legend_y, side_x, stacked)


def _creates_cycle(parent: dict, child, boss) -> bool:
    node = boss
    while node in parent:
        node = parent[node]
        if node == child:
            return True
    return node == child


def _size(children, node) -> int:
    return 1 + sum(_size(children, c) for c in children.get(node, ()))


def _stacks(children, node) -> bool:
    """Three or more children without reports of their own hang below their superior as a column."""
    kids = children.get(node, ())
    return len(kids) >= 3 and not any(children.get(k) for k in kids)


def _leaves(children, node) -> int:
    kids = children.get(node, ())
    if not kids or _stacks(children, node):
        return 1
    return sum(_leaves(children, c) for c in kids)


def _place(children, node, x, y, boxes, stacked) -> int:
    """Places the subtree with its left edge at x and its top at y; returns its bottom in pixels."""
    kids = children.get(node, ())
    if not kids:
        boxes[node] = (x, y)
        return y + BOX_H
    if _stacks(children, node):
        boxes[node] = (x, y)
        bottom = y + BOX_H
        for kid in kids:
            boxes[kid] = (x + STACK_INDENT, bottom + STACK_GAP)
            stacked.add(kid)
            bottom += STACK_GAP + BOX_H
        return bottom
    cursor, bottom, centres = x, y, []
    for kid in kids:
        bottom = max(bottom, _place(children, kid, cursor, y + BOX_H + GAP_Y, boxes, stacked))
        centres.append(boxes[kid][0])
        cursor += _leaves(children, kid) * (BOX_W + GAP_X)
    boxes[node] = ((centres[0] + centres[-1]) / 2, y)
    return bottom


def _text(value: object) -> str:
    return escape(_INVALID_XML.sub("", str(value)), {'"': "&quot;"})


def shorten(value: str, length: int = 22) -> str:
    """The text on one line, cut to `length` characters with an ellipsis."""
    value = " ".join(str(value).split())
    return value if len(value) <= length else value[: length - 1] + "…"


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    return url if urlsplit(url).scheme in ("", "http", "https") else None


def render_svg(data: MapData, labels: MapLabels = MapLabels()) -> str:
    """The map as a standalone SVG document (links open the contacts)."""
    plan = layout(data)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'viewBox="0 0 {plan.width} {plan.height}" width="{plan.width}" height="{plan.height}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12" role="img" '
           f'aria-labelledby="map-title" class="network-map">',
           f'<title id="map-title">{_text(labels.title)}</title>',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6a1b9a"/></marker></defs>',
           '<rect width="100%" height="100%" fill="#ffffff"/>',
           f'<text x="16" y="28" font-size="16" font-weight="bold">{_text(labels.title)}</text>',
           f'<text x="16" y="{TOP - 8}" font-weight="bold" fill="#1a4a7a">{_text(labels.ours)}</text>']
    if not data.contacts:
        out.append(f'<text x="{LEFT + GAP_X}" y="{TOP + 20}" fill="#666">{_text(labels.empty)}</text>')

    def centre(node):
        x, y = plan.boxes[node]
        return x + BOX_W / 2, y + BOX_H / 2

    out.append('<g class="ties">')
    for person, contact, strength in plan.ties:
        px, py = plan.people[person]
        cx, cy = plan.boxes[contact]
        weak = strength < data.min_strength
        width = 0.8 + 4.2 * strength
        dash = ' stroke-dasharray="2 4"' if weak else ""
        out.append(f'<path d="M{px + 170:.0f},{py + PERSON_H / 2:.0f} C{px + 200:.0f},{py + PERSON_H / 2:.0f} '
                   f'{cx - 40:.0f},{cy + BOX_H / 2:.0f} {cx:.0f},{cy + BOX_H / 2:.0f}" fill="none" '
                   f'stroke="#1a73e8" stroke-opacity="{0.35 + 0.5 * strength:.2f}" stroke-width="{width:.1f}"{dash} '
                   f'data-person="{_text(person)}" data-contact="{_text(contact)}">'
                   f'<title>{_text(labels.strength)} {strength:.2f}</title></path>')
    out.append("</g><g class=\"org\">")
    for child, boss in plan.tree_edges:
        if child in plan.stacked:
            bx, by = plan.boxes[boss]
            cx, cy = plan.boxes[child]
            out.append(f'<path d="M{bx + 10:.0f},{by + BOX_H} V{cy + BOX_H / 2:.0f} H{cx:.0f}" fill="none" '
                       f'stroke="#888" stroke-width="1.5"/>')
            continue
        x1, y1 = centre(boss)
        x2, y2 = centre(child)
        mid = plan.boxes[boss][1] + BOX_H + GAP_Y / 2
        out.append(f'<path d="M{x1:.0f},{y1 + BOX_H / 2:.0f} V{mid:.0f} H{x2:.0f} V{y2 - BOX_H / 2:.0f}" '
                   f'fill="none" stroke="#888" stroke-width="1.5"/>')
    for a, b, kind in plan.other_edges:
        x1, y1 = centre(a)
        x2, y2 = centre(b)
        bend = 40 if x1 <= x2 else -40
        colour = "#6a1b9a" if kind == "influences" else "#888"
        marker = ' marker-end="url(#arrow)"' if kind == "influences" else ""
        out.append(f'<path d="M{x1:.0f},{y1:.0f} Q{(x1 + x2) / 2:.0f},{(y1 + y2) / 2 - bend:.0f} {x2:.0f},{y2:.0f}" '
                   f'fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4"{marker}>'
                   f'<title>{_text(labels.influences if kind == "influences" else labels.reports_to)}</title></path>')
    out.append("</g>")

    for person in data.people:
        x, y = plan.people[person.id]
        weak = person.id in data.weak_points
        stroke = ' stroke="#e65100" stroke-width="3"' if weak else ' stroke="#1a4a7a" stroke-width="1"'
        out.append(f'<g class="person{" weak" if weak else ""}" data-id="{_text(person.id)}">'
                   f'<rect x="{x}" y="{y}" width="170" height="{PERSON_H}" rx="18" fill="#e3eefc"{stroke}/>'
                   f'<text x="{x + 14}" y="{y + 22}">{_text(shorten(person.name, 20))}</text>')
        if weak:
            out.append(f'<text x="{x + 166}" y="{y + 22}" text-anchor="end" fill="#e65100" font-weight="bold">⚠</text>'
                       f'<title>{_text(labels.weak_point)}</title>')
        out.append("</g>")

    for contact in data.contacts:
        x, y = plan.boxes[contact.id]
        dm = contact.role == DECISION_MAKER
        uncovered = contact.id in data.uncovered
        weak = contact.id in data.weak_points
        fill = ATTITUDE_FILL.get(contact.attitude, "#eeeeee")
        stroke = ATTITUDE_STROKE.get(contact.attitude, "#666")
        classes = ["contact"] + (["decision-maker"] if dm else []) + (["uncovered"] if uncovered else []) \
            + (["weak"] if weak else [])
        tooltip = " · ".join(v for v in (contact.name, contact.function, contact.role_label, contact.attitude_label,
                                         labels.uncovered if uncovered else "", labels.weak_point if weak else "")
                             if v)
        url = _safe_url(contact.url)
        out.append(f'<g class="{" ".join(classes)}" data-id="{_text(contact.id)}">')
        if url:
            out.append(f'<a href="{_text(url)}" xlink:href="{_text(url)}" target="_top">')
        out.append(f"<title>{_text(tooltip)}</title>")
        if uncovered:
            out.append(f'<rect x="{x - 5:.0f}" y="{y - 5}" width="{BOX_W + 10}" height="{BOX_H + 10}" rx="9" '
                       f'fill="none" stroke="#c62828" stroke-width="2.5" stroke-dasharray="5 3"/>')
        if weak:
            out.append(f'<rect x="{x - 3:.0f}" y="{y - 3}" width="{BOX_W + 6}" height="{BOX_H + 6}" rx="8" '
                       f'fill="none" stroke="#e65100" stroke-width="3"/>')
        out.append(f'<rect x="{x:.0f}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{2.5 if dm else 1}"/>')
        name = ("★ " + shorten(contact.name, 16)) if dm else shorten(contact.name, 20)
        out.append(f'<text x="{x + 8:.0f}" y="{y + 19}" font-weight="{"bold" if dm else "normal"}">'
                   f'{_text(name)}</text>')
        sub = contact.role_label or contact.function
        flags = " ⚠" if weak else ""
        out.append(f'<text x="{x + 8:.0f}" y="{y + 36}" font-size="10.5" fill="#444">'
                   f'{_text(shorten(sub, 22) + flags)}</text>')
        if url:
            out.append("</a>")
        out.append("</g>")

    if data.propositions:
        y = TOP
        out.append(f'<g class="propositions"><text x="{plan.side_x}" y="{y}" font-weight="bold">'
                   f'{_text(labels.value_propositions)}</text>')
        for role, titles in data.propositions.items():
            y += 20
            out.append(f'<text x="{plan.side_x}" y="{y}" font-weight="bold" fill="#444">{_text(role)}</text>')
            for title in titles:
                y += 16
                out.append(f'<text x="{plan.side_x + 10}" y="{y}" font-size="11">• {_text(shorten(title, 48))}</text>')
        out.append("</g>")

    y = plan.legend_y
    out.append('<g class="legend" font-size="11">')
    # Each row of the legend: its items side by side, each as wide as its words (about 6.5 px a letter).
    rows = [
        [(f'<rect x="{{x}}" y="{y}" width="16" height="12" fill="#fff" stroke="#333" stroke-width="2.5"/>',
          "★ " + labels.decision_maker),
         (f'<rect x="{{x}}" y="{y}" width="16" height="12" fill="none" stroke="#c62828" stroke-width="2" '
          f'stroke-dasharray="4 2"/>', labels.uncovered),
         (f'<rect x="{{x}}" y="{y}" width="16" height="12" fill="none" stroke="#e65100" stroke-width="3"/>',
          "⚠ " + labels.weak_point)],
        [(f'<line x1="{{x}}" y1="{y + 26}" x2="{{x30}}" y2="{y + 26}" stroke="#6a1b9a" stroke-dasharray="6 4" '
          f'marker-end="url(#arrow)"/>', labels.influences),
         (f'<line x1="{{x}}" y1="{y + 26}" x2="{{x30}}" y2="{y + 26}" stroke="#888" stroke-width="1.5"/>',
          labels.reports_to),
         (f'<line x1="{{x}}" y1="{y + 26}" x2="{{x30}}" y2="{y + 26}" stroke="#1a73e8" stroke-width="3"/>',
          labels.knows)],
        [(f'<rect x="{{x}}" y="{y + 40}" width="16" height="12" fill="{ATTITUDE_FILL[a]}" '
          f'stroke="{ATTITUDE_STROKE[a]}"/>', getattr(labels, a)) for a in ATTITUDE_FILL],
    ]
    for line, items in enumerate(rows):
        x = 16
        for symbol, text in items:
            out.append(symbol.replace("{x}", str(x)).replace("{x30}", str(x + 30)))
            offset = 36 if line == 1 else 22
            out.append(f'<text x="{x + offset}" y="{y + 10 + line * 20}">{_text(text)}</text>')
            x += offset + int(6.5 * len(text)) + 24
    out.append("</g></svg>")
    return "".join(out)

