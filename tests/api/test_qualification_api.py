"""Qualification through the API: each role of the fixed cast reading, answering and deciding; the
evaluation following the answers; all-or-nothing answers; history; decisions and the stage gate; the
pipeline list; the question catalogues; and bad input answered as 422 at the right place, never 500."""

import pytest
from cast import CHANGES, ROLES, SEES, expected_change
from api_helpers import count_queries, locs

from kundennetz.accounts.models import Competitor, Contact, Opportunity, Stage
from kundennetz.qualification import services
from kundennetz.qualification.models import Answer, Catalogue, Checklist, PursuitDecision

pytestmark = pytest.mark.django_db

OFFER = {"aspiration": "yes", "solution": "yes", "competition": "no", "only_me": "yes",
         "time_scale": "yes", "money": "yes", "authority": "yes", "need": "yes"}
# Unfavourable answers for the headlines, as each is worded (the competition is favourable when answered no).
AGAINST = {"aspiration": "no", "solution": "no", "competition": "yes", "only_me": "no"}


def checklist_path(network, rest: str = "") -> str:
    return f"/api/opportunities/{network.opportunity.pk}/checklist{rest}"


def decisions_path(network) -> str:
    return f"/api/opportunities/{network.opportunity.pk}/decisions"


def history_count(network) -> int:
    return Answer.history.filter(checklist__opportunity=network.opportunity).count()


# --- who may do what ---------------------------------------------------------------------------------

def test_without_credentials_nothing_is_answered(api, network):
    for method, path in [("GET", checklist_path(network)), ("PATCH", checklist_path(network, "/answers")),
                         ("POST", decisions_path(network)), ("GET", "/api/checklists"),
                         ("GET", "/api/question-catalogues")]:
        assert api(None, method, path, {} if method != "GET" else None).status_code == 401, path


@pytest.mark.parametrize("role", ROLES)
def test_read_checklist(api, cast, network, role):
    response = api(getattr(cast, role), "GET", checklist_path(network))
    assert response.status_code == (200 if role in SEES else 404)
    if response.status_code != 200:
        return
    body = response.json()
    assert body["opportunity"] == network.opportunity.pk
    assert body["catalogue"]["key"] == "ascotsman" and body["catalogue"]["version"] == 1
    assert [c["letter"] for c in body["categories"]] == list("ASCOTMAN")
    assert body["evaluation"]["recommendation"] == "clarify" and len(body["evaluation"]["open"]) == 8
    assert body["may_change"] == (role in CHANGES)
    assert body["may_decide"] == (role in ("admin", "sales_head"))
    assert body["decision"] is None


@pytest.mark.parametrize("role", ROLES)
def test_put_answer(api, cast, network, role):
    response = api(getattr(cast, role), "PUT", checklist_path(network, "/answers/money"), {"value": "yes"})
    assert response.status_code == expected_change(role, 200)
    assert Answer.objects.filter(question_id="money").exists() == (role in CHANGES)


@pytest.mark.parametrize("role", ROLES)
def test_patch_answers(api, cast, network, role):
    response = api(getattr(cast, role), "PATCH", checklist_path(network, "/answers"), OFFER)
    assert response.status_code == expected_change(role, 200)
    assert Answer.objects.count() == (8 if role in CHANGES else 0)


