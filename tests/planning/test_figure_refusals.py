"""Figures the allocation cannot plan with are named, account by account, in the reader's language: never
the domain's English."""

from decimal import Decimal

import pytest
from django.utils import translation

from kundennetz.planning import services
from kundennetz.planning.models import ResponseEstimate


def _crawling_curve(planned, cast):
    """An estimate whose curve rises slower than anything the allocation can plan with (stored past the
    checks, as an old row or a bulk load might be)."""
    ResponseEstimate.objects.bulk_create([ResponseEstimate(
        account=planned["accounts"]["alpha"], period=planned["period"], current_hours=Decimal("10"),
        at_zero=0, at_current=1, at_150=1, at_saturation=1, m=1000.0, b=1e-15, created_by=cast.owner)])


@pytest.mark.parametrize(("language", "expected"), [
    ("de-ch", "Mit diesen Zahlen kann nicht geplant werden: die Reaktionskurve von Alpha AG für Stunden steigt zu "
              "langsam, um damit zu planen; bitte prüfen Sie die Schätzungen"),
    ("en", "The figures cannot be planned with: the response curve of Alpha AG for hours rises too slowly to plan "
           "with; please check its estimates"),
])
def test_a_figure_the_allocation_refuses_is_named_in_the_readers_language(planned, cast, language, expected):
    _crawling_curve(planned, cast)
    with translation.override(language), pytest.raises(services.PlanningError) as info:
        services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    assert info.value.messages == [expected]


def test_a_refusal_without_a_code_still_reads_as_a_sentence_of_ours(planned, cast, monkeypatch):
    from kundennetz.planning.services import scenarios

    def refuse(*args, **kwargs):
        raise ValueError("'12' is not in list")

    monkeypatch.setattr(scenarios, "_apply_what_ifs", refuse)
    with translation.override("de-ch"), pytest.raises(services.PlanningError) as info:
        services.create_scenario("Basis", planned["period"], {}, cast.sales_head)
    assert info.value.messages == ["Mit den Kennzahlen dieser Periode lässt sich nicht planen; bitte prüfen Sie "
                                   "die Kennzahlen der Kunden, die Kapazitäten und die Was-wäre-wenn-Annahmen."]
