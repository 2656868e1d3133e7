"""What a fitted response curve warns of, in words (``planning.wording``): the domain gives codes with
figures, the estimate stores them, and each reader sees them in their own language."""

from decimal import Decimal

import pytest
from django.utils import translation

from kundennetz.domain import allocation as al
from kundennetz.planning.estimates import fit_estimate
from kundennetz.planning.models import ResponseEstimate
from kundennetz.planning.wording import fit_warning_text, fit_warnings


@pytest.mark.parametrize(("code", "params", "english", "german"), [
    (al.NO_RESPONSE_TO_EFFORT, {}, "The estimates show no response to effort.",
     "Die Schätzungen zeigen keine Wirkung des Einsatzes."),
    (al.INCREASING_RETURNS, {}, "The estimates show increasing returns beyond today's effort; the curve assumes "
     "every further hour yields less and cannot follow them exactly.", None),
    (al.ALREADY_SATURATED, {}, "The estimates say today's effort already saturates the account.", None),
    (al.DEVIATES, {"rms": 1234.5}, "The curve deviates from the estimates by CHF 1,235 on average; please check them.",
     None),
])
def test_each_warning_is_worded_in_english_and_german(code, params, english, german):
    with translation.override("en"):
        assert fit_warning_text(code, params) == english
    with translation.override("de-ch"):
        text = fit_warning_text(code, params)
    assert text != english and (german is None or text == german)


def test_an_estimate_stores_codes_and_each_reader_sees_their_language():
    estimate = ResponseEstimate(current_hours=Decimal(10), at_zero=Decimal(0), at_current=Decimal(10),
                                at_150=Decimal(100), at_saturation=Decimal(120))
    with translation.override("de-ch"):
        fit_estimate(estimate)
    assert {"code": al.INCREASING_RETURNS, "params": {}} in estimate.warnings
    with translation.override("en"):
        assert any("increasing returns" in text for text in estimate.warning_texts)
    with translation.override("de-ch"):
        assert not any("increasing returns" in text for text in estimate.warning_texts)


def test_warnings_stored_as_text_by_an_earlier_version_read_as_they_are():
    assert fit_warnings(["Old text.", {"code": "new_in_a_later_version"}]) == ["Old text.", "new_in_a_later_version"]


def test_a_negative_estimate_is_left_to_its_fields_validator_not_to_the_domains_message():
    estimate = ResponseEstimate(current_hours=Decimal(10), at_zero=Decimal(0), at_current=Decimal(10),
                                at_150=Decimal(20), at_saturation=Decimal(-1))
    assert fit_estimate(estimate) is estimate and estimate.warnings == []
