"""Consistency measures, score, reasons, aggregates and due contacts: plain Python, no database."""

import copy
import json
import time
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundennetz.domain.consistency import (
    count_due,
    due_dates,
    AMBER,
    CADENCE,
    CONTINUITY,
    DECISION_MAKER,
    GREEN,
    INFLUENCER,
    MESSAGES,
    RED,
    REASON_CODES,
    ROLES,
    USER,
    AccountHistory,
    Contact,
    CoreMessage,
    DueInput,
    Intensity,
    Interaction,
    MessageSet,
    Period,
    Reason,
    Summary,
    add_months,
    assess_account,
    assess_accounts,
    cadence,
    consistency_score,
    continuity,
    due_contacts,
    due_input,
    load_config,
    message_consistency,
    parse_config,
    previous_period,
    render,
    score_deltas,
    summarize,
    summarize_by_manager,
    trend,
)
from kundennetz.domain.consistency import DEFAULT_CONFIG_PATH

D = date
YEAR = Period(D(2024, 1, 1), D(2024, 12, 31))
AFTER = D(2025, 3, 1)  # "today" after YEAR: YEAR is judged as of its last day
CFG = load_config()
RAW = json.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
MSGS = (
    CoreMessage("m1", D(2020, 1, 1)),
    CoreMessage("m2", D(2020, 1, 1)),
    CoreMessage("old", D(2020, 1, 1), D(2024, 6, 30)),
    CoreMessage("new", D(2024, 10, 1)),
)
DM = Contact("c1", "Anna Meier", DECISION_MAKER, 3)
INF = Contact("c2", "Bruno Keller", INFLUENCER, 1)
USR = Contact("c3", "Carla Rossi", USER, 1)


def ix(day, type_="meeting", users=("u1",), contacts=(), messages=("m1",)):
    return Interaction(day, type_, frozenset(users), frozenset(contacts), frozenset(messages))


def monthly(year=2024, contacts=("c1", "c2"), messages=("m1",), users=("u1",)):
    return [ix(D(year, m, 15), contacts=contacts, messages=messages, users=users) for m in range(1, 13)]


def perfect(account_id="a1", manager="u1"):
    return AccountHistory(
        account_id,
        assignments=[(D(2020, 1, 1), manager)],
        interactions=monthly(users=(manager,)),
        contacts=[DM, INF, USR],
    )


def config_with(**changes):
    raw = copy.deepcopy(RAW)
    for path, value in changes.items():
        node = raw
        *parents, last = path.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    return parse_config(raw)


# --- period ----------------------------------------------------------------------------------


def test_period_is_inclusive_and_checked():
    assert YEAR.days == 366
    assert Period(D(2024, 1, 1), D(2024, 1, 1)).days == 1
    with pytest.raises(ValueError, match="after it ends"):
        Period(D(2024, 2, 1), D(2024, 1, 1))


def test_observed_until_past_running_and_future_periods():
    assert YEAR.observed_until(AFTER) == YEAR.end
    assert YEAR.observed_until(D(2024, 5, 5)) == D(2024, 5, 5)
    assert YEAR.observed_until(D(2023, 12, 31)) is None


def test_previous_period_keeps_whole_months_whole():
    assert previous_period(YEAR) == Period(D(2023, 1, 1), D(2023, 12, 31))
    assert previous_period(Period(D(2024, 4, 1), D(2024, 6, 30))) == Period(D(2024, 1, 1), D(2024, 3, 31))
    assert previous_period(Period(D(2024, 3, 11), D(2024, 3, 20))) == Period(D(2024, 3, 1), D(2024, 3, 10))


def test_add_months_clamps_to_month_end():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 12, 31), -18) == D(2023, 6, 30)
    assert add_months(D(2024, 3, 15), 12) == D(2025, 3, 15)


# --- continuity ------------------------------------------------------------------------------


def test_change_on_the_period_start_counts_in_the_period():
    c = continuity([(D(2023, 1, 1), "u1"), (D(2024, 1, 1), "u2")], YEAR, AFTER, config=CFG)
    assert c.changes_in_period == 1
    assert c.managers_in_period == 1  # u2 holds every day of the period
    assert c.manager_id == "u2"


def test_change_the_day_before_the_start_is_outside_the_period_but_inside_18_months():
    c = continuity([(D(2023, 1, 1), "u1"), (D(2023, 12, 31), "u2")], YEAR, AFTER, config=CFG)
    assert c.changes_in_period == 0
    assert c.changes_in_window == 1
    assert c.managers_in_period == 1


def test_change_on_the_period_end_counts():
    c = continuity([(D(2023, 1, 1), "u1"), (D(2024, 12, 31), "u2")], YEAR, AFTER, config=CFG)
    assert c.changes_in_period == 1
    assert c.managers_in_period == 2
    assert c.tenure_days == 0


def test_planned_handover_after_today_is_not_a_change_yet():
    today = D(2024, 6, 30)
    c = continuity([(D(2023, 1, 1), "u1"), (D(2024, 9, 1), "u2")], YEAR, today, config=CFG)
    assert c.changes_in_period == 0
    assert c.manager_id == "u1"


def test_reconfirmation_and_same_day_correction_are_not_changes():
    c = continuity(
        [(D(2022, 1, 1), "u1"), (D(2024, 2, 1), "u1"), (D(2024, 5, 1), "u2"), (D(2024, 5, 1), "u1")],
        YEAR, AFTER, config=CFG,
    )
    assert c.changes_in_period == 0
    assert c.first_manager
    assert c.manager_since == D(2022, 1, 1)


