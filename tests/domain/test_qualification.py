"""The ASCOTSMAN catalogue and rule in plain Python: edges of the threshold, polarity, lights, suggestions."""

import copy
import json
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kundennetz.domain import qualification as q

RAW = json.loads(
    resources.files("kundennetz.qualification").joinpath("catalogues", "ascotsman-v1.json").read_text("utf-8")
)
CATALOGUE = q.Catalogue.from_dict(RAW)
KEYS = ("aspiration", "solution", "competition", "only_me", "time_scale", "money", "authority", "need")
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "kundennetz-ascotsman-article.de.txt"
# The checklist as the seed article words it, so the wording check also runs where the article is absent.
SEED_CHECKLIST = """\
Aspiration ( Absicht )
Sind die Absichten des Kunden bekannt?
Weiss der Kunde was er mit der Lösung erreichen will?
Beabsichtigt der Kunde die Realisierung oder ist es nur eine „Vorabklärung“ oder „Zweit-Meinung“?
Solution ( Lösung )
Kann Das eigene Unternehmen eine Lösung anbieten?
Haben wir dies bereits einmal erfolgreich realisiert?
Basiert die Lösung auf unseren Standardprodukten?
Competition ( Konkurrenz )
Ist die Konkurrenz stark?
Ist ein Konkurrent angefragt worden?
Wer ist der Konkurrent? Finde ich heraus, wer uns direkt konkurrenziert?
Ist dieser Anbieter bereits für den Kunden tätig (gewesen)?
Wie wird sich der Konkurrent wahrscheinlich verhalten? (Preis, Lösung, Aggressivität, …)
Only Me ( nur ich )
Ist die Lösung des eigenen Unternehmens einmalig?
Hebt sich die Lösung positiv von der Konkurrenz ab?
Bringt die Lösung dem Kunden einen grösseren Nutzen als die Konkurrenzlösung?
Erfüllt sie alle MUSS-Anforderungen?
Time Scale ( Meilensteine, Zeitrahmen )
Ist der Auftrag gross genug, um interessant zu sein?
Entspricht das Volumen dem für diesen Kundenkreis vorgegebenen Rahmen?
Wie gross ist das Volumen der Folgeaufträge?
Kann das anvisierte Deckungsbeitragsziel erreicht werden?
Money ( Geld, verfügbares Budget )
Hat der Kunde ein Budget bereitgestellt?
Wie gross ist das Budget?
Liegt die Intercai-Lösung (ohne Abstriche) innerhalb des Budgets?
Bestehen beim Kunden Anreizsysteme, das Budget nicht auszunutzen?
Authority ( Kompetenz und Entscheidungswege )
Sind die Entscheidungsträger und -wege bekannt?
Wer entscheidet beim Kunden über die Vergabe?
Ist der Entscheidungsträger aus der „Technik“?
Wer könnte den Entscheidungsträger massgeblich beeinflussen? (Vorgesetzte, …)
Wer entscheidet bei der Intercai über die Weiterverfolgung?
Need ( Bedarf und abzudeckende Bedürfnisse )
Ist der Bedarf des Kunden klar umschrieben?
Basiert die Anforderung auf einer übergeordneten Strategie?
Ist bereits ein Pflichtenheft vorhanden?
Wurden alle Beteiligten involviert? (Marketing, Technik, Finanzen, …)
"""


def value_for(question_id, state, catalogue=CATALOGUE):
    """The literal answer that puts a polar yes/no question into `state` (competition is inverted)."""
    favourable = catalogue.question(question_id).favourable
    if state == q.OPEN:
        return q.OPEN
    if state == q.FAVOURABLE:
        return favourable
    return q.NO if favourable == q.YES else q.YES


def answers_for(states, catalogue=CATALOGUE):
    return {key: value_for(key, state, catalogue) for key, state in states.items()}


def with_knockout(question_id):
    raw = copy.deepcopy(RAW)
    for category in raw["categories"]:
        for question in (category["headline"], *category["details"]):
            if question["id"] == question_id:
                question["knockout"] = True
    return q.Catalogue.from_dict(raw)


# --- the default catalogue -------------------------------------------------------------------------------


