"""Evaluate checklist files against the default catalogue without a database (`kundennetz qualify`).

Each file holds ``{"answers": {<headline key>: "yes"|"no"|"open"}, "threshold": n, "details": {<id>: value}}``;
headline keys and detail ids are those of ``catalogues/ascotsman-v1.json``. With ``as_json`` every good file
gives one JSON line; every bad file gives one line on stderr instead, and the exit status becomes 2.
"""

from __future__ import annotations

import gettext
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


# English message ids, marked for the translation catalogue, which holds their German.
_ = gettext_noop
RECOMMENDATIONS = {q.OFFER: _("Make an offer"), q.CLARIFY: _("Clarify with the customer first"),
                   q.NO_OFFER: _("No offer")}
EXPECTED = {q.YES_NO: _("yes, no, open, ja, nein or offen"), q.CONTACTS: _("a name or a list of names"),
            q.COMPETITORS: _("a name or a list of names"), q.USER: _("a name"), q.AMOUNT: _("a number >= 0"),
            q.TEXT: _("a text")}
# The readable summary's texts (states, lights, headings), worded by `translate` with their values.
SUMMARY_TEXTS = (_("Unfavourable: {count} of {total} (more than {threshold} means no offer)"), _("Open: {count}"),
                 _("Knock-out answered unfavourably: {questions}"), _("favourable"), _("unfavourable"), _("open"),
                 _("green"), _("amber"), _("red"), _("Open questions to clarify:"), _("Contradictions:"))
del _

# os.path, not pathlib: the quick path does not load pathlib (start-up time).
LOCALE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locale")


@lru_cache(maxsize=None)
def _catalogue(language: str) -> gettext.NullTranslations:
    # The catalogue Django reads (django.mo), read with Python's own gettext: the quick path of
    # `kundennetz qualify --json` starts without Django, and both paths must answer alike.
    return gettext.translation("django", localedir=LOCALE_DIR, languages=[language], fallback=True)


def translate(message: str, language: str, **params: object) -> str:
    """`message` (an English text marked with `gettext_noop`) in `language` ("de" or "en") from the project's
    translation catalogue, its ``{placeholders}`` filled in."""
    text = _catalogue(language).gettext(message)
    return text.format(**params) if params else text


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


def show(value: object) -> str:
    """A value of an input file as JSON writes it, so that a message quotes it exactly."""
    return json.dumps(value, ensure_ascii=False)


def kind_of(value: object) -> str:
    """What JSON calls the value's type: object, array, string, boolean, number or null."""
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
                raise InputError(gettext_noop("duplicate key {key}"), key=show(key))
            seen.add(key)
    return found


def _reject_constant(name: str) -> None:
    raise InputError(gettext_noop("not valid JSON: {constant} is not allowed"), constant=name)


def read_input(path: str, stdin: IO) -> str:
    """The text of an input file ("-" reads `stdin`); InputError when it cannot be read as UTF-8."""
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


def parse_json(text: str) -> object:
    """The JSON of an input file; InputError for invalid JSON, a duplicate key, NaN or Infinity."""
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
        raise InputError(gettext_noop("expected a JSON object, not {kind}"), kind=kind_of(data))
    for field in data:
        if field not in FIELDS:
            raise InputError(gettext_noop("unknown field {field} (allowed: answers, threshold, details)"),
                             field=show(field))
    if "answers" not in data:
        raise InputError(gettext_noop('missing field "answers"'))
    for field in ("answers", "details"):
        if not isinstance(data.get(field, {}), dict):
            raise InputError(gettext_noop("{field} must be a JSON object, not {kind}"),
                             field=show(field), kind=kind_of(data[field]))

    answers: dict[str, q.Answer] = {}
    for key, value in data["answers"].items():
        if key not in catalogue.keys:
            raise InputError(gettext_noop("unknown answer key {key} (expected one of: {keys})"),
                             key=show(key), keys=", ".join(catalogue.keys))
        try:
            if not isinstance(value, str):  # null or true are not among the documented values
                raise ValueError(value)
            answers[key] = q.parse_yes_no(value)
        except ValueError:
            raise InputError(gettext_noop(
                "invalid answer {value} for {key} (expected yes, no, open, ja, nein or offen)"),
                value=show(value), key=show(key)) from None

    threshold = data.get("threshold", q.DEFAULT_THRESHOLD)
    try:
        q.validate_threshold(threshold)
    except ValueError:
        raise InputError(gettext_noop("threshold must be an integer >= 0, not {value}"),
                         value=show(threshold)) from None

    details = catalogue.details_by_id
    for key, value in data.get("details", {}).items():
        if key not in details:
            raise InputError(gettext_noop("unknown detail id {key}"), key=show(key))
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
                             value=show(value), key=show(key), expected=EXPECTED[question.type]) from None
    return answers, threshold


def _summary(path: str, evaluation: q.Evaluation, catalogue: q.Catalogue, language: str, company: str) -> list[str]:
    def t(message: str, **params: object) -> str:
        return translate(message, language, **params)

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


def one_line(text: str) -> str:
    """The text with its line breaks as spaces: one problem, one line on stderr."""
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
    quoted = Quoted()
    for path in paths:
        try:
            answers, threshold = checklist(parse_json(read_input(path, stdin)), catalogue)
        except InputError as error:
            stderr.write(one_line(f"{path}: {translate(error.message, language, **error.params)}") + "\n")
            status = EXIT_BAD_INPUT
            continue
        evaluation = q.evaluate(catalogue, answers, threshold, language=language, company=company)
        if as_json:
            stdout.write(json_line(path, evaluation, quoted) + "\n")
        else:
            separator = [""] if printed else []  # a blank line between the summaries of several files
            stdout.write("\n".join([*separator, *_summary(path, evaluation, catalogue, language, company)])
                         + "\n")
        printed = True
    return status