def test_nobody_assigned_in_between_is_not_a_change_when_the_same_manager_returns():
    c = continuity([(D(2022, 1, 1), "u1"), (D(2024, 3, 1), None), (D(2024, 4, 1), "u1")], YEAR, AFTER, config=CFG)
    assert c.changes_in_period == 0
    assert c.manager_id == "u1"


def test_no_account_manager_is_the_worst_continuity():
    c = continuity([], YEAR, AFTER, config=CFG)
    assert c.manager_id is None and c.tenure_days is None
    assert [r.code for r in c.reasons] == ["no_account_manager"]
    score = assess_account(AccountHistory("a", interactions=monthly(), contacts=[DM, INF]), YEAR, MSGS, AFTER, CFG).score
    assert score.components[CONTINUITY] == 0


def test_third_account_manager_in_18_months():
    c = continuity([(D(2023, 1, 1), "u1"), (D(2024, 3, 1), "u2"), (D(2024, 9, 1), "u3")], YEAR, AFTER, config=CFG)
    assert (c.changes_in_period, c.changes_in_window, c.managers_in_window) == (2, 2, 3)
    assert c.tenure_days == 121 and not c.first_manager
    reason = next(r for r in c.reasons if r.code == "manager_changes")
    assert reason.text("en") == "third account manager in 18 months (2 changes)"
    assert reason.text("de") == "2 Wechsel der verantwortlichen Person in 18 Monaten (jetzt die dritte)"
    assert next(r for r in c.reasons if r.code == "short_tenure").params == {"days": 121}


def test_first_manager_of_a_new_account_has_no_tenure_penalty():
    c = continuity([(D(2024, 12, 1), "u1")], YEAR, AFTER, config=CFG)
    assert c.tenure_days == 30 and c.first_manager
    assert c.reasons == ()


def test_presence_of_the_responsible_manager():
    interactions = [ix(D(2024, 2, 1), users=("u1",))] + [ix(D(2024, m, 1), users=("u9",)) for m in (3, 4, 5)]
    c = continuity([(D(2020, 1, 1), "u1")], YEAR, AFTER, interactions, CFG)
    assert (c.presence_count, c.presence_total, c.presence) == (1, 4, 0.25)
    part = next(p for p in c.parts if p.name == "presence")
    assert part.value == pytest.approx(0.5)  # 25 % of a 50 % target
    assert part.reasons[0].text("en") == "the responsible account manager took part in only 1 of 4 contacts"


# --- cadence ---------------------------------------------------------------------------------


def test_no_interactions_at_all():
    c = cadence([], YEAR, AFTER, [DM], config=CFG)
    assert (c.held, c.contacts, c.planned_due) == (0, 0, 4)
    assert c.longest_gap_days == 366 and c.days_since_last_contact is None and c.last_contact is None
    codes = [r.code for r in c.reasons]
    assert codes == ["below_plan", "no_contact_in_period", "decision_maker_never_met", "quarters_below_minimum"]
    assert c.quarters_judged == 4 and len(c.quarters_below) == 4


def test_no_interaction_in_the_period_but_one_before_it():
    c = cadence([ix(D(2023, 11, 1), contacts=("c1",))], YEAR, AFTER, [DM], config=CFG)
    assert c.days_since_last_contact == 426
    gap = next(r for r in c.reasons if r.code == "no_contact_since")
    assert gap.params["days"] == 426
    dm = next(r for r in c.reasons if r.code == "no_contact_decision_maker")
    assert dm.params == {"name": "Anna Meier", "days": 426}


def test_one_interaction_gaps_at_both_ends():
    c = cadence([ix(D(2024, 3, 1))], YEAR, AFTER, config=CFG)
    assert c.held == 1
    # 60 days from the start to 1 March, 305 from there to 31 December: the trailing one is longer.
    assert (c.longest_gap_days, c.longest_gap_from, c.longest_gap_to) == (305, D(2024, 3, 1), D(2024, 12, 31))
    assert c.days_since_last_contact == 305
    assert any(r.code == "no_contact_since" and r.params["days"] == 305 for r in c.reasons)


def test_leading_gap_from_the_period_start():
    c = cadence([ix(D(2024, 5, 1)), ix(D(2024, 6, 1)), ix(D(2024, 7, 1))], Period(D(2024, 1, 1), D(2024, 7, 31)), AFTER, config=CFG)
    assert (c.longest_gap_days, c.longest_gap_from, c.longest_gap_to) == (121, D(2024, 1, 1), D(2024, 5, 1))
    reason = next(r for r in c.reasons if r.code == "longest_gap")
    assert reason.text("de") == "121 Tage ohne Kontakt zwischen 01.01.2024 und 01.05.2024 (Warnsignal ab 90 Tagen)"
    assert reason.text("en") == "121 days without contact between 1 Jan 2024 and 1 May 2024 (red flag from 90 days)"


def test_gap_inside_and_contacts_on_both_ends():
    c = cadence([ix(D(2024, 1, 1)), ix(D(2024, 2, 1)), ix(D(2024, 8, 1)), ix(D(2024, 12, 31))], YEAR, AFTER, config=CFG)
    assert (c.longest_gap_days, c.longest_gap_from, c.longest_gap_to) == (182, D(2024, 2, 1), D(2024, 8, 1))
    assert c.days_since_last_contact == 0
    gap = next(p for p in c.parts if p.name == "gap")
    assert gap.value == 0  # 182 days is more than twice the red flag of 90