def test_catalogue_has_the_eight_categories_in_order():
    assert CATALOGUE.keys == KEYS
    assert [c.letter for c in CATALOGUE.categories] == list("ASCOTMAN")
    assert (CATALOGUE.id, CATALOGUE.version, CATALOGUE.languages) == ("ascotsman", 1, ("de", "en"))


def test_every_headline_is_yes_no_and_only_competition_is_favourable_when_no():
    polarity = {c.key: c.headline.favourable for c in CATALOGUE.categories}
    assert polarity == {key: (q.NO if key == "competition" else q.YES) for key in KEYS}
    assert all(c.headline.type == q.YES_NO and not c.headline.knockout for c in CATALOGUE.categories)


@pytest.mark.parametrize(("question_id", "kind", "favourable"), [
    ("competition.competitor_asked", q.YES_NO, q.NO),
    ("competition.incumbent", q.YES_NO, q.NO),
    ("money.incentive_not_to_spend", q.YES_NO, q.NO),
    ("authority.technical", q.YES_NO, None),
    ("aspiration.intends_realisation", q.YES_NO, q.YES),
    ("competition.competitors", q.COMPETITORS, None),
    ("authority.decision_makers", q.CONTACTS, None),
    ("authority.influencers", q.CONTACTS, None),
    ("authority.our_decider", q.USER, None),
    ("money.budget", q.AMOUNT, None),
    ("time_scale.follow_up_volume", q.AMOUNT, None),
    ("competition.behaviour", q.TEXT, None),
])
def test_polarity_and_type_follow_the_wording(question_id, kind, favourable):
    question = CATALOGUE.question(question_id)
    assert (question.type, question.favourable) == (kind, favourable)


def test_wer_questions_are_references_and_wie_gross_questions_are_amounts():
    for question in CATALOGUE.questions():
        german = question.text["de"]
        if german.startswith("Wer "):
            assert question.type in (q.CONTACTS, q.USER, q.COMPETITORS), question.id
        if german.startswith("Wie gross"):
            assert question.type == q.AMOUNT, question.id


def loose(text):
    """Blind to parentheses, spacing and case: the seed writes "( Absicht )" and "Kann Das"."""
    return re.sub(r"\s+", " ", re.sub(r"[()]", "", text)).casefold()


@pytest.mark.skipif(not SEED.exists(), reason="the seed article lies outside this repository")
def test_the_quoted_checklist_is_the_seed_articles():
    article = SEED.read_text("utf-8")
    assert all(line in article for line in SEED_CHECKLIST.splitlines())


def test_german_wording_is_the_seeds():
    seed = loose(SEED_CHECKLIST)
    for question in CATALOGUE.questions():
        assert loose(question.text["de"].replace("{company}", "Intercai")) in seed, question.id
    for category in CATALOGUE.categories:
        assert loose(category.name["de"]) in seed, category.key


def test_detail_ids_and_derive_hints():
    assert [d.id for d in CATALOGUE.category("aspiration").details] == [
        "aspiration.goal_known", "aspiration.intends_realisation"]
    for category in CATALOGUE.categories:
        assert all(d.id.startswith(category.key + ".") for d in category.details)
    derived = {q_.id: q_.derive for q_ in CATALOGUE.questions() if q_.derive}
    assert derived == {"money.within_budget": "within_budget", "time_scale.volume_in_range": "volume_in_range",
                       "time_scale.margin_target": "margin_target"}


def test_company_placeholder_is_filled_in_each_language():
    question = CATALOGUE.question("money.within_budget")
    assert question.localised("de", "Muster AG") == "Liegt die Muster AG-Lösung (ohne Abstriche) innerhalb des Budgets?"
    assert "Muster AG" in question.localised("en", "Muster AG")
    assert question.localised("de-ch") == question.localised("de")
    assert question.localised("fr") == question.localised("en")  # unknown language falls back to English


# --- catalogue validation --------------------------------------------------------------------------------


def mutated(change):
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


def headline(raw, index=0):
    return raw["categories"][index]["headline"]


