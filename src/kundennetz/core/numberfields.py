"""Form fields for numbers, read by `domain.numbers.parse_number` whatever the interface language.

Every numeric form field of the application is one of these (a test walks the forms to see it): a text
box with a numeric keyboard on phones rather than ``type=number``, which refuses ``1'250'000``,
``35,5`` or ``−20`` in most browsers.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.formats import get_format

from kundennetz.domain.numbers import NumberError, parse_number

from .formatting import format_number


def _shown(value, decimals: int | None = None) -> str:
    """A number for the text box: grouped as in the rest of the page, without trailing zeros."""
    number = Decimal(str(value))
    if decimals is None:
        normal = number.normalize()
        decimals = max(0, -normal.as_tuple().exponent) if normal.is_finite() else 0
    return format_number(number, decimals)


def _decimal_hint() -> str | None:
    """The interface language's decimal mark, to settle the one ambiguous case (``1.250``/``1,250``)."""
    mark = get_format("DECIMAL_SEPARATOR")
    return mark if mark in (".", ",") else None


class _TypedNumber:
    """What both number fields share: a text box with a numeric keyboard, read by `parse_number`."""

    inputmode = "decimal"

    def __init__(self, *, percent: bool = False, **kwargs):
        self.percent = percent
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.setdefault("inputmode", self.inputmode)
        attrs.setdefault("autocomplete", "off")
        return attrs

    def _parse(self, value) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_number(value, decimal=_decimal_hint(), percent=self.percent)
        except NumberError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class NumberField(_TypedNumber, forms.DecimalField):
    """A decimal number as people type it (``35,5``, ``−20``, ``1'250'000``, ``1 250 000``).

    ``percent=True`` also accepts a trailing ``%``.
    """

    def to_python(self, value):
        return self._parse(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return _shown(value)
        return value


class WholeNumberField(_TypedNumber, forms.IntegerField):
    """A whole number as people type it (``1'250``, ``−3``, ``1 000``)."""

    inputmode = "numeric"

    def to_python(self, value):
        number = self._parse(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return _shown(value, 0)
        return value


def whole_number_argument(text: str) -> int:
    """An argparse ``type`` for whole numbers on the command line, read like the forms read them."""
    import argparse

    try:
        number = parse_number(text)
    except NumberError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if number != number.to_integral_value():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(number)
