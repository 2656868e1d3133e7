"""Recognising a file: all known layouts (the other CRMs' and our own export's) and the mapping guessed
from a file's headers.

Above `layouts` (the data files), `fields` and `exports` (our own export's column labels), so that
none of those needs to import this one.
"""

from django.utils import translation

from kundennetz.domain.importing import MappingGuess, auto_map, normalize_header

from . import exports, fields
from .layouts import OWN_LAYOUT, synonyms, system_layouts


def own_layout() -> dict:
    """Our export's headers in both languages (and the plain field names) as a layout."""
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