def detail(raw, index=0, detail_index=0):
    return raw["categories"][index]["details"][detail_index]


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.pop("categories"), "missing field(s) 'categories'"),
    (lambda r: r.update(extra=1), "unknown field(s) 'extra'"),
    (lambda r: r.update(version=True), "version: must be an integer >= 1"),
    (lambda r: r.update(version=0), "version: must be an integer >= 1"),
    (lambda r: r.update(categories=[]), "categories: must be a non-empty list"),
    (lambda r: r.update(languages=["de", "de"]), "languages: must not repeat"),
    (lambda r: r.update(languages=["deu"]), "languages[0]: must be a two-letter"),
    (lambda r: headline(r).update(id="absicht"), "categories[0].headline.id: must equal the category key"),
    (lambda r: headline(r).update(favourable=None), "categories[0].headline: must be a yes/no question"),
    (lambda r: headline(r).update(type="text"), "categories[0].headline.favourable: only yes/no"),
    (lambda r: headline(r).pop("favourable"), "needs 'favourable'"),
    (lambda r: headline(r).update(favourable="ja"), "favourable: must be 'yes', 'no' or null"),
    (lambda r: headline(r).update(knockout="no"), "knockout: must be true or false"),
    (lambda r: headline(r)["text"].pop("en"), "categories[0].headline.text: missing field(s) 'en'"),
    (lambda r: headline(r)["text"].update(en=" "), "headline.text.en: must be a non-empty text"),
    (lambda r: headline(r)["text"].update(en="Who at {firm}?"), "unknown placeholder(s) {firm}"),
    (lambda r: detail(r).update(type="date"), "details[0].type: must be one of"),
    (lambda r: detail(r).update(id="goal_known"), "details[0].id: must be 'aspiration', a dot"),
    (lambda r: detail(r).update(id="aspiration.intends_realisation"), "is used twice"),
    (lambda r: detail(r).update(derive="guess"), "derive: must be one of"),
    (lambda r: detail(r).update(derive="within_budget"), "derivation 'within_budget' is used twice"),
    (lambda r: detail(r, 6, 1).update(knockout=True), "only a yes/no question with a favourable answer"),
    (lambda r: detail(r, 5, 0).update(derive="within_budget"), "only yes/no questions can be derived"),
    (lambda r: r["categories"].append(copy.deepcopy(r["categories"][0])), "is used twice"),
])
def test_from_dict_rejects_flaws_with_a_clear_message(change, message):
    with pytest.raises(ValueError) as error:
        q.Catalogue.from_dict(mutated(change))
    assert message in str(error.value)


def test_from_dict_rejects_a_non_object():
    with pytest.raises(ValueError, match="catalogue: must be an object, not list"):
        q.Catalogue.from_dict([])


# --- answers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "value"), [
    ("yes", q.YES), ("JA", q.YES), ("Ja", q.YES), ("no", q.NO), ("Nein", q.NO), ("NO", q.NO),
    ("open", q.OPEN), ("OFFEN", q.OPEN), (" yes ", q.YES), (None, q.OPEN),
])
def test_parse_yes_no(word, value):
    assert q.parse_yes_no(word) == value


@pytest.mark.parametrize("word", ["maybe", "", "y", True, 1, 0])
def test_parse_yes_no_rejects_other_values(word):
    with pytest.raises(ValueError):
        q.parse_yes_no(word)


@pytest.mark.parametrize(("question_id", "value", "state"), [
    ("competition.competitors", ["Acme"], q.ANSWERED),
    ("competition.competitors", "Acme", q.ANSWERED),
    ("competition.competitors", [], q.OPEN),
    ("authority.decision_makers", [17, "Anna Muster"], q.ANSWERED),
    ("authority.our_decider", "", q.OPEN),
    ("authority.our_decider", 3, q.ANSWERED),
    ("money.budget", 0, q.ANSWERED),
    ("money.budget", None, q.OPEN),
    ("competition.behaviour", "  ", q.OPEN),
    ("competition.behaviour", "aggressive on price", q.ANSWERED),
    ("authority.technical", "ja", q.ANSWERED),
    ("authority.technical", "offen", q.OPEN),
    ("money.incentive_not_to_spend", "yes", q.UNFAVOURABLE),
    ("money.incentive_not_to_spend", "no", q.FAVOURABLE),
])
def test_answer_state(question_id, value, state):
    assert q.answer_state(CATALOGUE.question(question_id), value) == state


