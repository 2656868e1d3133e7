"""The consistency reasons in words (``interactions.wording``): the domain gives a code with parameters,
the adapter words it through the catalogue, numbers and days in the language's format. The texts are
those the domain's own tables gave before they moved here (Swiss grouping now ' as everywhere else)."""

import pytest
from django.utils import translation

from kundennetz.domain.consistency import DECISION_MAKER, REASON_CODES, Reason
from kundennetz.interactions import services
from kundennetz.interactions.wording import reason_text, role_text

SAMPLE_PARAMS = {
    "manager_changes": {"changes": 2, "managers": 3, "months": 18},
    "short_tenure": {"days": 45},
    "no_account_manager": {},
    "manager_rarely_present": {"count": 1, "total": 4},
    "below_plan": {"held": 2.5, "planned": 4},
    "longest_gap": {"days": 140, "threshold": 90, "from": "2024-02-01", "to": "2024-06-20"},
    "no_contact_since": {"days": 140, "threshold": 90},
    "no_contact_in_period": {"days": 366},
    "no_contact_decision_maker": {"name": "Anna Meier", "days": 140},
    "decision_maker_never_met": {"name": "Anna Meier"},
    "no_contact_influencer": {"name": "Bruno Keller", "days": 200},
    "influencer_never_met": {"name": "Bruno Keller"},
    "no_contact_key_person": {"name": "Carla Rossi", "role": "coach", "days": 30},
    "key_person_never_met": {"name": "Carla Rossi", "role": "gatekeeper"},
    "quarters_below_minimum": {"count": 2, "judged": 4, "minimum": 1},
    "low_message_share": {"count": 4, "total": 10},
    "outside_messages": {"interactions": 1, "retired": 1, "not_yet_valid": 0, "unknown": 0},
    "unsteady_messages": {"similarity": 0.2, "bucket": "quarter"},
    "period_not_started": {"start": "2026-01-01"},
    "take_along": {},
    "messages_not_assessed": {},
    "account_contact_overdue": {"days": 12, "interval": 91},
    "account_contact_due": {"days": 5},
    "person_contact_overdue": {"name": "Anna Meier", "role": DECISION_MAKER, "days": 3, "interval": 90},
    "person_contact_due": {"name": "Anna Meier", "role": DECISION_MAKER, "days": 0},
    "account_never_contacted": {"since": "2024-01-01"},
    "person_never_met": {"name": "Anna Meier", "role": DECISION_MAKER},
}


def test_every_reason_code_has_a_sample():
    assert set(SAMPLE_PARAMS) == set(REASON_CODES)


@pytest.mark.parametrize("code", sorted(SAMPLE_PARAMS))
def test_every_reason_is_worded_in_german_and_english(code):
    german, swiss, english = (reason_text(Reason(code, SAMPLE_PARAMS[code]), lang) for lang in ("de", "de-CH", "en"))
    for text in (german, swiss, english):
        assert text and text != code and "{" not in text and "%(" not in text and "None" not in text
    assert german != english and swiss != english  # the German comes from the catalogue


