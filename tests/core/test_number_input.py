"""Numbers typed as people type them, in every form and on the command line."""

import argparse
import importlib
import inspect
import pkgutil
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

import kundennetz
from kundennetz.core.numberfields import NumberField, WholeNumberField, whole_number_argument

SRC = Path(kundennetz.__file__).parent


def _form_classes():
    for module_info in pkgutil.walk_packages([str(SRC)], "kundennetz."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def test_every_numeric_form_field_reads_numbers_as_people_type_them():
    classes = list(_form_classes())
    assert len(classes) > 10
    wrong = []
    for form_class in classes:
        for name, field in form_class.base_fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue  # a record's version and the like: written by the page, never typed
            if isinstance(field, forms.DecimalField | forms.FloatField) and not isinstance(field, NumberField):
                wrong.append(f"{form_class.__name__}.{name}")
            if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | WholeNumberField):
                wrong.append(f"{form_class.__name__}.{name}")
    assert wrong == []


def test_no_form_builds_a_plain_number_field():
    """Fields added at run time (one weight per criterion) are found in the source."""
    plain = re.compile(r"forms\.(DecimalField|IntegerField|FloatField)\(|NumberInput\(|(?<![a-z_])type=(int|float)\b")
    skip = {"numberfields.py", "serve.py"}  # serve: a count of worker processes, from a script
    found = [f"{path.relative_to(SRC)}:{n}" for path in SRC.rglob("*.py")
             if "migrations" not in path.parts and path.name not in skip
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if plain.search(line) and "HiddenInput" not in line]
    assert found == []


@pytest.mark.parametrize("language", ["de-ch", "en"])
@pytest.mark.parametrize(("text", "expected"), [
    ("35,5", Decimal("35.5")), ("−20", Decimal("-20")), ("-20", Decimal("-20")),
    ("1'250'000", Decimal("1250000")), ("1 250 000", Decimal("1250000")), ("35.5", Decimal("35.5")),
])
def test_number_field_in_both_languages(language, text, expected):
    field = NumberField(max_digits=12, decimal_places=2)
    with translation.override(language):
        assert field.clean(text) == expected


def test_number_field_refuses_with_the_fields_message():
    field = NumberField(max_digits=5, decimal_places=1, min_value=Decimal("-100"))
    with translation.override("de-ch"):
        with pytest.raises(forms.ValidationError) as caught:
            field.clean("zwanzig")
        assert "Zahl" in caught.value.messages[0]
        with pytest.raises(forms.ValidationError):
            field.clean("−150")
        with pytest.raises(forms.ValidationError):
            field.clean("1,25")   # two decimal places where one is allowed
    assert NumberField(required=False).clean("  ") is None
    assert NumberField(percent=True).clean("35,5 %") == Decimal("35.5")
    with pytest.raises(forms.ValidationError):
        NumberField().clean("35,5 %")


def test_whole_number_field():
    field = WholeNumberField(min_value=0)
    assert field.clean("1'250") == 1250
    assert field.clean("1 000") == 1000
    with pytest.raises(forms.ValidationError):
        field.clean("12,5")
    with pytest.raises(forms.ValidationError):
        field.clean("−3")
    html = str(forms.Form.__class__("F", (forms.Form,), {"n": WholeNumberField()})()["n"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html


def test_values_shown_grouped_without_trailing_zeros():
    with translation.override("de-ch"):
        assert NumberField().prepare_value(Decimal("1250000.50")) == "1'250'000.5"
        assert NumberField().prepare_value(Decimal("35.500")) == "35.5"
        assert WholeNumberField().prepare_value(1250) == "1'250"


def test_command_line_whole_numbers():
    assert whole_number_argument("1'000") == 1000
    assert whole_number_argument("−2") == -2
    with pytest.raises(argparse.ArgumentTypeError):
        whole_number_argument("zwei")
    with pytest.raises(argparse.ArgumentTypeError):
        whole_number_argument("2,5")


@pytest.mark.django_db
def test_account_form_takes_swiss_and_spaced_amounts(cast, client_for):
    from kundennetz.accounts.models import Account

    client = client_for(cast.owner)
    response = client.post("/accounts/new/", {
        "name": "Zahlen AG", "status": "prospect", "currency": "CHF", "country": "CH", "owner": cast.owner.pk,
        "annual_revenue": "1'250'000", "potential": "1 250 000", "contribution_margin_pct": "35,5"})
    assert response.status_code == 302, response.content.decode()[:3000]
    account = Account.objects.get(name="Zahlen AG")
    assert account.annual_revenue == Decimal("1250000") and account.potential == Decimal("1250000")
    assert account.contribution_margin_pct == Decimal("35.5")