@pytest.mark.parametrize(("question_id", "value"), [
    ("money.budget", -1), ("money.budget", True), ("money.budget", "1000"), ("money.budget", float("nan")),
    ("competition.competitors", [""]), ("competition.competitors", [True]), ("competition.competitors", {"a": 1}),
    ("authority.our_decider", ["a"]), ("competition.behaviour", 5), ("authority.technical", "vielleicht"),
])
def test_normalise_answer_rejects_values_of_the_wrong_kind(question_id, value):
    with pytest.raises(ValueError):
        q.normalise_answer(CATALOGUE.question(question_id), value)


def test_amounts_are_exact_decimals():
    assert q.normalise_answer(CATALOGUE.question("money.budget"), 0.1) == Decimal("0.1")


# --- the rule --------------------------------------------------------------------------------------------


def states_with(unfavourable, open_=0):
    """The first `unfavourable` headlines unfavourable, the next `open_` open, the rest favourable."""
    states = {}
    for i, key in enumerate(KEYS):
        states[key] = q.UNFAVOURABLE if i < unfavourable else q.OPEN if i < unfavourable + open_ else q.FAVOURABLE
    return states


@pytest.mark.parametrize("threshold", range(9))
@pytest.mark.parametrize("unfavourable", range(9))
def test_threshold_edges_without_open_answers(unfavourable, threshold):
    evaluation = q.evaluate(CATALOGUE, answers_for(states_with(unfavourable)), threshold)
    assert evaluation.recommendation == (q.NO_OFFER if unfavourable > threshold else q.OFFER)
    assert len(evaluation.unfavourable) == unfavourable and evaluation.threshold == threshold


@pytest.mark.parametrize("threshold", range(9))
@pytest.mark.parametrize("unfavourable", range(8))
def test_threshold_edges_with_an_open_answer(unfavourable, threshold):
    evaluation = q.evaluate(CATALOGUE, answers_for(states_with(unfavourable, open_=1)), threshold)
    assert evaluation.recommendation == (q.NO_OFFER if unfavourable > threshold else q.CLARIFY)


def test_more_unfavourable_than_the_threshold_wins_over_open():
    answers = answers_for(states_with(4, open_=4))
    evaluation = q.evaluate(CATALOGUE, answers)
    assert evaluation.recommendation == q.NO_OFFER
    assert evaluation.unfavourable == KEYS[:4] and evaluation.open == KEYS[4:]


def test_exactly_the_threshold_unfavourable_with_open_is_clarify():
    assert q.evaluate(CATALOGUE, answers_for(states_with(3, open_=5))).recommendation == q.CLARIFY


def test_missing_answers_count_as_open_and_equal_explicit_open():
    missing = q.evaluate(CATALOGUE, {"aspiration": "yes"})
    explicit = q.evaluate(CATALOGUE, {"aspiration": "yes", **{key: "open" for key in KEYS[1:]}})
    assert missing == explicit
    assert missing.recommendation == q.CLARIFY and missing.open == KEYS[1:]
    assert q.evaluate(CATALOGUE, {}).recommendation == q.CLARIFY


def test_competition_answered_yes_is_unfavourable():
    evaluation = q.evaluate(CATALOGUE, {key: "yes" for key in KEYS})
    assert evaluation.unfavourable == ("competition",) and evaluation.recommendation == q.OFFER
    assert evaluation.counts == {q.FAVOURABLE: 7, q.UNFAVOURABLE: 1, q.OPEN: 0}


def test_detail_answers_do_not_change_the_recommendation():
    answers = answers_for(states_with(0))
    bad_details = {"money.incentive_not_to_spend": "yes", "need.specification": "no"}
    assert q.evaluate(CATALOGUE, {**answers, **bad_details}).recommendation == q.OFFER


@pytest.mark.parametrize("question_id", ["only_me.must_requirements", "solution"])
def test_an_unfavourable_knockout_means_no_offer(question_id):
    catalogue = with_knockout(question_id)
    answers = answers_for(states_with(0), catalogue)
    answers[question_id] = value_for(question_id, q.UNFAVOURABLE, catalogue)
    evaluation = q.evaluate(catalogue, answers, threshold=8)
    assert evaluation.recommendation == q.NO_OFFER and evaluation.knockouts == (question_id,)


