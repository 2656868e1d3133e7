"""The column tables of other CRMs' exports and the synonym tables, kept as JSON in `layouts/`.

Each `layouts/<id>.json` is one system's export layout (``{"id", "name", "options", "kinds": {kind:
{"columns": {header: field}}}}``); files starting with ``_`` are the shared tables (synonyms, choice
spellings, countries). Adding a CRM means adding a file, not code. Our own export is a layout too,
built from the export's column labels in German and English.
"""

import json
from functools import lru_cache
from pathlib import Path

from django.utils import translation

from kundennetz.domain.importing import MappingGuess, auto_map, normalise_key, normalize_header

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


def own_layout() -> dict:
    """Our export's headers in both languages (and the plain field names) as a layout."""
    from . import exports, fields

    kinds = {}
    for kind in fields.TARGETS:
        columns = {}
        for language in ("de-ch", "en"):
            with translation.override(language):
                for name, label in exports.column_labels(kind).items():
                    if name != "id":
                        columns.setdefault(label, name)
        for name in fields.field_names(kind):
            columns.setdefault(name, name)
        kinds[kind] = {"columns": columns}
    return {"id": OWN_LAYOUT, "name": "Kundennetz", "options": {"date_order": "dmy"}, "kinds": kinds}


def all_layouts() -> list[dict]:
    return [own_layout(), *system_layouts()]


def layout_names() -> dict[str, str]:
    return {layout["id"]: layout["name"] for layout in all_layouts()}


def guess(headers: list[str], kind: str) -> MappingGuess:
    from . import fields

    guessed = auto_map(headers, kind, all_layouts(), synonyms().get(kind, {}), fields.field_names(kind))
    if kind == "opportunities":
        # A checklist's headline answers go by the catalogue's keys or headline texts, before any
        # layout's guess ("need" is the answer to the headline question, not the need in words).
        answers = fields.answer_columns()
        taken = set()
        for header in headers:
            target = answers.get(normalize_header(header))
            if target is not None and target not in taken:
                taken.add(target)
                guessed.columns[header] = target
        guessed.matched = sum(1 for value in guessed.columns.values() if value)
    return guessed


def layout_options(layout_id: str | None) -> dict:
    for layout in all_layouts():
        if layout["id"] == layout_id:
            return dict(layout.get("options", {}))
    return {}
