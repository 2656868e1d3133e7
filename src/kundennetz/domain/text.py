"""Text as German readers compare it: searching without caring for accents or case, sorting in German order.

`fold("Zürich")` is "zurich": letters lose their accents and case (ß becomes ss), so "Zurich", "ZÜRICH"
and "Zürich" are one word to search for; the same key sorts names as a German dictionary does
(DIN 5007, variant 1: ä as a, ö as o, ü as u), so "Bäckerei" comes before "Burgdorfer" on every database.
Records keep such keys in columns of their own, written whenever the text changes.
"""

from __future__ import annotations

import unicodedata

SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe",
                         "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "’": "'"})
SEARCH_MAX = 600
SORT_MAX = 200


def fold(text: str | None) -> str:
    """Lower case without accents: the form in which texts are searched and sorted."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(SPECIAL))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().translate(SPECIAL).split())


def sort_key(*parts: str | None) -> str:
    """The key that sorts names in German order (parts in order of importance, e.g. last then first name)."""
    return "\x01".join(fold(part) for part in parts)[:SORT_MAX] if any(parts) else ""


def search_text(*parts: str | None, limit: int | None = SEARCH_MAX) -> str:
    """All searchable texts of a record in one folded string (words separated by a bar, so that a search
    for two words never matches across two fields), cut at `limit` characters (None: a free text such as
    an interaction's note, found wherever its word stands)."""
    text = " | ".join(fold(part) for part in parts if part)
    return text if limit is None else text[:limit]


def search_terms(value: str | None, limit: int = 8) -> list[str]:
    """The folded words of what someone typed into a search box (at most `limit`)."""
    return [word for word in fold(value).split() if word and word != "|"][:limit]