@pytest.mark.parametrize("state", [q.FAVOURABLE, q.OPEN])
def test_a_knockout_that_is_not_unfavourable_changes_nothing(state):
    catalogue = with_knockout("only_me.must_requirements")
    answers = {**answers_for(states_with(0), catalogue),
               "only_me.must_requirements": value_for("only_me.must_requirements", state, catalogue)}
    evaluation = q.evaluate(catalogue, answers)
    assert evaluation.recommendation == q.OFFER and evaluation.knockouts == ()


@pytest.mark.parametrize("threshold", [-1, True, False, 3.0, "3", None])
def test_threshold_must_be_a_non_negative_int(threshold):
    with pytest.raises(ValueError, match="threshold must be an integer >= 0"):
        q.evaluate(CATALOGUE, {}, threshold)


def test_unknown_ids_and_bad_values_are_rejected():
    with pytest.raises(ValueError, match="unknown question id"):
        q.evaluate(CATALOGUE, {"size": "yes"})
    with pytest.raises(ValueError, match="^money.budget: "):
        q.evaluate(CATALOGUE, {"money.budget": -5})


# --- lights, contradictions, points to clarify ----------------------------------------------------------


def all_favourable():
    """Every headline and polar detail favourable, every other detail answered: all green."""
    answers = {}
    for question in CATALOGUE.questions():
        answers[question.id] = {
            q.YES_NO: question.favourable or "yes", q.CONTACTS: ["Anna Muster"], q.COMPETITORS: ["Acme"],
            q.USER: "beat", q.AMOUNT: 100_000, q.TEXT: "moderate",
        }[question.type]
    return answers


def test_everything_answered_favourably_is_green_and_has_nothing_to_clarify():
    evaluation = q.evaluate(CATALOGUE, all_favourable())
    assert set(evaluation.lights.values()) == {q.GREEN}
    assert list(evaluation.lights) == list(KEYS)
    assert evaluation.clarify == () and evaluation.warnings == ()
    assert evaluation.recommendation == q.OFFER


def test_lights():
    answers = {**all_favourable(), "aspiration": "no", "solution": "open", "need.specification": "no",
               "competition.behaviour": "", "authority.technical": "no"}
    lights = q.evaluate(CATALOGUE, answers).lights
    assert lights["aspiration"] == q.RED  # unfavourable headline
    assert lights["solution"] == q.AMBER  # open headline
    assert lights["need"] == q.AMBER  # favourable headline contradicted by a detail
    assert lights["competition"] == q.AMBER  # favourable headline, a detail still open
    assert lights["authority"] == q.GREEN  # an informative answer is neither good nor bad
    assert lights["money"] == q.GREEN


def test_red_wins_over_open_details():
    assert q.evaluate(CATALOGUE, {"money": "no"}).lights["money"] == q.RED


def test_favourable_headline_with_unfavourable_details_warns():
    answers = {**all_favourable(), "money.incentive_not_to_spend": "yes"}
    (warning,) = q.evaluate(CATALOGUE, answers, language="de").warnings
    assert (warning.category, warning.code) == ("money", "favourable_headline_unfavourable_details")
    assert warning.question_ids == ("money.incentive_not_to_spend",)


def test_unfavourable_headline_with_only_favourable_details_warns():
    answers = {**all_favourable(), "competition": "yes"}
    (warning,) = q.evaluate(CATALOGUE, answers).warnings
    assert (warning.category, warning.code) == ("competition", "unfavourable_headline_favourable_details")
    assert warning.question_ids == ("competition.competitor_asked", "competition.incumbent")


def test_no_warning_when_details_agree_or_are_open():
    answers = {"competition": "yes", "competition.competitor_asked": "yes", "money": "yes"}
    assert q.evaluate(CATALOGUE, answers).warnings == ()


