"""Bringing tables in: reading CSV files of any origin, recognising their columns, cleaning every cell.

Pure Python (no Django), so that the rules can be tested and reused without a database:

- **values**: whitespace, e-mail addresses, phone numbers (E.164, Swiss default), amounts in Swiss,
  German, French and English notation, dates (dd.mm.yyyy, ISO, and m/d/yyyy when a mapping says so),
  yes/no, choices and countries by any of their spellings;
- **files**: encoding (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252/Latin-1) and delimiter
  (``;`` ``,`` tab ``|``) detection, and a CSV reader that streams line by line, so that a file of a
  million rows needs no more memory than one of ten, and a single absurd line (10 MB without a line
  break) becomes an error of that row instead of exhausting memory;
- **columns**: header → field matching against layouts (column tables of other CRMs' exports, kept as
  data) and synonyms;
- **rows**: typed values with per-cell problems (a reason code and its parameters, described in German
  or English), upsert keys and duplicates within a file;
- **exports**: neutralising cells a spreadsheet would run as a formula.

Problems are codes with parameters, never prose, so that the same outcome can be shown to each reader
in their own language (``describe``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from .numbers import NumberError, parse_number

# --------------------------------------------------------------------------------------------------
# Problems and their descriptions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem: a reason code with parameters, and where it is (row 1 is the header row)."""

    code: str
    params: dict = field(default_factory=dict)
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        """As JSON-safe values (a Decimal minimum becomes its text), to be stored with the row."""
        params = {key: value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
                  for key, value in self.params.items()}
        return {"code": self.code, "params": params, "row": self.row, "column": self.column,
                "field": self.field}