# Each as the domain's tables worded it: (code, params, language, text).
WORDED = [
    ("manager_changes", {"changes": 2, "managers": 3, "months": 18}, "en", "third account manager in 18 months (2 changes)"),
    ("manager_changes", {"changes": 2, "managers": 3, "months": 18}, "de",
     "2 Wechsel der verantwortlichen Person in 18 Monaten (jetzt die dritte)"),
    ("manager_changes", {"changes": 1, "managers": 2, "months": 18}, "en", "second account manager in 18 months (1 change)"),
    ("manager_changes", {"changes": 22, "managers": 23, "months": 18}, "en", "23rd account manager in 18 months (22 changes)"),
    ("manager_changes", {"changes": 22, "managers": 23, "months": 18}, "de-ch",
     "22 Wechsel der verantwortlichen Person in 18 Monaten (jetzt die 23.)"),
    ("manager_rarely_present", {"count": 1, "total": 4}, "en",
     "the responsible account manager took part in only 1 of 4 contacts"),
    ("short_tenure", {"days": 0}, "en", "the current account manager has only just taken over"),
    ("longest_gap", {"days": 121, "threshold": 90, "from": "2024-01-01", "to": "2024-05-01"}, "de",
     "121 Tage ohne Kontakt zwischen 01.01.2024 und 01.05.2024 (Warnsignal ab 90 Tagen)"),
    ("longest_gap", {"days": 121, "threshold": 90, "from": "2024-01-01", "to": "2024-05-01"}, "en",
     "121 days without contact between 1 Jan 2024 and 1 May 2024 (red flag from 90 days)"),
    ("period_not_started", {"start": "2026-01-01"}, "de", "der Zeitraum beginnt am 01.01.2026; noch nichts zu messen"),
    ("below_plan", {"held": 1, "planned": 5}, "de", "nur 1 von 5 geplanten Kontakten erfolgt"),
    ("below_plan", {"held": 0.5, "planned": 4}, "de", "nur 0,5 von 4 geplanten Kontakten erfolgt"),
    ("below_plan", {"held": 0.5, "planned": 4}, "de-CH", "nur 0.5 von 4 geplanten Kontakten erfolgt"),
    ("no_contact_in_period", {"days": 1}, "de", "kein Kontakt am beobachteten Tag"),
    ("no_contact_in_period", {"days": 366}, "en", "no contact at all in the 366 days observed"),
    ("no_contact_decision_maker", {"name": "Anna Meier", "days": 140}, "en",
     "no contact with the decision maker Anna Meier for 140 days"),
    ("no_contact_decision_maker", {"name": "Anna Meier", "days": 140}, "de",
     "seit 140 Tagen kein Kontakt mit der Entscheidungsträgerin/dem Entscheidungsträger Anna Meier"),
    ("no_contact_influencer", {"name": "Bruno Keller", "days": 1}, "en", "no contact with the influencer Bruno Keller for 1 day"),
    ("no_contact_influencer", {"name": "Bruno Keller", "days": 1}, "de",
     "seit 1 Tag kein Kontakt mit der Beeinflusserin/dem Beeinflusser Bruno Keller"),
    ("no_contact_key_person", {"name": "Carla Rossi", "role": "coach", "days": 30}, "de",
     "seit 30 Tagen kein Kontakt mit dem Coach Carla Rossi"),
    ("key_person_never_met", {"name": "Eva Frei", "role": "sponsor"}, "de", "noch kein Kontakt mit Eva Frei (sponsor) erfasst"),
    ("no_contact_since", {"days": 1234}, "en", "no contact for 1,234 days"),
    ("no_contact_since", {"days": 1234}, "de", "seit 1.234 Tagen kein Kontakt"),
    ("quarters_below_minimum", {"count": 2, "judged": 4, "minimum": 2}, "en", "2 of 4 quarters below the minimum of 2 contacts"),
    ("quarters_below_minimum", {"count": 2, "judged": 4, "minimum": 2}, "de",
     "2 von 4 Quartalen unter dem Minimum von 2 Kontakten"),
    ("quarters_below_minimum", {"count": 2, "judged": 4, "minimum": 1}, "de", "2 von 4 Quartalen unter dem Minimum von 1 Kontakt"),
    ("low_message_share", {"count": 2, "total": 3}, "en", "only 2 of 3 interactions carried a current core message"),
    ("outside_messages", {"interactions": 3, "retired": 1, "not_yet_valid": 1, "unknown": 1}, "en",
     "3 interactions carried messages outside the current core messages (1 no longer valid, 1 not yet valid, 1 unknown)"),
    ("outside_messages", {"interactions": 3, "retired": 1, "not_yet_valid": 1, "unknown": 1}, "de",
     "3 Interaktionen mit Botschaften, die nicht zu den aktuellen Kernbotschaften gehören "
     "(1 nicht mehr gültig, 1 noch nicht gültig, 1 unbekannt)"),
    ("unsteady_messages", {"similarity": 0.1667, "bucket": "quarter"}, "de",
     "die Kernbotschaften wechselten von Quartal zu Quartal (Ähnlichkeit 17 %)"),
    ("unsteady_messages", {"similarity": 0.0, "bucket": "half"}, "en",
     "the core messages changed between the first and the second half of the period (similarity 0%)"),
    ("take_along", {}, "en", "no contacts are planned for this account (take-along); cadence is not assessed"),
    ("take_along", {}, "de",
     "für diesen Kunden sind keine Kontakte geplant (Mitnahmekunde); der Kontaktrhythmus wird nicht bewertet"),
    ("account_contact_overdue", {"days": 12, "interval": 91}, "en", "contact overdue by 12 days (planned every 91 days)"),
    ("account_contact_overdue", {"days": 12, "interval": 91}, "de", "Kontakt seit 12 Tagen überfällig (geplant alle 91 Tage)"),
    ("account_contact_overdue", {"days": 2559, "interval": 91}, "de-ch",
     "Kontakt seit über 7 Jahren überfällig (geplant alle 91 Tage)"),
    ("account_contact_overdue", {"days": 2559, "interval": 91}, "en", "contact overdue by over 7 years (planned every 91 days)"),
    ("account_contact_due", {"days": 6}, "de", "Kontakt in 6 Tagen fällig"),
    ("person_contact_overdue", {"name": "Anna Meier", "role": DECISION_MAKER, "days": 10, "interval": 90}, "en",
     "contact with Anna Meier (decision maker) overdue by 10 days"),
    ("person_contact_due", {"name": "Anna Meier", "role": DECISION_MAKER, "days": 0}, "en",
     "contact with Anna Meier (decision maker) due today"),
    ("person_contact_due", {"name": "Anna Meier", "role": DECISION_MAKER, "days": 0}, "de",
     "Kontakt mit Anna Meier (Entscheidungsträger/in) heute fällig"),
    ("account_never_contacted", {}, "en", "no contact recorded yet"),
    ("account_never_contacted", {"since": "2019-03-01"}, "de-ch", "noch kein Kontakt erfasst (betreut seit 01.03.2019)"),
    ("account_never_contacted", {"since": "2019-03-01"}, "en", "no contact recorded yet (in our care since 1 Mar 2019)"),
    ("person_never_met", {"name": "Bruno Keller", "role": "influencer"}, "en", "Bruno Keller (influencer) not met yet"),
    ("person_never_met", {"name": "Bruno Keller", "role": "influencer"}, "de-ch", "Bruno Keller (Beeinflusser/in) noch nie getroffen"),
]