def test_clarify_lists_open_headlines_and_details_in_catalogue_order():
    answers = {**all_favourable(), "solution": "open", "money.budget": None, "authority.our_decider": None}
    evaluation = q.evaluate(CATALOGUE, answers, language="de", company="Muster AG")
    assert [(p.question_id, p.category) for p in evaluation.clarify] == [
        ("solution", "solution"), ("money.budget", "money"), ("authority.our_decider", "authority")]
    assert [p.text for p in evaluation.clarify] == [
        "Kann das eigene Unternehmen eine Lösung anbieten?", "Wie gross ist das Budget?",
        "Wer entscheidet bei der Muster AG über die Weiterverfolgung?"]
    assert all("?" in p.text for p in q.evaluate(CATALOGUE, {}).clarify)  # some end in an aside: "? (Preis, …)"
    assert evaluation.to_dict()["clarify"] == ["solution", "money.budget", "authority.our_decider"]


def test_to_dict_has_the_command_line_fields():
    data = q.evaluate(CATALOGUE, {"competition": "yes"}, 2).to_dict()
    assert data["recommendation"] == q.CLARIFY and data["unfavourable"] == ["competition"]
    assert data["open"] == [k for k in KEYS if k != "competition"] and data["threshold"] == 2
    json.dumps(data)


# --- suggestions -----------------------------------------------------------------------------------------


def suggestion(facts, derive, **kwargs):
    found = [s for s in q.suggest_answers(facts, **kwargs) if s.derive == derive]
    return found[0] if found else None


@pytest.mark.parametrize(("price", "budget", "value"), [(90, 100, q.YES), (100, 100, q.YES), (100.01, 100, q.NO)])
def test_within_budget(price, budget, value):
    s = suggestion({"offer_price": price, "budget": budget}, "within_budget")
    assert (s.question_id, s.value) == ("money.within_budget", value)


@pytest.mark.parametrize(("volume", "low", "high", "value"), [
    (50, 20, 100, q.YES), (20, 20, 100, q.YES), (100, 20, 100, q.YES), (19, 20, 100, q.NO),
    (101, 20, 100, q.NO), (10_000, 20, None, q.YES), (10, 20, None, q.NO), (5, None, 10, q.YES),
])
def test_volume_in_range(volume, low, high, value):
    facts = q.Facts(expected_volume=volume, group_volume_min=low, group_volume_max=high)
    s = suggestion(facts, "volume_in_range")
    assert (s.question_id, s.value) == ("time_scale.volume_in_range", value)


@pytest.mark.parametrize(("margin", "target", "value"), [(35, 30, q.YES), (30, 30, q.YES), (29.9, 30, q.NO),
                                                         (-5, 0, q.NO)])
def test_margin_target(margin, target, value):
    s = suggestion({"margin_pct": margin, "group_margin_target_pct": target}, "margin_target")
    assert (s.question_id, s.value) == ("time_scale.margin_target", value)


@pytest.mark.parametrize("facts", [
    {}, {"offer_price": 1}, {"budget": 1}, {"expected_volume": 5}, {"group_volume_min": 1, "group_volume_max": 9},
    {"expected_volume": 5, "group_volume_min": None, "group_volume_max": None}, {"margin_pct": 30},
    {"group_margin_target_pct": 30},
])
def test_missing_inputs_give_no_suggestion(facts):
    assert q.suggest_answers(facts) == []


def test_suggestions_name_the_numbers_they_rest_on():
    facts = {"offer_price": 120_000, "budget": 100_000, "margin_pct": 32, "group_margin_target_pct": 30,
             "expected_volume": 10, "group_volume_min": 20}
    params = {s.derive: dict(s.params) for s in q.suggest_answers(facts)}
    assert params == {"within_budget": {"price": 120_000, "budget": 100_000},
                      "volume_in_range": {"volume": 10, "low": 20, "high": None},
                      "margin_target": {"margin": 32, "target": 30}}


def test_suggestions_follow_the_catalogues_derive_hints():
    raw = copy.deepcopy(RAW)
    raw["categories"][5]["details"][1]["derive"] = None
    catalogue = q.Catalogue.from_dict(raw)
    facts = {"offer_price": 1, "budget": 2, "margin_pct": 5, "group_margin_target_pct": 1}
    assert [s.question_id for s in q.suggest_answers(facts, catalogue=catalogue)] == ["time_scale.margin_target"]


