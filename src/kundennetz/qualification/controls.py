"""The answer controls of the checklist page, built once per question from plain data.

The page shows about forty questions. A Django form per question renders one widget template per radio
button, option and text area — several hundred template renders, more time than all the rest of the page
together. Here the same markup (the names, ids and attributes `AnswerForm`'s widgets give, so that a plain
POST still reaches `AnswerForm`, which stays the only place that checks the input) is built directly, every
value escaped (`_e`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape as escape_html

from django.utils.safestring import SafeString, mark_safe

from kundennetz.domain import qualification as rules

from .forms import MAX_TEXT, YES_NO_CHOICES, AmountField, AnswerForm

_AMOUNT = AmountField(required=False)  # only to show a stored amount the way the form shows it


@dataclass
class Control:
    """What `_question.html` prints for one question: hidden fields, the value's input, the note, errors."""

    question_id: str
    version: int
    value_id: str  # what the question's label points to
    value: SafeString
    note_id: str
    note: SafeString
    note_text: str
    errors: SafeString  # errors of the value and of the form as a whole
    note_errors: SafeString
    invalid: bool = False

    @property
    def hidden(self) -> SafeString:
        dom = _e(self.value_id.removeprefix("id_").removesuffix("_value"))
        return mark_safe(
            f'<input type="hidden" name="question_id" value="{_e(self.question_id)}" id="id_{dom}_question_id">'
            f'<input type="hidden" name="version" value="{_e(self.version)}" inputmode="numeric" autocomplete="off" '
            f'id="id_{dom}_version">')


def _e(value) -> str:
    """`conditional_escape` without its lazy-text machinery, which costs more than the escaping at forty
    questions with their options: safe text as it is, anything else escaped."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else escape_html(str(value))


def _error_list(errors, element_id: str, css: str = "errorlist") -> SafeString:
    if not errors:
        return mark_safe("")
    items = "".join(f"<li>{_e(e)}</li>" for e in errors)
    if element_id:
        return mark_safe(f'<ul class="{_e(css)}" id="{_e(element_id)}">{items}</ul>')
    return mark_safe(f'<ul class="{_e(css)}">{items}</ul>')


def _invalid_attrs(invalid: bool, error_id: str) -> str:
    if not invalid:
        return ""
    return f' aria-invalid="true" aria-describedby="{_e(error_id)}"'


def _textarea(name: str, element_id: str, text: str, invalid: bool) -> SafeString:
    return mark_safe(f'<textarea name="{_e(name)}" cols="40" rows="2" maxlength="{MAX_TEXT}"'
                     f'{_invalid_attrs(invalid, f"{element_id}_error")} id="{_e(element_id)}">\n{_e(text or "")}'
                     '</textarea>')


def _options(choices, selected: set[str]) -> str:
    return "".join(f'<option value="{_e(key)}"{" selected" if str(key) in selected else ""}>{_e(label)}</option>'
                   for key, label in choices)


def _value_input(question: rules.Question, dom: str, selected: set[str], text: str, choices: dict,
                 invalid: bool) -> SafeString:
    element_id = _e(f"id_{dom}_value")
    attrs = _invalid_attrs(invalid, f"id_{dom}_value_error")
    if question.type == rules.YES_NO:
        radio_invalid = ' aria-invalid="true"' if invalid else ""
        return mark_safe("".join(
            f'<label class="ck-choice {_e(key)}" for="{element_id}_{n}"><input type="radio" name="value" '
            f'value="{_e(key)}" id="{element_id}_{n}" required{radio_invalid}{" checked" if key in selected else ""}>'
            f'<span>{_e(label)}</span></label>'
            for n, (key, label) in enumerate(YES_NO_CHOICES)))
    if question.type in (rules.CONTACTS, rules.COMPETITORS):
        options = choices["contacts" if question.type == rules.CONTACTS else "competitors"]
        return mark_safe(f'<select name="value" size="4"{attrs} id="{element_id}" multiple>'
                         f'{_options(options, selected)}</select>')
    if question.type == rules.USER:
        return mark_safe(f'<select name="value"{attrs} id="{element_id}">'
                         f'{_options([("", "–"), *choices["users"]], selected)}</select>')
    if question.type == rules.AMOUNT:
        shown = f' value="{_e(text)}"' if text not in ("", None) else ""
        return mark_safe(f'<input type="text" name="value"{shown} inputmode="decimal" autocomplete="off" size="16"'
                         f'{attrs} id="{element_id}">')
    return _textarea("value", f"id_{dom}_value", text, invalid)


def _stored(question: rules.Question, stored) -> tuple[set[str], str]:
    """The selected keys and the text a stored answer shows as."""
    value = AnswerForm.initial_value(question, stored)
    if question.type in (rules.CONTACTS, rules.COMPETITORS):
        return {str(v) for v in value}, ""
    if question.type in (rules.YES_NO, rules.USER):
        return {"" if value is None else str(value)}, ""
    if question.type == rules.AMOUNT:
        if value is None:
            return set(), ""
        return set(), _AMOUNT.widget.format_value(_AMOUNT.prepare_value(Decimal(value)))
    return set(), value or ""


def stored_control(question: rules.Question, dom: str, answer, choices: dict) -> Control:
    """The control for the answer as stored (or for no answer yet)."""
    selected, text = _stored(question, answer.value if answer else None)
    return _control(question, dom, answer.version if answer else 0, selected, text,
                    answer.note if answer else "", choices)


def bound_control(form: AnswerForm, dom: str, version: int, choices: dict) -> Control:
    """The control for input that was refused: what the user typed, with the reasons beside it."""
    data, question = form.data, form.question
    values = data.getlist("value") if hasattr(data, "getlist") else [data.get("value")]
    values = [v for v in values if v is not None]
    multiple = question.type in (rules.CONTACTS, rules.COMPETITORS)
    selected = set(values if multiple else values[:1])
    text = values[0] if values and question.type in (rules.AMOUNT, rules.TEXT) else ""
    return _control(question, dom, version, selected, text, data.get("note", ""), choices, form.errors)


def _control(question, dom, version, selected, text, note, choices, errors=None) -> Control:
    errors = errors or {}
    value_errors = [*errors.get("value", []), *errors.get("question_id", [])]
    note_errors = errors.get("note", [])
    general = errors.get("__all__", [])
    note_id = f"id_{dom}_note"
    return Control(
        question_id=question.id, version=version, value_id=f"id_{dom}_value",
        value=_value_input(question, dom, selected, text, choices, bool(errors.get("value"))),
        note_id=note_id, note=_textarea("note", note_id, note, bool(note_errors)), note_text=note or "",
        errors=mark_safe(_error_list(value_errors, f"id_{dom}_value_error")
                         + _error_list(general, "", "errorlist nonfield")),
        note_errors=_error_list(note_errors, f"{note_id}_error"), invalid=bool(errors))
