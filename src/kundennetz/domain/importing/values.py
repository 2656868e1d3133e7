"""Cleaning single values: text, keys, e-mail, phone, amounts, integers, dates, yes/no, URLs, choices."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from ..numbers import NumberError, parse_number
from .issues import CellError


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
