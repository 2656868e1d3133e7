"""The domain's refusals reach people in their language, never in the developers' English: every code the
domain raises has words (German and English), the values are filled in, and an unknown code still reads
as a sentence of ours."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from kundennetz.core import refusals
from kundennetz.domain import allocation as al
from kundennetz.domain import consistency as dc
from kundennetz.domain import qualification as q
from kundennetz.domain.errors import DomainError
from kundennetz.domain.portfolio import ScoringModel, ScoringModelError
from kundennetz.interactions.wording import consistency_refusal
from kundennetz.planning import wording as planning_wording
from kundennetz.portfolio.wording import SCORING_MODEL, scoring_model_refusal
from kundennetz.qualification.wording import CATALOGUE, catalogue_refusal

DOMAIN = Path(q.__file__).resolve().parent


def _codes(error: str) -> set[str]:
    """The codes the domain raises `error` with (first argument), and those of qualification's `_check`."""
    codes = set()
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            position = 0 if name == error else 2 if (name, error) == ("_check", "CatalogueError") else None
            if position is not None and len(node.args) > position and isinstance(node.args[position], ast.Constant):
                codes.add(node.args[position].value)
    return codes


@pytest.mark.parametrize(("error", "texts"), [
    ("ScoringModelError", SCORING_MODEL), ("CatalogueError", CATALOGUE),
    ("ConsistencyError", {"message_dates"}), ("FigureError", planning_wording._FIGURES),
])
def test_every_code_the_domain_raises_has_words(error, texts):
    codes = _codes(error)
    assert len(codes) >= 4
    unworded = sorted(code for code in codes if code not in texts and code not in refusals.SHARED)
    assert unworded == [], f"word these codes of {error} (core.refusals or the app's wording)"


def test_a_refusal_reads_in_german_and_english_with_its_place_and_values():
    with pytest.raises(ScoringModelError) as info:
        ScoringModel.from_dict({"axes": {}, "grids": {}, "strategies": [], "colour": 1})
    error = info.value
    assert (error.code, error.path, error.params["keys"]) == ("unknown_keys", "model", ["colour"])
    with translation.override("de-ch"):
        assert scoring_model_refusal(error).startswith("model: enthält unbekannte Schlüssel: colour (erlaubt: abc, ")
    with translation.override("en"):
        assert scoring_model_refusal(error).startswith("model: holds the unknown key(s) colour (allowed: abc, ")
    assert "unknown colour" in str(error)  # the developers' message is another text


def test_values_are_shown_as_the_document_has_them():
    error = DomainError("not_a_number", "x: expected a finite number, got 'zwei'", path="x", value="zwei")
    with translation.override("de-ch"):
        assert refusals.describe(error) == 'x: muss eine Zahl sein, nicht "zwei"'
    error = DomainError("not_one_of", "…", path="favourable", value=None, allowed=["yes", "no", None])
    with translation.override("en"):
        assert refusals.describe(error) == "favourable: null is not one of yes, no, null"


def test_a_code_without_words_reads_as_ours_and_never_as_the_developers_text(caplog):
    error = DomainError("brand_new_rule", "the developers' explanation", path="axes")
    with translation.override("de-ch"):
        assert refusals.describe(error) == "axes: dieser Wert kann nicht verwendet werden"
    with translation.override("en"):
        assert refusals.describe(error) == "axes: this value cannot be used"
    assert "brand_new_rule" in caplog.text


def test_catalogue_consistency_and_figure_refusals_in_both_languages():
    with pytest.raises(q.CatalogueError) as catalogue:
        q.Catalogue.from_dict({"id": "x", "version": 1, "languages": ["de", "en"], "name": {"de": "X", "en": "X"},
                               "categories": [{"key": "need", "letter": "N", "name": {"de": "B", "en": "N"},
                                               "headline": {"id": "need", "type": "yes_no", "favourable": None,
                                                            "text": {"de": "?", "en": "?"}}}]})
    with pytest.raises(dc.ConsistencyError) as consistency:
        dc.Intensity(6, 2)
    with pytest.raises(al.FigureError) as figure:
        al.curve_from_figures([100.0, -5.0], 30, 10)
    with translation.override("de-ch"):
        assert catalogue_refusal(catalogue.value) == (
            "categories[0].headline: muss eine Ja/Nein-Frage mit einer günstigen Antwort sein")
        assert consistency_refusal(consistency.value) == (
            "contacts_per_year_max: contacts_per_year_max (2) darf nicht unter contacts_per_year_min (6) liegen")
        assert planning_wording.figure_refusal(figure.value, {}, {}, ["Alpha AG", "Beta GmbH"]) == (
            "das Potenzial von Beta GmbH darf nicht negativ sein (-5.00)")
    with translation.override("en"):
        assert catalogue_refusal(catalogue.value) == (
            "categories[0].headline: must be a yes/no question with a favourable answer")
        assert planning_wording.figure_refusal(figure.value, {}, {}, ["Alpha AG", "Beta GmbH"]) == (
            "the potential of Beta GmbH must not be negative (-5.00)")


def test_the_settings_page_words_a_refusal_of_the_domains_parser():
    from kundennetz.core.tunables.errors import describe

    error = dc.ConsistencyError("amber_above_green", "consistency weights: bands.amber (80) …", path="bands",
                                amber=80, green=60)
    with translation.override("de-ch"):
        assert describe({"type": "value_error", "loc": (), "ctx": {"error": error}}) == (
            "bands: gelb (80) darf nicht über grün (60) liegen")


@pytest.mark.django_db
def test_a_job_that_meets_a_refusal_fails_with_it_in_the_starters_language(cast):
    from kundennetz.core import jobs
    from kundennetz.core.models import Job

    def work(job, progress):
        raise dc.ConsistencyError("days_at_least_one", "consistency weights: key_people.coach …",
                                  path="key_people.coach", value=0)

    job = Job.objects.create(created_by=cast.sales_head, kind="consistency", title="t", params={"language": "de-ch"})
    jobs.run_job(job.pk, work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.reason == "key_people.coach: muss eine ganze Zahl von mindestens 1 Tag sein, nicht 0"
