"""The one reader of numbers people type (`domain.numbers.parse_number`)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kundennetz.domain.importing import CellError, parse_amount
from kundennetz.domain.numbers import NumberError, normalize_dashes, parse_number, parse_whole_number


@pytest.mark.parametrize(("text", "expected"), [
    ("35,5", "35.5"), ("35.5", "35.5"), ("−20", "-20"), ("-20", "-20"), ("–20", "-20"), ("‑20", "-20"),
    ("− 20", "-20"), ("1'250'000", "1250000"), ("1’250’000", "1250000"), ("1 250 000", "1250000"),
    ("1\u202f250\u202f000", "1250000"), ("1\u00a0250\u00a0000,50", "1250000.50"), ("1.250.000,50", "1250000.50"),
    ("1,250,000.50", "1250000.50"), ("CHF 1'250.–", "1250"), ("(12.5)", "-12.5"), ("+7", "7"), ("0,75", "0.75"),
    (" 42 ", "42"), (".5", "0.5"),
])
def test_reads_what_people_type(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "  ", "abc", "1'25", "12.34.5", "1,2,3", "--5", "5-", "1e3", "12%", "½",
                                  "1 2", "nan", "inf", None, True])
def test_refuses_what_is_no_number(text):
    with pytest.raises(NumberError):
        parse_number(text)


def test_percent_sign_only_where_a_percentage_is_asked_for():
    assert parse_number("35,5 %", percent=True) == Decimal("35.5")
    assert parse_number("−20%", percent=True) == Decimal("-20")
    with pytest.raises(NumberError):
        parse_number("35,5 %")
    with pytest.raises(NumberError):
        parse_number("%", percent=True)


def test_the_interface_language_settles_one_ambiguous_case():
    assert parse_number("1,250") == Decimal("1250")
    assert parse_number("1,250", decimal=",") == Decimal("1.250")
    assert parse_number("1.250", decimal=".") == Decimal("1.250")
    assert parse_number("1,25") == Decimal("1.25")


def test_whole_numbers():
    assert parse_whole_number("1'250") == 1250
    assert parse_whole_number("−3") == -3
    assert parse_whole_number("12.0") == 12
    with pytest.raises(NumberError):
        parse_whole_number("12,5")


def test_imports_read_numbers_the_same_way():
    assert parse_amount("1 250 000") == parse_number("1 250 000")
    assert parse_amount("−20") == Decimal("-20")
    with pytest.raises(CellError) as caught:
        parse_amount("zwölf")
    assert caught.value.code == "bad_number" and caught.value.params == {"value": "zwölf"}


def test_dashes_normalised():
    assert normalize_dashes("Budget  −20 %") == "Budget -20 %"
    assert normalize_dashes("A – B — C ‐ D") == "A - B - C - D"


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["'", " ", "\u202f", ""]), st.sampled_from(["-", "−", "–"]))
def test_grouped_and_signed_numbers_read_back(value, group, minus):
    digits = f"{abs(value):.2f}"
    integer, fraction = digits.split(".")
    chunks = []
    while len(integer) > 3:
        chunks.insert(0, integer[-3:])
        integer = integer[:-3]
    text = (minus if value < 0 else "") + group.join([integer, *chunks]) + "," + fraction
    assert parse_number(text) == value


@given(st.from_regex(r"-?[0-9]{1,14}(\.[0-9]{1,2})?", fullmatch=True), st.sampled_from([None, ".", ","]),
       st.booleans())
def test_plain_numbers_are_read_at_once_as_the_general_reader_reads_them(text, decimal, percent):
    from kundennetz.domain.numbers import _parse_general

    fast = parse_number(text, decimal=decimal, percent=percent)
    general = _parse_general(text, decimal, percent)
    assert fast == general and str(fast) == str(general)


def test_ambiguous_and_grouped_numbers_still_take_the_general_reading():
    assert parse_number("1.250") == Decimal(1250) and parse_number("1.250", decimal=".") == Decimal("1.25")
    assert parse_number("12.345") == Decimal(12345) and parse_number("0.125") == Decimal("0.125")