def test_gap_up_to_the_red_flag_costs_nothing_and_twice_it_costs_everything():
    at_flag = cadence([ix(D(2024, 1, 1) + timedelta(days=90 * k)) for k in range(5)], YEAR, AFTER, config=CFG)
    assert at_flag.longest_gap_days == 90
    assert next(p for p in at_flag.parts if p.name == "gap").value == 1
    none = cadence([], YEAR, AFTER, config=CFG)
    assert next(p for p in none.parts if p.name == "gap").value == 0


def test_future_period_has_nothing_to_measure():
    future = Period(D(2026, 1, 1), D(2026, 12, 31))
    result = assess_account(perfect(), future, MSGS, AFTER, CFG)
    assert result.as_of is None and result.score.value is None and result.score.band is None
    assert result.cadence.observed_days == 0 and result.cadence.held == 0
    assert [n.code for n in result.score.notes] == ["period_not_started"]
    assert result.score.notes[0].text("de") == "der Zeitraum beginnt am 01.01.2026; noch nichts zu messen"
    assert result.manager_id == "u1"


def test_running_period_is_judged_up_to_today_and_expects_only_whole_contacts():
    today = D(2024, 2, 15)
    c = cadence([], YEAR, today, config=CFG)
    assert c.observed_days == 46
    assert c.planned == pytest.approx(4 * 46 / 365) and c.planned_due == 0
    assert next(p for p in c.parts if p.name == "plan").value is None
    assert c.quarters_judged == 0  # the first quarter has not ended yet


def test_past_period_ignores_later_interactions():
    c = cadence([ix(D(2024, 11, 30)), ix(D(2025, 1, 5))], YEAR, AFTER, config=CFG)
    assert c.held == 1 and c.last_contact == D(2024, 11, 30) and c.days_since_last_contact == 31


def test_zero_planned_intensity_is_not_penalised():
    history = AccountHistory(
        "a", [(D(2020, 1, 1), "u1")], [ix(D(2024, 6, 1), messages=("m1",))], [DM], Intensity(0, 0, 0)
    )
    result = assess_account(history, YEAR, MSGS, AFTER, CFG)
    assert result.cadence.take_along and all(p.value is None for p in result.cadence.parts)
    assert result.cadence.held == 1 and len(result.cadence.key_people_not_met) == 1  # figures still shown
    assert result.score.components[CADENCE] is None
    assert "take_along" in [n.code for n in result.score.notes]
    assert all(not r.code.startswith(("below_plan", "no_contact", "decision_maker")) for r in result.score.reasons)


def test_planned_contacts_prorate_to_the_period():
    half = Period(D(2024, 1, 1), D(2024, 6, 30))
    c = cadence([ix(D(2024, 2, 1))], half, AFTER, intensity=Intensity(12), config=CFG)
    assert c.planned == pytest.approx(12 * 182 / 365) and c.planned_due == 5
    reason = next(r for r in c.reasons if r.code == "below_plan")
    assert reason.params == {"held": 1, "planned": 5}
    assert reason.text("de") == "nur 1 von 5 geplanten Kontakten erfolgt"


def test_key_people_met_and_not_met():
    interactions = [ix(D(2023, 8, 1), contacts=("c1",)), ix(D(2024, 5, 1), contacts=("c3",))]
    c = cadence(interactions, YEAR, AFTER, [DM, INF, USR], config=CFG)
    assert c.key_people == 2  # users are not key people
    assert [(g.name, g.days_since) for g in c.key_people_not_met] == [("Anna Meier", 518), ("Bruno Keller", None)]
    part = next(p for p in c.parts if p.name == "key_people")
    assert part.value == 0 and part.split == (3, 1)


def test_key_person_met_early_in_the_period_and_then_not_for_too_long_is_a_gap():
    c = cadence([ix(D(2024, 8, 13), contacts=("c1", "c2"))], YEAR, AFTER, [DM, INF], config=CFG)
    # 140 days exceeds the 90 set for decision makers, not the 180 set for influencers.
    assert [(g.name, g.days_since, g.met_in_period) for g in c.key_people_gaps] == [("Anna Meier", 140, True)]
    assert c.key_people_not_met == ()
    reason = next(r for r in c.reasons if r.code == "no_contact_decision_maker")
    assert reason.text("en") == "no contact with the decision maker Anna Meier for 140 days"


def test_loss_for_unmet_key_people_splits_by_influence():
    history = AccountHistory("a", [(D(2020, 1, 1), "u1")], monthly(contacts=("c3",)), [DM, INF, USR])
    reasons = {r.code: r.impact for r in assess_account(history, YEAR, MSGS, AFTER, CFG).score.reasons}
    assert reasons["decision_maker_never_met"] == pytest.approx(3 * reasons["influencer_never_met"])


def test_quarters_below_the_minimum_and_partial_quarters_not_judged():
    c = cadence([ix(D(2024, 1, 10)), ix(D(2024, 2, 10))], YEAR, AFTER, intensity=Intensity(4, None, 2), config=CFG)
    assert c.quarters_judged == 4
    assert [q.start for q in c.quarters_below] == [D(2024, 4, 1), D(2024, 7, 1), D(2024, 10, 1)]
    short = cadence([ix(D(2024, 1, 10))], Period(D(2024, 1, 1), D(2024, 5, 15)), AFTER, intensity=Intensity(4, None, 1), config=CFG)
    assert short.quarters_judged == 1 and short.quarters_below == ()


