"""The domain speaks no language: it returns codes and numbers, and the sentences live in the
translation catalogue, read by the adapters (one translation mechanism).

Read from the source, without importing: no module of ``domain/`` imports Django (its translation
included), none holds a table of sentences or of texts per language at module level, and none builds a
sentence with an f-string, except as the message of an error it raises.

Errors are told apart from results by where the sentence goes. What the domain returns (a warning of a
fitted curve, a conflict of an allocation, a reason) is shown to people, so it must be a code with
numbers. A raised error's message is for developers and logs: ``raise ValueError(f"...")`` and
``TypeError`` and the other built-in errors, the domain's own ``...Error`` classes (which carry a code
the adapters word, like ``CapacityError``), a module's raising helper (``_check(ok, path, f"...")``, a
function that raises such an error with the text it is given) and ``assert`` messages. SVG or HTML markup
built with f-strings is not a sentence: its tags are left out before the words are counted.
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "kundennetz" / "domain"
LANGUAGE_KEYS = {"de", "de-ch", "de_ch", "en", "fr", "it"}
BUILT_IN_ERRORS = {name for name, value in vars(builtins).items()
                   if isinstance(value, type) and issubclass(value, Exception)}


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


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _raises_error(node: ast.Raise) -> bool:
    """``raise ValueError(...)``, ``raise CapacityError(...)``: an error, whose message is for developers."""
    error = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return _name(error) in BUILT_IN_ERRORS or _name(error).endswith("Error")


def _raising_helpers(tree: ast.Module) -> set[str]:
    """Module functions that raise an error with one of their own parameters in its message."""
    helpers = set()
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parameters = {a.arg for a in function.args.args + function.args.kwonlyargs}
            for node in ast.walk(function):
                if isinstance(node, ast.Raise) and _raises_error(node) and parameters & {
                        n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
                    helpers.add(function.name)
    return helpers


def _sentences_built(tree: ast.Module) -> list[str]:
    """f-strings that read as sentences, outside the messages of raised errors."""
    helpers = _raising_helpers(tree)
    messages: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and _raises_error(node):
            messages |= {id(n) for n in ast.walk(node)}
        elif isinstance(node, ast.Call) and _name(node.func) in helpers:
            messages |= {id(n) for argument in node.args for n in ast.walk(argument)}
        elif isinstance(node, ast.Assert) and node.msg is not None:
            messages |= {id(n) for n in ast.walk(node.msg)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in messages:
            text = "\0".join(v.value if isinstance(v, ast.Constant) else "" for v in node.values)
            words = re.sub(r"<[^<>]*>|<[^<>]*$|^[^<>]*>", " ", text).replace("\0", " ")
            if _is_sentence(words):
                found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
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
    assert tables == {}, "put the sentences in the adapter, through gettext, and return codes from the domain"


def test_the_domain_builds_no_sentences():
    built = {name: found for name, tree in _modules().items() if (found := _sentences_built(tree))}
    assert built == {}, "return a code with its numbers and let the adapter word it through gettext"


def test_the_table_finder_finds_tables():
    tree = ast.parse('MESSAGES = {"empty": {"en": "The file is empty.", "de": "Die Datei ist leer."}}\n'
                     'HINTS = ("Choose a period first.", "Enter a whole number here.")\n'
                     'FORMATS = ("dd.mm.yyyy / yyyy-mm-dd", "#1a4a7a")\nCODES = ("too_few", "bad_number")\n')
    assert _tables(tree) == ["MESSAGES", "HINTS"]


# How curves.py worded its warnings before they became codes; and what stays allowed.
BUILT_SENTENCE = '''
def fit(rms):
    warnings = []
    if rms > 1:
        warnings.append(f"the curve deviates from the estimates by {_fmt(rms)} on average; please check them")
    return warnings
'''
ALLOWED = '''
def _check(condition, path, message):
    if not condition:
        raise ValueError(f"{path}: {message}")

def fit(effort, kind, rms, width):
    _check(kind in KINDS, "kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
    if effort <= 0:
        raise ValueError(f"today's effort must be a positive number, got {effort!r}")
    if rms < 0:
        raise CapacityError("rms", "negative", f"the deviation must not be negative, got {rms}")
    assert width > 0, f"the width must be positive, got {width}"
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" font-family="DejaVu Sans, Arial">'
    return svg, f"{kind}: {rms:,.1f} h > {effort:,.1f} h", ("deviates", {"rms": rms})
'''


def test_the_sentence_finder_finds_an_f_string_sentence_and_spares_error_messages():
    assert [line.split(":")[0] for line in _sentences_built(ast.parse(BUILT_SENTENCE))] == ["line 5"]
    assert _sentences_built(ast.parse(ALLOWED)) == []