@pytest.mark.parametrize("role", ROLES)
def test_decide(api, cast, network, role):
    response = api(getattr(cast, role), "POST", decisions_path(network), {"decision": "do_not_pursue"})
    # Deciding is for sales head and admin unless the checklist names someone as our decision maker.
    allowed = role in ("admin", "sales_head")
    assert response.status_code == (201 if allowed else 403 if role in SEES else 404)
    assert PursuitDecision.objects.count() == (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
def test_read_decisions_and_history(api, cast, network, role):
    api(cast.owner, "PUT", checklist_path(network, "/answers/money"), {"value": "yes"})
    for path in (decisions_path(network), checklist_path(network, "/history")):
        response = api(getattr(cast, role), "GET", path)
        assert response.status_code == (200 if role in SEES else 404), path


def test_our_named_decision_maker_may_decide(api, cast, network):
    api(cast.owner, "PUT", checklist_path(network, "/answers/authority.our_decider"), {"value": cast.team_member.pk})
    assert api(cast.owner, "POST", decisions_path(network), {"decision": "do_not_pursue"}).status_code == 403
    response = api(cast.team_member, "POST", decisions_path(network), {"decision": "do_not_pursue"})
    assert response.status_code == 201 and response.json()["decided_by"] == cast.team_member.pk
    checklist = api(cast.team_member, "GET", checklist_path(network)).json()
    assert checklist["may_decide"] is True and checklist["decision"]["decision"] == "do_not_pursue"


def test_without_a_published_catalogue_no_checklist_can_be_opened(api, cast, network):
    Catalogue.objects.update(status=Catalogue.Status.RETIRED)
    response = api(cast.owner, "GET", checklist_path(network))
    assert response.status_code == 503 and isinstance(response.json()["detail"], str)
    assert api(cast.owner, "PATCH", checklist_path(network, "/answers"), OFFER).status_code == 503
    assert not Checklist.objects.exists()


def test_deleted_opportunity_has_no_checklist(api, cast, network):
    network.opportunity.soft_delete(cast.admin)
    assert api(cast.admin, "GET", checklist_path(network)).status_code == 404
    assert api(cast.admin, "PUT", checklist_path(network, "/answers/money"), {"value": "yes"}).status_code == 404


# --- the evaluation follows the answers ---------------------------------------------------------------

def test_all_eight_favourable_is_an_offer_and_four_against_is_none(api, cast, network):
    response = api(cast.owner, "PATCH", checklist_path(network, "/answers"), OFFER)
    assert response.status_code == 200, response.content
    evaluation = response.json()["evaluation"]
    assert evaluation["recommendation"] == "offer" and evaluation["unfavourable"] == [] and evaluation["open"] == []
    assert evaluation["counts"] == {"favourable": 8, "unfavourable": 0, "open": 0}
    assert evaluation["threshold"] == 3
    assert {a["question_id"] for a in response.json()["answers"]} == set(OFFER)

    keys = list(AGAINST)
    for key in keys[:3]:
        evaluation = api(cast.owner, "PUT", checklist_path(network, f"/answers/{key}"),
                         {"value": AGAINST[key]}).json()["evaluation"]
    # Three against is not more than the threshold: still an offer.
    assert evaluation["recommendation"] == "offer" and evaluation["unfavourable"] == keys[:3]
    assert [evaluation["lights"][key] for key in keys[:3]] == ["red"] * 3
    evaluation = api(cast.owner, "PUT", checklist_path(network, f"/answers/{keys[3]}"),
                     {"value": AGAINST[keys[3]]}).json()["evaluation"]
    assert evaluation["recommendation"] == "no_offer" and evaluation["counts"]["unfavourable"] == 4
    stored = Checklist.objects.get(opportunity=network.opportunity)
    assert stored.recommendation == "no_offer" and stored.unfavourable_count == 4


def test_checklist_shows_questions_answers_clarify_points_and_warnings(api, cast, network):
    api(cast.owner, "PUT", checklist_path(network, "/answers/competition"), {"value": "nein", "note": "kaum"})
    api(cast.owner, "PUT", checklist_path(network, "/answers/competition.competitor_asked"), {"value": "yes"})
    body = api(cast.owner, "GET", checklist_path(network)).json()
    competition = body["categories"][2]
    headline, asked = competition["questions"][0], competition["questions"][1]
    assert headline["id"] == "competition" and headline["headline"] and headline["favourable"] == "no"
    assert headline["type"] == "yes_no" and headline["state"] == "favourable"
    assert headline["answer"]["value"] == "no" and headline["answer"]["note"] == "kaum"
    assert headline["answer"]["updated_by"] == cast.owner.pk and headline["answer"]["updated_at"]
    assert asked["state"] == "unfavourable" and competition["light"] == "amber"
    assert [w["code"] for w in body["evaluation"]["warnings"]] == ["favourable_headline_unfavourable_details"]
    clarify = {point["question_id"]: point for point in body["evaluation"]["clarify"]}
    assert "competition" not in clarify and clarify["money"]["text"].endswith("?")
    assert body["categories"][0]["questions"][0]["answer"] is None


def test_texts_come_in_the_callers_language_with_our_company(api, cast, network, settings):
    settings.KUNDENNETZ_COMPANY_NAME = "Muster Informatik AG"
    cast.owner.language = "de"
    cast.owner.save()
    body = api(cast.owner, "GET", checklist_path(network)).json()
    questions = {q["id"]: q for c in body["categories"] for q in c["questions"]}
    assert questions["competition"]["text"] == "Ist die Konkurrenz stark?"
    assert "Muster Informatik AG" in questions["money.within_budget"]["text"]
    assert "{company}" not in str(body)
    assert body["categories"][2]["name"] == "Competition (Konkurrenz)"


def test_suggestions_are_shown_not_applied(api, cast, network):
    network.opportunity.offer_price = 300000
    network.opportunity.save()
    api(cast.owner, "PUT", checklist_path(network, "/answers/money.budget"), {"value": "250000"})
    body = api(cast.owner, "GET", checklist_path(network)).json()
    suggestion = {s["question_id"]: s for s in body["suggestions"]}["money.within_budget"]
    assert suggestion["value"] == "no" and suggestion["derive"] == "within_budget" and suggestion["reason"]
    assert not Answer.objects.filter(question_id="money.within_budget").exists()


# --- answers: values, notes, refusals -----------------------------------------------------------------

def test_values_are_stored_in_their_canonical_form(api, cast, network):
    competitor = Competitor.objects.create(name="Konkurrenz AG")
    answers = {
        "money": "JA",
        "money.budget": "250000.5",
        "time_scale.follow_up_volume": 1200,
        "authority.decision_makers": [network.contact.pk, network.contact.pk],
        "authority.our_decider": cast.team_member.pk,
        "competition.competitors": [competitor.pk],
        "competition.behaviour": "  wird den Preis senken  ",
    }
    response = api(cast.owner, "PATCH", checklist_path(network, "/answers"), answers)
    assert response.status_code == 200, response.content
    stored = {a["question_id"]: a["value"] for a in response.json()["answers"]}
    assert stored == {
        "money": "yes", "money.budget": "250000.50", "time_scale.follow_up_volume": "1200.00",
        "authority.decision_makers": [network.contact.pk], "authority.our_decider": cast.team_member.pk,
        "competition.competitors": [competitor.pk], "competition.behaviour": "wird den Preis senken",
    }
    # null leaves a question unanswered again.
    response = api(cast.owner, "PUT", checklist_path(network, "/answers/money"), {"value": None})
    assert response.json()["answer"]["value"] == "open" and "money" in response.json()["evaluation"]["open"]


def test_put_replaces_the_note_and_patch_keeps_it(api, cast, network):
    path = checklist_path(network, "/answers")
    api(cast.owner, "PUT", f"{path}/money", {"value": "yes", "note": "CFO bestätigt"})
    api(cast.owner, "PATCH", path, {"money": "no"})
    assert Answer.objects.get(question_id="money").note == "CFO bestätigt"
    api(cast.owner, "PATCH", path, {"money": {"value": "no", "note": "doch nicht"}})
    assert Answer.objects.get(question_id="money").note == "doch nicht"
    api(cast.owner, "PUT", f"{path}/money", {"value": "no"})
    assert Answer.objects.get(question_id="money").note == ""


@pytest.mark.parametrize("question,value", [
    ("money", "vielleicht"),
    ("money", True),
    ("money", ["yes"]),
    ("money.budget", -5),
    ("money.budget", "viel"),
    ("money.budget", "NaN"),
    ("money.budget", "1_000"),
    ("money.budget", "Infinity"),
    ("money.budget", "0.005"),
    ("money.budget", 12.345),
    ("money.budget", 10**13),
    ("money.budget", "1e400"),
    ("authority.decision_makers", [999999]),
    ("authority.decision_makers", ["Anna"]),
    ("authority.decision_makers", [2**70]),
    ("authority.decision_makers", str(2**70)),
    ("authority.our_decider", 999999),
    ("authority.our_decider", [1, 2]),
    ("authority.our_decider", -1),
    ("competition.competitors", [999999]),
    ("competition.behaviour", 42),
    ("competition.behaviour", "x" * 5001),
    ("competition.behaviour", "null\x00zeichen"),
])
def test_a_value_that_does_not_fit_is_refused_at_the_value(api, cast, network, question, value):
    response = api(cast.owner, "PUT", checklist_path(network, f"/answers/{question}"), {"value": value})
    assert response.status_code == 422 and locs(response) == [["body", "value"]], response.content
    assert response.json()["detail"][0]["msg"]
    assert not Answer.objects.exists() and history_count(network) == 0


def test_people_of_another_account_and_inactive_users_are_refused(api, cast, network):
    stranger = Contact.objects.create(account=network.other_account, last_name="Fremd")
    cast.read_only.is_active = False
    cast.read_only.save()
    response = api(cast.owner, "PATCH", checklist_path(network, "/answers"), {
        "authority.influencers": [network.contact.pk, stranger.pk],
        "authority.our_decider": cast.read_only.pk,
    })
    assert response.status_code == 422
    assert locs(response) == [["body", "authority.influencers"], ["body", "authority.our_decider"]]


def test_unknown_question_is_refused_at_its_id(api, cast, network):
    response = api(cast.owner, "PUT", checklist_path(network, "/answers/gibts.nicht"), {"value": "yes"})
    assert response.status_code == 422 and locs(response) == [["path", "question_id"]]
    response = api(cast.owner, "PATCH", checklist_path(network, "/answers"), {"gibts.nicht": "yes"})
    assert response.status_code == 422 and locs(response) == [["body", "gibts.nicht"]]


def test_a_bad_body_is_refused_in_the_shared_shape(api, cast, network):
    put = checklist_path(network, "/answers/money")
    response = api(cast.owner, "PUT", put, raw="{nicht json")
    assert response.status_code == 400 and locs(response) == [["body"]]
    response = api(cast.owner, "PUT", put, {"note": "ohne Wert"})
    assert response.status_code == 422 and locs(response) == [["body", "value"]]
    response = api(cast.owner, "PUT", checklist_path(network, "/answers/money.budget"), raw='{"value": 1e400}')
    assert response.status_code == 422 and locs(response) == [["body", "value"]]
    response = api(cast.owner, "PUT", checklist_path(network, "/answers/money.budget"), raw='{"value": NaN}')
    assert response.status_code == 400 and locs(response) == [["body"]]
    response = api(cast.owner, "PUT", put, {"value": "yes", "id": 5})
    assert response.status_code == 422 and locs(response) == [["body", "id"]]
    response = api(cast.owner, "PUT", put, {"value": "yes", "note": "a\x00b"})
    assert response.status_code == 422 and locs(response) == [["body", "note"]]
    response = api(cast.owner, "PUT", put, {"value": "yes", "note": "x" * 5001})
    assert response.status_code == 422 and locs(response) == [["body", "note"]]
    patch = checklist_path(network, "/answers")
    for body in (["money", "yes"], "yes", None):
        response = api(cast.owner, "PATCH", patch, body)
        assert response.status_code == 422 and locs(response) == [["body"]], body
    response = api(cast.owner, "PATCH", patch, {"money": {"value": "yes", "note": 5, "when": "now"}})
    assert response.status_code == 422 and locs(response) == [["body", "money", "when"], ["body", "money", "note"]]
    response = api(cast.owner, "PATCH", patch, {"money": {"note": "ohne Wert"}})
    assert response.status_code == 422 and locs(response) == [["body", "money", "value"]]
    response = api(cast.owner, "PATCH", patch, {"money": {"value": "vielleicht"}})
    assert response.status_code == 422 and locs(response) == [["body", "money", "value"]]
    assert not Answer.objects.exists()


def test_patch_is_all_or_nothing(api, cast, network):
    api(cast.owner, "PUT", checklist_path(network, "/answers/money"), {"value": "no"})
    before = history_count(network)
    answers = {**OFFER, "money.budget": "a lot", "authority.decision_makers": [999999], "nonsense": "yes"}
    response = api(cast.owner, "PATCH", checklist_path(network, "/answers"), answers)
    assert response.status_code == 422
    # Every problem at once, each at its question id.
    assert locs(response) == [["body", "money.budget"], ["body", "authority.decision_makers"], ["body", "nonsense"]]
    assert list(Answer.objects.values_list("question_id", "value")) == [("money", "no")]
    assert history_count(network) == before
    assert Checklist.objects.get(opportunity=network.opportunity).unfavourable_count == 1


def test_an_empty_patch_changes_nothing(api, cast, network):
    response = api(cast.owner, "PATCH", checklist_path(network, "/answers"), {})
    assert response.status_code == 200 and response.json()["answers"] == []
    assert response.json()["evaluation"]["recommendation"] == "clarify"


# --- history ------------------------------------------------------------------------------------------

def test_history_names_the_api_user_as_author(api, cast, network):
    path = checklist_path(network, "/answers")
    api(cast.owner, "PUT", f"{path}/money", {"value": "yes"})
    api(cast.team_member, "PATCH", path, {"money": {"value": "no", "note": "Budget gestrichen"}})
    api(cast.team_member, "PATCH", path, {"money": "no"})  # unchanged: no new entry
    api(cast.sales_head, "PUT", f"{path}/need", {"value": "ja"})
    response = api(cast.read_only, "GET", checklist_path(network, "/history"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    newest, change, first = body["items"]
    assert (newest["question_id"], newest["by"], newest["change"], newest["old"], newest["new"]) == (
        "need", cast.sales_head.pk, "created", None, "yes")
    assert (change["by"], change["by_name"], change["old"], change["new"]) == (
        cast.team_member.pk, str(cast.team_member), "yes", "no")
    assert (change["old_note"], change["new_note"], change["change"]) == ("", "Budget gestrichen", "changed")
    assert first["by"] == cast.owner.pk and first["question"]
    page = api(cast.owner, "GET", checklist_path(network, "/history"), {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and [e["id"] for e in page["items"]] == [change["id"]]
    only = api(cast.owner, "GET", checklist_path(network, "/history"), {"question_id": "money"}).json()
    assert only["count"] == 2 and {e["question_id"] for e in only["items"]} == {"money"}


# --- decisions and the stage gate ---------------------------------------------------------------------

def test_going_against_the_recommendation_needs_a_reason(api, cast, network):
    # The checklist is still open, so the recommendation is "clarify": pursuing goes against it.
    response = api(cast.sales_head, "POST", decisions_path(network), {"decision": "pursue"})
    assert response.status_code == 422 and locs(response) == [["body", "reason"]]
    response = api(cast.sales_head, "POST", decisions_path(network), {"decision": "pursue", "reason": "   "})
    assert response.status_code == 422 and locs(response) == [["body", "reason"]]
    assert not PursuitDecision.objects.exists()
    response = api(cast.sales_head, "POST", decisions_path(network),
                   {"decision": "pursue", "reason": "Strategischer Kunde"})
    assert response.status_code == 201
    body = response.json()
    assert body["decision"] == "pursue" and body["recommendation"] == "clarify"
    assert body["against_recommendation"] is True and body["reason"] == "Strategischer Kunde"
    assert body["decided_by"] == cast.sales_head.pk and body["opportunity"] == network.opportunity.pk


def test_following_an_offer_needs_no_reason(api, cast, network):
    api(cast.owner, "PATCH", checklist_path(network, "/answers"), OFFER)
    response = api(cast.admin, "POST", decisions_path(network), {"decision": "pursue"})
    assert response.status_code == 201 and response.json()["against_recommendation"] is False
    response = api(cast.admin, "POST", decisions_path(network), {"decision": "do_not_pursue"})
    assert response.status_code == 422 and locs(response) == [["body", "reason"]]


@pytest.mark.parametrize("body,where", [
    ({"decision": "vielleicht"}, ["body", "decision"]),
    ({}, ["body", "decision"]),
    ({"decision": "pursue", "reason": "x" * 5001}, ["body", "reason"]),
    ({"decision": "do_not_pursue", "by": 1}, ["body", "by"]),
])
def test_bad_decisions_are_refused(api, cast, network, body, where):
    response = api(cast.sales_head, "POST", decisions_path(network), body)
    assert response.status_code == 422 and locs(response) == [where]
    assert not PursuitDecision.objects.exists()


def test_decisions_are_listed_newest_first(api, cast, network):
    api(cast.sales_head, "POST", decisions_path(network), {"decision": "do_not_pursue"})
    api(cast.sales_head, "POST", decisions_path(network), {"decision": "pursue", "reason": "Neue Lage"})
    body = api(cast.marketing, "GET", decisions_path(network)).json()
    assert body["count"] == 2 and [d["decision"] for d in body["items"]] == ["pursue", "do_not_pursue"]
    assert api(cast.marketing, "GET", checklist_path(network)).json()["decision"]["decision"] == "pursue"


def test_offer_submitted_needs_a_decision_to_pursue(api, cast, network):
    path = f"/api/opportunities/{network.opportunity.pk}"
    response = api(cast.owner, "PATCH", path, {"stage": "offer_submitted"})
    assert response.status_code == 422 and locs(response) == [["body", "stage"]]
    api(cast.sales_head, "POST", decisions_path(network), {"decision": "do_not_pursue"})
    assert api(cast.owner, "PATCH", path, {"stage": "offer_submitted"}).status_code == 422
    response = api(cast.owner, "PATCH", path, {"stage": "won"})
    assert response.status_code == 422 and "only “no offer” or “lost” are open" in response.json()["detail"][0]["msg"]
    api(cast.owner, "PATCH", checklist_path(network, "/answers"), OFFER)
    # Revising "do not pursue" needs a reason, even where the checklist agrees.
    response = api(cast.sales_head, "POST", decisions_path(network), {"decision": "pursue"})
    assert response.status_code == 422 and "Revising a decision not to pursue needs a reason." in str(response.json())
    assert api(cast.sales_head, "POST", decisions_path(network), {"decision": "pursue", "reason": "Neue Lage"}).status_code == 201
    response = api(cast.owner, "PATCH", path, {"stage": "offer_submitted"})
    assert response.status_code == 200 and response.json()["stage"] == "offer_submitted"


# --- the pipeline list --------------------------------------------------------------------------------

@pytest.fixture
def pipeline(cast, network):
    """Three more opportunities at the network's account: one to offer, one not to, one never opened."""
    stage = Stage.objects.get(code="qualifying")

    def make(title, answers):
        opportunity = Opportunity.objects.create(account=network.account, title=title, owner=cast.owner, stage=stage)
        if answers is not None:
            checklist = services.get_checklist(opportunity, cast.owner)
            for key, value in answers.items():
                services.set_answer(checklist, key, value, cast.owner)
        return opportunity

    offer = make("Angebot", OFFER)
    no_offer = make("Kein Angebot", {**OFFER, **AGAINST})
    unopened = make("Ungeöffnet", None)
    services.get_checklist(network.opportunity, cast.owner)
    services.set_answer(services.get_checklist(network.opportunity), "money", "yes", cast.owner)
    return {"offer": offer, "no_offer": no_offer, "unopened": unopened, "clarify": network.opportunity}


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_pipeline_lists_recommendation_and_open_points(api, cast, pipeline):
    response = api(cast.owner, "GET", "/api/checklists", {"order_by": "title"})
    items = {item["title"]: item for item in response.json()["items"]}
    assert response.json()["count"] == 4
    assert items["Angebot"]["recommendation"] == "offer" and items["Kein Angebot"]["recommendation"] == "no_offer"
    assert items["Kein Angebot"]["unfavourable"] == 4 and items["Angebot"]["unfavourable"] == 0
    unopened = items["Ungeöffnet"]
    total = sum(1 for _q in Catalogue.current().rules.questions())
    assert unopened["opened"] is False and unopened["recommendation"] == "clarify" and unopened["open_points"] == total
    assert items["ERP-Einführung"]["opened"] is True and items["ERP-Einführung"]["open_points"] == total - 1
    assert items["Angebot"]["open_points"] == total - 8
    assert items["Angebot"]["stage"] == "qualifying" and items["Angebot"]["account_name"] == "Muster Engineering AG"


def test_pipeline_filters_and_sorts(api, cast, pipeline):
    get = lambda **query: titles(api(cast.owner, "GET", "/api/checklists", query))  # noqa: E731
    assert get(recommendation="offer") == ["Angebot"]
    assert sorted(get(recommendation="clarify")) == ["ERP-Einführung", "Ungeöffnet"]
    assert get(order_by="open_points") == ["Angebot", "Kein Angebot", "ERP-Einführung", "Ungeöffnet"]
    assert get(order_by="-open_points")[0] == "Ungeöffnet"
    assert get(order_by="recommendation")[0] == "Kein Angebot"
    assert get(order_by="-recommendation")[0] == "Angebot"
    total = sum(1 for _q in Catalogue.current().rules.questions())
    assert sorted(get(min_open_points=total - 1)) == ["ERP-Einführung", "Ungeöffnet"]
    assert sorted(get(max_open_points=total - 8)) == ["Angebot", "Kein Angebot"]
    assert get(opened="false") == ["Ungeöffnet"]
    assert get(q="Kein", recommendation="no_offer") == ["Kein Angebot"]
    assert get(decision="pursue") == []
    api(cast.sales_head, "POST", f"/api/opportunities/{pipeline['offer'].pk}/decisions", {"decision": "pursue"})
    assert get(decision="pursue") == ["Angebot"] and "Angebot" not in get(decision="none")
    for bad in ({"recommendation": "maybe"}, {"min_open_points": -1}, {"order_by": "secret"},
                {"decision": "perhaps"}):
        assert api(cast.owner, "GET", "/api/checklists", bad).status_code == 422, bad


@pytest.mark.parametrize("role", ROLES)
def test_pipeline_shows_only_what_the_role_may_see(api, cast, network, role):
    Opportunity.objects.create(account=network.other_account, title="Fremd", owner=cast.outsider,
                               stage=Stage.objects.get(code="lead"))
    got = set(titles(api(getattr(cast, role), "GET", "/api/checklists")))
    expected = {"outsider": {"Fremd"}, "owner": {"ERP-Einführung"}, "team_member": {"ERP-Einführung"}}
    assert got == expected.get(role, {"Fremd", "ERP-Einführung"})


def test_pipeline_needs_the_same_queries_for_more_opportunities(api, cast, pipeline, network):
    def page():
        assert api(cast.owner, "GET", "/api/checklists").status_code == 200

    page()  # issues the caller's token, which is not part of the page
    few = count_queries(page)
    for index in range(5):
        opportunity = Opportunity.objects.create(account=network.account, title=f"Mehr {index}", owner=cast.owner,
                                                 stage=Stage.objects.get(code="lead"))
        services.get_checklist(opportunity, cast.owner)
    assert count_queries(page) == few


# --- question catalogues ------------------------------------------------------------------------------

def test_catalogues_are_read_by_everyone_signed_in(api, cast):
    response = api(cast.read_only, "GET", "/api/question-catalogues")
    assert response.status_code == 200
    (entry,) = response.json()
    assert (entry["key"], entry["version"], entry["status"], entry["current"]) == ("ascotsman", 1, "published", True)
    detail = api(cast.outsider, "GET", "/api/question-catalogues/ascotsman/1").json()
    assert [c["key"] for c in detail["categories"]] == ["aspiration", "solution", "competition", "only_me",
                                                        "time_scale", "money", "authority", "need"]
    questions = {q["id"]: q for c in detail["categories"] for q in c["questions"]}
    assert questions["competition"]["favourable"] == "no" and questions["competition"]["headline"]
    assert questions["competition"]["texts"]["de"] == "Ist die Konkurrenz stark?"
    assert questions["authority.technical"]["favourable"] is None
    assert questions["money.budget"]["type"] == "amount" and questions["authority.our_decider"]["type"] == "user"
    assert questions["money.within_budget"]["derive"] == "within_budget"
    assert detail["categories"][0]["names"]["de"] == "Aspiration (Absicht)"


def test_drafts_are_only_for_administrators(api, cast):
    current = Catalogue.current()
    definition = {**current.definition, "version": 2}
    Catalogue.objects.create(key="ascotsman", version=2, definition=definition)
    assert [c["version"] for c in api(cast.sales_head, "GET", "/api/question-catalogues").json()] == [1]
    assert api(cast.sales_head, "GET", "/api/question-catalogues/ascotsman/2").status_code == 404
    listed = api(cast.admin, "GET", "/api/question-catalogues").json()
    assert [(c["version"], c["status"], c["current"]) for c in listed] == [(2, "draft", False), (1, "published", True)]
    assert api(cast.admin, "GET", "/api/question-catalogues/ascotsman/2").status_code == 200
    assert api(cast.admin, "GET", "/api/question-catalogues", {"status": "published"}).json()[0]["version"] == 1


def test_unknown_catalogue_is_not_found(api, cast):
    assert api(cast.admin, "GET", "/api/question-catalogues/gibtsnicht/1").status_code == 404
    assert api(cast.admin, "GET", "/api/question-catalogues/ascotsman/99").status_code == 404