class CellError(ValueError):
    """A cell's value cannot be used; carries the reason code and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, format, header)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def issue(self) -> Issue:
        return Issue(self.code, self.params, row=self.params.get("row"))


# Every reason an import can give, in English and German. Parameters in braces.
MESSAGES: dict[str, dict[str, str]] = {
    # the file
    "empty_file": {"en": "The file is empty.", "de": "Die Datei ist leer."},
    "binary_file": {"en": "This is not a text (CSV) file. Save the table as CSV (UTF-8) or Excel (.xlsx).",
                    "de": "Das ist keine Textdatei (CSV). Speichern Sie die Tabelle als CSV (UTF-8) oder "
                          "Excel (.xlsx)."},
    "xls_not_supported": {"en": "Old Excel files (.xls) cannot be read. Save the sheet as .xlsx or CSV.",
                          "de": "Alte Excel-Dateien (.xls) können nicht gelesen werden. Speichern Sie das "
                                "Blatt als .xlsx oder CSV."},
    "bad_xlsx": {"en": "The Excel file cannot be opened ({detail}).",
                 "de": "Die Excel-Datei kann nicht geöffnet werden ({detail})."},
    "unknown_encoding": {"en": "Unknown text encoding “{encoding}”.",
                         "de": "Unbekannte Zeichenkodierung «{encoding}»."},
    "bad_encoding": {"en": "Row {row} is not valid {encoding} text; characters were replaced. Save the file "
                           "as CSV UTF-8 or choose its encoding.",
                     "de": "Zeile {row} ist kein gültiger {encoding}-Text; Zeichen wurden ersetzt. Speichern "
                           "Sie die Datei als CSV UTF-8 oder wählen Sie ihre Kodierung."},
    "wrong_delimiter": {"en": "With the delimiter “{delimiter}” the header has only one column, but it "
                              "contains “{found}”: choose that delimiter (or automatic detection).",
                        "de": "Mit dem Trennzeichen «{delimiter}» hat die Kopfzeile nur eine Spalte, enthält "
                              "aber «{found}»: wählen Sie dieses Trennzeichen (oder die automatische Erkennung)."},
    "no_header": {"en": "The first row holds no column names.",
                  "de": "Die erste Zeile enthält keine Spaltennamen."},
    "missing_column": {"en": "The file has no column for “{field}”, which is required (map a column or set a "
                             "value for all rows).",
                       "de": "Die Datei hat keine Spalte für «{field}», die nötig ist (ordnen Sie eine Spalte "
                             "zu oder setzen Sie einen Wert für alle Zeilen)."},
    "mixed_encoding": {"en": "Row {row} (line {line}) is UTF-8 text in a file read as {encoding}; the file mixes "
                             "encodings. Save it once more as CSV UTF-8.",
                       "de": "Zeile {row} (Zeile {line} der Datei) ist UTF-8-Text in einer als {encoding} gelesenen "
                             "Datei; die Datei mischt Kodierungen. Speichern Sie sie nochmals als CSV UTF-8."},
    "unclosed_quote": {"en": "The quote opened in line {line} is not closed: lines {line} to {end} were read as "
                             "one cell. Close the quote or remove it.",
                       "de": "Das in Zeile {line} geöffnete Anführungszeichen wird nicht geschlossen: die Zeilen "
                             "{line} bis {end} wurden als eine Zelle gelesen. Schliessen oder entfernen Sie es."},
    "ambiguous_decimal": {"en": "The column {columns} holds numbers like 1.250 that can mean one and a quarter or "
                                "one thousand two hundred and fifty. Choose how to read it (step Columns).",
                          "de": "Die Spalte {columns} enthält Zahlen wie 1.250, die eins Komma zwei fünf oder "
                                "tausendzweihundertfünfzig bedeuten können. Wählen Sie, wie sie zu lesen ist "
                                "(Schritt Spalten)."},
    "line_too_long": {"en": "Row {row} is longer than {limit} characters and was not read.",
                      "de": "Zeile {row} ist länger als {limit} Zeichen und wurde nicht gelesen."},
    "csv_error": {"en": "The file cannot be read as CSV from row {row} on ({detail}).",
                  "de": "Die Datei kann ab Zeile {row} nicht als CSV gelesen werden ({detail})."},
    "too_many_cells": {"en": "The row has {count} cells but the header only {expected}; is a delimiter "
                             "inside a value without quotes?",
                       "de": "Die Zeile hat {count} Zellen, die Kopfzeile nur {expected}; steht ein "
                             "Trennzeichen ohne Anführungszeichen in einem Wert?"},
    "too_many_rows": {"en": "The file has more than {limit} rows; import it in parts or with the command "
                            "line.",
                      "de": "Die Datei hat mehr als {limit} Zeilen; importieren Sie sie in Teilen oder über "
                            "die Kommandozeile."},
    # a cell
    "required": {"en": "A value is required.", "de": "Ein Wert ist nötig."},
    "too_long": {"en": "At most {max} characters (this one has {length}).",
                 "de": "Höchstens {max} Zeichen (dieser Wert hat {length})."},
    "bad_number": {"en": "“{value}” is not a number.", "de": "«{value}» ist keine Zahl."},
    "too_many_decimals": {"en": "“{value}” has more than {places} decimal places.",
                          "de": "«{value}» hat mehr als {places} Nachkommastellen."},
    "number_too_large": {"en": "“{value}” is too large.", "de": "«{value}» ist zu gross."},
    "below_minimum": {"en": "“{value}” is below the minimum of {min}.",
                      "de": "«{value}» liegt unter dem Minimum von {min}."},
    "above_maximum": {"en": "“{value}” is above the maximum of {max}.",
                      "de": "«{value}» liegt über dem Maximum von {max}."},
    "bad_integer": {"en": "“{value}” is not a whole number.", "de": "«{value}» ist keine ganze Zahl."},
    "bad_date": {"en": "“{value}” is not a date (expected {expected}).",
                 "de": "«{value}» ist kein Datum (erwartet: {expected})."},
    "bad_email": {"en": "“{value}” is not an e-mail address.", "de": "«{value}» ist keine E-Mail-Adresse."},
    "bad_phone": {"en": "“{value}” is not a phone number we can read.",
                  "de": "«{value}» ist keine lesbare Telefonnummer."},
    "bad_url": {"en": "“{value}” is not a web address.", "de": "«{value}» ist keine Webadresse."},
    "bad_choice": {"en": "“{value}” is not one of: {choices}.", "de": "«{value}» ist keiner von: {choices}."},
    "bad_country": {"en": "“{value}” is not a country we know (use a two-letter code such as CH).",
                    "de": "«{value}» ist kein bekanntes Land (verwenden Sie einen Code wie CH)."},
    "bad_bool": {"en": "“{value}” is neither yes nor no.", "de": "«{value}» ist weder ja noch nein."},
    "bad_answer": {"en": "“{value}” is not a checklist answer (yes, no, open, ja, nein, offen or empty).",
                   "de": "«{value}» ist keine Checklisten-Antwort (yes, no, open, ja, nein, offen oder leer)."},
    "null_character": {"en": "The value contains a NUL character.", "de": "Der Wert enthält ein NUL-Zeichen."},
    # references and permissions
    "unknown_owner": {"en": "No active account manager “{value}”.",
                      "de": "Kein aktiver Kundenberater «{value}»."},
    "missing_owner": {"en": "An account manager is required (column or a value for all rows).",
                      "de": "Ein Kundenberater ist nötig (Spalte oder ein Wert für alle Zeilen)."},
    "owner_not_allowed": {"en": "You import into your own records only; this row names “{value}”.",
                          "de": "Sie importieren nur in Ihre eigenen Datensätze; diese Zeile nennt «{value}»."},
    "unknown_reference": {"en": "No {what} “{value}”.", "de": "Kein(e) {what} «{value}»."},
    "ambiguous_reference": {"en": "{count} records match “{value}”; add the city or the external ID.",
                            "de": "{count} Datensätze passen zu «{value}»; ergänzen Sie den Ort oder die "
                                  "externe ID."},
    "account_not_allowed": {"en": "You may not add records to the account “{value}”.",
                            "de": "Sie dürfen dem Kunden «{value}» keine Datensätze hinzufügen."},
    "key_in_use": {"en": "This external ID is already in use.", "de": "Diese externe ID ist bereits vergeben."},
    "not_permitted": {"en": "A record with this key exists that you may not change.",
                      "de": "Es gibt einen Datensatz mit diesem Schlüssel, den Sie nicht ändern dürfen."},
    "ambiguous_key": {"en": "{count} existing records match this key ({key}); it must name one.",
                      "de": "{count} bestehende Datensätze passen zu diesem Schlüssel ({key}); er muss genau "
                            "einen bezeichnen."},
    "missing_key": {"en": "The key ({key}) is empty in this row.",
                    "de": "Der Schlüssel ({key}) ist in dieser Zeile leer."},
    "duplicate_in_file": {"en": "Same key as row {first_row}: skipped as a duplicate.",
                          "de": "Gleicher Schlüssel wie Zeile {first_row}: als Duplikat übersprungen."},
    "not_a_company": {"en": "A person, not a company: skipped.",
                      "de": "Eine Person, keine Firma: übersprungen."},
    "a_company": {"en": "A company, not a person: skipped.", "de": "Eine Firma, keine Person: übersprungen."},
    "no_catalogue": {"en": "No published question catalogue exists for the checklist answers. Ask an "
                           "administrator.",
                     "de": "Für die Checklisten-Antworten gibt es keinen veröffentlichten Fragenkatalog. Wenden "
                           "Sie sich an einen Administrator."},
    "invalid": {"en": "{message}", "de": "{message}"},
    "model_validation": {"en": "{message_en}", "de": "{message_de}"},
}

ROW_LABEL = {"en": "Row {row}", "de": "Zeile {row}"}


def describe(code: str, params: dict | None = None, language: str = "en") -> str:
    """The reason in `language` ("de…" gives German, anything else English)."""
    lang = "de" if (language or "").lower().startswith("de") else "en"
    template = MESSAGES.get(code, {}).get(lang)
    if template is None:
        return code
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return template


# --------------------------------------------------------------------------------------------------
# Formula neutralisation (exports) and its reversal (imports)
# --------------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (CSV/formula injection).

    A value that already starts with a quote gets one too, so that `unneutralise` can undo exactly
    what this did and an export stays a faithful copy.
    """
    if text and (text[0] in FORMULA_TRIGGERS or text[0] == "'"):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The value a neutralised cell stood for: one leading quote before a trigger (or a quote) goes."""
    if len(text) >= 2 and text[0] == "'" and (text[1] in FORMULA_TRIGGERS or text[1] == "'"):
        return text[1:]
    return text


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def clean_text(value) -> str:
    """Text as a person meant it: Unicode NFC, no surrounding or repeated whitespace (line breaks stay
    in multi-line values only through `clean_long_text`)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = _plain(value)
    if value.isascii() and value.isprintable() and "  " not in value:
        return value.strip()  # the common case, without the regular expression and normalisation
    if "\x00" in value:
        raise CellError("null_character")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def clean_long_text(value) -> str:
    """Multi-line text: line breaks kept (normalised to \\n), spaces within lines tidied."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = _plain(value)
    if "\x00" in value:
        raise CellError("null_character")
    lines = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in lines).strip()


def _plain(value) -> str:
    """A non-text cell (from Excel) as the text a person would type."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def normalise_key(value) -> str:
    """How two spellings of one name compare: case and whitespace do not count."""
    return clean_text(value).casefold()