@pytest.mark.parametrize("facts", [
    {"offer_price": -1, "budget": 5}, {"offer_price": True, "budget": 5}, {"offer_price": "5", "budget": 5},
    {"expected_volume": 5, "group_volume_min": 10, "group_volume_max": 1}, {"price": 5},
])
def test_bad_facts_are_rejected(facts):
    with pytest.raises(ValueError):
        q.suggest_answers(facts)


# --- properties ------------------------------------------------------------------------------------------

STATES = st.sampled_from([q.FAVOURABLE, q.UNFAVOURABLE, q.OPEN])
headline_states = st.fixed_dictionaries({key: STATES for key in KEYS})
polar_details = [d.id for c in CATALOGUE.categories for d in c.details if d.favourable]
detail_states = st.dictionaries(st.sampled_from(polar_details), STATES)
KNOCKOUT = with_knockout("only_me.must_requirements")


@given(headline_states, detail_states, st.integers(0, 9), st.sampled_from(KEYS + tuple(polar_details)),
       st.booleans())
def test_a_worse_answer_never_improves_the_recommendation(heads, details, threshold, flipped, knockout):
    catalogue = KNOCKOUT if knockout else CATALOGUE
    states = {**heads, **details}
    states[flipped] = q.FAVOURABLE
    before = q.evaluate(catalogue, answers_for(states, catalogue), threshold)
    states[flipped] = q.UNFAVOURABLE
    after = q.evaluate(catalogue, answers_for(states, catalogue), threshold)
    assert q.RECOMMENDATION_RANK[after.recommendation] <= q.RECOMMENDATION_RANK[before.recommendation]


@given(headline_states, detail_states, st.integers(0, 9))
def test_the_threshold_behaves_exactly_as_stated(heads, details, threshold):
    evaluation = q.evaluate(CATALOGUE, answers_for({**heads, **details}), threshold)
    unfavourable = sum(state == q.UNFAVOURABLE for state in heads.values())
    if unfavourable > threshold:
        expected = q.NO_OFFER
    elif q.OPEN in heads.values():
        expected = q.CLARIFY
    else:
        expected = q.OFFER
    assert evaluation.recommendation == expected
    assert evaluation.counts == {state: list(heads.values()).count(state)
                                 for state in (q.FAVOURABLE, q.UNFAVOURABLE, q.OPEN)}
    red = {key for key, light in evaluation.lights.items() if light == q.RED}
    assert red == {key for key, state in heads.items() if state == q.UNFAVOURABLE}


# --- the evaluation works from what it prepared once per catalogue, and says exactly what the rule says ---


def evaluate_plainly(catalogue, answers, threshold, language, company):
    """The rule read straight off the catalogue, with nothing prepared or kept: the yardstick."""
    q.validate_threshold(threshold)
    ids = [question.id for question in catalogue.questions()]
    unknown = [key for key in answers if key not in ids]
    if unknown:
        raise ValueError(f"unknown question id(s): {', '.join(map(repr, unknown))}")
    states = {}
    for question in catalogue.questions():
        try:
            states[question.id] = q.answer_state(question, answers.get(question.id))
        except ValueError as exc:
            raise ValueError(f"{question.id}: {exc}") from None
    heads = {state: tuple(k for k in catalogue.keys if states[k] == state)
             for state in (q.FAVOURABLE, q.UNFAVOURABLE, q.OPEN)}
    knockouts = tuple(i for i in ids if catalogue.question(i).knockout and states[i] == q.UNFAVOURABLE)
    recommendation = (q.NO_OFFER if len(heads[q.UNFAVOURABLE]) > threshold or knockouts
                      else q.CLARIFY if heads[q.OPEN] else q.OFFER)
    lights, warnings = {}, []
    for category in catalogue.categories:
        head, details = states[category.key], {d.id: states[d.id] for d in category.details}
        against = tuple(i for i, s in details.items() if s == q.UNFAVOURABLE)
        polar = tuple(d.id for d in category.details if d.type == q.YES_NO and d.favourable is not None)
        lights[category.key] = (q.RED if head == q.UNFAVOURABLE else q.AMBER
                                if head == q.OPEN or against or q.OPEN in details.values() else q.GREEN)
        if head == q.FAVOURABLE and against:
            warnings.append(q.Contradiction(category.key, "favourable_headline_unfavourable_details", against))
        elif head == q.UNFAVOURABLE and polar and all(states[i] == q.FAVOURABLE for i in polar):
            warnings.append(q.Contradiction(category.key, "unfavourable_headline_favourable_details", polar))
    clarify = tuple(q.ClarifyPoint(question.id, category.key, question.localised(language, company))
                    for category in catalogue.categories for question in category.questions
                    if states[question.id] == q.OPEN)
    return q.Evaluation(recommendation, threshold, heads[q.FAVOURABLE], heads[q.UNFAVOURABLE], heads[q.OPEN],
                        knockouts, states, lights, clarify, tuple(warnings))


