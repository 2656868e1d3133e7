"""The domain speaks no language: it returns codes and numbers, and the sentences live in the
translation catalogue, read by the adapters (one translation mechanism).

Read from the source, without importing: no module of ``domain/`` imports Django (its translation
included), and none holds a table of sentences or of texts per language at module level.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "kundennetz" / "domain"
LANGUAGE_KEYS = {"de", "de-ch", "de_ch", "en", "fr", "it"}

# Tables still to move into the catalogue: listed so that no new one appears, and each one moved is
# taken off (the test fails on an entry that no longer holds a table).
STILL_TO_MOVE = {
    "consistency/wording.py",
    "qualification.py",
}


def _modules() -> dict[str, ast.Module]:
    return {str(path.relative_to(DOMAIN)): ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(DOMAIN.rglob("*.py"))}


def _is_sentence(text: str) -> bool:
    """Three or more words of letters, one of them a real word: "The file is empty." but not
    "dd.mm.yyyy / yyyy-mm-dd" or a CSS value."""
    words = [word for word in text.split() if re.search(r"[^\W\d_]", word)]
    return len(words) >= 3 and any(re.fullmatch(r"[^\W\d_]{4,}[.,:;]?", word) for word in words)


def _tables(tree: ast.Module) -> list[str]:
    """Module-level names bound to sentences or to texts per language."""
    found = []
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if value is None:
            continue
        texts = [n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        keyed_by_language = any(
            isinstance(n, ast.Dict) and LANGUAGE_KEYS & {k.value for k in n.keys if isinstance(k, ast.Constant)}
            for n in ast.walk(value))
        if keyed_by_language or sum(map(_is_sentence, texts)) >= 2:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            found.append(ast.unparse(target))
    return found


def test_the_domain_imports_no_django_and_no_translation():
    offenders = []
    for name, tree in _modules().items():
        for node in ast.walk(tree):
            modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{name}: {module}" for module in modules
                          if module.split(".")[0] in {"django", "gettext", "babel"}]
    assert offenders == []


def test_the_domain_holds_no_message_tables():
    tables = {name: found for name, tree in _modules().items() if (found := _tables(tree))}
    new = {name: found for name, found in tables.items() if name not in STILL_TO_MOVE}
    assert new == {}, "put the sentences in the adapter, through gettext, and return codes from the domain"
    assert STILL_TO_MOVE <= set(tables), f"moved already, take off STILL_TO_MOVE: {STILL_TO_MOVE - set(tables)}"


def test_the_table_finder_finds_tables():
    tree = ast.parse('MESSAGES = {"empty": {"en": "The file is empty.", "de": "Die Datei ist leer."}}\n'
                     'HINTS = ("Choose a period first.", "Enter a whole number here.")\n'
                     'FORMATS = ("dd.mm.yyyy / yyyy-mm-dd", "#1a4a7a")\nCODES = ("too_few", "bad_number")\n')
    assert _tables(tree) == ["MESSAGES", "HINTS"]
