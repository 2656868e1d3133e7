"""Searching and sorting as German readers expect: accents and case do not matter, umlauts sort as vowels."""

from hypothesis import given
from hypothesis import strategies as st

from kundennetz.domain.text import fold, search_terms, search_text, sort_key


def test_fold_drops_accents_and_case():
    assert fold("Zürich") == fold("ZURICH") == fold("zurich") == "zurich"
    assert fold("Genève") == "geneve"
    assert fold("Straße") == fold("Strasse") == "strasse"
    assert fold("  Müller   AG ") == "muller ag"
    assert fold(None) == fold("") == ""


def test_german_order():
    names = ["Burgdorfer", "Bäckerei", "Zürcher", "Ammann", "Öko", "Oberholzer", "bäcker"]
    assert sorted(names, key=sort_key) == ["Ammann", "bäcker", "Bäckerei", "Burgdorfer", "Oberholzer", "Öko",
                                          "Zürcher"]


def test_sort_key_parts_compare_in_order():
    assert sort_key("Meier", "Zoë") < sort_key("Meierhans", "Anna")
    assert sort_key("", "") == ""


def test_search_text_and_terms():
    text = search_text("Käserei Gruyère SA", "Fribourg", None, "")
    assert "kaserei gruyere sa" in text and "fribourg" in text
    assert all(term in text for term in search_terms("GRUYERE käserei"))
    assert search_terms("a b c d e f g h i j") == list("abcdefgh")
    assert search_terms("   ") == []


@given(st.text(max_size=60))
def test_fold_is_idempotent_and_lowercase(text):
    once = fold(text)
    assert fold(once) == once
    assert once == once.casefold() or not once.isascii()


@given(st.text(max_size=40))
def test_terms_are_found_in_the_text_they_come_from(text):
    haystack = search_text(text)
    for term in search_terms(text):
        assert term in haystack or len(haystack) == 600