_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]{2,}$")


def normalize_email(value) -> str:
    """E-mail addresses in lower case (they are compared that way everywhere); "mailto:" dropped."""
    text = clean_text(value)
    if not text:
        return ""
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip("<>").strip().lower()
    if not _EMAIL.match(text) or ".." in text:
        raise CellError("bad_email", value=clean_text(value))
    return text


# Country calling codes and the length of the national significant number (without trunk prefix).
CALLING_CODES = {"CH": "41", "LI": "423", "DE": "49", "AT": "43", "FR": "33", "IT": "39", "US": "1", "CA": "1"}
_NSN_LENGTH = {"41": (9, 9), "423": (7, 9), "49": (5, 13), "43": (4, 13), "33": (9, 9), "39": (6, 11),
               "1": (10, 10)}
# Italy keeps the leading 0 of landline numbers after its country code; everyone else drops it.
_KEEPS_TRUNK_ZERO = {"39"}
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#|durchwahl|dw)\s*(\d{1,6})$", re.IGNORECASE)


def normalize_phone(value, default_country: str = "CH") -> str:
    """A phone number in E.164 (+41441234567); a national number is taken as one of `default_country`.

    Written by hand for CH, LI, DE, AT, FR, IT and US/CA (lengths checked); other countries are
    accepted in international form (+ or 00) with 8 to 15 digits. An extension is kept as
    ``;ext=123`` (RFC 3966), because E.164 itself has none.
    """
    text = clean_text(value)
    if not text:
        return ""
    original = text
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match.group(1), text[:match.start()]
    text = text.replace("(0)", "")
    if text.lower().startswith("tel:"):
        text = text[4:]
    compact = re.sub(r"[\s\-./()\u00a0\u2011\u2013]", "", text)
    if compact.startswith("+"):
        digits, international = compact[1:], True
    elif compact.startswith("00"):
        digits, international = compact[2:], True
    elif compact.startswith("011") and default_country in ("US", "CA"):
        digits, international = compact[3:], True
    else:
        digits, international = compact, False
    if not digits.isdigit():
        raise CellError("bad_phone", value=original)
    if not international:
        code = CALLING_CODES.get((default_country or "CH").upper())
        if code is None:
            raise CellError("bad_phone", value=original)
        if code == "1":
            national = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
        elif code in _KEEPS_TRUNK_ZERO:
            national = digits
        else:
            national = digits[1:] if digits.startswith("0") and not digits.startswith("00") else digits
        digits = code + national
    code = next((c for c in sorted(_NSN_LENGTH, key=len, reverse=True) if digits.startswith(c)), None)
    if code is not None:
        national = digits[len(code):]
        if code not in _KEEPS_TRUNK_ZERO and national.startswith("0"):
            national = national[1:]  # "+41 044 …": a trunk 0 written after the country code
        low, high = _NSN_LENGTH[code]
        if not low <= len(national) <= high or (code == "1" and national[0] in "01"):
            raise CellError("bad_phone", value=original)
        digits = code + national
    elif not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise CellError("bad_phone", value=original)
    return "+" + digits + (f";ext={extension}" if extension else "")


