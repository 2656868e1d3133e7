"""Evaluate checklist files against the default catalogue without a database (`kundennetz qualify`).

Each file holds ``{"answers": {<headline key>: "yes"|"no"|"open"}, "threshold": n, "details": {<id>: value}}``;
headline keys and detail ids are those of ``catalogues/ascotsman-v1.json``. With ``as_json`` every good file
gives one JSON line; every bad file gives one line on stderr instead, and the exit status becomes 2.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from io import TextIOBase as IO  # not typing.IO: importing typing alone costs the quick path 3 ms

from kundennetz.domain import qualification as q

CATALOGUE = "ascotsman-v1.json"
FIELDS = ("answers", "threshold", "details")
EXIT_BAD_INPUT = 2


@lru_cache(maxsize=None)
def default_catalogue() -> q.Catalogue:
    # A plain file next to this module (importlib.resources alone costs a fifth of a second's start-up;
    # os.path, not pathlib, for the same reason).
    path = os.path.join(os.path.dirname(__file__), "catalogues", CATALOGUE)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            data = handle.read()
    else:
        from importlib import resources

        data = resources.files("kundennetz.qualification").joinpath("catalogues", CATALOGUE).read_text("utf-8")
    return q.Catalogue.from_dict(json.loads(data))


def company_name() -> str:
    from django.conf import settings

    if settings.configured:
        return getattr(settings, "KUNDENNETZ_COMPANY_NAME", q.DEFAULT_COMPANY) or q.DEFAULT_COMPANY
    return q.DEFAULT_COMPANY


def default_language(environ: Mapping[str, str] = os.environ) -> str:
    """'de' or 'en': the terminal's locale if it names a language, else Django's active language."""
    locale = next((environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(v)), "")
    if locale and locale.split(".")[0] not in ("C", "POSIX"):
        return "de" if locale.lower().startswith("de") else "en"
    from django.conf import settings

    if settings.configured:
        from django.utils import translation

        return "de" if (translation.get_language() or "").lower().startswith("de") else "en"
    return "en"


def gettext_noop(message: str) -> str:
    """Marks a message for `makemessages`; Django's own would need configured settings just to be imported."""
    return message


# English message ids, marked for the translation catalogue; the German table makes the output right
# until that catalogue exists, after which a translation found there wins.
_ = gettext_noop
GERMAN = {
    _("cannot read the file: {reason}"): "Datei kann nicht gelesen werden: {reason}",
    _("the file is not UTF-8 text"): "Die Datei ist kein UTF-8-Text",
    _("not valid JSON: {detail} (line {line}, column {column})"):
        "kein gültiges JSON: {detail} (Zeile {line}, Spalte {column})",
    _("not valid JSON: {constant} is not allowed"): "kein gültiges JSON: {constant} ist nicht erlaubt",
    _("not valid JSON: nested too deeply"): "kein gültiges JSON: zu tief verschachtelt",
    _("duplicate key {key}"): "doppelter Schlüssel {key}",
    _("expected a JSON object, not {kind}"): "JSON-Objekt erwartet, nicht {kind}",
    _("unknown field {field} (allowed: answers, threshold, details)"):
        "unbekanntes Feld {field} (erlaubt: answers, threshold, details)",
    _('missing field "answers"'): 'Feld "answers" fehlt',
    _("{field} must be a JSON object, not {kind}"): "{field} muss ein JSON-Objekt sein, nicht {kind}",
    _("unknown answer key {key} (expected one of: {keys})"):
        "unbekannter Antwortschlüssel {key} (erwartet: {keys})",
    _("invalid answer {value} for {key} (expected yes, no, open, ja, nein or offen)"):
        "ungültige Antwort {value} für {key} (erwartet: yes, no, open, ja, nein oder offen)",
    _("threshold must be an integer >= 0, not {value}"):
        "threshold muss eine ganze Zahl >= 0 sein, nicht {value}",
    _("unknown detail id {key}"): "unbekannte Detailfrage {key}",
    _("invalid value {value} for detail {key} (expected {expected})"):
        "ungültiger Wert {value} für Detailfrage {key} (erwartet: {expected})",
    _("yes, no, open, ja, nein or offen"): "yes, no, open, ja, nein oder offen",
    _("a name or a list of names"): "ein Name oder eine Liste von Namen",
    _("a name"): "ein Name",
    _("a number >= 0"): "eine Zahl >= 0",
    _("a text"): "ein Text",
    _("Make an offer"): "Angebot unterbreiten",
    _("Clarify with the customer first"): "Zuerst situativ mit dem Kunden klären",
    _("No offer"): "Kein Angebot",
    _("Unfavourable: {count} of {total} (more than {threshold} means no offer)"):
        "Ungünstig: {count} von {total} (mehr als {threshold} heisst kein Angebot)",
    _("Open: {count}"): "Offen: {count}",
    _("Knock-out answered unfavourably: {questions}"): "K.-o.-Kriterium ungünstig beantwortet: {questions}",
    _("favourable"): "günstig",
    _("unfavourable"): "ungünstig",
    _("open"): "offen",
    _("green"): "grün",
    _("amber"): "gelb",
    _("red"): "rot",
    _("Open questions to clarify:"): "Offene Fragen zur Klärung:",
    _("Contradictions:"): "Widersprüche:",
}
RECOMMENDATIONS = {q.OFFER: _("Make an offer"), q.CLARIFY: _("Clarify with the customer first"),
                   q.NO_OFFER: _("No offer")}
