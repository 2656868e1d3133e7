"""`kundennetz qualify`: the command-line contract, driven in-process and once as a real subprocess."""

import ast
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kundennetz.domain import qualification as q
from kundennetz.qualification import cli

KEYS = ("aspiration", "solution", "competition", "only_me", "time_scale", "money", "authority", "need")
ALL_GOOD = {key: ("no" if key == "competition" else "yes") for key in KEYS}


def run(paths, *, as_json=True, stdin="", language="en"):
    out, err = io.StringIO(), io.StringIO()
    status = cli.run_qualify(paths, as_json=as_json, stdin=io.StringIO(stdin), stdout=out, stderr=err,
                             language=language, company="Muster AG")
    return status, out.getvalue(), err.getvalue()


def results(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.fixture
def write(tmp_path):
    def write(name, content):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
        return str(path)

    return write


def test_several_files_are_evaluated_in_order(write):
    paths = [
        write("offer.json", {"answers": ALL_GOOD}),
        write("clarify.json", {"answers": {"aspiration": "yes"}}),
        write("no_offer.json", {"answers": {"aspiration": "no", "solution": "no", "competition": "yes",
                                            "only_me": "no"}}),
    ]
    status, out, err = run(paths)
    assert (status, err) == (0, "")
    lines = results(out)
    assert [line["file"] for line in lines] == paths
    assert [line["recommendation"] for line in lines] == ["offer", "clarify", "no_offer"]
    assert lines[1]["open"] == list(KEYS[1:]) and lines[1]["unfavourable"] == []
    assert lines[2]["unfavourable"] == ["aspiration", "solution", "competition", "only_me"]
    assert lines[2]["open"] == ["time_scale", "money", "authority", "need"]
    assert all(line["threshold"] == 3 for line in lines)


def test_standard_input_is_read_for_a_dash():
    status, out, _ = run(["-"], stdin=json.dumps({"answers": ALL_GOOD, "threshold": 0}))
    (line,) = results(out)
    assert (status, line["file"], line["recommendation"], line["threshold"]) == (0, "-", "offer", 0)


def test_standard_input_as_bytes_may_start_with_a_byte_order_mark():
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf" + json.dumps({"answers": ALL_GOOD}).encode()))
    assert cli.run_qualify(["-"], as_json=True, stdin=stdin, stdout=out, stderr=err) == 0
    assert results(out.getvalue())[0]["recommendation"] == "offer"


def test_german_words_and_any_case_are_accepted():
    german = {key: {"yes": "JA", "no": "Nein"}[value] for key, value in ALL_GOOD.items()}
    german["need"] = "Offen"
    mixed = {**{key: value.upper() for key, value in ALL_GOOD.items()}, "need": "OPEN"}
    _, out, _ = run(["-", "-"], stdin=json.dumps({"answers": german}))
    _, expected, _ = run(["-"], stdin=json.dumps({"answers": mixed}))
    first = results(out)[0]
    assert first == results(expected)[0]
    assert first["recommendation"] == "clarify" and first["open"] == ["need"]


def test_the_threshold_decides_at_its_edge():
    four_bad = {"aspiration": "no", "solution": "no", "competition": "yes", "only_me": "no"}
    status, out, _ = run(["-"], stdin=json.dumps({"answers": {**ALL_GOOD, **four_bad}, "threshold": 4}))
    assert results(out)[0]["recommendation"] == "offer"
    _, out, _ = run(["-"], stdin=json.dumps({"answers": {**ALL_GOOD, **four_bad}, "threshold": 3}))
    assert results(out)[0]["recommendation"] == "no_offer"


def test_details_feed_lights_and_points_to_clarify_but_not_the_recommendation():
    details = {"money.incentive_not_to_spend": "ja", "money.budget": 250000, "authority.decision_makers": ["Anna"],
               "competition.competitors": "Acme", "competition.behaviour": "aggressiv", "authority.our_decider": None}
    _, out, _ = run(["-"], stdin=json.dumps({"answers": ALL_GOOD, "details": details}))
    (line,) = results(out)
    assert line["recommendation"] == "offer"
    assert line["lights"]["money"] == "amber"
    assert line["warnings"] == [{"category": "money", "code": "favourable_headline_unfavourable_details",
                                 "questions": ["money.incentive_not_to_spend"]}]
    assert "money.budget" not in line["clarify"] and "authority.our_decider" in line["clarify"]


BAD_INPUTS = {
    "not JSON": ("{answers: yes}", "not valid JSON"),
    "empty": ("", "not valid JSON"),
    "NaN": ('{"answers": {}, "threshold": NaN}', "NaN is not allowed"),
    "duplicate key": ('{"answers": {"need": "yes", "need": "no"}}', 'duplicate key "need"'),
    "array": ([], "expected a JSON object, not array"),
    "string": ('"yes"', "expected a JSON object, not string"),
    "unknown field": ({"answers": {}, "comment": "x"}, 'unknown field "comment"'),
    "no answers": ({"threshold": 3}, 'missing field "answers"'),
    "answers a list": ({"answers": ["yes"]}, '"answers" must be a JSON object'),
    "unknown key": ({"answers": {"size": "yes"}}, 'unknown answer key "size"'),
    "detail id as key": ({"answers": {"money.budget": "yes"}}, 'unknown answer key "money.budget"'),
    "bad value": ({"answers": {"need": "maybe"}}, 'invalid answer "maybe" for "need"'),
    "null value": ({"answers": {"need": None}}, 'invalid answer null for "need"'),
    "boolean value": ({"answers": {"need": True}}, 'invalid answer true for "need"'),
    "number value": ({"answers": {"need": 1}}, 'invalid answer 1 for "need"'),
    "threshold true": ({"answers": {}, "threshold": True}, "threshold must be an integer >= 0, not true"),
    "threshold false": ({"answers": {}, "threshold": False}, "not false"),
    "threshold negative": ({"answers": {}, "threshold": -1}, "not -1"),
    "threshold float": ({"answers": {}, "threshold": 3.5}, "not 3.5"),
    "threshold integral float": ({"answers": {}, "threshold": 3.0}, "not 3.0"),
    "threshold string": ({"answers": {}, "threshold": "3"}, 'not "3"'),
    "threshold null": ({"answers": {}, "threshold": None}, "not null"),
    "details a list": ({"answers": {}, "details": []}, '"details" must be a JSON object'),
    "unknown detail": ({"answers": {}, "details": {"money.size": 1}}, 'unknown detail id "money.size"'),
    "headline as detail": ({"answers": {}, "details": {"money": "yes"}}, 'unknown detail id "money"'),
    "bad yes/no detail": ({"answers": {}, "details": {"need.strategy": 1}}, 'for detail "need.strategy"'),
    "negative amount": ({"answers": {}, "details": {"money.budget": -5}}, "expected a number >= 0"),
    "text amount": ({"answers": {}, "details": {"money.budget": "viel"}}, 'invalid value "viel"'),
    "bad contacts": ({"answers": {}, "details": {"authority.decision_makers": {"a": 1}}}, "a name or a list"),
    "not UTF-8": (b'{"answers": {"need": "\xff"}}', "not UTF-8"),
    "too deep": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_a_bad_file_gives_one_line_on_stderr_and_the_others_are_still_evaluated(case, write):
    content, problem = BAD_INPUTS[case]
    good = write("good.json", {"answers": ALL_GOOD})
    bad = write("bad.json", content)
    status, out, err = run([good, bad, good])
    assert status == 2
    assert [line["file"] for line in results(out)] == [good, good]
    assert err.count("\n") == 1 and err.startswith(f"{bad}: ")
    assert problem in err and "Traceback" not in err


@pytest.mark.parametrize("make", [lambda tmp: str(tmp / "missing.json"), lambda tmp: str(tmp)],
                         ids=["missing", "directory"])
def test_an_unreadable_file_is_reported_like_a_bad_one(make, tmp_path, write):
    good = write("good.json", {"answers": ALL_GOOD})
    status, out, err = run([make(tmp_path), good])
    assert status == 2 and len(results(out)) == 1
    assert err.count("\n") == 1 and err.startswith(make(tmp_path) + ": cannot read the file")


def test_several_bad_files_give_one_line_each(write):
    status, out, err = run([write("a.json", "[]"), write("b.json", "{")])
    assert (status, out) == (2, "")
    assert [line.split(":")[0] for line in err.splitlines()] == [str(Path(write("a.json", "[]"))),
                                                                 str(Path(write("b.json", "{")))]


def test_the_english_summary():
    status, out, _ = run(["-"], as_json=False, stdin=json.dumps({"answers": {**ALL_GOOD, "money": "offen"}}))
    assert status == 0
    assert out.startswith("-: Clarify with the customer first\n")
    assert "Unfavourable: 0 of 8 (more than 3 means no offer)" in out
    assert "  M  Money" in out and "money: Has the customer set aside a budget?" in out
    assert "money.within_budget: Is the Muster AG solution (without cutbacks) within the budget?" in out


def test_the_german_summary(write):
    paths = [write("a.json", {"answers": {"aspiration": "nein", "solution": "nein", "competition": "ja",
                                          "only_me": "nein"}}),
             write("b.json", {"answers": ALL_GOOD})]
    status, out, _ = run(paths, as_json=False, language="de")
    t = cli.translate
    first, second = out.split("\n\n")
    assert status == 0
    assert first.startswith(f"{paths[0]}: {t('No offer', 'de')}\n")
    assert second.startswith(f"{paths[1]}: {t('Make an offer', 'de')}\n")
    assert t("Unfavourable: {count} of {total} (more than {threshold} means no offer)", "de",
             count=4, total=8, threshold=3) in first
    assert "Aspiration (Absicht)" in first and t("red", "de") in first
    assert "money.within_budget: Liegt die Muster AG-Lösung (ohne Abstriche) innerhalb des Budgets?" in first


# The modules whose texts `translate` words (marked with gettext_noop, or `_ = gettext_noop`).
CLI_SOURCES = [Path(cli.__file__), Path(cli.__file__).parents[1] / "network" / "cli.py",
               Path(cli.__file__).parents[1] / "winloss" / "files.py"]


def _marked_texts() -> set[str]:
    texts = set()
    for path in CLI_SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("gettext_noop", "_") and node.args \
                    and isinstance(node.args[0], ast.Constant):
                texts.add(node.args[0].value)
    return texts


def test_every_text_of_the_command_line_tools_reads_from_the_one_catalogue():
    """German from the project's catalogue (the .mo Django reads), through Python's gettext: the same text
    Django's own translation gives, and no second table of German texts in the code."""
    texts = _marked_texts()
    assert len(texts) > 50 and "No offer" in texts and "{where}: knows needs a strength from 0 to 1" in texts
    for message in texts:
        german = cli.translate(message, "de")
        assert german != message, f"no German for {message!r} in locale/de/LC_MESSAGES/django.po"
        with translation.override("de-ch"):
            assert german == translation.gettext(message)
        assert cli.translate(message, "en") == message
    for path in CLI_SOURCES:
        assert "GERMAN" not in path.read_text("utf-8")
    assert cli.translate("No offer", "de") == "Kein Angebot"
    assert cli.translate("Open: {count}", "de", count=2) == "Offen: 2"


def test_errors_are_in_the_chosen_language(write):
    bad = write("bad.json", {"answers": {"need": "vielleicht"}})
    _, _, err = run([bad], language="de")
    expected = cli.translate(
        "invalid answer {value} for {key} (expected yes, no, open, ja, nein or offen)", "de",
        value='"vielleicht"', key='"need"')
    assert err == f"{bad}: {expected}\n"


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "de_CH.UTF-8"}, "de"), ({"LANG": "en_GB.UTF-8"}, "en"), ({"LC_ALL": "de_DE", "LANG": "en_US"}, "de"),
])
def test_the_default_language_follows_the_locale(environ, language):
    assert cli.default_language(environ) == language