def decimal_evidence(value) -> str | None:
    """What one cell says about its column's decimal separator: "." or "," (it can only be read one
    way: 1.5, 1'250.50, 1.250,50, 1.250.000), "?" (1.250 and 1,250: a thousand and more, or one and a
    bit) or None (no separator, not text)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    for dash in (".–", ".-", ",–", ",-", ".—", ",—"):
        if value.endswith(dash):
            value = value[:-2]
            break
    text = "".join(ch for ch in value if ch.isdigit() or ch in ".,'\u2019")
    dots, commas = text.count("."), text.count(",")
    if not dots and not commas:
        return None
    if dots and commas:
        return "." if text.rfind(".") > text.rfind(",") else ","
    sep = "." if dots else ","
    if text.count(sep) > 1:
        return "," if sep == "." else "."
    if "'" in text or "\u2019" in text:
        return sep
    head, tail = text.split(sep)
    head = head.lstrip("0") or "0"
    if len(tail) == 3 and 1 <= len(head) <= 3 and head != "0":
        return "?"
    return sep


def judge_decimal(evidence: dict) -> str | None:
    """A column's decimal separator from its cells' evidence (a count per "." "," "?"): None when no
    cell is ambiguous (each reads one way), the one separator the unambiguous cells agree on, or "ask"
    when ambiguous cells have no (or conflicting) company: never guessed cell by cell."""
    if not evidence.get("?"):
        return None
    decisive = [sep for sep in (".", ",") if evidence.get(sep)]
    return decisive[0] if len(decisive) == 1 else "ask"


def parse_amount(value, decimal: str | None = None) -> Decimal:
    """A number as people write it in Switzerland and around (``1'250'000.50``, ``1 250 000,50``,
    ``1.250.000,50``, ``1,250,000.50``, ``CHF 1'250.–``, ``-12.5``): `numbers.parse_number`, the one
    reader of numbers, with its refusal as a cell error. `decimal` (``.`` or ``,``, set in the mapping)
    decides whether ``1.250`` is a decimal or grouped."""
    if isinstance(value, str):
        value = clean_text(value)
    try:
        return parse_number(value, decimal=decimal)
    except NumberError:
        raise CellError("bad_number", value=clean_text(value) if not isinstance(value, bool) else str(value)) from None


def format_amount(value: Decimal, style: str = "swiss", places: int | None = None) -> str:
    """`value` written in one of the notations `parse_amount` reads (for exports and tests).

    Styles: swiss ``1'250'000.50``, spaced ``1 250 000,50``, german ``1.250.000,50``,
    english ``1,250,000.50``, plain ``1250000.50``, plain_comma ``1250000,50``.
    """
    group, point = {"swiss": ("'", "."), "spaced": (" ", ","), "german": (".", ","), "english": (",", "."),
                    "plain": ("", "."), "plain_comma": ("", ",")}[style]
    sign = "-" if value < 0 else ""
    text = f"{abs(value):f}" if places is None else f"{abs(value):.{places}f}"
    integer, _, fraction = text.partition(".")
    if group:
        chunks = []
        while len(integer) > 3:
            chunks.insert(0, integer[-3:])
            integer = integer[:-3]
        integer = group.join([integer, *chunks])
    return sign + integer + (point + fraction if fraction else "")


def parse_integer(value) -> int:
    if isinstance(value, bool):
        raise CellError("bad_integer", value=str(value))
    if isinstance(value, int):
        return value
    try:
        number = parse_amount(value)
    except CellError:
        raise CellError("bad_integer", value=clean_text(value)) from None
    if number != number.to_integral_value():
        raise CellError("bad_integer", value=clean_text(value))
    return int(number)


DATE_ORDERS = ("dmy", "mdy", "ymd")
_EXPECTED = {"dmy": "dd.mm.yyyy / yyyy-mm-dd", "mdy": "m/d/yyyy / yyyy-mm-dd", "ymd": "yyyy-mm-dd"}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AP]M)?)?$",
                      re.IGNORECASE)
_YMD_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: 00–69 are this century, 70–99 the last (as spreadsheets read them).
        year += 2000 if year < 70 else 1900
    return year


def parse_date(value, order: str = "dmy") -> date:
    """A date: ISO (``2026-06-30``, also with a time as CRMs export it), Swiss ``30.06.2026`` (dots are
    always day first), and slashes in the mapping's `order` — ``dmy`` (30/06/2026, Europe) or ``mdy``
    (6/30/2026, US)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    expected = _EXPECTED.get(order, _EXPECTED["dmy"])
    try:
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _YMD_SLASHED.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DOTTED.match(text):
            return date(_year(m[3]), int(m[2]), int(m[1]))
        if (m := _SLASHED.match(text)) and order in ("dmy", "mdy"):
            first, second = int(m[1]), int(m[2])
            day, month = (first, second) if order == "dmy" else (second, first)
            return date(_year(m[3]), month, day)
    except ValueError:
        pass
    raise CellError("bad_date", value=text, expected=expected)


_TRUE = {"1", "yes", "y", "true", "wahr", "ja", "j", "x", "oui", "si", "sì", "✓"}
_FALSE = {"0", "no", "n", "false", "falsch", "nein", "non", "-", ""}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = normalise_key(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("bad_bool", value=clean_text(value))


def normalize_url(value) -> str:
    """A web address; one without a scheme gets https:// (people write www.muster.ch)."""
    text = clean_text(value)
    if not text:
        return ""
    if " " in text or "." not in text:
        raise CellError("bad_url", value=text)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        text = "https://" + text
    return text


def match_choice(value, choices: dict[str, str], shown: Iterable[str] = ()) -> str:
    """The stored value for one of its spellings; `choices` maps each `normalise_key`-ed spelling to it."""
    key = normalise_key(value)
    if key in choices:
        return choices[key]
    raise CellError("bad_choice", value=clean_text(value), choices=", ".join(shown) or ", ".join(
        sorted(set(choices.values()))))


# --------------------------------------------------------------------------------------------------
# Files: encoding, delimiter, streaming CSV
# --------------------------------------------------------------------------------------------------

SAMPLE_BYTES = 64 * 1024
# Longest physical line read (bytes), equal to the csv module's limit for one field: a record has no
# reason to be longer, and an unbounded line would let one file exhaust the memory of the process.
MAX_LINE_CHARS = 131_072
DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": ";", ",": ",", "\t": "Tab", "|": "|"}
# Bytes 0x80–0x9F that Windows-1252 leaves undefined: where they occur the text is Latin-1 (C1 controls).
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "cp1252": "Windows-1252",
                  "latin-1": "Latin-1 (ISO-8859-1)"}


def sniff_format(head: bytes, filename: str = "") -> str:
    """"xlsx" or "csv" by content (a renamed file is still recognised); refuses .xls and other binaries."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("xls_not_supported")
    if filename.lower().endswith(".xls"):
        raise FileProblem("xls_not_supported")
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """The encoding of a text file from its first bytes: a BOM decides; else UTF-8 if the bytes are
    valid UTF-8; else Windows-1252 (what Excel on Windows writes), or Latin-1 when bytes occur that
    Windows-1252 does not define."""
    if not sample:
        raise FileProblem("empty_file")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise FileProblem("binary_file")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # Not final: the sample may end inside a multi-byte character.
        decoder.decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if any(byte in _CP1252_UNDEFINED for byte in sample):
        return "latin-1"
    text = sample.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    if controls > max(8, len(text) // 100):
        raise FileProblem("binary_file")
    return "cp1252"


def _parse_sample(text: str, delimiter: str, rows: int = 30) -> list[list[str]]:
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may stop in the middle of the last line
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        return [row for _, row in zip(range(rows), reader) if row]
    except csv.Error:
        return []


def detect_delimiter(sample: str) -> str:
    """The delimiter among ; , tab | that splits the header into the most columns with the following
    rows agreeing; "," when none splits anything (a one-column file)."""
    best, best_score = ",", (0, 0.0, 0)
    for delimiter in DELIMITERS:
        rows = _parse_sample(sample, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        agreeing = sum(1 for row in rows[1:] if len(row) == width) / max(1, len(rows) - 1)
        score = (1, round(agreeing, 2), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def check_delimiter(header_line: str, delimiter: str) -> None:
    """A chosen delimiter that leaves the header whole while another one would split it is wrong."""
    rows = _parse_sample(header_line, delimiter, rows=1)
    if rows and len(rows[0]) == 1:
        for other in DELIMITERS:
            if other != delimiter and other in rows[0][0]:
                split = _parse_sample(header_line, other, rows=1)
                if split and len(split[0]) > 1:
                    raise FileProblem("wrong_delimiter", delimiter=DELIMITER_NAMES[delimiter],
                                      found=DELIMITER_NAMES[other])


@dataclass
class Record:
    """One data row of a file: its row number (the header is row 1), its cells, and a problem that
    prevented reading it properly (an overlong line, undecodable bytes)."""

    row: int
    cells: list
    problem: Issue | None = None


class _Lines:
    """Decoded physical lines of a binary stream, each bounded in length and decoded on its own, so
    that one bad line is one bad row. Remembers what went wrong since the caller last asked."""

    def __init__(self, stream: IO[bytes], encoding: str, limit: int, first: bytes = b""):
        self.stream = stream
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self.limit = limit
        self.pending = first
        self.too_long = False
        self.undecodable = False
        self.mixed = 0  # the first physical line that is UTF-8 in a single-byte file (0: none)
        self.count = 0  # physical lines read so far
        self.single_byte = self.encoding in ("cp1252", "latin-1", "iso-8859-1", "iso8859-1")

    def take_problems(self) -> tuple[bool, bool]:
        problems = (self.too_long, self.undecodable)
        self.too_long = self.undecodable = False
        return problems

    def take_mixed(self) -> int:
        line, self.mixed = self.mixed, 0
        return line

    def _readline(self) -> bytes:
        if self.pending:
            newline = self.pending.find(b"\n")
            if newline >= 0:
                line, self.pending = self.pending[:newline + 1], self.pending[newline + 1:]
                return line
            line, self.pending = self.pending, b""
            if len(line) > self.limit:
                return line
            return line + self.stream.readline(self.limit + 1 - len(line))
        return self.stream.readline(self.limit + 1)

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self._readline()
            if not line:
                return
            self.count += 1
            if self.single_byte and not self.mixed and not line.isascii() and _is_utf8(line):
                self.mixed = self.count
            if len(line) > self.limit and not line.endswith(b"\n"):
                # Drain the rest of the overlong line in bounded pieces.
                while True:
                    rest = self.stream.readline(self.limit)
                    if not rest or rest.endswith(b"\n"):
                        break
                self.too_long = True
                yield "\n"
                continue
            try:
                yield line.decode(self.encoding)
            except UnicodeDecodeError:
                self.undecodable = True
                yield line.decode(self.encoding, errors="replace")


def _is_utf8(line: bytes) -> bool:
    """Valid UTF-8 with multi-byte characters: in a Windows-1252 file that is text saved differently
    ("Ã„" for "Ä"), since real Windows-1252 text almost never forms valid UTF-8 sequences."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _TextLines(_Lines):
    """The same for encodings whose line ends are not single bytes (UTF-16): decoded by a text reader."""

    def __init__(self, stream: IO[bytes], encoding: str, limit: int):
        import io

        super().__init__(stream, encoding, limit)
        self.text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self.text.readline(self.limit + 1)
            if not line:
                return
            if len(line) > self.limit and not line.endswith("\n"):
                while True:
                    rest = self.text.readline(self.limit)
                    if not rest or rest.endswith("\n"):
                        break
                self.too_long = True
                yield "\n"
                continue
            if "\ufffd" in line:
                self.undecodable = True
            yield line


class CsvTable:
    """A CSV file read as a stream: `headers`, then records one by one.

    `encoding` and `delimiter` are "auto" or forced. Raises `FileProblem` for what makes the whole
    file unreadable (empty, binary, no header, a delimiter that does not fit); problems of single
    rows travel with their `Record`.
    """

    def __init__(self, stream: IO[bytes], *, encoding: str = "auto", delimiter: str = "auto",
                 max_line_chars: int = MAX_LINE_CHARS):
        self.stream = stream
        head = stream.read(SAMPLE_BYTES)
        if not head.strip():
            raise FileProblem("empty_file")
        detected = detect_encoding(head)
        if encoding in ("auto", "", None):
            self.encoding = detected
        else:
            self.encoding = encoding.lower().replace("_", "-")
            if self.encoding in ("windows-1252", "cp-1252"):
                self.encoding = "cp1252"
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise FileProblem("unknown_encoding", encoding=encoding) from None
            if self.encoding in ("utf-8", "utf8") and head.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
        if self.encoding == "utf-16":
            stream.seek(0)
            self.lines = _TextLines(stream, "utf-16", max_line_chars)
        else:
            first = head[len(codecs.BOM_UTF8):] if self.encoding == "utf-8-sig" else head
            self.lines = _Lines(stream, self.encoding, max_line_chars, first=first)
        sample_text = head.decode(self._codec(), errors="replace").lstrip("\ufeff")
        if delimiter in ("auto", "", None):
            self.delimiter = detect_delimiter(sample_text)
        else:
            self.delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
            if self.delimiter not in DELIMITERS:
                raise FileProblem("wrong_delimiter", delimiter=delimiter, found=", ".join(
                    DELIMITER_NAMES[d] for d in DELIMITERS))
        self.reader = csv.reader(iter(self.lines), delimiter=self.delimiter)
        self.row = 0
        self.width = 0  # cells of the header, once read
        header = self._next_raw()
        while header is not None and header[1] is None and not any(cell.strip() for cell in header[0]):
            header = self._next_raw()  # blank lines above the header
        if header is None:
            raise FileProblem("empty_file")
        cells, problem = header
        if problem is not None:
            raise FileProblem(problem.code, **problem.params)
        if len(cells) == 1:
            check_delimiter(cells[0], self.delimiter)
        self.headers = unique_headers(cells)
        if not any(self.headers):
            raise FileProblem("no_header")
        self.width = len(self.headers)

    def _swallowed(self, cells: list[str]) -> bool:
        """A cell spanning lines that themselves look like whole rows (as many delimiters as the header):
        a quote opened and never closed, not a note with line breaks."""
        if self.width < 2:
            return False
        for cell in cells:
            if "\n" in cell and any(line.count(self.delimiter) >= self.width - 1 for line in cell.split("\n")[1:]):
                return True
        return False

    def _codec(self) -> str:
        return {"utf-8-sig": "utf-8", "utf-16": "utf-16"}.get(self.encoding, self.encoding)

    def _next_raw(self):
        first_line = getattr(self.lines, "count", 0) + 1
        try:
            cells = next(self.reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise FileProblem("csv_error", row=self.row + 1, detail=str(exc)) from None
        self.row += 1
        too_long, undecodable = self.lines.take_problems()
        mixed = self.lines.take_mixed() if hasattr(self.lines, "take_mixed") else 0
        last_line = getattr(self.lines, "count", first_line)
        problem = None
        if self.width and last_line > first_line and self._swallowed(cells):
            problem = Issue("unclosed_quote", {"line": first_line, "end": last_line}, row=self.row)
        elif mixed:
            problem = Issue("mixed_encoding", {"row": self.row, "line": mixed, "encoding": ENCODING_NAMES.get(
                self.encoding, self.encoding)}, row=self.row)
        elif too_long:
            problem = Issue("line_too_long", {"row": self.row, "limit": f"{self.lines.limit:,}".replace(",", "'")},
                            row=self.row)
        elif undecodable:
            problem = Issue("bad_encoding", {"row": self.row, "encoding": ENCODING_NAMES.get(
                self.encoding, self.encoding)}, row=self.row)
        return cells, problem

    def __iter__(self) -> Iterator[Record]:
        while True:
            raw = self._next_raw()
            if raw is None:
                return
            cells, problem = raw
            if problem is None and not any(cell.strip() for cell in cells):
                continue  # blank line (spreadsheets often end with some)
            yield Record(self.row, cells, problem)


def unique_headers(cells: Iterable) -> list[str]:
    """Header texts made unique and non-empty: a repeated name gets " (2)", an empty one "#3"."""
    seen: dict[str, int] = {}
    result = []
    for index, cell in enumerate(cells, start=1):
        name = clean_text(unneutralise(str(cell)).replace("\ufeff", "")) if cell is not None else ""
        name = name or f"#{index}"
        count = seen.get(name.casefold(), 0) + 1
        seen[name.casefold()] = count
        result.append(name if count == 1 else f"{name} ({count})")
    # Trailing unnamed columns are Excel's leftovers, not data.
    while result and re.fullmatch(r"#\d+", result[-1]):
        result.pop()
    return result


# --------------------------------------------------------------------------------------------------
# Columns: header → field
# --------------------------------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    """Headers compare without case, accents' width, punctuation or camel case: "BillingCity",
    "Billing City" and "billing_city" are one; "Straße" and "Strasse" too."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    text = re.sub(r"__c$", "", text)  # Salesforce custom fields
    text = re.sub(r"[^\w]+|_", " ", text.casefold())
    return " ".join(text.split())


@dataclass
class MappingGuess:
    """Which field each header goes to (None: not imported), and the layout recognised, if any."""

    columns: dict[str, str | None]
    layout: str | None = None
    matched: int = 0


def auto_map(headers: list[str], kind: str, layouts: list[dict], synonyms: dict[str, list[str]],
             fields: Iterable[str]) -> MappingGuess:
    """Map `headers` to fields of `kind`: the layout (another CRM's export, or ours) that knows most
    of the headers wins; its table comes first, then the general `synonyms`, then the field names.

    A layout is ``{"id", "name", "kinds": {kind: {"columns": {header: field}}}}``. A field may take
    several columns (phone and mobile): the first non-empty one gives the value.
    """
    fields = set(fields)
    normalised = [normalize_header(h) for h in headers]
    best, best_count, best_table, tied = None, 0, {}, False
    for layout in layouts:
        table = {normalize_header(k): v for k, v in layout.get("kinds", {}).get(kind, {}).get("columns", {}).items()}
        count = sum(1 for h in normalised if h in table)
        if count > best_count:
            best, best_count, best_table, tied = layout.get("id"), count, table, False
        elif count == best_count and count:
            tied = True
    # A layout recognised by a single generic header ("Name") is no layout at all. One that shares just
    # two generic headers ("Deal Stage", "Close Date") with the file, or as many as another layout, is
    # not named either (an unknown layout rather than a wrong name), unless they are half the file.
    if best_count < 2:
        best, best_table = None, {}
    elif tied or (best_count < 3 and best_count * 2 < len([h for h in normalised if h])):
        best = None
    general = {}
    for name in fields:
        general.setdefault(normalize_header(name), name)
    for name, words in synonyms.items():
        if name in fields:
            for word in words:
                general.setdefault(normalize_header(word), name)
    columns: dict[str, str | None] = {}
    taken_single: set[str] = set()
    for header, norm in zip(headers, normalised):
        target = best_table.get(norm) if best_table else None
        if target is None:
            target = general.get(norm)
        if target not in fields:
            target = None
        if target is not None and target in taken_single and not target.startswith(("phone", "email")):
            target = None  # the first column for a field wins; later ones stay unmapped for the user
        if target is not None:
            taken_single.add(target)
        columns[header] = target
    return MappingGuess(columns=columns, layout=best, matched=sum(1 for v in columns.values() if v))


# --------------------------------------------------------------------------------------------------
# Rows: typed values, keys, duplicates, changes
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """What a target field accepts. `type` is one of: text, longtext, email, phone, url, amount,
    percent, integer, date, bool, choice, country, ref (a name resolved later against the database),
    answer (a checklist's headline answer: yes, no or open)."""

    name: str
    type: str = "text"
    required: bool = False
    max_length: int | None = None
    choices: dict | None = None          # normalised spelling → stored value
    shown_choices: tuple = ()            # what an error message lists
    max_digits: int | None = None
    decimal_places: int | None = None
    min_value: Decimal | int | None = None
    max_value: Decimal | int | None = None


@dataclass
class Options:
    """How to read the cells of one file (set in the mapping)."""

    date_order: str = "dmy"
    decimal: str | None = None           # "." or "," for the one ambiguous case; None: amounts rule
    decimals: dict | None = None         # the same per column (header → "." or ","), judged or asked
    default_country: str = "CH"
    countries: dict | None = None        # normalised country name → ISO code
    # CSV cells may carry the quote our exports put before formula characters; Excel cells do not
    # (there the quote is a cell flag, not part of the text).
    neutralised: bool = True

    def __post_init__(self):
        self._codes = frozenset((self.countries or {}).values())

    def country(self, value: str) -> str:
        """An ISO code from a code or a country's name in any language the table knows."""
        key = normalise_key(value)
        if len(key) == 2 and key.isalpha() and (not self._codes or key.upper() in self._codes):
            return key.upper()
        if self.countries and key in self.countries:
            return self.countries[key]
        raise CellError("bad_country", value=clean_text(value))


def _check_number(spec: FieldSpec, number: Decimal, raw: str) -> Decimal:
    """`number` within the field's limits, trailing zeros beyond its decimal places dropped (1.250 → 1.25)."""
    if spec.decimal_places is not None:
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > spec.decimal_places:
            raise CellError("too_many_decimals", value=raw, places=spec.decimal_places)
        if isinstance(number.as_tuple().exponent, int) and -number.as_tuple().exponent > spec.decimal_places:
            number = number.quantize(Decimal(1).scaleb(-spec.decimal_places))
    if spec.max_digits is not None and spec.decimal_places is not None \
            and abs(number) >= Decimal(10) ** (spec.max_digits - spec.decimal_places):
        raise CellError("number_too_large", value=raw)
    if spec.min_value is not None and number < spec.min_value:
        raise CellError("below_minimum", value=raw, min=spec.min_value)
    if spec.max_value is not None and number > spec.max_value:
        raise CellError("above_maximum", value=raw, max=spec.max_value)
    return number


TEXT_TYPES = frozenset({"text", "longtext", "email", "phone", "url", "choice", "country", "ref", "answer"})

# A headline answer of a qualification checklist, in either language; an empty cell answers nothing.
ANSWER_WORDS = {"yes": "yes", "ja": "yes", "no": "no", "nein": "no", "open": "open", "offen": "open"}


def parse_answer(value) -> str:
    """"yes", "no" or "open" from yes/no/open/ja/nein/offen in any case; raises `CellError`."""
    word = ANSWER_WORDS.get(clean_text(value).casefold())
    if word is None:
        raise CellError("bad_answer", value=clean_text(value))
    return word


def clean_value(spec: FieldSpec, raw, options: Options, decimal: str | None = None):
    """The typed value of one cell for `spec` ("" or None when empty); raises `CellError`. `decimal`:
    the decimal separator decided for this cell's column (else the file's)."""
    if isinstance(raw, str) and options.neutralised:
        raw = unneutralise(raw)
    kind = spec.type
    if kind == "longtext":
        value = clean_long_text(raw)
    elif kind in TEXT_TYPES or raw is None or isinstance(raw, str):
        value = clean_text(raw)
    else:
        value = raw  # a typed spreadsheet cell (number, date) for a typed field
    if value is None or (isinstance(value, str) and value == ""):
        return "" if kind in TEXT_TYPES else None
    if kind in ("text", "longtext", "ref"):
        result = value
    elif kind == "email":
        result = normalize_email(value)
    elif kind == "phone":
        result = normalize_phone(value, options.default_country)
    elif kind == "url":
        result = normalize_url(value)
    elif kind in ("amount", "percent"):
        if isinstance(value, str) and kind == "percent":
            value = value.rstrip("%").strip()
        result = _check_number(spec, parse_amount(value, decimal or options.decimal), clean_text(raw))
    elif kind == "integer":
        result = parse_integer(value)
        _check_number(spec, Decimal(result), clean_text(raw))  # limits only: a whole number stays whole
    elif kind == "date":
        result = parse_date(value, options.date_order)
    elif kind == "bool":
        result = parse_bool(value)
    elif kind == "choice":
        result = match_choice(value, spec.choices or {}, spec.shown_choices)
    elif kind == "country":
        result = options.country(value)
    elif kind == "answer":
        result = parse_answer(value)
    else:
        raise ValueError(f"unknown field type {kind!r}")
    if spec.max_length is not None and isinstance(result, str) and len(result) > spec.max_length:
        raise CellError("too_long", max=spec.max_length, length=len(result))
    return result


def clean_row(raw: dict[str, tuple[str | None, object]], specs: dict[str, FieldSpec],
              options: Options, row: int) -> tuple[dict, list[Issue]]:
    """Typed values of one row. `raw` maps each field to (column name, cell); every problem becomes an
    `Issue` at its row and column, so that a row reports all its problems at once."""
    values, issues = {}, []
    for name, (column, cell) in raw.items():
        spec = specs.get(name)
        if spec is None:
            continue
        try:
            value = clean_value(spec, cell, options, options.decimals.get(column) if options.decimals else None)
        except CellError as exc:
            issues.append(Issue(exc.code, exc.params, row=row, column=column, field=name))
            continue
        if spec.required and value in ("", None):
            issues.append(Issue("required", {}, row=row, column=column, field=name))
            continue
        values[name] = value
    return values, issues


def split_full_name(full: str) -> tuple[str, str]:
    """"Anna Maria Meier" → ("Anna Maria", "Meier"); "Meier, Anna" → ("Anna", "Meier")."""
    full = clean_text(full)
    if "," in full:
        last, _, first = full.partition(",")
        return clean_text(first), clean_text(last)
    if " " not in full:
        return "", full
    first, _, last = full.rpartition(" ")
    return first, last


class DuplicateTracker:
    """Remembers each key seen in a file by a short digest, so that 100,000 keys take a few MB."""

    def __init__(self):
        self.seen: dict[bytes, int] = {}

    @staticmethod
    def digest(key: tuple) -> bytes:
        return hashlib.blake2b(repr(key).encode("utf-8"), digest_size=12).digest()

    def first_row(self, key: tuple, row: int) -> int | None:
        """The row that had `key` before, or None (and `row` is remembered as having it)."""
        digest = self.digest(key)
        first = self.seen.get(digest)
        if first is None:
            self.seen[digest] = row
        return first


def changed_fields(current: dict, new: dict) -> dict[str, tuple]:
    """Fields whose new value differs from the current one: {field: (old, new)}. An empty new value
    never counts: an empty cell leaves the stored value as it is."""
    changes = {}
    for name, value in new.items():
        if value in ("", None):
            continue
        old = current.get(name)
        if isinstance(value, Decimal) and isinstance(old, Decimal):
            if value == old:
                continue
        elif old == value:
            continue
        changes[name] = (old, value)
    return changes