EXPECTED = {q.YES_NO: _("yes, no, open, ja, nein or offen"), q.CONTACTS: _("a name or a list of names"),
            q.COMPETITORS: _("a name or a list of names"), q.USER: _("a name"), q.AMOUNT: _("a number >= 0"),
            q.TEXT: _("a text")}
del _


def _translate(message: str, language: str, **params: object) -> str:
    text = _from_catalogue(message, language)
    if text == message and language == "de":
        text = GERMAN.get(message, message)
    return text.format(**params) if params else text


class _Words:
    """The command's messages in one language, each looked up once per run: asking the translation catalogue
    means switching Django's language, which costs more than the rest of a file's summary."""

    def __init__(self, language: str):
        self.language = language
        self._found: dict[str, str] = {}

    def __call__(self, message: str, **params: object) -> str:
        text = self._found.get(message)
        if text is None:
            text = self._found[message] = _translate(message, self.language)
        return text.format(**params) if params else text


def _from_catalogue(message: str, language: str) -> str:
    from django.apps import apps
    from django.conf import settings

    if not (settings.configured and apps.ready and settings.USE_I18N):
        return message
    from django.utils import translation

    with translation.override(_project_language(language)):
        return translation.gettext(message)


def _project_language(language: str) -> str:
    """The project's code of a language: it may name German "de-ch"; a bare "de" would miss a catalogue
    filed under that code."""
    from django.conf import settings

    return next((c for c, _name in settings.LANGUAGES if c.split("-")[0] == language), language)


def _contradictions(evaluation: q.Evaluation, catalogue: q.Catalogue, language: str, company: str) -> list[str]:
    """The contradictions in words (text output only, which runs with Django started)."""
    from django.utils import translation

    from .wording import contradictions

    with translation.override(_project_language(language)):
        return contradictions(catalogue, evaluation, language, company)


class InputError(Exception):
    """A problem with one input file; reported on one line, never as a traceback."""

    def __init__(self, message: str, **params: object):
        super().__init__(message)
        self.message, self.params = message, params


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _kind(value: object) -> str:
    for types, name in ((dict, "object"), (list, "array"), (str, "string"), (bool, "boolean"),
                        (int | float, "number")):
        if isinstance(value, types):
            return name
    return "null"


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    found = dict(pairs)
    if len(found) < len(pairs):  # a key came twice: name the first one repeated
        seen: set = set()
        for key, _value in pairs:
            if key in seen:
                raise InputError(gettext_noop("duplicate key {key}"), key=_show(key))
            seen.add(key)
    return found