def test_the_default_catalogue_is_loaded_from_the_package():
    assert cli.default_catalogue().keys == KEYS


# --- the JSON line written out directly is json.dumps' ------------------------------------------------

RAW = json.loads((Path(cli.__file__).with_name("catalogues") / cli.CATALOGUE).read_text("utf-8"))
for _category in RAW["categories"]:  # a knock-out too, so that list is not always empty
    for _question in (_category["headline"], *_category["details"]):
        if _question["id"] in ("only_me.must_requirements", "solution"):
            _question["knockout"] = True
WITH_KNOCKOUTS = q.Catalogue.from_dict(RAW)
YES_NO_IDS = [question.id for question in WITH_KNOCKOUTS.questions() if question.type == q.YES_NO]


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(YES_NO_IDS), st.sampled_from(["ja", "nein", "offen", "YES", "no"])),
       st.integers(0, 9), st.text(), st.booleans())
def test_the_json_line_is_exactly_what_json_dumps_writes(answers, threshold, path, knockouts):
    catalogue = WITH_KNOCKOUTS if knockouts else cli.default_catalogue()
    evaluation = q.evaluate(catalogue, answers, threshold)
    quoted = cli.Quoted()
    expected = json.dumps({"file": path, **evaluation.to_dict()})
    assert cli.json_line(path, evaluation, quoted) == expected
    assert cli.json_line(path, evaluation, quoted) == expected  # with the ids quoted already


