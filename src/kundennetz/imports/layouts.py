"""The column tables of other CRMs' exports and the synonym tables, kept as JSON in `layouts/`.

Each `layouts/<id>.json` is one system's export layout (``{"id", "name", "options", "kinds": {kind:
{"columns": {header: field}}}}``); files starting with ``_`` are the shared tables (synonyms, choice
spellings, countries). Adding a CRM means adding a file, not code. Our own export is a layout too,
built in `guessing` from the export's column labels in German and English.
"""

import json
from functools import lru_cache
from pathlib import Path

from kundennetz.domain.importing import normalise_key

DIRECTORY = Path(__file__).resolve().parent / "layouts"
OWN_LAYOUT = "kundennetz"


def _read(name: str) -> dict:
    return json.loads((DIRECTORY / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def system_layouts() -> tuple[dict, ...]:
    return tuple(_read(path.name) for path in sorted(DIRECTORY.glob("*.json")) if not path.name.startswith("_"))


@lru_cache(maxsize=1)
def synonyms() -> dict:
    data = _read("_synonyms.json")
    return {kind: table for kind, table in data.items() if not kind.startswith("_")}


@lru_cache(maxsize=1)
def choice_synonyms() -> dict:
    data = _read("_choices.json")
    return {name: table for name, table in data.items() if not name.startswith("_")}


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """Normalised country name (or ISO 3166 alpha-3 code) → alpha-2 code."""
    table = {}
    for code, names in _read("_countries.json")["countries"].items():
        table[normalise_key(code)] = code
        for name in names:
            table[normalise_key(name)] = code
    return table


def stage_synonyms() -> dict[str, str]:
    """Normalised stage name used by other CRMs → our stage code."""
    table = {}
    for code, words in choice_synonyms().get("stages", {}).items():
        for word in words:
            table[normalise_key(word)] = code
    return table
