"""The relationship map as PNG, drawn with Pillow from the same layout as the SVG (no browser needed)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kundennetz.domain.network_svg import (
    ATTITUDE_FILL,
    ATTITUDE_STROKE,
    BOX_H,
    BOX_W,
    PERSON_H,
    TOP,
    MapData,
    MapLabels,
    layout,
    shorten,
)

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/Library/Fonts", "C:/Windows/Fonts")
SCALE = 2  # sharp on high-density screens and in print


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False):
    for folder in FONT_DIRS:
        for name in (("DejaVuSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf") if bold
                     else ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf")):
            path = Path(folder) / name
            if path.exists():
                return ImageFont.truetype(str(path), size * SCALE)
    return ImageFont.load_default(size * SCALE)


def render_png(data: MapData, labels: MapLabels = MapLabels()) -> bytes:
    plan = layout(data)
    image = Image.new("RGB", (int(plan.width * SCALE), int(plan.height * SCALE)), "white")
    draw = ImageDraw.Draw(image)

    def s(*values):
        return [v * SCALE for v in values]

    def centre(node):
        x, y = plan.boxes[node]
        return x + BOX_W / 2, y + BOX_H / 2

    draw.text(s(16, 12), labels.title, fill="black", font=_font(16, True))
    draw.text(s(16, TOP - 20), labels.ours, fill="#1a4a7a", font=_font(12, True))
    for person, contact, strength in plan.ties:
        px, py = plan.people[person]
        cx, cy = plan.boxes[contact]
        colour = "#1a73e8" if strength >= data.min_strength else "#9fc3f5"
        draw.line(s(px + 170, py + PERSON_H / 2, cx, cy + BOX_H / 2), fill=colour,
                  width=max(1, round((0.8 + 4.2 * strength) * SCALE)))
    for child, boss in plan.tree_edges:
        if child in plan.stacked:
            bx, by = plan.boxes[boss]
            cx, cy = plan.boxes[child]
            draw.line(s(bx + 10, by + BOX_H, bx + 10, cy + BOX_H / 2, cx, cy + BOX_H / 2), fill="#888888",
                      width=2 * SCALE // 2)
            continue
        x1, y1 = centre(boss)
        x2, y2 = centre(child)
        mid = plan.boxes[boss][1] + BOX_H + 20
        draw.line(s(x1, y1 + BOX_H / 2, x1, mid, x2, mid, x2, y2 - BOX_H / 2), fill="#888888", width=SCALE)
    for a, b, kind in plan.other_edges:
        x1, y1 = centre(a)
        x2, y2 = centre(b)
        draw.line(s(x1, y1, x2, y2), fill="#6a1b9a" if kind == "influences" else "#888888", width=SCALE)
        if kind == "influences":
            draw.ellipse(s(x2 - 4, y2 - 4, x2 + 4, y2 + 4), fill="#6a1b9a")
    for person in data.people:
        x, y = plan.people[person.id]
        weak = person.id in data.weak_points
        draw.rounded_rectangle(s(x, y, x + 170, y + PERSON_H), radius=18 * SCALE, fill="#e3eefc",
                               outline="#e65100" if weak else "#1a4a7a", width=(3 if weak else 1) * SCALE)
        draw.text(s(x + 14, y + 10), shorten(person.name, 20) + (" ⚠" if weak else ""), fill="black", font=_font(12))
    for contact in data.contacts:
        x, y = plan.boxes[contact.id]
        dm = contact.role == "decision_maker"
        if contact.id in data.uncovered:
            draw.rounded_rectangle(s(x - 5, y - 5, x + BOX_W + 5, y + BOX_H + 5), radius=9 * SCALE,
                                   outline="#c62828", width=3 * SCALE)
        if contact.id in data.weak_points:
            draw.rounded_rectangle(s(x - 3, y - 3, x + BOX_W + 3, y + BOX_H + 3), radius=8 * SCALE,
                                   outline="#e65100", width=3 * SCALE)
        draw.rounded_rectangle(s(x, y, x + BOX_W, y + BOX_H), radius=6 * SCALE,
                               fill=ATTITUDE_FILL.get(contact.attitude, "#eeeeee"),
                               outline=ATTITUDE_STROKE.get(contact.attitude, "#666666"), width=(3 if dm else 1) * SCALE)
        name = ("★ " + shorten(contact.name, 16)) if dm else shorten(contact.name, 20)
        draw.text(s(x + 8, y + 7), name, fill="black", font=_font(12, dm))
        draw.text(s(x + 8, y + 27), shorten(contact.role_label or contact.function, 22), fill="#444444",
                  font=_font(10))
    if data.propositions:
        y = TOP - 12
        draw.text(s(plan.side_x, y), labels.value_propositions, fill="black", font=_font(12, True))
        for role, titles in data.propositions.items():
            y += 20
            draw.text(s(plan.side_x, y), role, fill="#444444", font=_font(12, True))
            for title in titles:
                y += 16
                draw.text(s(plan.side_x + 10, y), "• " + shorten(title, 48), fill="black", font=_font(11))
    y = plan.legend_y
    legend = [("#333333", "★ " + labels.decision_maker), ("#c62828", labels.uncovered), ("#e65100", labels.weak_point),
              ("#6a1b9a", labels.influences), ("#1a73e8", labels.knows)]
    for index, (colour, text) in enumerate(legend):
        draw.rectangle(s(16, y + index * 18, 32, y + index * 18 + 12), outline=colour, width=2 * SCALE)
        draw.text(s(38, y + index * 18 - 1), text, fill="black", font=_font(11))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()