def test_interaction_types_weigh_contacts():
    cfg = config_with(interaction_types__note=0)
    c = cadence([ix(D(2024, 3, 1), "email"), ix(D(2024, 4, 1), "email"), ix(D(2024, 12, 30), "note")], YEAR, AFTER, config=cfg)
    assert c.held == 1.0 and c.contacts == 2 and c.last_contact == D(2024, 4, 1)
    reason = next(r for r in cadence([ix(D(2024, 3, 1), "email")], YEAR, AFTER, config=cfg).reasons if r.code == "below_plan")
    assert reason.text("de") == "nur 0,5 von 4 geplanten Kontakten erfolgt"
    assert reason.text("de-CH") == "nur 0.5 von 4 geplanten Kontakten erfolgt"


# --- messages --------------------------------------------------------------------------------


def test_messages_without_interactions_are_not_assessed():
    m = message_consistency([], MSGS, YEAR, AFTER, CFG)
    assert m.share is None and all(p.value is None for p in m.parts)
    result = assess_account(AccountHistory("a", [(D(2020, 1, 1), "u1")]), YEAR, MSGS, AFTER, CFG)
    assert result.score.components[MESSAGES] is None
    assert "messages_not_assessed" in [n.code for n in result.score.notes]


def test_share_of_interactions_with_a_current_message():
    m = message_consistency(
        [ix(D(2024, 2, 1), messages=("m1",)), ix(D(2024, 3, 1), messages=()), ix(D(2024, 4, 1), messages=("m1", "m2"))],
        MSGS, YEAR, AFTER, CFG,
    )
    assert (m.interactions, m.with_current) == (3, 2) and m.share == pytest.approx(2 / 3)
    part = next(p for p in m.parts if p.name == "share")
    assert part.value == pytest.approx((2 / 3) / 0.75)
    assert part.reasons[0].text("en") == "only 2 of 3 interactions carried a current core message"


def test_validity_is_judged_on_the_interaction_date():
    m = message_consistency(
        [
            ix(D(2024, 6, 30), messages=("old",)),  # last valid day
            ix(D(2024, 8, 1), messages=("old", "m1")),  # retired by then
            ix(D(2024, 9, 1), messages=("new",)),  # not yet valid
            ix(D(2024, 11, 1), messages=("new", "mystery")),
        ],
        MSGS, YEAR, AFTER, CFG,
    )
    assert m.with_current == 3
    assert m.outside_interactions == 3
    assert {(o.message_id, o.status, o.interactions) for o in m.outside} == {
        ("old", "retired", 1), ("new", "not_yet_valid", 1), ("mystery", "unknown", 1)
    }
    reason = next(r for r in m.reasons if r.code == "outside_messages")
    assert reason.text("en") == (
        "3 interactions carried messages outside the current core messages (1 no longer valid, 1 not yet valid, 1 unknown)"
    )
    assert reason.text("de") == (
        "3 Interaktionen mit Botschaften, die nicht zu den aktuellen Kernbotschaften gehören "
        "(1 nicht mehr gültig, 1 noch nicht gültig, 1 unbekannt)"
    )


def test_steadiness_over_quarters():
    steady = message_consistency(monthly(messages=("m1", "m2")), MSGS, YEAR, AFTER, CFG)
    assert (steady.steadiness, steady.bucket, steady.buckets_compared) == (1.0, "quarter", 3)
    q = [D(2024, 2, 1), D(2024, 5, 1), D(2024, 8, 1), D(2024, 11, 1)]
    swapping = message_consistency(
        [ix(q[0], messages=("m1",)), ix(q[1], messages=("m2",)), ix(q[2], messages=("m1",)), ix(q[3], messages=("m1", "m2"))],
        MSGS, YEAR, AFTER, CFG,
    )
    assert swapping.steadiness == pytest.approx((0 + 0 + 0.5) / 3)
    reason = next(r for r in swapping.reasons if r.code == "unsteady_messages")
    assert reason.text("de") == "die Kernbotschaften wechselten von Quartal zu Quartal (Ähnlichkeit 17 %)"


def test_quarters_without_messages_are_skipped_and_short_periods_use_halves():
    gap = message_consistency([ix(D(2024, 2, 1), messages=("m1",)), ix(D(2024, 11, 1), messages=("m1",))], MSGS, YEAR, AFTER, CFG)
    assert (gap.steadiness, gap.buckets_compared) == (1.0, 1)
    short = Period(D(2024, 3, 1), D(2024, 4, 30))
    halves = message_consistency([ix(D(2024, 3, 5), messages=("m1",)), ix(D(2024, 4, 20), messages=("m2",))], MSGS, short, AFTER, CFG)
    assert (halves.bucket, halves.steadiness) == ("half", 0.0)
    assert "first and the second half" in next(r for r in halves.reasons if r.code == "unsteady_messages").text("en")


def test_one_interaction_has_no_steadiness():
    m = message_consistency([ix(D(2024, 5, 1))], MSGS, YEAR, AFTER, CFG)
    assert m.share == 1 and m.steadiness is None
    assert next(p for p in m.parts if p.name == "steadiness").value is None