def outcome(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (ValueError, KeyError) as exc:
        return type(exc), str(exc)


ANY_VALUE = st.one_of(
    st.sampled_from(["yes", "no", "open", "ja", "nein", "offen", "JA", " Nein ", "Offen\n", "", "vielleicht"]),
    st.none(), st.booleans(), st.integers(-2, 3), st.sampled_from([Decimal("12.50"), Decimal("-1"), 1.5, float("nan")]),
    st.lists(st.sampled_from(["Anna", " Beat ", "", 7, True]), max_size=3).map(tuple),
    st.sampled_from([["Anna"], "Acme", {"a": 1}, "  "]),
)
QUESTION_IDS = [question.id for question in CATALOGUE.questions()]
TWO_KNOCKOUTS = with_knockout("only_me.must_requirements")
NAMES = st.sampled_from(["Anna", " Beat ", 7])
FITTING = {  # answers of each type as they come, mostly fitting it
    q.YES_NO: st.sampled_from(["yes", "no", "open", "ja", "nein", "offen", "JA", " Nein ", "Offen\n", None]),
    q.CONTACTS: st.one_of(st.none(), NAMES, st.lists(NAMES, max_size=3), st.lists(NAMES, max_size=3).map(tuple)),
    q.USER: st.sampled_from(["Anna", 7, None, ""]),
    q.AMOUNT: st.sampled_from([None, 0, 120_000, Decimal("90000.50"), 12.5]),
    q.TEXT: st.sampled_from([None, "", "  ", "aggressiv"]),
}
FITTING[q.COMPETITORS] = FITTING[q.CONTACTS]
FITTING_ANSWERS = st.fixed_dictionaries({}, optional={
    question.id: FITTING[question.type] for question in CATALOGUE.questions()})


@given(st.one_of(FITTING_ANSWERS, st.dictionaries(st.sampled_from(QUESTION_IDS + ["size"]), ANY_VALUE, max_size=6)),
       st.integers(0, 9), st.sampled_from(["de", "en", "de-ch"]), st.sampled_from(["Kundennetz AG", "Muster AG"]),
       st.booleans())
def test_the_evaluation_says_exactly_what_the_rule_read_off_the_catalogue_says(answers, threshold, language,
                                                                               company, knockout):
    catalogue = TWO_KNOCKOUTS if knockout else CATALOGUE
    assert outcome(q.evaluate, catalogue, answers, threshold, language=language, company=company) == outcome(
        evaluate_plainly, catalogue, answers, threshold, language, company)


def test_a_question_id_used_twice_is_evaluated_as_the_rule_reads_it():
    # Only a catalogue built by hand can hold one (from_dict refuses it); the last answer state of the id counts.
    twice = q.Question(id="a.x", type=q.YES_NO, text={"en": "X?"}, favourable=q.YES)
    category = q.Category(key="a", letter="A", name={"en": "A"},
                          headline=q.Question(id="a", type=q.YES_NO, text={"en": "A?"}, favourable=q.YES),
                          details=(twice, twice))
    catalogue = q.Catalogue(id="t", version=1, languages=("en",), name={"en": "T"}, categories=(category,))
    for answers in ({}, {"a": "yes", "a.x": "no"}, {"a": "no", "a.x": "yes"}):
        assert q.evaluate(catalogue, answers, 0) == evaluate_plainly(catalogue, answers, 0, "en", "Kundennetz AG")
    assert [p.question_id for p in q.evaluate(catalogue, {}, 0).clarify] == ["a", "a.x", "a.x"]
