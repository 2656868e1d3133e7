"""The bid/no-bid PDF: valid PDF bytes in German and English, with the system font and without it.

The text is read back with a small extractor that understands what fpdf2 writes (literal strings in
Flate-compressed content streams, decoded through each font's ToUnicode map); `pdftotext` is used as a
second opinion only where it is installed.
"""

import re
import shutil
import subprocess
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kundennetz.accounts.models import Competitor
from kundennetz.qualification import pdf, services
from kundennetz.qualification.models import Recommendation

HEADLINES_OFFER = {"aspiration": "yes", "solution": "yes", "competition": "no", "only_me": "yes",
                   "time_scale": "yes", "money": "yes", "authority": "yes", "need": "yes"}


# --- a small text extractor for fpdf2's output -----------------------------------------------------------

def _objects(data: bytes) -> dict[int, bytes]:
    return {int(n): body for n, body in re.findall(rb"(\d+) 0 obj\s(.*?)endobj", data, re.S)}


def _stream(body: bytes) -> bytes:
    # Exactly /Length bytes: compressed data may itself end in a byte a pattern up to "endstream" would eat.
    match = re.search(rb"stream\r?\n", body)
    length = re.search(rb"/Length (\d+)", body)
    if not match or not length:
        return b""
    raw = body[match.end():match.end() + int(length.group(1))]
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw


def _literal(content: bytes, start: int) -> tuple[bytes, int]:
    """The bytes of the PDF literal string opening at `start`, and the index after it."""
    out, depth, i = bytearray(), 1, start + 1
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while depth:
        c = content[i]
        if c == 0x5C:  # backslash
            nxt = content[i + 1]
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
            elif 0x30 <= nxt <= 0x37:
                octal = re.match(rb"[0-7]{1,3}", content[i + 1:i + 4]).group(0)
                out.append(int(octal, 8) & 0xFF)
                i += 1 + len(octal)
            elif nxt in (0x0A, 0x0D):
                i += 2
            else:
                out.append(nxt)
                i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if not depth:
                break
        out.append(c)
        i += 1
    return bytes(out), i + 1


def _cmap(text: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int(dst, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(base + offset)
    return mapping


def pdf_text(data: bytes) -> str:
    """All text drawn on the pages, one space between drawing operations, whitespace collapsed."""
    objects = _objects(data)
    fonts: dict[bytes, dict[int, str] | None] = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(number), b""))
        fonts[name] = _cmap(_stream(objects[int(to_unicode.group(1))])) if to_unicode else None
    chunks = []
    for body in objects.values():
        content = _stream(body)
        if b"BT" not in content:
            continue
        font, i = None, 0
        while i < len(content):
            if content[i] == 0x2F:  # a name: maybe the font of the next strings
                match = re.match(rb"/(F\d+) [\d.]+ Tf", content[i:])
                if match:
                    font = fonts.get(match.group(1))
                    i += match.end()
                    continue
            if content[i] == 0x28:
                raw, i = _literal(content, i)
                if font:
                    chunks.append("".join(font.get(int.from_bytes(raw[j:j + 2], "big"), "\ufffd")
                                          for j in range(0, len(raw) - 1, 2)))
                else:
                    chunks.append(raw.decode("cp1252", errors="replace"))
                continue
            i += 1
    return re.sub(r"\s+", " ", " ".join(chunks))


# --- the layout function on its own --------------------------------------------------------------------

LABELS = {key: key.replace("_", " ").title() for key in (
    "sheet", "recommendation", "categories", "category", "question", "answer", "light", "clarify",
    "nothing_open", "people", "decision_makers", "influencers", "competitors", "none", "money", "decision",
    "decided_by", "decided_at", "at_the_time", "reason", "no_decision", "blank_decision")}


def sample_sheet(**changes) -> pdf.Sheet:
    values = dict(
        language="de", labels=LABELS, company="Kundennetz AG", title="Łódź-Ausbau ≥ 2 Etappen",
        facts=[("Kunde", "Müller & Söhne AG"), ("Phase", "Qualifizierung")],
        recommendation="no_offer", recommendation_text="Kein Angebot", summary="Ungünstig: 4 von 8",
        categories=[pdf.SheetCategory("C", "Competition (Konkurrenz)", "Ist die Konkurrenz stark?", "Ja", "red",
                                      "rot")],
        clarify=[f"N · Frage {i}?" for i in range(30)], decision_makers=["Anna Meier, CEO"],
        competitors=["Konkurrenz AG"], money=[("Budget", "CHF 1'250'000")],
        decision=pdf.SheetDecision("Verfolgen", "Chefin", "27.11.2026 10:00", "Strategisch „wichtig“ – ja",
                                   "Kein Angebot"),
        generated="27.11.2026 10:00",
    )
    values.update(changes)
    return pdf.Sheet(**values)


@pytest.mark.skipif(pdf.find_font_dir() is None, reason="DejaVu Sans is not installed on this machine")
def test_unicode_font_keeps_every_character():
    content = pdf.build_pdf(sample_sheet())
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    for expected in ("Kein Angebot", "Łódź-Ausbau ≥ 2 Etappen", "Müller & Söhne AG", "CHF 1'250'000",
                     "Strategisch „wichtig“ – ja", "Ist die Konkurrenz stark?"):
        assert expected in text


