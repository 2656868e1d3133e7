"""The bid/no-bid one-pager as PDF: plain data in, bytes out (fpdf2, pure Python, no Django).

The view translates and formats everything; this module only lays it out on A4. It prefers a Unicode
TrueType font (DejaVu Sans, present on most Linux systems); fpdf2 itself ships none, so on a machine
with only pip packages it falls back to the PDF core font Helvetica, whose Windows-1252 character set
covers German and English but not every name: other characters are transliterated, never dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),      # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),    # Fedora
    Path("/usr/share/fonts/TTF"),                  # Arch
    Path("/usr/local/share/fonts/dejavu"),         # FreeBSD
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"

# (text, fill) per light; the fills are the web page's badge colours, so screen and paper agree.
COLOURS = {
    "green": ((29, 94, 51), (213, 240, 220)),
    "amber": ((122, 84, 5), (251, 239, 208)),
    "red": ((127, 29, 23), (248, 215, 212)),
}
GREY = (97, 110, 124)
LINE = (217, 226, 236)
# Beyond Windows-1252 and not decomposable into a base letter plus accents.
_TRANSLITERATION = str.maketrans({
    "≥": ">=", "≤": "<=", "→": "->", "←": "<-", "☐": "[ ]", "☒": "[x]", "✓": "v", "−": "-",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "\u202f": " ", "\u2009": " ", "\u00a0": " ",
})


@dataclass(frozen=True)
class SheetCategory:
    letter: str
    name: str
    question: str
    answer: str
    light: str         # green, amber or red
    light_label: str


@dataclass(frozen=True)
class SheetDecision:
    decision: str
    by: str
    at: str
    reason: str
    recommendation: str  # the recommendation when it was taken


@dataclass(frozen=True)
class Sheet:
    """Everything on the one-pager, already translated and formatted for one language."""

    language: str
    labels: dict[str, str]
    company: str
    title: str
    facts: Sequence[tuple[str, str]]
    recommendation: str          # offer, clarify or no_offer
    recommendation_text: str
    summary: str                 # counts and threshold in words
    categories: Sequence[SheetCategory]
    clarify: Sequence[str] = ()
    warnings: Sequence[str] = ()
    decision_makers: Sequence[str] = ()
    influencers: Sequence[str] = ()
    competitors: Sequence[str] = ()
    money: Sequence[tuple[str, str]] = ()
    decision: SheetDecision | None = None
    generated: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def find_font_dir(candidates: Sequence[Path] | None = None) -> Path | None:
    """The first folder holding DejaVu Sans, or None; looked up on each call so tests can hide the fonts."""
    return next((d for d in (FONT_DIRS if candidates is None else candidates) if (d / REGULAR).is_file()), None)


def transliterate(text: str) -> str:
    """The closest Windows-1252 text: accents kept where the code page has them, else the base letter."""
    text = str(text).translate(_TRANSLITERATION)
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
                out.append(base)
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


class _Document(FPDF):
    def __init__(self, sheet: Sheet, font_dir: Path | None):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.sheet = sheet
        if font_dir is not None:
            self.add_font("Sans", "", str(font_dir / REGULAR))
            bold = font_dir / BOLD
            self.add_font("Sans", "B", str(bold if bold.is_file() else font_dir / REGULAR))
            self.family, self.unicode = "Sans", True
        else:
            self.core_fonts_encoding = "windows-1252"
            self.family, self.unicode = "Helvetica", False
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(True, margin=16)
        self.set_title(self.t(f"{sheet.labels['sheet']}: {sheet.title}"))
        self.set_author(self.t(sheet.company))
        self.set_lang(sheet.language)

    def t(self, text) -> str:
        return str(text) if self.unicode else transliterate(text)

    def font(self, size: float, bold: bool = False, colour=(31, 41, 51)) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def footer(self) -> None:
        self.set_y(-11)
        self.font(7.5, colour=GREY)
        left = f"{self.sheet.company} · {self.sheet.labels['sheet']} · {self.sheet.generated}"
        self.cell(0, 4, self.t(left), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, self.t(f"{self.page_no()}/{{nb}}"), align="R")

    def heading(self, text: str) -> None:
        self.ln(1.8)
        self.font(10, bold=True)
        self.cell(0, 5.5, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*LINE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1)

    def lines(self, items: Sequence[str], empty: str, size: float = 8.8, bullet: str = "–",
              columns: int = 1) -> None:
        self.font(size)
        if not items:
            self.multi_cell(0, size * 0.45, self.t(empty), new_x="LMARGIN", new_y="NEXT")
            return
        # Columns keep a long list of open points from pushing the decision onto a second page.
        per_column = -(-len(items) // columns)
        chunks = [items[i:i + per_column] for i in range(0, len(items), per_column)]
        with self.table(col_widths=tuple(1 for _ in range(columns)), first_row_as_headings=False,
                        borders_layout="NONE", line_height=size * 0.45, padding=(0, 3, 0, 0),
                        text_align="LEFT", v_align="TOP") as table:
            row = table.row()
            for chunk in chunks:
                row.cell("\n".join(self.t(f"{bullet} {item}") for item in chunk))
            for _ in range(columns - len(chunks)):
                row.cell("")

    def table_of(self, rows: Sequence[Sequence[str]], widths: Sequence[float], *, headings: bool = True,
                 size: float = 8.8, styles: dict[tuple[int, int], FontFace] | None = None) -> None:
        self.font(size)
        self.set_draw_color(*LINE)
        self.set_fill_color(255, 255, 255)
        with self.table(col_widths=widths, first_row_as_headings=headings, line_height=size * 0.45,
                        padding=(0.6, 1.2), text_align="LEFT", v_align="TOP",
                        headings_style=FontFace(emphasis="BOLD", color=GREY, fill_color=(244, 246, 248))) as table:
            for r, values in enumerate(rows):
                row = table.row()
                for c, value in enumerate(values):
                    row.cell(self.t(value), style=(styles or {}).get((r, c)))


def build_pdf(sheet: Sheet, *, font_dir: Path | None | bool = True) -> bytes:
    """The one-pager as PDF bytes. `font_dir=True` looks for DejaVu Sans; None (or no font found) uses Helvetica."""
    if font_dir is True:
        font_dir = find_font_dir()
    pdf = _Document(sheet, font_dir or None)
    labels = sheet.labels
    pdf.add_page()

    pdf.font(8, colour=GREY)
    pdf.cell(0, 4, pdf.t(sheet.company), new_x="LMARGIN", new_y="NEXT")
    pdf.font(15, bold=True)
    pdf.multi_cell(0, 7, pdf.t(f"{labels['sheet']}: {sheet.title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    facts = list(sheet.facts)
    if len(facts) % 2:
        facts.append(("", ""))
    grid = [[*facts[i], *facts[i + 1]] for i in range(0, len(facts), 2)]
    label_style = FontFace(color=GREY)
    pdf.table_of(grid, (28, 24, 22, 26), headings=False,
                 styles={(r, c): label_style for r in range(len(grid)) for c in (0, 2)})

    ink, fill = COLOURS.get({"offer": "green", "clarify": "amber"}.get(sheet.recommendation, "red"))
    pdf.ln(2)
    pdf.set_fill_color(*fill)
    pdf.font(8, colour=ink)
    pdf.cell(0, 5, pdf.t(labels["recommendation"]), fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.font(14, bold=True, colour=ink)
    pdf.multi_cell(0, 7, pdf.t(sheet.recommendation_text), fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.font(8.8, colour=ink)
    pdf.multi_cell(0, 4.5, pdf.t(sheet.summary), fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(255, 255, 255)
    if sheet.warnings:
        pdf.ln(1)
        pdf.lines(sheet.warnings, "", size=8.3, bullet="!")

    pdf.heading(labels["categories"])
    rows = [["", labels["category"], labels["question"], labels["answer"], labels["light"]]]
    styles = {}
    for i, category in enumerate(sheet.categories, start=1):
        rows.append([category.letter, category.name, category.question, category.answer, category.light_label])
        ink, fill = COLOURS.get(category.light, COLOURS["amber"])
        styles[i, 4] = FontFace(emphasis="BOLD", color=ink, fill_color=fill)
        styles[i, 0] = FontFace(emphasis="BOLD")
    pdf.table_of(rows, (5, 41, 70, 17, 17), styles=styles, size=8.5)

    pdf.heading(f"{labels['clarify']} ({len(sheet.clarify)})")
    pdf.lines(sheet.clarify, labels["nothing_open"], size=7.8 if len(sheet.clarify) > 20 else 8.5,
              columns=2 if len(sheet.clarify) > 8 else 1)

    pdf.heading(labels["people"])
    pdf.table_of([[labels["decision_makers"], labels["influencers"], labels["competitors"]],
                  ["\n".join(sheet.decision_makers) or labels["none"],
                   "\n".join(sheet.influencers) or labels["none"],
                   "\n".join(sheet.competitors) or labels["none"]]], (1, 1, 1))

    pdf.heading(labels["money"])
    pdf.table_of([[label for label, _ in sheet.money], [value for _, value in sheet.money]],
                 tuple(1 for _ in sheet.money))

    pdf.heading(labels["decision"])
    decision = sheet.decision
    if decision is None:
        pdf.lines([], labels["no_decision"])
        pdf.ln(2)
        pdf.font(8.8)
        pdf.multi_cell(0, 6, pdf.t(labels["blank_decision"]), new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.table_of([[labels["decision"], labels["decided_by"], labels["decided_at"], labels["at_the_time"]],
                      [decision.decision, decision.by, decision.at, decision.recommendation]], (1, 1, 1, 1),
                     styles={(1, 0): FontFace(emphasis="BOLD")})
        if decision.reason.strip():
            pdf.ln(1)
            pdf.lines([], f"{labels['reason']}: {decision.reason}")
    return bytes(pdf.output())