def test_message_set_is_built_once_and_reports_the_current_set():
    ms = MessageSet.of(MSGS)
    assert MessageSet.of(ms) is ms
    assert ms.current_on(D(2024, 7, 1)) == {"m1", "m2"}
    with pytest.raises(ValueError, match="after it ends"):
        CoreMessage("x", D(2024, 2, 1), D(2024, 1, 1))


# --- score -----------------------------------------------------------------------------------


def test_perfect_account_scores_100_green_without_reasons():
    result = assess_account(perfect(), YEAR, MSGS, AFTER, CFG)
    assert result.score.value == pytest.approx(100) and result.score.rounded == 100
    assert result.score.band == GREEN and result.score.reasons == () and result.score.top() == ()


def test_reasons_sorted_by_impact_and_adding_up_to_the_lost_points():
    history = AccountHistory(
        "a",
        [(D(2023, 1, 1), "u1"), (D(2024, 3, 1), "u2"), (D(2024, 9, 1), "u3")],
        [ix(D(2024, 1, 10), contacts=("c2",)), ix(D(2024, 8, 13), contacts=("c1",), messages=("old",))],
        [DM, INF],
    )
    score = assess_account(history, YEAR, MSGS, AFTER, CFG).score
    impacts = [r.impact for r in score.reasons]
    assert impacts == sorted(impacts, reverse=True)
    assert sum(impacts) == pytest.approx(100 - score.value)
    texts = [r.text("en") for r in score.top(10)]
    assert "third account manager in 18 months (2 changes)" in texts
    assert "no contact with the decision maker Anna Meier for 140 days" in texts
    assert len(score.top(2)) == 2


def test_weights_are_renormalised_over_what_applies():
    take_along = AccountHistory("a", [(D(2020, 1, 1), "u1")], monthly(), [DM], Intensity(0))
    score = assess_account(take_along, YEAR, MSGS, AFTER, CFG).score
    assert score.value == pytest.approx(100)
    cfg = config_with(components__messages__weight=0)
    only_two = assess_account(perfect(), YEAR, MSGS, AFTER, cfg).score
    assert only_two.components[MESSAGES] is None and only_two.value == pytest.approx(100)


def test_bands_use_the_shown_score():
    cfg = config_with(bands__green=75, bands__amber=50)
    assert (cfg.band(74.5), cfg.band(74.49), cfg.band(50), cfg.band(49.4), cfg.band(None)) == (GREEN, AMBER, AMBER, RED, None)


def test_score_from_separately_computed_measures_matches_the_account_assessment():
    h = perfect()
    cont = continuity(h.assignments, YEAR, AFTER, h.interactions, CFG)
    cad = cadence(h.interactions, YEAR, AFTER, h.contacts, None, CFG)
    msg = message_consistency(h.interactions, MSGS, YEAR, AFTER, CFG)
    assert consistency_score(cont, cad, msg, CFG).value == assess_account(h, YEAR, MSGS, AFTER, CFG).score.value


day_st = st.dates(D(2023, 1, 1), D(2025, 12, 31))
interaction_st = st.builds(
    ix,
    day_st,
    st.sampled_from(["meeting", "call", "email", "event", "other"]),
    st.lists(st.sampled_from(["u1", "u2", "u3"]), max_size=2),
    st.lists(st.sampled_from(["c1", "c2", "c3", "c4"]), max_size=3),
    st.lists(st.sampled_from(["m1", "m2", "old", "new", "gone"]), max_size=3),
)
contact_st = st.builds(Contact, st.sampled_from(["c1", "c2", "c3", "c4"]), st.just("X"), st.sampled_from(ROLES), st.integers(0, 5))
intensity_st = st.one_of(
    st.none(), st.builds(Intensity, st.integers(0, 24), st.none(), st.integers(0, 4))
)
history_st = st.builds(
    AccountHistory,
    st.just("a"),
    st.lists(st.tuples(day_st, st.sampled_from(["u1", "u2", "u3", None])), max_size=5),
    st.lists(interaction_st, max_size=30),
    st.lists(contact_st, max_size=4, unique_by=lambda c: c.id),
    intensity_st,
)


@st.composite
def period_st(draw):
    a, b = draw(day_st), draw(day_st)
    return Period(min(a, b), max(a, b))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history_st, period_st(), day_st)
def test_score_always_in_bounds_and_losses_fully_explained(history, period, today):
    score = assess_account(history, period, MSGS, today, CFG).score
    if score.value is None:
        assert period.observed_until(today) is None or not score.reasons
        return
    assert 0 <= score.value <= 100
    assert score.band in (GREEN, AMBER, RED)
    assert sum(r.impact for r in score.reasons) == pytest.approx(100 - score.value, abs=1e-6)
    for r in score.reasons + score.notes:
        assert r.text("de") and r.text("en")


@settings(max_examples=200, deadline=None)
@given(st.lists(interaction_st, max_size=30), period_st(), day_st, st.data())
def test_adding_an_interaction_with_a_current_message_never_lowers_the_share(interactions, period, today, data):
    as_of = period.observed_until(today)
    if as_of is None:
        return
    before = message_consistency(interactions, MSGS, period, today, CFG)
    day = data.draw(st.dates(period.start, as_of))
    current = sorted(MessageSet.of(MSGS).current_on(day))
    if not current:
        return
    extra = ix(day, messages=(data.draw(st.sampled_from(current)),))
    after = message_consistency(interactions + [extra], MSGS, period, today, CFG)
    assert after.share is not None
    if before.share is not None:
        assert after.share >= before.share