def test_without_system_fonts_the_core_font_is_used_and_text_transliterated(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_DIRS", (tmp_path,))  # a fresh machine: only pip packages, no fonts
    assert pdf.find_font_dir() is None
    content = pdf.build_pdf(sample_sheet())
    assert content.startswith(b"%PDF-")
    assert b"/Helvetica" in content and b"FontFile2" not in content
    text = pdf_text(content)
    for expected in ("Kein Angebot", "Lódz-Ausbau >= 2 Etappen", "Müller & Söhne AG", "CHF 1'250'000",
                     "Strategisch „wichtig“ – ja"):
        assert expected in text


def test_transliteration_keeps_what_windows_1252_has():
    assert pdf.transliterate("Łódź ≥ 5 – „Zitat“ € Straße Čapek ☐") == "Lódz >= 5 – „Zitat“ € Straße Capek [ ]"
    assert pdf.transliterate("日本") == "??"


def test_a_long_list_of_open_points_still_fits_on_one_page():
    content = pdf.build_pdf(sample_sheet(decision=None), font_dir=None)
    assert content.count(b"/Type /Page\n") == 1


# --- through the web -----------------------------------------------------------------------------------

@pytest.fixture
def offer_ready(cast, network):
    opportunity = network.opportunity
    opportunity.offer_price = Decimal("1100000")
    opportunity.expected_follow_up_volume = Decimal("250000")
    opportunity.save()
    opportunity.competitors.add(Competitor.objects.create(name="Rivalen AG"))
    checklist = services.get_checklist(opportunity, cast.owner)
    for key, value in HEADLINES_OFFER.items():
        services.set_answer(checklist, key, value, cast.owner)
    services.set_answer(checklist, "authority.decision_makers", [network.contact.pk], cast.owner)
    services.set_answer(checklist, "money.budget", Decimal("1250000"), cast.owner)
    services.record_decision(opportunity, cast.sales_head, "pursue", "Strategischer Kunde")
    return opportunity


@pytest.mark.django_db
@pytest.mark.parametrize("lang,question", [("de", "Sind die Absichten des Kunden bekannt?"),
                                           ("en", "Are the customer's intentions known?")])
@pytest.mark.parametrize("fonts", ["system", "none"])
def test_pdf_in_each_language_holds_the_recommendation(client_for, cast, offer_ready, lang, question, fonts,
                                                       monkeypatch, tmp_path):
    if fonts == "none":
        monkeypatch.setattr(pdf, "FONT_DIRS", (tmp_path,))
    response = client_for(cast.read_only).get(
        reverse("qualification:sheet_pdf", args=[offer_ready.pk]) + f"?lang={lang}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    with translation.override("de-ch" if lang == "de" else "en"):
        recommendation = str(Recommendation.OFFER.label)
        pursue = str(dict(services.PursuitDecision.Decision.choices)["pursue"])
    assert recommendation in text
    assert question in text  # the catalogue's own wording proves the language, with or without a .po file
    assert "Anna Meier" in text and "Rivalen AG" in text and "Strategischer Kunde" in text and pursue in text
    money = "CHF 1'250'000" if lang == "de" else "CHF 1,250,000"
    assert money in text


@pytest.mark.django_db
def test_print_view_has_the_same_content(client_for, cast, offer_ready):
    response = client_for(cast.marketing).get(reverse("qualification:sheet", args=[offer_ready.pk]) + "?lang=en")
    assert response.status_code == 200 and response["Content-Language"] == "en"
    page = response.content.decode()
    assert 'data-recommendation="offer"' in page
    assert "Are the customer&#x27;s intentions known?" in page
    assert "CHF 1,250,000" in page and "Rivalen AG" in page and "Anna Meier" in page


@pytest.mark.django_db
def test_outsiders_get_no_sheet(client_for, cast, network):
    client = client_for(cast.outsider)
    assert client.get(reverse("qualification:sheet", args=[network.opportunity.pk])).status_code == 404
    assert client.get(reverse("qualification:sheet_pdf", args=[network.opportunity.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed; the built-in extractor covers the text")
def test_pdftotext_reads_the_same_text(client_for, cast, offer_ready, tmp_path):
    response = client_for(cast.owner).get(reverse("qualification:sheet_pdf", args=[offer_ready.pk]) + "?lang=en")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Are the customer's intentions known?" in text
    with translation.override("en"):
        assert str(Recommendation.OFFER.label) in text


@pytest.mark.django_db
@pytest.mark.skipif(pdf.find_font_dir() is None, reason="DejaVu Sans is not installed on this machine")
def test_german_headers_whole_and_an_empty_reason_left_out(client_for, cast, network):
    opportunity = network.opportunity
    checklist = services.get_checklist(opportunity, cast.owner)
    for key, value in HEADLINES_OFFER.items():
        services.set_answer(checklist, key, value, cast.owner)
    services.record_decision(opportunity, cast.sales_head, "pursue", "")
    client = client_for(cast.read_only)
    text = pdf_text(client.get(reverse("qualification:sheet_pdf", args=[opportunity.pk]) + "?lang=de").content)
    assert " Antwort " in text and "Antwor t" not in text and " Ampel " in text
    with translation.override("de-ch"):
        decision_heading, nobody = translation.gettext("Pursuit decision"), translation.gettext("none named")
    assert nobody not in text.split(decision_heading)[-1]
    assert "Begründung:" not in text
    page = client.get(reverse("qualification:sheet", args=[opportunity.pk]) + "?lang=de").content.decode()
    assert "Begründung:" not in page