def _reject_constant(name: str) -> None:
    raise InputError(gettext_noop("not valid JSON: {constant} is not allowed"), constant=name)


def _read(path: str, stdin: IO) -> str:
    try:
        if path == "-":
            raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        else:
            with open(path, "rb", buffering=0) as handle:  # read whole: no buffer needed
                raw = handle.read()
        # Editors on Windows like to start files with a byte order mark; it is no part of the JSON. (What the
        # codec utf-8-sig does, without its Python-level decoder.)
        return (raw.decode("utf-8") if isinstance(raw, bytes) else raw).removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InputError(gettext_noop("the file is not UTF-8 text")) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(gettext_noop("cannot read the file: {reason}"), reason=reason) from None


# One decoder for all files: json.loads with options builds a new one (and its scanner) for every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


def _parse(text: str) -> object:
    try:
        if text[:1] == "\ufeff":  # what json.loads says of a second byte order mark
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InputError(gettext_noop("not valid JSON: {detail} (line {line}, column {column})"),
                         detail=exc.msg, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise InputError(gettext_noop("not valid JSON: nested too deeply")) from None


def checklist(data: object, catalogue: q.Catalogue) -> tuple[dict[str, q.Answer], int]:
    """The answers (headline and detail, by question id) and the threshold of one parsed file."""
    if not isinstance(data, dict):
        raise InputError(gettext_noop("expected a JSON object, not {kind}"), kind=_kind(data))
    for field in data:
        if field not in FIELDS:
            raise InputError(gettext_noop("unknown field {field} (allowed: answers, threshold, details)"),
                             field=_show(field))
    if "answers" not in data:
        raise InputError(gettext_noop('missing field "answers"'))
    for field in ("answers", "details"):
        if not isinstance(data.get(field, {}), dict):
            raise InputError(gettext_noop("{field} must be a JSON object, not {kind}"),
                             field=_show(field), kind=_kind(data[field]))

    answers: dict[str, q.Answer] = {}
    for key, value in data["answers"].items():
        if key not in catalogue.keys:
            raise InputError(gettext_noop("unknown answer key {key} (expected one of: {keys})"),
                             key=_show(key), keys=", ".join(catalogue.keys))
        try:
            if not isinstance(value, str):  # null or true are not among the documented values
                raise ValueError(value)
            answers[key] = q.parse_yes_no(value)
        except ValueError:
            raise InputError(gettext_noop(
                "invalid answer {value} for {key} (expected yes, no, open, ja, nein or offen)"),
                value=_show(value), key=_show(key)) from None

    threshold = data.get("threshold", q.DEFAULT_THRESHOLD)
    try:
        q.validate_threshold(threshold)
    except ValueError:
        raise InputError(gettext_noop("threshold must be an integer >= 0, not {value}"),
                         value=_show(threshold)) from None

    details = catalogue.details_by_id
    for key, value in data.get("details", {}).items():
        if key not in details:
            raise InputError(gettext_noop("unknown detail id {key}"), key=_show(key))
        question = details[key]
        try:
            if question.type != q.YES_NO:
                answers[key] = q.normalise_answer(question, value)
            elif isinstance(value, str):
                answers[key] = q.parse_yes_no(value)
            else:
                raise ValueError(value)
        except ValueError:
            raise InputError(gettext_noop("invalid value {value} for detail {key} (expected {expected})"),
                             value=_show(value), key=_show(key), expected=EXPECTED[question.type]) from None
    return answers, threshold


def _summary(path: str, evaluation: q.Evaluation, catalogue: q.Catalogue, language: str, company: str,
             t: _Words | None = None) -> list[str]:
    t = t or _Words(language)

    lines = [f"{path}: {t(RECOMMENDATIONS[evaluation.recommendation])}",
             "  " + t("Unfavourable: {count} of {total} (more than {threshold} means no offer)",
                      count=len(evaluation.unfavourable), total=len(catalogue.keys), threshold=evaluation.threshold),
             "  " + t("Open: {count}", count=len(evaluation.open))]
    if evaluation.knockouts:
        names = "; ".join(catalogue.question(i).localised(language, company) for i in evaluation.knockouts)
        lines.append("  " + t("Knock-out answered unfavourably: {questions}", questions=names))
    width = max(len(c.localised_name(language, company)) for c in catalogue.categories)
    for category in catalogue.categories:
        state = evaluation.states[category.key]
        lines.append(f"  {category.letter}  {category.localised_name(language, company):<{width}}  "
                     f"{t(evaluation.lights[category.key]):<5}  {t(state)}")
    if evaluation.clarify:
        lines.append("  " + t("Open questions to clarify:"))
        lines.extend(f"    - {point.question_id}: {point.text}" for point in evaluation.clarify)
    if evaluation.warnings:
        lines.append("  " + t("Contradictions:"))
        lines.extend(f"    - {text}" for text in _contradictions(evaluation, catalogue, language, company))
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


class Quoted(dict):
    """Codes and question ids as JSON strings, each quoted once per run and looked up for every file."""

    def __missing__(self, text: str) -> str:
        quoted = self[text] = json.dumps(text)
        return quoted


def json_line(path: str, evaluation: q.Evaluation, quoted: Quoted) -> str:
    """Exactly ``json.dumps({"file": path, **evaluation.to_dict()})``, written out directly: the encoder
    escapes the same few dozen ids anew for every file, a sixth of the time a file takes
    (tests/qualification/test_qualify_cli.py holds the two equal)."""
    word = quoted.__getitem__
    counts = ", ".join([f"{word(state)}: {count}" for state, count in evaluation.counts.items()])
    lights = ", ".join([f"{word(key)}: {word(light)}" for key, light in evaluation.lights.items()])
    warnings = ", ".join([f'{{"category": {word(w.category)}, "code": {word(w.code)}, '
                          f'"questions": [{", ".join(map(word, w.question_ids))}]}}' for w in evaluation.warnings])
    return (f'{{"file": {json.dumps(path)}, "recommendation": {word(evaluation.recommendation)}, '
            f'"unfavourable": [{", ".join(map(word, evaluation.unfavourable))}], '
            f'"open": [{", ".join(map(word, evaluation.open))}], "threshold": {evaluation.threshold!r}, '
            f'"favourable": [{", ".join(map(word, evaluation.favourable))}], "counts": {{{counts}}}, '
            f'"knockouts": [{", ".join(map(word, evaluation.knockouts))}], "lights": {{{lights}}}, '
            f'"clarify": [{", ".join([word(p.question_id) for p in evaluation.clarify])}], "warnings": [{warnings}]}}')


def run_qualify(paths: list[str], *, as_json: bool, stdin: IO, stdout: IO, stderr: IO,
                language: str = "en", company: str | None = None) -> int:
    """Evaluate each file in order; 0 if all were good, else 2 (bad files reported on stderr)."""
    language = "de" if (language or "").lower().startswith("de") else "en"
    company = company or company_name()
    catalogue = default_catalogue()
    status, printed = 0, False
    quoted, words = Quoted(), _Words(language)
    for path in paths:
        try:
            answers, threshold = checklist(_parse(_read(path, stdin)), catalogue)
        except InputError as error:
            stderr.write(_one_line(f"{path}: {words(error.message, **error.params)}") + "\n")
            status = EXIT_BAD_INPUT
            continue
        evaluation = q.evaluate(catalogue, answers, threshold, language=language, company=company)
        if as_json:
            stdout.write(json_line(path, evaluation, quoted) + "\n")
        else:
            separator = [""] if printed else []  # a blank line between the summaries of several files
            stdout.write("\n".join([*separator, *_summary(path, evaluation, catalogue, language, company, words)])
                         + "\n")
        printed = True
    return status
