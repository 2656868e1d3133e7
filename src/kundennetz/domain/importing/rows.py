"""Rows: typed values from field specs, upsert keys, duplicates within a file, changed fields."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from .formulas import unneutralise
from .issues import CellError, Issue
from .values import (
    clean_long_text,
    clean_text,
    match_choice,
    normalise_key,
    normalize_email,
    normalize_phone,
    normalize_url,
    parse_amount,
    parse_bool,
    parse_date,
    parse_integer,
)


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
