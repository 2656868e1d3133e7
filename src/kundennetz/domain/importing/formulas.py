"""Neutralising cells a spreadsheet would run as a formula (exports), and the reversal (imports)."""

from __future__ import annotations

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