@settings(max_examples=200, deadline=None)
@given(history_st, period_st(), day_st, interaction_st)
def test_adding_any_interaction_never_lowers_the_cadence_component(history, period, today, extra):
    def component(h):
        return assess_account(h, period, MSGS, today, CFG).score.components[CADENCE]

    before = component(history)
    after = component(AccountHistory(history.account_id, history.assignments, [*history.interactions, extra], history.contacts, history.intensity))
    if before is None:
        assert after is None
    else:
        assert after >= before - 1e-12


def test_no_quadratic_work_for_one_large_account():
    interactions = [ix(D(2024, 1, 1) + timedelta(days=i % 366), users=("u1",), contacts=("c1",), messages=("m1",)) for i in range(100_000)]
    history = AccountHistory("big", [(D(2020, 1, 1), "u1")], interactions, [DM])
    started = time.perf_counter()
    result = assess_account(history, YEAR, MSGS, AFTER, CFG)
    assert time.perf_counter() - started < 5
    assert result.cadence.contacts == 100_000


# --- reasons in words ------------------------------------------------------------------------

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
@pytest.mark.parametrize("lang", ["de", "de-CH", "en"])
def test_every_reason_renders(code, lang):
    text = render(Reason(code, SAMPLE_PARAMS[code]), lang)
    assert text and "{" not in text and "None" not in text


@pytest.mark.parametrize(
    ("code", "params", "en", "de"),
    [
        (
            "no_contact_decision_maker", {"name": "Anna Meier", "days": 140},
            "no contact with the decision maker Anna Meier for 140 days",
            "seit 140 Tagen kein Kontakt mit der Entscheidungsträgerin/dem Entscheidungsträger Anna Meier",
        ),
        (
            "no_contact_influencer", {"name": "Bruno Keller", "days": 1},
            "no contact with the influencer Bruno Keller for 1 day",
            "seit 1 Tag kein Kontakt mit der Beeinflusserin/dem Beeinflusser Bruno Keller",
        ),
        ("no_contact_since", {"days": 1234}, "no contact for 1,234 days", "seit 1.234 Tagen kein Kontakt"),
        (
            "quarters_below_minimum", {"count": 2, "judged": 4, "minimum": 2},
            "2 of 4 quarters below the minimum of 2 contacts", "2 von 4 Quartalen unter dem Minimum von 2 Kontakten",
        ),
        (
            "account_contact_overdue", {"days": 12, "interval": 91},
            "contact overdue by 12 days (planned every 91 days)", "Kontakt seit 12 Tagen überfällig (geplant alle 91 Tage)",
        ),
        (
            "person_contact_due", {"name": "Anna Meier", "role": DECISION_MAKER, "days": 0},
            "contact with Anna Meier (decision maker) due today", "Kontakt mit Anna Meier (Entscheidungsträger/in) heute fällig",
        ),
        (
            "take_along", {},
            "no contacts are planned for this account (take-along); cadence is not assessed",
            "für diesen Kunden sind keine Kontakte geplant (Mitnahmekunde); der Kontaktrhythmus wird nicht bewertet",
        ),
    ],
)
def test_reason_wording(code, params, en, de):
    assert render(Reason(code, params), "en") == en
    assert render(Reason(code, params), "de") == de


def test_swiss_number_format():
    assert render(Reason("no_contact_since", {"days": 1234}), "de_CH") == "seit 1’234 Tagen kein Kontakt"
    assert render(Reason("low_message_share", {"count": 4, "total": 10}), "en-GB").startswith("only 4 of 10")


def test_unknown_language_or_code_is_a_clear_error():
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        render(Reason("take_along"), "fr")
    with pytest.raises(ValueError, match="unknown reason code 'nope'"):
        render(Reason("nope"), "en")


# --- configuration ---------------------------------------------------------------------------


def test_shipped_weights_load():
    assert CFG.gap_days == 90 and CFG.change_window_months == 18
    assert set(CFG.component_weights) == {CONTINUITY, CADENCE, MESSAGES}
    assert CFG.key_person_days == {DECISION_MAKER: 90, INFLUENCER: 180}
    assert (CFG.green_from, CFG.amber_from) == (75, 50)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"components__cadence__weight": -1}, "components.cadence.weight must be a number ≥ 0"),
        ({"components__cadence__weight": True}, "components.cadence.weight must be a number ≥ 0"),
        ({"components__cadence__weight": "40"}, "components.cadence.weight must be a number ≥ 0"),
        ({"components__cadence__measures__gap": float("nan")}, "components.cadence.measures.gap"),
        ({"components__cadance": {"weight": 1, "measures": {}}}, "unknown key 'cadance' in components"),
        ({"components__messages__measures__tone": 1}, "unknown key 'tone' in components.messages.measures"),
        (
            {"components__continuity__weight": 0, "components__cadence__weight": 0, "components__messages__weight": 0},
            "all component weights are 0",
        ),
        (
            {"components__messages__measures": {"share": 0, "outside": 0, "steadiness": 0}},
            "components.messages.measures are all 0",
        ),
        ({"thresholds__gap_days": 0}, "thresholds.gap_days must be between 1 and 3650"),
        ({"thresholds__gap_days": 90.5}, "thresholds.gap_days must be a whole number"),
        ({"thresholds__change_penalty": 1.5}, "thresholds.change_penalty must be between 0 and 1"),
        ({"thresholds__presence_target": 0}, "thresholds.presence_target must be above 0"),
        ({"key_people__buyer": 30}, "unknown key 'buyer' in key_people"),
        ({"key_people__decision_maker": 0}, "key_people.decision_maker must be a whole number of days"),
        ({"bands__amber": 80}, "bands.amber (80) must not be above bands.green (75)"),
        ({"bands__green": 101}, "bands.green must be a score between 0 and 100"),
        ({"interaction_types": {"meeting": 1}}, "interaction_types must be an object with a 'default' weight"),
        ({"interaction_types__call": -0.5}, "interaction_types.call must be a number ≥ 0"),
        ({"default_intensity__contacts_per_year_min": -4}, "default_intensity: intensity: contacts_per_year_min"),
    ],
)
def test_invalid_weights_are_clear_value_errors(changes, message):
    with pytest.raises(ValueError, match="consistency weights: ") as info:
        config_with(**changes)
    assert message in str(info.value)


