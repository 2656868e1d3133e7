"""Numbers as people type them, in forms, on the command line and in imported files.

One reader for every number a person enters: ``35,5`` and ``35.5``, ``−20`` (a typographic minus),
``–20`` and ``-20``, ``1'250'000``, ``1 250 000`` (any space), ``1.250.000,50``, ``1,250,000.50``,
``CHF 1'250.–``, ``(12.5)`` for a negative amount, and ``35,5 %`` where a percentage is asked for.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = ["NumberError", "parse_number", "parse_whole_number", "normalize_dashes"]


class NumberError(ValueError):
    """The text is not a number in any notation we read; `text` is what was given."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


# Every character people (or their word processor) type for a dash or a minus.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_MINUS = DASHES
_CURRENCY = re.compile(r"^(?:CHF|SFR\.?|FR\.|EUR|USD|GBP|€|\$|£)\s*|\s*(?:CHF|SFR\.?|FR\.|EUR|USD|GBP|€|\$|£)$",
                       re.IGNORECASE)
# Apostrophes (typed or typographic) and spaces of any width only ever group digits.
GROUPING_ONLY = "'\u2019\u02bc\u00b4` \u00a0\u202f\u2009\u2007"
_ALLOWED = re.compile(r"[0-9.,'\u2019\u02bc\u00b4` \u00a0\u202f\u2009\u2007]+")
_SPACES = re.compile(r"\s+")


def normalize_dashes(text: str) -> str:
    """`text` with every kind of dash or minus written as ``-`` and runs of space as one space."""
    return _SPACES.sub(" ", "".join("-" if ch in DASHES else ch for ch in unicodedata.normalize("NFC", text))).strip()


# Digits with at most two decimals after a point, as machines write them ("1250000.50", "-5.25"):
# read the same by every rule below, so read at once (most cells of a large import look like this).
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]{1,2})?")


def parse_number(value, decimal: str | None = None, percent: bool = False) -> Decimal:
    """A number written the way people write it (see the module's notes), as a Decimal.

    With both ``.`` and ``,`` the last one is the decimal separator. A single separator repeated
    groups digits. A single separator once is the decimal separator, except when exactly three
    digits follow it and one to three (not a lone 0) precede it (``1.250``, ``1,250``): that is a
    thousands separator. `decimal` (``.`` or ``,``) decides that one ambiguous case instead. Groups
    must have three digits, so ``1'25`` or ``12.34.5`` are refused rather than guessed. With
    `percent`, one trailing ``%`` is allowed (``35,5 %`` is 35.5).
    """
    if type(value) is str and _PLAIN.fullmatch(value):
        # A minus as the general reading applies it (so "-0" is 0, not Decimal("-0")).
        return -Decimal(value[1:]) if value[0] == "-" else Decimal(value)
    return _parse_general(value, decimal, percent)


def _parse_general(value, decimal: str | None, percent: bool) -> Decimal:
    if isinstance(value, bool):
        raise NumberError(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError(str(value))
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise NumberError(str(value))
        return Decimal(repr(value))
    original = _SPACES.sub(" ", unicodedata.normalize("NFC", str(value if value is not None else ""))).strip()
    text = original
    if percent and text.endswith("%"):
        text = text[:-1].strip()
    if not text:
        raise NumberError(original)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = _CURRENCY.sub("", text).strip()
    if text[:1] and text[0] in _MINUS:
        negative, text = not negative, text[1:].strip()
    elif text[:1] == "+":
        text = text[1:].strip()
    text = _CURRENCY.sub("", text).strip()
    for dash in (".–", ".-", ",–", ",-", ".—", ",—"):
        if text.endswith(dash):
            text = text[:-2]
            break
    if not text or not _ALLOWED.fullmatch(text) or not text[0].isdigit() and text[0] not in ".," \
            or not text[-1].isdigit():
        raise NumberError(original)
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        if text.count(decimal_sep) != 1 or text.rfind(group_sep) > text.rfind(decimal_sep):
            raise NumberError(original)
    elif dots or commas:
        sep = "." if dots else ","
        if text.count(sep) > 1:
            decimal_sep, group_sep = None, sep
        else:
            head, tail = text.split(sep)
            head_digits = "".join(ch for ch in head if ch.isdigit())
            looks_grouped = len(tail) == 3 and 1 <= len(head_digits) <= 3 and head_digits != "0" \
                and not any(ch in GROUPING_ONLY for ch in head)
            if decimal in (".", ",") and looks_grouped:
                grouped = sep != decimal
            else:
                grouped = looks_grouped
            decimal_sep, group_sep = (None, sep) if grouped else (sep, None)
    else:
        decimal_sep, group_sep = None, None
    if decimal_sep:
        integer, fraction = text.rsplit(decimal_sep, 1)
        if not fraction.isdigit():
            raise NumberError(original)
    else:
        integer, fraction = text, ""
    separators = GROUPING_ONLY + (group_sep or "")
    groups = re.split("[" + re.escape(separators) + "]", integer)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise NumberError(original)
    digits = "".join(groups) or "0"
    if not digits.isdigit():
        raise NumberError(original)
    try:
        number = Decimal(digits + ("." + fraction if fraction else ""))
    except InvalidOperation:
        raise NumberError(original) from None
    return -number if negative else number


def parse_whole_number(value, percent: bool = False) -> int:
    """A whole number in any notation `parse_number` reads (``1'250``, ``−3``, ``12.0``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = parse_number(value, percent=percent)
    if number != number.to_integral_value():
        raise NumberError(str(value))
    return int(number)
