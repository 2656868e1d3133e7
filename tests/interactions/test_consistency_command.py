"""`kundennetz consistency` reports a refusal of the domain in the reader's language, as one line without a
traceback, never in the domain's English."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kundennetz.domain import consistency as dc
from kundennetz.interactions import services

pytestmark = pytest.mark.django_db


def _refuse_with(error):
    def refresh(*args, **kwargs):
        raise error
    return refresh


@pytest.mark.parametrize(("language", "expected"), [
    ("de-ch", "Die Konsistenz kann nicht berechnet werden: contacts_per_year_max: contacts_per_year_max (2) darf "
              "nicht unter contacts_per_year_min (6) liegen"),
    ("en", "Consistency cannot be computed: contacts_per_year_max: contacts_per_year_max (2) must not be below "
           "contacts_per_year_min (6)"),
])
def test_a_refusal_of_the_domain_is_worded(monkeypatch, language, expected):
    with pytest.raises(dc.ConsistencyError) as refusal:
        dc.Intensity(6, 2)  # a strategy's care intensity the measures cannot use
    monkeypatch.setattr(services, "refresh_snapshots", _refuse_with(refusal.value))
    with translation.override(language), pytest.raises(CommandError) as info:
        call_command("consistency")
    assert str(info.value) == expected


def test_a_refusal_without_a_code_still_reads_as_a_sentence_of_ours(monkeypatch):
    monkeypatch.setattr(services, "refresh_snapshots", _refuse_with(ValueError("within_days must be ≥ 0")))
    with translation.override("de-ch"), pytest.raises(CommandError) as info:
        call_command("consistency")
    assert str(info.value) == ("Mit den vorhandenen Daten kann die Konsistenz nicht berechnet werden; das "
                               "Protokoll nennt den Grund.")


def test_the_summary_is_in_the_readers_language(network, capsys):
    with translation.override("de-ch"):
        call_command("consistency")
    assert "Konsistenz für " in capsys.readouterr().out


@pytest.mark.parametrize(("language", "expected"), [("de-ch", "1'234'567"), ("en", "1,234,567")])
def test_the_summary_writes_its_figures_as_the_reader_reads_numbers(monkeypatch, capsys, language, expected):
    monkeypatch.setattr(services, "refresh_snapshots", lambda *args, **kwargs: 1_234_567)
    with translation.override(language):
        call_command("consistency")
    assert f" {expected} " in capsys.readouterr().out


def test_the_network_refresh_says_its_figures_in_the_readers_language(monkeypatch, capsys):
    from kundennetz.network.management.commands import network_refresh

    monkeypatch.setattr(network_refresh, "refresh_all", lambda: 1_234_567)
    with translation.override("de-ch"):
        call_command("network_refresh")
    out = capsys.readouterr().out
    assert out.startswith("1'234'567 Kunden in ") and out.strip().endswith("s analysiert.")