def test_the_json_line_of_odd_paths_and_of_every_finding():
    answers = {"solution": "no", "money": "yes", "money.incentive_not_to_spend": "yes", "need": "no",
               "need.strategy": "yes", "need.specification": "ja", "need.stakeholders_involved": "yes"}
    evaluation = q.evaluate(WITH_KNOCKOUTS, answers, 0)
    assert evaluation.knockouts and len(evaluation.warnings) == 2 and evaluation.clarify
    for path in ("a.json", 'quote"back\\slash', "Zürich/€/😀.json", "new\nline\ttab", "\x00\x1f", "-"):
        assert cli.json_line(path, evaluation, cli.Quoted()) == json.dumps({"file": path, **evaluation.to_dict()})


# --- the installed command, as a script would call it ---------------------------------------------------

SETTINGS = "kundennetz.settings.local"
EXECUTABLE = Path(sys.executable).with_name("kundennetz")


@pytest.mark.skipif(importlib.util.find_spec(SETTINGS) is None, reason=f"{SETTINGS} is not importable yet")
def test_the_installed_command_reads_standard_input(tmp_path):
    env = {**os.environ, "KUNDENNETZ_HOME": str(tmp_path), "LANG": "en_US.UTF-8", "LC_ALL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the command line picks its own settings, as for a user
    good = json.dumps({"answers": {**ALL_GOOD, "competition": "ja", "need": "OFFEN"}, "threshold": 0})
    done = subprocess.run([str(EXECUTABLE), "qualify", "--json", "-"], input=good, capture_output=True,
                          text=True, env=env, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    line = json.loads(done.stdout)
    assert (line["recommendation"], line["unfavourable"], line["open"], line["threshold"]) == (
        "no_offer", ["competition"], ["need"], 0)

    bad = tmp_path / "bad.json"
    bad.write_text('{"answers": {}, "threshold": -1}')
    done = subprocess.run([str(EXECUTABLE), "qualify", "--json", str(bad), "-"], input=good,
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and len(done.stdout.splitlines()) == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"{bad}: ") and "Traceback" not in done.stderr