def test_missing_and_malformed_documents():
    raw = copy.deepcopy(RAW)
    del raw["thresholds"]["gap_days"]
    with pytest.raises(ValueError, match="thresholds lacks 'gap_days'"):
        parse_config(raw)
    with pytest.raises(ValueError, match="the top level must be an object"):
        parse_config([])


def test_load_config_reports_unreadable_files(tmp_path):
    broken = tmp_path / "w.json"
    broken.write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValueError, match="is not valid JSON"):
        load_config(broken)
    with pytest.raises(ValueError, match="cannot read"):
        load_config(tmp_path / "missing.json")


def test_comment_keys_are_allowed():
    raw = copy.deepcopy(RAW)
    raw["components"]["_note"] = "weights are relative"
    assert parse_config(raw).component_weights == CFG.component_weights


def test_intensity_is_validated():
    with pytest.raises(ValueError, match="contacts_per_year_min"):
        Intensity(-1)
    with pytest.raises(ValueError, match="contacts_per_year_max"):
        Intensity(6, 4)
    assert Intensity(0).is_zero and Intensity(0).interval_days is None
    assert Intensity(4, None, 1).interval_days == 91 and Intensity(2, None, 2).interval_days == 45


# --- aggregates and trend --------------------------------------------------------------------


def poor(account_id, manager):
    return AccountHistory(account_id, [(D(2020, 1, 1), manager)], [ix(D(2024, 1, 5), users=(manager,), messages=())], [DM])


def test_summaries_for_the_network_and_per_manager():
    histories = [perfect("a1", "u1"), perfect("a2", "u1"), poor("a3", "u2"), AccountHistory("a4")]
    results = assess_accounts(histories, YEAR, MSGS, AFTER, CFG)
    scores = [r.score.value for r in results]
    assert scores[0] == pytest.approx(100) and scores[2] < 50 and results[3].manager_id is None
    due = due_contacts([due_input(h, AFTER, CFG) for h in histories], AFTER, 0, config=CFG)
    net = summarize(results, due)
    assert (net.accounts, net.scored) == (4, 4)
    assert net.mean == pytest.approx(sum(scores) / 4)
    assert net.median == pytest.approx(sorted(scores)[1] / 2 + sorted(scores)[2] / 2)
    assert net.bands[GREEN] == 2 and net.bands[RED] == 2 and net.share_red == 0.5
    assert net.overdue_contacts == sum(1 for d in due if d.overdue) > 0
    assert net.key_people_not_met == 1
    by = summarize_by_manager(results, due)
    assert set(by) == {"u1", "u2", None}
    assert by["u1"].accounts == 2 and by["u1"].mean == pytest.approx(100) and by["u1"].share_red == 0
    assert by["u2"].share_red == 1 and by["u2"].overdue_contacts >= 1


def test_unscored_accounts_are_counted_but_not_averaged():
    future = Period(D(2026, 1, 1), D(2026, 3, 31))
    net = summarize(assess_accounts([perfect()], future, MSGS, AFTER, CFG))
    assert (net.accounts, net.scored, net.mean, net.median, net.share_red) == (1, 0, None, None, None)
    assert summarize([]).accounts == 0


def test_trend_against_the_previous_period():
    histories = [perfect("a1"), poor("a2", "u2")]
    now = assess_accounts(histories, YEAR, MSGS, AFTER, CFG)
    before = assess_accounts(histories, previous_period(YEAR), MSGS, AFTER, CFG)
    t = trend(summarize(now), summarize(before))
    assert t.mean == pytest.approx(summarize(now).mean - summarize(before).mean)
    deltas = score_deltas(now, before)
    assert deltas["a1"] == pytest.approx(now[0].score.value - before[0].score.value)
    empty = Summary(0, 0, None, None, None, {GREEN: 0, AMBER: 0, RED: 0}, 0, 0, 0, 0)
    assert trend(summarize(now), empty).mean is None
    assert score_deltas(now, [])["a1"] is None


# --- due contacts ----------------------------------------------------------------------------

TODAY = D(2025, 3, 1)


def entry(account_id, days_ago, **kw):
    last = None if days_ago is None else TODAY - timedelta(days=days_ago)
    return DueInput(account_id, kw.pop("manager", "u1"), last_contact=last, **kw)