@pytest.mark.parametrize(("code", "params", "lang", "text"), WORDED)
def test_reason_wording(code, params, lang, text):
    assert reason_text(Reason(code, params), lang) == text


def test_numbers_in_the_languages_format():
    """German 1.234, Swiss German 1'234 (the project's Swiss format, ' as on every other page: the domain's
    own table wrote ’ here), English 1,234; 'de_CH' and 'en-GB' style tags are accepted."""
    assert reason_text(Reason("no_contact_since", {"days": 1234}), "de_CH") == "seit 1'234 Tagen kein Kontakt"
    assert reason_text(Reason("low_message_share", {"count": 4, "total": 10}), "en-GB").startswith("only 4 of 10")


def test_the_active_language_words_a_reason_without_one_given():
    reason = Reason("account_contact_due", {"days": 6})
    with translation.override("de-ch"):
        assert reason_text(reason) == services.reason_text(reason) == "Kontakt in 6 Tagen fällig"
        assert role_text(DECISION_MAKER) == "Entscheidungsträger/in" and role_text("sponsor") == "sponsor"
    with translation.override("en"):
        assert reason_text({"code": "account_contact_due", "params": {"days": 6}}) == "contact due in 6 days"


def test_a_code_this_version_does_not_know_reads_as_the_code():
    assert reason_text(Reason("nope"), "en") == "nope"
