"""The mapping of an import: which column fills which field, and how cells are read."""

from __future__ import annotations

from dataclasses import dataclass, field

from kundennetz.domain.importing import DATE_ORDERS

from .. import fields, guessing


CHUNK = 1000
BULK = 500


# --------------------------------------------------------------------------------------------------
# The mapping: which column fills which field, and how cells are read
# --------------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Header → field (None: not imported), the upsert key, how to read cells, values for all rows."""

    columns: dict[str, str | None]
    key: str = ""
    date_order: str = "dmy"
    decimal: str = "auto"
    decimals: dict[str, str] = field(default_factory=dict)  # per column, where "auto" cannot tell
    default_country: str = "CH"
    defaults: dict[str, str] = field(default_factory=dict)
    encoding: str = "auto"
    delimiter: str = "auto"
    layout: str | None = None

    def as_json(self) -> dict:
        return {"columns": self.columns, "key": self.key, "date_order": self.date_order, "decimal": self.decimal,
                "decimals": self.decimals,
                "default_country": self.default_country, "defaults": self.defaults, "encoding": self.encoding,
                "delimiter": self.delimiter, "layout": self.layout}

    @classmethod
    def from_json(cls, data: dict) -> Mapping:
        data = dict(data or {})
        return cls(columns=dict(data.get("columns") or {}), key=data.get("key") or "",
                   date_order=data.get("date_order") if data.get("date_order") in DATE_ORDERS else "dmy",
                   decimal=data.get("decimal") if data.get("decimal") in (".", ",") else "auto",
                   decimals={str(k): v for k, v in (data.get("decimals") or {}).items() if v in (".", ",")},
                   default_country=(data.get("default_country") or "CH").upper(),
                   defaults={k: str(v) for k, v in (data.get("defaults") or {}).items() if str(v).strip()},
                   encoding=data.get("encoding") or "auto", delimiter=data.get("delimiter") or "auto",
                   layout=data.get("layout"))

    def mapped(self) -> set[str]:
        return {name for name in self.columns.values() if name} | set(self.defaults)


def suggest(headers: list[str], kind: str) -> Mapping:
    """The mapping detected for `headers`: layout, columns and that layout's reading options."""
    guess = guessing.guess(headers, kind)
    options = guessing.layout_options(guess.layout)
    mapped = {name for name in guess.columns.values() if name}
    return Mapping(columns=guess.columns, key=fields.default_key(kind, mapped),
                   date_order=options.get("date_order", "dmy"), layout=guess.layout)


def adapt(saved: dict, headers: list[str], kind: str) -> Mapping:
    """A saved mapping applied to a new file: its columns where the headers match, detection elsewhere."""
    mapping = Mapping.from_json(saved)
    detected = suggest(headers, kind)
    known = {header.casefold(): target for header, target in mapping.columns.items()}
    mapping.columns = {header: known.get(header.casefold(), detected.columns.get(header)) for header in headers}
    return mapping
