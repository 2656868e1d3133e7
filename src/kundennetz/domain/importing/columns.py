"""Columns: matching headers to fields through layouts and synonyms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


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
