"""Every problem the import rules can report reads as a sentence in German and English.

The rules (``domain.importing``) give codes with parameters; the sentences live in
``imports.messages`` and the translation catalogue.
"""

import re
from pathlib import Path

from django.utils import translation

from kundennetz.imports.messages import MESSAGES, describe

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "kundennetz" / "domain" / "importing"


def _codes_raised_by_the_rules() -> set[str]:
    source = "\n".join(path.read_text(encoding="utf-8") for path in DOMAIN.glob("*.py"))
    return set(re.findall(r'(?:CellError|FileProblem|Issue)\("([a-z_]+)"', source))


def test_every_code_the_rules_raise_has_a_sentence_in_both_languages():
    codes = _codes_raised_by_the_rules()
    assert len(codes) > 20  # the scan finds the rules' codes
    assert codes - set(MESSAGES) == set()
    for code in MESSAGES:
        with translation.override("en"):
            english = str(MESSAGES[code])
        with translation.override("de"):
            german = str(MESSAGES[code])
        assert german != english, f"{code} has no German translation"
        assert set(re.findall(r"{(\w+)}", german)) == set(re.findall(r"{(\w+)}", english)), code


def test_describe_fills_the_parameters_in_the_readers_language():
    assert describe("bad_number", {"value": "x"}, "de-ch") == "«x» ist keine Zahl."
    assert describe("bad_number", {"value": "x"}, "de") == "«x» ist keine Zahl."
    assert describe("bad_number", {"value": "x"}, "en") == "“x” is not a number."
    # missing parameters leave the sentence as it is rather than failing
    assert describe("bad_number", {}, "en") == "“{value}” is not a number."


def test_codes_worded_elsewhere_and_unknown_codes():
    stored = {"message_de": "Pflichtfeld", "message_en": "Required"}
    assert describe("model_validation", stored, "de-ch") == "Pflichtfeld"
    assert describe("model_validation", stored, "en") == "Required"
    assert describe("invalid", {"message": "As worded"}, "de") == "As worded"
    assert describe("no_such_code", {}, "en") == "no_such_code"
