"""Checklist files for a prediction: the format of `kundennetz qualify`, or a line of its JSON output."""

import json

from kundennetz.qualification.cli import InputError, checklist, gettext_noop


def headline_answers(data, catalogue) -> dict[str, str]:
    """Headline key → yes/no/open from a checklist file; also takes a line of `kundennetz qualify --json`."""
    if isinstance(data, dict) and "answers" not in data and {"favourable", "unfavourable", "open"} <= set(data):
        return _from_evaluation(data, catalogue)
    answers, _threshold = checklist(data, catalogue)
    return {key: value for key, value in answers.items() if key in catalogue.keys}


def _from_evaluation(data: dict, catalogue) -> dict[str, str]:
    answers = {}
    for state in ("favourable", "unfavourable", "open"):
        keys = data[state]
        if not isinstance(keys, list):
            raise InputError(gettext_noop("{field} must be a list of answer keys"), field=json.dumps(state))
        for key in keys:
            if key not in catalogue.keys:
                raise InputError(gettext_noop("unknown answer key {key} (expected one of: {keys})"), key=json.dumps(key),
                                 keys=", ".join(catalogue.keys))
            favourable = catalogue.category(key).headline.favourable
            unfavourable = "no" if favourable == "yes" else "yes"
            answers[key] = {"favourable": favourable, "unfavourable": unfavourable, "open": "open"}[state]
    return answers
