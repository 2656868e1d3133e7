"""The domain's refusals (`domain.errors.DomainError`) in the reader's language.

The domain names what is wrong with a code, the place in a document and the values; this module words
the codes every document shares (a scoring model, a catalogue, the consistency weights: "must be a
number", "unknown key …") and fills in the values. An app passes the texts of its own codes to
`describe`. The domain's English message is never shown: a code without words reads as a plain "cannot
be used", and is logged so that its words get written.
"""

import logging
from collections.abc import Mapping
from datetime import date

from django.utils.translation import gettext_lazy as _

from kundennetz.domain.errors import DomainError

from .formatting import format_day

logger = logging.getLogger("kundennetz")

# %(value)s is the value as the document has it; %(kind)s what JSON calls the value's type.
SHARED = {
    "not_an_object": _("must be an object with named entries, not %(kind)s"),
    "not_a_list": _("must be a list, not %(kind)s"),
    "missing_keys": _("lacks %(keys)s"),
    "unknown_keys": _("holds the unknown key(s) %(keys)s (allowed: %(allowed)s)"),
    "not_text": _("must be a text, not %(kind)s"),
    "empty": _("must not be empty"),
    "empty_list": _("must be a list with at least one entry"),
    "bad_identifier": _("%(value)s must consist of lower-case letters, digits and _ and start with a letter"),
    "bad_version": _("must be a whole number of at least 1, not %(value)s"),
    "not_a_number": _("must be a number, not %(value)s"),
    "not_whole_number": _("must be a whole number, not %(value)s"),
    "number_at_least": _("must be a number of at least %(minimum)s, not %(value)s"),
    "below_minimum": _("must be at least %(minimum)s, not %(value)s"),
    "above_maximum": _("must be at most %(maximum)s, not %(value)s"),
    "between": _("must be between %(minimum)s and %(maximum)s, not %(value)s"),
    "above_and_at_most": _("must be above %(minimum)s and at most %(maximum)s, not %(value)s"),
    "not_one_of": _("%(value)s is not one of %(allowed)s"),
    "not_true_or_false": _("must be true or false"),
    "not_ascending": _("must be strictly ascending, not %(values)s"),
    "duplicate": _("%(value)s is used twice"),
    "repeated": _("names an entry twice"),
    "max_below_min": _("%(maximum_key)s (%(maximum)s) must not be below %(minimum_key)s (%(minimum)s)"),
    "all_weights_zero": _("all weights are 0; at least one must be above 0"),
    # The consistency weights (a setting of core.tunables).
    "measures_all_zero": _("the measures all weigh 0 although their component weighs more"),
    "days_at_least_one": _("must be a whole number of days of at least 1, not %(value)s"),
    "amber_above_green": _("amber (%(amber)s) must not be above green (%(green)s)"),
    "no_default_type": _("needs a weight for default"),
}


# Parameters that hold a value as it stands in the document (a text is shown in quotes); the others hold
# names, kinds and limits.
QUOTED = {"value", "cell"}


def shown(value: object, quoted: bool = False) -> str:
    """A value of a document as the reader finds it there: lists joined, null, true; a text in quotes
    with `quoted`."""
    if isinstance(value, list | tuple):
        return ", ".join(_item(item) for item in value)
    if isinstance(value, str) and quoted:
        return f'"{value}"'
    return _item(value)


def _item(value: object) -> str:
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_item(item) for item in value) + ")"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, date):
        return format_day(value)
    return str(value)


def describe(error: DomainError, texts: Mapping[str, str] | None = None) -> str:
    """The refusal in the active language, "<place>: <what is wrong>" when it has a place."""
    template = (texts or {}).get(error.code) or SHARED.get(error.code)
    text = None
    if template is not None:
        try:
            text = str(template) % {key: shown(value, key in QUOTED) for key, value in error.params.items()}
        except (KeyError, TypeError, ValueError):
            text = None
    if text is None:
        logger.warning("no words for the domain's refusal %r (%s)", error.code, error)
        text = str(_("this value cannot be used"))
    return f"{error.path}: {text}" if error.path else text