def test_due_contacts_ordered_by_priority_then_most_overdue():
    dm_last = {"c1": TODAY - timedelta(days=100)}
    inputs = [
        entry("A", 100),
        entry("B", 85),
        entry("C", 200, contacts=(DM, USR), last_contact_by_person=dm_last),
        entry("D", 300, intensity=Intensity(0)),
        entry("E", 10),
    ]
    due = due_contacts(inputs, TODAY, 7, {"A": 1, "B": 5, "C": 5, "D": 9, "E": 2}, CFG)
    assert [(d.account_id, d.contact_id, d.days_overdue) for d in due] == [
        ("C", None, 109), ("C", "c1", 10), ("B", None, -6), ("A", None, 9)
    ]
    assert due[0].overdue and not due[2].overdue
    assert due[1].reason.text("en") == "contact with Anna Meier (decision maker) overdue by 10 days"
    assert due[2].reason.text("de") == "Kontakt in 6 Tagen fällig"


def test_due_window_and_never_contacted():
    inputs = [entry("new", None, since=TODAY - timedelta(days=30)), entry("unknown", None), entry("soon", 91 - 3)]
    assert [d.account_id for d in due_contacts(inputs, TODAY, 0, config=CFG)] == ["unknown"]
    assert [d.account_id for d in due_contacts(inputs, TODAY, 3, config=CFG)] == ["unknown", "soon"]
    assert [d.account_id for d in due_contacts(inputs, TODAY, 61, config=CFG)] == ["unknown", "soon", "new"]
    assert due_contacts(inputs, TODAY, 0, config=CFG)[0].reason.text("en") == "no contact recorded yet"


def test_due_priority_may_be_a_function_and_within_days_is_checked():
    due = due_contacts([entry("x", 200), entry("y", 300)], TODAY, 0, lambda a: {"x": 2}.get(a, 0), CFG)
    assert [d.account_id for d in due] == ["x", "y"]
    with pytest.raises(ValueError, match="within_days"):
        due_contacts([], TODAY, -1, config=CFG)


def test_due_input_from_a_history():
    history = AccountHistory(
        "a",
        [(D(2023, 1, 1), "u1"), (D(2024, 6, 1), "u2")],
        [ix(D(2024, 10, 1), contacts=("c1", "c3")), ix(D(2025, 1, 15), contacts=("c2",)), ix(D(2025, 5, 1), contacts=("c1",))],
        [DM, INF, USR],
    )
    got = due_input(history, TODAY, CFG)
    assert (got.manager_id, got.last_contact, got.since) == ("u2", D(2025, 1, 15), D(2023, 1, 1))
    assert dict(got.last_contact_by_person) == {"c1": D(2024, 10, 1), "c2": D(2025, 1, 15)}
    due = due_contacts([got], TODAY, 0, config=CFG)
    assert [(d.contact_id, d.days_overdue) for d in due] == [("c1", 61)]


def test_wording_edge_cases():
    assert render(Reason("short_tenure", {"days": 0}), "en") == "the current account manager has only just taken over"
    assert render(Reason("key_person_never_met", {"name": "Eva Frei", "role": "sponsor"}), "de") == (
        "noch kein Kontakt mit Eva Frei (sponsor) erfasst"
    )
    assert render(Reason("no_contact_key_person", {"name": "Carla Rossi", "role": "coach", "days": 30}), "de") == (
        "seit 30 Tagen kein Kontakt mit dem Coach Carla Rossi"
    )
    assert render(Reason("manager_changes", {"changes": 1, "managers": 2, "months": 18}), "en") == (
        "second account manager in 18 months (1 change)"
    )


# --- stored due dates ------------------------------------------------------------------------

ROLES_SEEN = sorted({*CFG.key_person_days, "user"})


@st.composite
def due_inputs(draw):
    day = st.one_of(st.none(), st.dates(TODAY - timedelta(days=800), TODAY + timedelta(days=30)))
    people = draw(st.lists(st.sampled_from(ROLES_SEEN), max_size=4))
    contacts = tuple(Contact(f"c{n}", f"P{n}", role) for n, role in enumerate(people))
    by_person = {c.id: d for c in contacts if (d := draw(day)) is not None}
    intensity = draw(st.one_of(st.none(), st.builds(Intensity, st.sampled_from([0, 1, 4, 12, 52]))))
    return DueInput("A", "u1", intensity=intensity, last_contact=draw(day), since=draw(day), contacts=contacts,
                    last_contact_by_person=by_person)


@given(due_inputs(), st.integers(0, 900), st.integers(0, 60))
@settings(max_examples=300, deadline=None)
def test_stored_due_dates_count_what_the_live_rule_lists_on_any_later_day(entry, days_later, within):
    """Dates stored on one day give, on any later day, the overdue and due counts ``due_contacts`` lists
    then: My week may pick its accounts from yesterday's rows."""
    stored = due_dates(entry, CFG)
    day = TODAY + timedelta(days=days_later)
    live = due_contacts([entry], day, within, config=CFG)
    assert count_due(stored, day, within) == (sum(d.overdue for d in live), sum(not d.overdue for d in live))


def test_a_take_along_account_has_no_due_dates_and_a_never_contacted_one_is_due_any_day():
    assert due_dates(entry("A", None, intensity=Intensity(0)), CFG) == []
    never = due_dates(entry("A", None), CFG)
    assert never == [None] and count_due(never, TODAY + timedelta(days=400), 0) == (0, 1)
